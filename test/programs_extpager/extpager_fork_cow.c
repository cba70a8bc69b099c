/*
 * Fork of a process with an externally paged, writable region: pages the
 * parent had are shared copy-on-write (the child sees the parent's write,
 * its own writes stay its own, the parent's stay the parent's), and pages
 * nobody had yet come from the external pager in either process.
 */
#include "exttest.h"
#include "pattern.h"

#define PAGES 16

int main(void)
{
	pid_t server = x_spawn_pager("pattern_pager", NULL);
	char *r = X_REGION_VA;

	x_attach(server, r, PAGES, true);
	x_check_pattern(r, 0, PAGES / 2, "parent before fork");
	r[0] = 'P';
	r[T_PAGE + 1] = 'Q';
	struct fl_pager_stats s0 = t_stats();
	pid_t c = t_fork();
	if (c == 0) {
		T_ASSERTF(r[0] == 'P' && r[T_PAGE + 1] == 'Q',
		          "child does not see the parent's writes");
		r[0] = 'C';
		r[2 * T_PAGE] = 'D';
		T_ASSERT(r[0] == 'C' && r[2 * T_PAGE] == 'D');
		x_check_pattern(r, 3, PAGES - 3, "child, pages it did not write");
		struct fl_pager_stats s1 = t_stats();
		T_ASSERTF(s1.cow_copies > s0.cow_copies || s1.cow_reuses > s0.cow_reuses,
		          "the child's write to a shared external page broke no COW");
		exit(0);
	}
	t_wait_ok(c);
	T_ASSERTF(r[0] == 'P', "parent's page 0 is '%c' after the child wrote it", r[0]);
	T_ASSERTF(r[T_PAGE + 1] == 'Q', "parent lost its write to page 1");
	T_ASSERTF((uint8_t)r[2 * T_PAGE] == pattern_byte(2 * T_PAGE),
	          "child's write to page 2 leaked");
	x_check_pattern(r, 3, PAGES - 3, "parent after the child");
	x_stop_pager(server);
	return 0;
}
