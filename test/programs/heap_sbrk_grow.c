/*
 * sbrk(n > 0) grows the heap: it returns the old break, the break moves up
 * by exactly n, the new pages read as zero, keep what is written, and each
 * takes a frame only when first touched.
 */
#include "testlib.h"

#define PAGES 32

int main(void)
{
	uint64_t f0, f1, f2, shared;
	char *old, *p;

	p = t_pages(0); /* align the break to a page */
	t_my_frames(&f0, &shared);
	old = sbrk(0);
	T_ASSERT(old == p);
	p = sbrk(PAGES * T_PAGE);
	T_ASSERTF(p == old, "sbrk returned %p, want the old break %p", (void *)p, (void *)old);
	T_ASSERTF((char *)sbrk(0) == old + PAGES * T_PAGE, "break is %p, want %p", sbrk(0),
	          (void *)(old + PAGES * T_PAGE));
	t_my_frames(&f1, &shared);
	T_ASSERTF(f1 == f0, "growing the heap took %llu frames before any touch",
	          (unsigned long long)(f1 - f0));
	for (size_t i = 0; i < PAGES; i++)
		for (size_t w = 0; w < T_PAGE; w += 512)
			T_ASSERTF(p[i * T_PAGE + w] == 0, "new heap page %zu is not zero", i);
	t_fill(p, PAGES, 7);
	t_check(p, PAGES, 7, "grown heap");
	t_my_frames(&f2, &shared);
	T_ASSERTF(f2 - f1 == PAGES, "touching %d heap pages took %llu frames", PAGES,
	          (unsigned long long)(f2 - f1));
	/* An odd size moves the break by exactly that much. */
	old = sbrk(0);
	T_ASSERT(sbrk(100) == old);
	T_ASSERT((char *)sbrk(0) == old + 100);
	return 0;
}
