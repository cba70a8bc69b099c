/*
 * Stack growth past the limit kills the process: a child that writes one
 * page beyond T_STACK_LIMIT below its stack top is killed by the pager
 * (read as signalled by waitpid), and its parent goes on.
 */
#include <alloca.h>

#include "testlib.h"

static void __attribute__((noinline)) write_past_limit(void *arg)
{
	(void)arg;
	volatile char *a = alloca(T_STACK_LIMIT + 2 * T_PAGE);

	a[0] = 1; /* below the limit: not a stack page any more */
}

static void __attribute__((noinline)) write_far_past_limit(void *arg)
{
	(void)arg;
	volatile char *a = alloca(4 * T_STACK_LIMIT);

	a[0] = 1;
}

int main(void)
{
	t_expect_killed(write_past_limit, NULL, "writes just past the stack limit");
	t_expect_killed(write_far_past_limit, NULL, "writes far past the stack limit");
	/* The parent's own stack is untouched by its children's deaths. */
	volatile char probe[2 * T_PAGE];
	probe[0] = 1;
	T_ASSERT(probe[0] == 1);
	return 0;
}
