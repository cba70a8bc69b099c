/*
 * With the swap disk full and no free frame, the faulting process is
 * killed (it reads as signalled) and the system goes on: a child touches
 * pages until it is killed; afterwards its slots are free again and the
 * parent can still use memory beyond the budget through swap.
 */
#include "swaptest.h"

/* Touch pages forever; the pager must kill this. */
static void touch_forever(void *arg)
{
	(void)arg;
	for (size_t i = 0;; i++) {
		char *p = sbrk(T_PAGE);
		if (p == (char *)-1)
			exit(2); /* the heap cannot grow: the test is wrongly set up */
		t_fill_first(p, 0, 1, i);
	}
}

int main(void)
{
	struct pager_swap_stats s0 = swap_stats_now();

	T_ASSERTF(s0.slots_total > 0, "no swap disk");
	T_ASSERTF(s0.slots_total + swap_budget() < (1u << 20),
	          "swap is too large to fill in a test; boot with swap.slots=N");
	uint64_t bound = swap_slots_bound(s0.slots_used);
	t_expect_killed(touch_forever, NULL, "filling memory and swap");
	T_ASSERTF(swap_wait_slots(bound, 10),
	          "the killed process's slots were not freed: %llu in use, at most %llu expected",
	          (unsigned long long)swap_stats_now().slots_used, (unsigned long long)bound);
	/* The system goes on: this process can still page beyond the budget. */
	size_t n = swap_budget() + swap_budget() / 2;
	char *p = t_pages(n);
	t_fill_first(p, 0, n, 0x44);
	t_check_first(p, 0, n, 0x44, "pages after another process filled swap");
	return 0;
}
