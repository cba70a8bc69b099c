/*
 * Fork where only the child writes: the child's writes copy each shared
 * page, the child sees its data, and the parent keeps the data of the
 * moment of the fork while the child runs and after it exits.
 */
#include "testlib.h"

#define PAGES 64

int main(void)
{
	char *p = t_pages(PAGES);
	struct fl_pager_stats s0, s1;

	t_fill(p, PAGES, 41);
	s0 = t_stats();
	pid_t pid = t_fork();
	if (pid == 0) {
		t_fill(p, PAGES, 42);
		t_check(p, PAGES, 42, "child's own writes");
		s1 = t_stats();
		T_ASSERTF(s1.cow_copies - s0.cow_copies >= PAGES,
		          "child wrote %d shared pages but only %llu copies were made", PAGES,
		          (unsigned long long)(s1.cow_copies - s0.cow_copies));
		exit(0);
	}
	t_wait_copies(s0.cow_copies + PAGES, 20);
	t_check(p, PAGES, 41, "parent while the child writes");
	t_wait_ok(pid);
	t_check(p, PAGES, 41, "parent after the child exited");
	return 0;
}
