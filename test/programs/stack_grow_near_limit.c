/*
 * Stack growth up to near the limit: the stack grows by zero-filled pages on
 * first touch until almost T_STACK_LIMIT bytes below its top. The deepest
 * page is touched first (a jump of megabytes below the pages in use, but
 * above the stack pointer, as after a large alloca), then every page in
 * between reads as zero and keeps what is written to it.
 */
#include <alloca.h>

#include "testlib.h"

/* Room kept below the limit for what the stack already holds above us. */
#define HEADROOM (128UL << 10)

/*
 * Take bytes of stack below this frame and touch every page of it. On the
 * first call every page must read as zero before it is written (fresh);
 * on a later call the pages are the ones written before.
 */
static void __attribute__((noinline)) grow(size_t bytes, bool fresh)
{
	volatile uint64_t *a = alloca(bytes);
	size_t pages = bytes / T_PAGE;

	/* Hide from the compiler that the memory is fresh: reading it before
	 * writing is the point (the pager must hand out zeroed pages). */
	__asm__ volatile("" : "+r"(a));

	/* First touch: the deepest page, far below everything used so far. */
	T_ASSERT(!fresh || a[0] == 0);
	a[0] = 0x5eed;
	for (size_t p = pages - 1; p > 0; p--) {
		T_ASSERTF(!fresh || a[p * (T_PAGE / 8)] == 0,
		          "stack page %zu above the deepest is not zero", p);
		a[p * (T_PAGE / 8)] = p;
	}
	for (size_t p = 1; p < pages; p++)
		T_ASSERTF(a[p * (T_PAGE / 8)] == p, "stack page %zu lost its value", p);
	T_ASSERT(a[0] == 0x5eed);
}

int main(void)
{
	grow(T_STACK_LIMIT - HEADROOM, true);
	/* The grown stack stays mapped and usable after the frame is popped. */
	grow(T_STACK_LIMIT - HEADROOM, false);
	return 0;
}
