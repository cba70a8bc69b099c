/*
 * xv6 cowtest's spirit: a process holding two thirds of the free memory can
 * still fork (nothing is copied at fork), its child and then itself write a
 * part of it, and after the child exits and the heap is given back, the
 * system has exactly as many free frames as before. Repeated ROUNDS times,
 * so a leak of even one frame per round shows.
 */
#include "testlib.h"

#define ROUNDS 3

int main(void)
{
	struct fl_pager_stats s0 = t_stats();
	/* Pages the child writes: an eighth, which fits in the third left free. */
	size_t pages = s0.frames_free * 2 / 3;
	size_t part = pages / 8;

	T_ASSERTF(pages >= 64, "only %llu free frames", (unsigned long long)s0.frames_free);
	for (int round = 0; round < ROUNDS; round++) {
		char *base = sbrk(0);
		char *p = t_pages(pages);

		t_fill_first(p, 0, pages, 70 + round);
		pid_t pid = t_fork();
		if (pid == 0) {
			t_check_first(p, 0, pages, 70 + round, "child's view of the big heap");
			t_fill_first(p, 0, part, 80 + round);
			t_check_first(p, 0, part, 80 + round, "child's writes");
			t_check_first(p, part, pages - part, 70 + round,
			              "child's view of the rest");
			exit(0);
		}
		t_wait_ok(pid);
		t_check_first(p, 0, pages, 70 + round, "parent after the child's writes");
		t_fill_first(p, pages - part, part, 90 + round);
		t_check_first(p, pages - part, part, 90 + round, "parent's writes");
		t_check_first(p, 0, pages - part, 70 + round, "parent's other pages");
		T_ASSERT(sbrk(-(intptr_t)((char *)sbrk(0) - base)) != (void *)-1);
		struct fl_pager_stats s = t_stats();
		T_ASSERTF(s.frames_free == s0.frames_free,
		          "round %d: %llu frames free, %llu before the first round", round,
		          (unsigned long long)s.frames_free, (unsigned long long)s0.frames_free);
	}
	return 0;
}
