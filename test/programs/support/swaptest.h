/*
 * Helpers of the swap test programs (swap_*.c): the pager's swap counters
 * and page counts that make memory pressure under the frame budget
 * (bootarg pager.frames=N). They need a swap disk (docs/swap.md).
 */
#ifndef SWAPTEST_H
#define SWAPTEST_H

#include <faultline/ipc.h>

#include "pager.h"
#include "testlib.h"

extern _Thread_local fl_cptr_t fl_pager_cap; /* the runtime's pager cap */

/* The pager's swap counters; fails the test if they cannot be read. */
static inline struct pager_swap_stats swap_stats_now(void)
{
	struct pager_swap_stats s;

	T_ASSERTF(pager_swap_stats(fl_pager_cap, &s) == 0, "pager.swap_stats failed");
	return s;
}

/* Fail unless there is a swap disk with room for npages more pages. */
static inline void swap_require(size_t npages)
{
	struct pager_swap_stats s = swap_stats_now();

	T_ASSERTF(s.slots_total > 0, "no swap disk (run with the swap disk attached)");
	T_ASSERTF(s.slots_total - s.slots_used >= npages,
	          "the swap disk has %llu free slots, the test needs %zu",
	          (unsigned long long)(s.slots_total - s.slots_used), npages);
}

/* The pager's frame budget (frames in its pool). */
static inline size_t swap_budget(void)
{
	return (size_t)t_stats().frames_total;
}

/* Yield until slots in use fall to at most target (slots of exited
 * processes are freed by whoever ends them); true if they did. */
static inline bool swap_wait_slots(uint64_t target, unsigned seconds)
{
	uint64_t end = t_now() + seconds * t_hz();

	while (swap_stats_now().slots_used > target)
		if (t_now() > end)
			return false;
		else
			sched_yield();
	return true;
}

/*
 * The most slots a test may find in use once the processes it started have
 * ended: what was in use when it started (slots0), plus its own pages (the
 * others' pressure may have pushed them out; the test server's own pages
 * are never evicted, docs/testing.md), plus a few pages it touched since.
 */
static inline uint64_t swap_slots_bound(uint64_t slots0)
{
	uint64_t mine, shared;

	t_my_frames(&mine, &shared);
	return slots0 + mine + 8;
}

#endif
