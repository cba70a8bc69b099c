/*
 * Mode 1, the minimal custom pager: fill_pager runs paged_child under
 * itself; every byte of the child's fresh heap pages, of a thread's and of
 * a fork child's, reads as the fill pager placed it (so threads and fork
 * children keep the custom pager), and the child's own writes stick.
 */
#include "exttest.h"

int main(void)
{
	char *argv[] = {"fill_pager", "paged_child", "fill", "16", NULL};
	pid_t pager = spawn("fill_pager", argv);

	T_ASSERT(pager > 0);
	/* fill_pager exits with its child's verdict. */
	x_wait_status(pager, 0, "fill_pager running paged_child fill 16");
	x_pager_still_healthy();
	return 0;
}
