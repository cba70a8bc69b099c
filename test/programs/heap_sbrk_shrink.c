/*
 * sbrk(n < 0) shrinks the heap: it returns the old break, the break moves
 * down by exactly -n, and the frames of the pages given back are freed (the
 * process holds fewer frames and the system has more free), while the
 * pages below the new break keep their contents.
 */
#include "testlib.h"

#define PAGES 32
#define GIVE  20

int main(void)
{
	uint64_t f0, f1, shared;
	struct fl_pager_stats s0, s1;
	char *p = t_pages(PAGES), *old;

	t_fill(p, PAGES, 11);
	t_my_frames(&f0, &shared);
	s0 = t_stats();
	old = sbrk(0);
	T_ASSERT(old == p + PAGES * T_PAGE);
	T_ASSERTF(sbrk(-(intptr_t)(GIVE * T_PAGE)) == old, "sbrk(-n) did not return the old break");
	T_ASSERT((char *)sbrk(0) == old - GIVE * T_PAGE);
	t_my_frames(&f1, &shared);
	s1 = t_stats();
	T_ASSERTF(f0 - f1 == GIVE, "shrinking by %d pages released %lld frames of the process",
	          GIVE, (long long)(f0 - f1));
	T_ASSERTF(s1.frames_free - s0.frames_free == GIVE,
	          "shrinking by %d pages freed %lld frames in the system", GIVE,
	          (long long)(s1.frames_free - s0.frames_free));
	t_check(p, PAGES - GIVE, 11, "heap below the new break");
	/* Growing again gives zero pages, not the old contents. */
	char *q = sbrk(GIVE * T_PAGE);
	T_ASSERT(q == p + (PAGES - GIVE) * T_PAGE);
	for (size_t i = 0; i < GIVE; i++)
		T_ASSERTF(*(volatile uint64_t *)(q + i * T_PAGE) == 0,
		          "regrown page %zu kept old data", i);
	return 0;
}
