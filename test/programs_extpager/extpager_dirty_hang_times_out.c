/*
 * An external pager that never answers dirty_page: the writer still ends
 * normally (its report goes through the pager's caller thread, no worker
 * waits for it), the external pager is killed for not answering within the
 * time limit, and the default pager stays healthy.
 */
#include "exttest.h"

/* Writes one page of a writable region and ends. */
static void writer(pid_t server)
{
	x_attach(server, X_REGION_VA, 4, true);
	X_REGION_VA[100] = 1;
	exit(0);
}

int main(void)
{
	pid_t server = x_spawn_pager("faulty_pager", "dirty-hang");
	pid_t c = t_fork();

	if (c == 0)
		writer(server);
	t_wait_ok(c);
	t_wait_killed(server, "an external pager that never answers dirty_page");
	x_pager_still_healthy();
	return 0;
}
