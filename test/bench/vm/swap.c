/*
 * Swap figures, run with a swap disk and a small frame pool (bootargs
 * pager.frames=N bench.groups=swap, see tools/bench/bench.py). The process
 * touches a heap larger than the pool, so the pager keeps most of it on the
 * swap disk; then, sweeping it again page by page, every write finds its
 * page out on disk and the pool full: the pager evicts one page (writes it
 * to a slot) and reads the page back (swap.evict_swapin, one page at a
 * time). swap.sweep is the same sweep as a whole, per page: one sample per
 * sweep. The pager's swap-in counter must grow by (at least) one per page
 * and its swap-out counter as much less at most the pool, or the figure is
 * an error: it did not measure swap.
 *
 * These figures count with the PMU's instruction counter (bootarg
 * kernel.pmu_insns), not the generic counter: while the CPU waits for the
 * disk QEMU's virtual time jumps by a host-dependent amount, but no
 * instruction is counted (the kernel pauses the counter while idle).
 */
#include <stdio.h>
#include <string.h>

#include <faultline/ipc.h>
#include <faultline/process.h>

#include "bench_vm.h"
#include "pager.h"

extern _Thread_local fl_cptr_t fl_pager_cap; /* the runtime's pager cap */

#define SWEEPS 2 /* timed whole sweeps (swap.sweep's samples, and as many in the loop) */

/* Instructions executed so far (PMU event counter 0, 32 bits: deltas of
 * less than 2^32 instructions come out right across a wrap). */
static inline uint32_t insns_now(void)
{
	uint64_t c;

	__asm__ volatile("isb; mrs %0, pmevcntr0_el0" : "=r"(c)::"memory");
	return (uint32_t)c;
}

/* The pager's swap counters; false if it cannot say. */
static bool swap_now(struct pager_swap_stats *s)
{
	return pager_swap_stats(fl_pager_cap, s) == 0;
}

/* Check that between a and b the pager read every page swept back from
 * swap and wrote as many out, less at most the pool (a background evictor
 * may be ahead or behind by what the pool holds); sets f->error otherwise. */
static void check_swapped(struct bench_figure *f, const struct pager_swap_stats *a,
                          const struct pager_swap_stats *b, uint64_t pages, uint64_t pool)
{
	if (b->swap_outs - a->swap_outs + pool < pages)
		f->error = "fewer swap-outs than pages swept: the sweep did not evict";
	else if (b->swap_ins - a->swap_ins < pages)
		f->error = "fewer swap-ins than pages swept: the pages were not on the swap disk";
}

/* One write to each of pages pages of p, in order; returns the counter
 * delta around the whole sweep. */
static uint64_t sweep(uint8_t *p, unsigned pages, uint64_t value)
{
	uint32_t start = insns_now();

	for (unsigned i = 0; i < pages; i++)
		*(volatile uint64_t *)(p + i * PAGE) = value;
	return (uint32_t)(insns_now() - start);
}

void vm_swap(void)
{
	struct bench_figure one = {.name = "swap.evict_swapin"}, all = {.name = "swap.sweep"};
	struct fl_pager_stats st = {0};
	struct pager_swap_stats s0, s1;
	uint64_t sweeps[SWEEPS];

	/* Twice the pool, at least the samples and the warm-up. */
	unsigned pages = 0;
	if (fl_pager_stats(&st) == 0)
		pages = (unsigned)(2 * st.frames_total);
	if (pages < BENCH_WARMUP + BENCH_SAMPLES)
		pages = BENCH_WARMUP + BENCH_SAMPLES;
	if (!swap_now(&s0) || s0.slots_total == 0)
		one.skip = all.skip = "no swap disk";
	else if (s0.slots_total - s0.slots_used < pages + 64)
		one.skip = all.skip = "the swap disk is too small for a sweep of twice the pool";
	uint8_t *p = one.skip ? NULL : vm_fresh_pages(pages, &one);
	if (!p) {
		all.error = one.error;
		bench_print(&one);
		bench_print(&all);
		return;
	}
	memset(bench_samples, 0, sizeof bench_samples);
	fflush(stdout);
	/* Fill the heap (zero-fill, then eviction once the pool is full) and
	 * sweep once more untimed: from here every page is written back and
	 * read in once per sweep. */
	sweep(p, pages, 1);
	sweep(p, pages, 2);

	/* swap.evict_swapin: the first BENCH_WARMUP pages untimed, then one
	 * sample per page, the rest of the sweep as the loop. */
	swap_now(&s0);
	sweep(p, BENCH_WARMUP, 3);
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		uint8_t *q = p + (BENCH_WARMUP + i) * PAGE;
		uint32_t start = insns_now();
		*(volatile uint64_t *)q = 3;
		bench_samples[i] = (uint32_t)(insns_now() - start);
	}
	unsigned rest = pages - BENCH_WARMUP - BENCH_SAMPLES;
	uint64_t loop = rest ? sweep(p + (BENCH_WARMUP + BENCH_SAMPLES) * PAGE, rest, 3) : 0;
	if (!swap_now(&s1))
		one.error = "the pager's swap_stats call failed";
	else
		check_swapped(&one, &s0, &s1, pages, st.frames_total);
	if (!one.error)
		bench_summarise(&one, bench_samples, BENCH_SAMPLES, loop, rest ? rest : 1);
	bench_print(&one);

	/* swap.sweep: whole sweeps, per page. */
	swap_now(&s0);
	for (unsigned i = 0; i < SWEEPS; i++)
		sweeps[i] = sweep(p, pages, 4 + i);
	loop = 0;
	for (unsigned i = 0; i < SWEEPS; i++)
		loop += sweep(p, pages, 8 + i);
	if (!swap_now(&s1))
		all.error = "the pager's swap_stats call failed";
	else
		check_swapped(&all, &s0, &s1, 2 * SWEEPS * (uint64_t)pages, st.frames_total);
	if (!all.error) {
		bench_summarise(&all, sweeps, SWEEPS, loop, SWEEPS * pages);
		/* The samples are whole sweeps: per page, as the mean is. */
		all.median = (all.median + pages / 2) / pages;
		all.min = (all.min + pages / 2) / pages;
		all.max = (all.max + pages / 2) / pages;
	}
	bench_print(&all);
}
