/*
 * Fork where only the parent writes: the parent's writes copy each shared
 * page (the child still holds it), the parent sees its new data, and the
 * child keeps seeing the data of the moment of the fork, also after the
 * parent's writes are done.
 */
#include "testlib.h"

#define PAGES 64

int main(void)
{
	char *p = t_pages(PAGES);
	struct fl_pager_stats s0, s1;

	t_fill(p, PAGES, 31);
	s0 = t_stats();
	pid_t pid = t_fork();
	if (pid == 0) {
		t_check(p, PAGES, 31, "child before the parent's writes");
		/* Wait (a bounded time) until the parent has copied its pages. */
		t_wait_copies(s0.cow_copies + PAGES, 20);
		t_check(p, PAGES, 31, "child after the parent's writes");
		exit(0);
	}
	t_fill(p, PAGES, 32);
	s1 = t_stats();
	T_ASSERTF(s1.cow_copies - s0.cow_copies >= PAGES,
	          "parent wrote %d shared pages but only %llu copies were made", PAGES,
	          (unsigned long long)(s1.cow_copies - s0.cow_copies));
	t_check(p, PAGES, 32, "parent's own writes");
	t_wait_ok(pid);
	t_check(p, PAGES, 32, "parent's writes after the child exited");
	return 0;
}
