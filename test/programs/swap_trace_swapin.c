/*
 * A swap-in, read back through the IPC log that pager.trace_map maps
 * read-only into this process: after touching one and a half times the frame
 * budget (enough to push the first pages out, and quick on a busy machine),
 * reading an early page faults, and the log shows this thread's FAULT
 * (translation fault, read), the pager worker that received it handing it
 * to a swap I/O thread (docs/swap.md), that thread calling swapd.swap_in
 * and swapd's REPLY to it, the thread mapping the page, and its
 * FAULT_REPLY resuming this thread, in that order; the page holds what was
 * written. Needs a swap disk (test/swap's suite).
 */
#include <faultline/abi.h>

#include "swapd.h"
#include "swaptest.h"
#include "tracelog.h"

#define SEED  0x7ace
#define TRIES 128

int main(void)
{
	size_t n = swap_budget() * 3 / 2;
	uint64_t slots0 = swap_stats_now().slots_used;
	struct tl_log log;
	struct tl_found f;
	size_t i;

	swap_require(n);
	char *p = t_pages(n);
	t_fill_first(p, 0, n, SEED);
	T_ASSERTF(swap_stats_now().slots_used > slots0,
	          "%zu pages under a budget of %zu frames, but no page went to swap", n,
	          swap_budget());
	tl_open(&log);
	/* The first pages written are the likeliest out; a page caught still on
	 * its way out comes back without a swap-in, so look a little further. */
	for (i = 0; i < TRIES; i++) {
		volatile uint64_t *w = (volatile uint64_t *)(p + i * T_PAGE);
		bool faulted;
		tl_mark(&log);
		uint64_t x = *w;
		T_ASSERTF(x == t_word(SEED, i, 0), "page %zu reads %#llx after coming back", i,
		          (unsigned long long)x);
		if (tl_probe(&log,
		             &(struct tl_expect){.addr = (uint64_t)(uintptr_t)w,
		                                 .access = FL_ACCESS_READ,
		                                 .swapd_label = SWAPD_SWAP_IN_LABEL},
		             "swap-in fault", &f, &faulted))
			break;
	}
	T_ASSERTF(i < TRIES, "none of the first %d pages came back through swapd.swap_in", TRIES);
	T_ASSERTF(f.server != f.doer, "the pager called itself");
	printf("trace: swap-in of page %zu taken by thread %u, done by thread %u through thread "
	       "%u: %llu counter ticks\n",
	       i, (unsigned)f.handler, (unsigned)f.doer, (unsigned)f.server,
	       (unsigned long long)(f.t_resumed - f.t_fault));
	/* Give the heap back with recording off: freeing hundreds of slots would
	 * push the swap-in out of a log dumped at power-off (test/trace's
	 * suite reads it there under kernel.trace). */
	tl_record(false);
	T_ASSERT(sbrk(-(intptr_t)(n * T_PAGE)) == p + n * T_PAGE);
	tl_close(&log);
	return 0;
}
