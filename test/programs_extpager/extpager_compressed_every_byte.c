/*
 * A region served by the compressed-memory pager: every byte of its 64
 * pages reads as the data set it compressed; a page past the data set is
 * refused, which kills only the process that touched it.
 */
#include "content.h"
#include "exttest.h"

#define PAGES 64

/* Attach one page more than the data set; read all of it, or the extra one. */
static void child(pid_t server, bool past_end)
{
	char *r = X_REGION_VA;

	x_attach(server, r, PAGES + 1, false);
	if (past_end)
		(void)*(volatile char *)(r + PAGES * T_PAGE);
	for (size_t o = 0; o < PAGES * T_PAGE; o++)
		T_ASSERTF((uint8_t)r[o] == content_byte(o), "byte at 0x%zx is 0x%02x, not 0x%02x",
		          o, (uint8_t)r[o], content_byte(o));
	exit(0);
}

int main(void)
{
	pid_t server = x_spawn_pager("compressed_pager", "64");
	pid_t c = t_fork();

	if (c == 0)
		child(server, false);
	t_wait_ok(c);
	c = t_fork();
	if (c == 0)
		child(server, true);
	t_wait_killed(c, "touching a page past the compressed data set");
	c = t_fork();
	if (c == 0)
		child(server, false);
	t_wait_ok(c);
	x_stop_pager(server);
	return 0;
}
