/*
 * The last sharer writes: after the child exits without writing, the
 * parent is the only holder of the formerly shared pages. Its writes then
 * make no copy (the pager remaps the frame writable): cow_copies does not
 * move, cow_reuses grows by one per page, and no frame is taken.
 */
#include "testlib.h"

#define PAGES 64

int main(void)
{
	char *p = t_pages(PAGES);
	struct fl_pager_stats s0, s1;

	t_fill(p, PAGES, 61);
	pid_t pid = t_fork();
	if (pid == 0)
		exit(0);
	t_wait_ok(pid);
	s0 = t_stats();
	t_fill(p, PAGES, 62);
	s1 = t_stats();
	T_ASSERTF(s1.cow_copies == s0.cow_copies, "the last sharer's writes made %llu copies",
	          (unsigned long long)(s1.cow_copies - s0.cow_copies));
	T_ASSERTF(s1.cow_reuses - s0.cow_reuses >= PAGES,
	          "the last sharer wrote %d pages but only %llu were reused", PAGES,
	          (unsigned long long)(s1.cow_reuses - s0.cow_reuses));
	T_ASSERTF(s1.frames_free == s0.frames_free,
	          "the last sharer's writes changed the free frames from %llu to %llu",
	          (unsigned long long)s0.frames_free, (unsigned long long)s1.frames_free);
	t_check(p, PAGES, 62, "parent's writes");
	return 0;
}
