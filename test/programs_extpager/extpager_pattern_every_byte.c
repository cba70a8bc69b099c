/*
 * An external region served by the pattern pager: a child attaches 64
 * pages, reads every byte in a scattered order and finds pattern_byte of
 * its offset; when the child ends, the pattern pager gets region_closed
 * (it was started to exit 0 after one close).
 */
#include "exttest.h"

#define PAGES 64

/* Touch pages in an order that is neither ascending nor descending. */
static void child(pid_t server)
{
	x_attach(server, X_REGION_VA, PAGES, false);
	for (size_t i = 0; i < PAGES; i++) {
		size_t page = (i * 37) % PAGES;
		x_check_pattern(X_REGION_VA, page, 1, "pattern region");
	}
	x_check_pattern(X_REGION_VA, 0, PAGES, "pattern region, second read");
	exit(0);
}

int main(void)
{
	pid_t server = x_spawn_pager("pattern_pager", "1");
	pid_t c = t_fork();

	if (c == 0)
		child(server);
	t_wait_ok(c);
	/* region_closed reached the pattern pager: it exits 0 by itself. */
	t_wait_ok(server);
	return 0;
}
