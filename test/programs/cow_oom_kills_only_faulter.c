/*
 * Out of memory during a COW fault kills only the faulting process: the
 * parent holds almost every free frame, forks, and the child writes every
 * shared page, needing a copy of each, more than the system has. The pager
 * kills the child (waitpid reads it as signalled), the parent's data is
 * intact, and once the child is gone its copies are freed again: the free
 * frames are back where they were before the fork.
 */
#include "testlib.h"

/* Free frames left after the parent's allocation, for the fork itself. */
#define MARGIN 48

static char *p;
static size_t pages;

static void write_all(void *arg)
{
	(void)arg;
	t_fill_first(p, 0, pages, 2);
}

int main(void)
{
	struct fl_pager_stats s = t_stats();

	T_ASSERTF(s.frames_free > 2 * MARGIN, "only %llu free frames",
	          (unsigned long long)s.frames_free);
	pages = s.frames_free - MARGIN;
	p = t_pages(pages);
	t_fill_first(p, 0, pages, 1);
	struct fl_pager_stats before = t_stats();
	t_expect_killed(write_all, NULL, "copies more pages than there are free frames");
	struct fl_pager_stats after = t_stats();
	t_check_first(p, 0, pages, 1, "parent's data after the child's death");
	T_ASSERTF(after.frames_free == before.frames_free,
	          "%llu frames free after the killed child, %llu before the fork",
	          (unsigned long long)after.frames_free, (unsigned long long)before.frames_free);
	/* The system goes on: the parent can still fork a well-behaved child. */
	pid_t pid = t_fork();
	if (pid == 0) {
		t_check_first(p, 0, pages, 1, "second child's view");
		exit(0);
	}
	t_wait_ok(pid);
	return 0;
}
