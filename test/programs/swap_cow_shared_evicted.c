/*
 * COW-shared pages evicted and faulted back by each sharer: parent and
 * child share pages copy-on-write, both stop touching them while a third
 * process (the parent's second child) pushes them out to swap (all
 * sharers then name one slot). Each sharer then reads every shared page
 * (original data), writes its own pattern (breaking the sharing) and
 * verifies it; the other sharer's view stays intact.
 */
#include "swaptest.h"

int main(void)
{
	size_t n = swap_budget() / 4;
	uint64_t slots0 = swap_stats_now().slots_used;

	swap_require(3 * swap_budget());
	char *p = t_pages(n);
	t_fill(p, n, 0xab);
	pid_t child = t_fork();
	if (child == 0) {
		/* Wait until the pusher has run: the shared pages are in swap. */
		while (swap_stats_now().slots_used < slots0 + n / 2)
			sched_yield();
		t_check(p, n, 0xab, "child reading shared pages back from swap");
		t_fill(p, n / 2, 0xcc);
		t_check(p, n / 2, 0xcc, "child's writes to pages it shared");
		exit(0);
	}
	pid_t pusher = t_fork();
	if (pusher == 0) {
		size_t m = swap_budget() + swap_budget() / 2;
		char *q = t_pages(m);
		t_fill_first(q, 0, m, 0x77);
		t_check_first(q, 0, m, 0x77, "pusher's pages");
		exit(0);
	}
	t_wait_ok(pusher);
	uint64_t resident, shared;
	t_my_frames(&resident, &shared);
	T_ASSERTF(resident < n, "the pusher left all %zu shared pages resident", n);
	t_check(p, n, 0xab, "parent reading shared pages back from swap");
	t_fill(p + (n / 2) * T_PAGE, n - n / 2, 0xdd);
	t_check(p + (n / 2) * T_PAGE, n - n / 2, 0xdd, "parent's writes to pages it shared");
	t_check(p, n / 2, 0xab, "parent's untouched shared pages");
	t_wait_ok(child);
	return 0;
}
