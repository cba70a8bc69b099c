/*
 * Fork where both write: parent and child write different data to the same
 * shared pages at the same time; each sees only its own. Every page is
 * copied at least once (the first writer copies; the second, by then the
 * last sharer, may reuse the frame), and at most twice.
 */
#include "testlib.h"

#define PAGES       64
#define STACK_SLACK 16

int main(void)
{
	char *p = t_pages(PAGES);
	struct fl_pager_stats s0, s1;

	t_fill(p, PAGES, 51);
	s0 = t_stats();
	pid_t pid = t_fork();
	if (pid == 0) {
		t_fill(p, PAGES, 52);
		t_check(p, PAGES, 52, "child's own writes");
		exit(0);
	}
	t_fill(p, PAGES, 53);
	t_check(p, PAGES, 53, "parent's own writes");
	t_wait_ok(pid);
	t_check(p, PAGES, 53, "parent after the child exited");
	s1 = t_stats();
	uint64_t copies = s1.cow_copies - s0.cow_copies;
	uint64_t reuses = s1.cow_reuses - s0.cow_reuses;
	T_ASSERTF(copies >= PAGES, "two writers of %d shared pages made only %llu copies", PAGES,
	          (unsigned long long)copies);
	T_ASSERTF(copies + reuses >= 2 * PAGES && copies <= 2 * PAGES + STACK_SLACK,
	          "two writers of %d pages: %llu copies, %llu reuses", PAGES,
	          (unsigned long long)copies, (unsigned long long)reuses);
	return 0;
}
