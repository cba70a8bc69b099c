/*
 * An external pager that never receives the request: the process whose
 * fault needed the page is killed (docs/custom-pagers.md, failure rules),
 * the external pager ends as documented, and the default pager still
 * serves external regions afterwards.
 */
#include "exttest.h"

int main(void)
{
	pid_t server = x_spawn_pager("faulty_pager", "norecv");
	x_expect_toucher_killed(server,
	                        "touching a page its external pager never receives the request");
	t_wait_killed(server, "an external pager that timed out");
	x_pager_still_healthy();
	return 0;
}
