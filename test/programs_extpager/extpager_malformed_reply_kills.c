/*
 * An external pager that answers with a malformed reply: the process whose
 * fault needed the page is killed (docs/custom-pagers.md, failure rules),
 * the external pager ends as documented, and the default pager still
 * serves external regions afterwards.
 */
#include "exttest.h"

int main(void)
{
	pid_t server = x_spawn_pager("faulty_pager", "garbage");
	x_expect_toucher_killed(
	    server, "touching a page its external pager answers with a malformed reply");
	/* A malformed reply breaks the region but is no reason to kill the pager. */
	T_ASSERTF(kill(server, 0) == 0, "the pager that sent garbage was ended");
	x_stop_pager(server);
	x_pager_still_healthy();
	return 0;
}
