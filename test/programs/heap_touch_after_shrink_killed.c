/*
 * A page given back by sbrk(n < 0) is no longer part of the process: a
 * child that touches it after the shrink (read or write) is killed by the
 * pager, while the pages below the break stay usable.
 */
#include "testlib.h"

#define PAGES 8

static volatile char *gone;

static void read_gone(void *arg)
{
	(void)arg;
	printf("read %d\n", gone[0]);
}

static void write_gone(void *arg)
{
	(void)arg;
	gone[T_PAGE + 8] = 1;
}

int main(void)
{
	char *p = t_pages(PAGES);

	t_fill(p, PAGES, 5);
	T_ASSERT(sbrk(-(intptr_t)(PAGES / 2 * T_PAGE)) != (void *)-1);
	gone = p + PAGES / 2 * T_PAGE;
	t_expect_killed(read_gone, NULL, "reads a heap page after the shrink");
	t_expect_killed(write_gone, NULL, "writes a heap page after the shrink");
	t_check(p, PAGES / 2, 5, "heap below the break");
	return 0;
}
