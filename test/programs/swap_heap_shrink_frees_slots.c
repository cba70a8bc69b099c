/*
 * Shrinking the heap over pages that are in swap frees their slots: the
 * slots in use drop by the swapped pages given back, the pages below the
 * new break still read back correctly (from swap or memory), and touching
 * a page above the new break is then outside every region.
 */
#include "swaptest.h"

int main(void)
{
	size_t n = 2 * swap_budget();
	uint64_t slots0 = swap_stats_now().slots_used, others, shared;

	t_my_frames(&others, &shared); /* its pages outside the heap */
	swap_require(n);
	char *p = t_pages(n);
	t_fill_first(p, 0, n, 0x33);
	uint64_t out = swap_stats_now().slots_used - slots0;
	T_ASSERTF(out > 0, "%zu pages under a budget of %zu, but none in swap", n, n / 2);
	/* Give back the upper half; the lower half (written first) is mostly in swap. */
	T_ASSERT(sbrk(-(intptr_t)(n / 2 * T_PAGE)) == p + n * T_PAGE);
	uint64_t after = swap_stats_now().slots_used - slots0;
	T_ASSERTF(after < out,
	          "giving back %zu pages freed no slot (%llu in use before, %llu after)", n / 2,
	          (unsigned long long)out, (unsigned long long)after);
	t_check_first(p, 0, n / 2, 0x33, "pages below the new break");
	T_ASSERT(sbrk(-(intptr_t)(n / 2 * T_PAGE)) == p + n / 2 * T_PAGE);
	uint64_t left = swap_stats_now().slots_used - slots0;
	T_ASSERTF(left <= others + 8, "%llu slots still in use after freeing the heap",
	          (unsigned long long)left);
	return 0;
}
