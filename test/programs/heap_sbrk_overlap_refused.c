/*
 * Heap growth that would overlap another region fails and changes nothing:
 * sbrk returns (void *)-1 with errno ENOMEM, the break stays where it was,
 * no frame is taken, and the heap still grows normally afterwards. Growing
 * by the distance to the stack (or past the top of the user address space)
 * must overlap; shrinking below the start of the heap is refused the same
 * way, with ENOMEM (Linux) or EINVAL (the BSDs).
 */
#include <errno.h>

#include "testlib.h"

/* Check that sbrk(delta) is refused with ENOMEM (or alt, if not 0) and
 * leaves break and frames as they were: one sub-check (testserver.check)
 * per case, so every case shows, whichever fails. */
static void refused(intptr_t delta, int alt, const char *what)
{
	char *brk = sbrk(0);
	uint64_t f0, f1, shared;

	t_my_frames(&f0, &shared);
	errno = 0;
	void *r = sbrk(delta);
	int err = errno;
	char *after = sbrk(0);
	t_my_frames(&f1, &shared);
	t_report(what,
	         r == (void *)-1 && (err == ENOMEM || (alt && err == alt)) && after == brk &&
	             f0 == f1,
	         "sbrk returned %p, errno %d (want ENOMEM), break %+lld bytes, frames %+lld", r,
	         err, (long long)(after - brk), (long long)(f1 - f0));
	if (r != (void *)-1 && after != brk)
		sbrk(brk - after); /* put the break back for the cases after this one */
}

int main(void)
{
	uint64_t sp;
	char *brk = sbrk(0);

	__asm__ volatile("mov %0, sp" : "=r"(sp));
	/* Up to the stack pointer: certainly into the stack region. */
	refused((intptr_t)(sp - (uint64_t)brk), 0, "growth up to the stack refused");
	/* Past the top of the user address space (48 bits). */
	refused((intptr_t)((1ULL << 48) - (uint64_t)brk + T_PAGE), 0,
	        "growth past the top refused");
	/* Below the start of the heap: every byte the heap ever had, and more. */
	refused(-(intptr_t)((uint64_t)brk + T_PAGE), EINVAL, "shrink below the heap start refused");
	/* The heap still works. */
	char *p = t_pages(4);
	t_fill(p, 4, 3);
	t_check(p, 4, 3, "heap after refusals");
	return 0;
}
