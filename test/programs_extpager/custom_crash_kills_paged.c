/*
 * Mode 1: a custom pager that crashes on its child's first fault is killed
 * for it, and the default pager then kills the child (its faults would
 * never be answered): both read as killed, and the default pager still
 * serves everyone.
 */
#include "exttest.h"

int main(void)
{
	pid_t pager = x_spawn_pager("faulty_pager", "fault-crash");
	char *argv[] = {"paged_child", "fill", "1", NULL};
	pid_t child = x_spawn_paged(pager, argv);

	t_wait_killed(pager, "a custom pager touching an unmapped address");
	t_wait_killed(child, "a process whose custom pager crashed");
	x_pager_still_healthy();
	return 0;
}
