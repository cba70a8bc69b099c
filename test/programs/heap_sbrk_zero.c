/*
 * sbrk(0) returns the current break and changes nothing: the same value
 * twice, the break after a grow, and no frame taken or freed.
 */
#include "testlib.h"

int main(void)
{
	uint64_t f0, f1, shared;
	char *a, *b;

	/* Warm up: the first sbrk and stats calls may fault in the runtime's own
	 * data and stack pages; only what sbrk(0) itself does is measured. */
	(void)sbrk(0);
	t_my_frames(&f0, &shared);
	t_my_frames(&f0, &shared);
	a = sbrk(0);
	b = sbrk(0);
	T_ASSERT(a != (char *)-1);
	T_ASSERTF(a == b, "sbrk(0) moved the break from %p to %p", (void *)a, (void *)b);
	t_my_frames(&f1, &shared);
	T_ASSERTF(f0 == f1, "sbrk(0) changed the process's frames from %llu to %llu",
	          (unsigned long long)f0, (unsigned long long)f1);
	T_ASSERT(sbrk(3 * T_PAGE) == a);
	T_ASSERT((char *)sbrk(0) == a + 3 * T_PAGE);
	T_ASSERT((char *)sbrk(0) == a + 3 * T_PAGE);
	return 0;
}
