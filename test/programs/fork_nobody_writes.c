/*
 * Fork where nobody writes: the child shares every page of the parent
 * copy-on-write, reads the same data, and no page of it is copied — the
 * pager's counters show the pages COW-shared and no copies beyond the few
 * stack pages the two processes write to run at all.
 */
#include "testlib.h"

#define PAGES 64
/* Stack pages parent and child may each copy by merely calling functions. */
#define STACK_SLACK 8

int main(void)
{
	char *p = t_pages(PAGES);
	struct fl_pager_stats s0, s1;

	t_fill(p, PAGES, 21);
	s0 = t_stats();
	pid_t pid = t_fork();
	if (pid == 0) {
		uint64_t frames, shared;

		t_check(p, PAGES, 21, "child's view");
		t_my_frames(&frames, &shared);
		T_ASSERTF(shared >= PAGES, "child holds %llu COW-shared frames, want >= %d",
		          (unsigned long long)shared, PAGES);
		s1 = t_stats();
		T_ASSERTF(s1.frames_cow_shared >= s0.frames_cow_shared + PAGES,
		          "system COW-shared frames went from %llu to %llu",
		          (unsigned long long)s0.frames_cow_shared,
		          (unsigned long long)s1.frames_cow_shared);
		T_ASSERTF(s1.cow_copies - s0.cow_copies <= STACK_SLACK,
		          "%llu pages were copied though nobody wrote the data",
		          (unsigned long long)(s1.cow_copies - s0.cow_copies));
		exit(0);
	}
	t_check(p, PAGES, 21, "parent's view");
	t_wait_ok(pid);
	s1 = t_stats();
	T_ASSERTF(s1.cow_copies - s0.cow_copies <= 2 * STACK_SLACK,
	          "%llu pages were copied though nobody wrote the data",
	          (unsigned long long)(s1.cow_copies - s0.cow_copies));
	t_check(p, PAGES, 21, "parent's view after the child exited");
	return 0;
}
