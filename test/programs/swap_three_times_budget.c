/*
 * One process touches three times the frame budget: it writes a checksum
 * pattern into every word of every page, then reads every page back on a
 * second pass. Pages evicted to the swap disk must come back with exactly
 * what was written (nothing lost, nothing stale, no zero page), the pager
 * must really have swapped (slots in use while the pages are out), and the
 * heap's slots go back when the heap is given back (what may stay in swap
 * is at most the process's pages outside the heap: image and stack).
 */
#include "swaptest.h"

int main(void)
{
	size_t n = 3 * swap_budget();
	uint64_t slots0 = swap_stats_now().slots_used, others, shared;

	t_my_frames(&others, &shared);
	swap_require(n);
	char *p = t_pages(n);
	t_fill(p, n, 0x5157);
	T_ASSERTF(swap_stats_now().slots_used > slots0,
	          "%zu pages under a budget of %zu frames, but no page went to swap", n, n / 3);
	t_check(p, n, 0x5157, "pages after a pass three times the frame budget");
	t_check(p, n, 0x5157, "pages on a third pass");
	T_ASSERT(sbrk(-(intptr_t)(n * T_PAGE)) == p + n * T_PAGE);
	uint64_t left = swap_stats_now().slots_used - slots0;
	T_ASSERTF(left <= others + 8,
	          "after giving back the heap %llu slots are still in use; the process has only "
	          "%llu pages outside it",
	          (unsigned long long)left, (unsigned long long)others);
	return 0;
}
