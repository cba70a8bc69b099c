/*
 * fork of a process half of whose pages are in swap: the child shares the
 * swapped pages' slots (and the resident pages copy-on-write). Both sides
 * then write their own pattern into half of the pages and verify all of
 * them: each sees its own writes, the untouched half still holds the
 * original data on both sides, and no side sees the other's writes.
 */
#include "swaptest.h"

int main(void)
{
	size_t n = swap_budget();
	uint64_t slots0 = swap_stats_now().slots_used;

	swap_require(3 * n);
	char *p = t_pages(n);
	t_fill(p, n, 0xf0);
	/* Push about half of them out: touch another budget's worth. */
	char *q = t_pages(n / 2 + n / 4);
	t_fill_first(q, 0, n / 2 + n / 4, 0xf1);
	T_ASSERTF(swap_stats_now().slots_used > slots0 + n / 4,
	          "expected at least %zu pages in swap before fork", n / 4);
	pid_t pid = t_fork();
	char *mine = p + (pid == 0 ? 0 : n / 2) * T_PAGE;
	uint64_t seed = pid == 0 ? 0xc1 : 0x9a;
	t_fill(mine, n / 2, seed);
	t_check(mine, n / 2, seed, pid == 0 ? "child's writes" : "parent's writes");
	/* The other half: untouched by this side, so still the original. */
	char *other = p + (pid == 0 ? n / 2 : 0) * T_PAGE;
	for (size_t i = 0; i < n / 2; i++)
		for (size_t w = 0; w < T_PAGE / 8; w += 61)
			T_ASSERTF(((uint64_t *)(other + i * T_PAGE))[w] ==
			              t_word(0xf0, i + (pid == 0 ? n / 2 : 0), w),
			          "%s: page %zu of the half it did not write changed",
			          pid == 0 ? "child" : "parent", i);
	t_check_first(q, 0, n / 2 + n / 4, 0xf1, "second area after fork");
	if (pid == 0)
		exit(0);
	t_wait_ok(pid);
	return 0;
}
