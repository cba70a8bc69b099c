/*
 * Mode 1: a custom pager that asks the default pager to act on a process
 * it does not page (its parent, this test), to place from a buffer that
 * does not exist, into no region or over the child's code, gets an error
 * each time and nothing changes; its reply with a label the kernel does
 * not know leaves the child stopped, and its exit then ends the child.
 */
#include <stdio.h>
#include <string.h>

#include "exttest.h"

/* A page of this test's heap that the garbage pager is told about. */
static uint8_t *mine;

int main(void)
{
	char self[16];

	mine = t_pages(1);
	memset(mine, 0x3c, T_PAGE);
	snprintf(self, sizeof self, "%d", (int)getpid());
	char *pargv[] = {"faulty_pager", "fault-garbage", self, NULL};
	pid_t pager = spawn("faulty_pager", pargv);
	T_ASSERT(pager > 0);
	char *argv[] = {"paged_child", "fill", "1", NULL};
	pid_t child = x_spawn_paged(pager, argv);

	x_wait_status(pager, 0, "the garbage pager (bits: calls that did not fail as documented)");
	t_wait_killed(child, "a child whose custom pager sent an unknown reply, then exited");
	for (size_t b = 0; b < T_PAGE; b++)
		T_ASSERT(mine[b] == 0x3c);
	x_pager_still_healthy();
	return 0;
}
