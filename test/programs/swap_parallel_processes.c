/*
 * Several processes at once (run on -smp 4) each touch more than the
 * whole frame budget with their own checksum pattern and verify it on a
 * second pass, so their evictions and swap-ins overlap: every process
 * must see only its own data and every page must come back. All slots
 * are free again once they have exited.
 */
#include "swaptest.h"

#define PROCS 4

int main(void)
{
	size_t each = swap_budget() + swap_budget() / 2;
	uint64_t slots0 = swap_stats_now().slots_used;
	pid_t pids[PROCS];

	swap_require(PROCS * each);
	for (unsigned i = 0; i < PROCS; i++) {
		pids[i] = t_fork();
		if (pids[i] == 0) {
			char *p = t_pages(each);
			t_fill(p, each, 0x9000 + i);
			t_check(p, each, 0x9000 + i, "a process's pages while others swap");
			exit(0);
		}
	}
	uint64_t bound = swap_slots_bound(slots0);
	for (unsigned i = 0; i < PROCS; i++)
		t_wait_ok(pids[i]);
	T_ASSERTF(swap_wait_slots(bound, 10),
	          "slots still in use after every process exited: %llu, at most %llu expected",
	          (unsigned long long)swap_stats_now().slots_used, (unsigned long long)bound);
	return 0;
}
