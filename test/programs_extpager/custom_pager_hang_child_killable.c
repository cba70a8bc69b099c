/*
 * Mode 1: a custom pager that never answers leaves its child blocked in
 * its first fault (documented): the child does not end by itself, its
 * parent can kill it; and once the hung pager is killed, a child still
 * waiting on it is killed by the default pager. The system stays healthy.
 */
#include <signal.h>

#include "exttest.h"

/* Fail if child has ended within about 300 ms. */
static void still_blocked(pid_t child)
{
	uint64_t end = t_now() + t_hz() * 3 / 10;
	int st;

	while (t_now() < end) {
		T_ASSERT(waitpid(child, &st, WNOHANG) == 0);
		sched_yield();
	}
}

int main(void)
{
	pid_t pager = x_spawn_pager("faulty_pager", "fault-hang");
	char *argv[] = {"paged_child", "fill", "1", NULL};
	pid_t child = x_spawn_paged(pager, argv);

	still_blocked(child);
	T_ASSERT(kill(child, SIGKILL) == 0);
	x_wait_status(child, SIGKILL,
	              "a child blocked on a hung custom pager, killed by its parent");
	child = x_spawn_paged(pager, argv);
	still_blocked(child);
	x_stop_pager(pager);
	t_wait_killed(child, "a child whose hung custom pager was killed");
	x_pager_still_healthy();
	return 0;
}
