/*
 * A read of a never-written page far below the stack pointer kills the
 * process (it is not stack growth: growth is a write near SP or above it).
 * The child reads 1 MiB below its SP, well within the limit.
 */
#include "testlib.h"

static void read_below_sp(void *arg)
{
	uint64_t sp;

	(void)arg;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	uint64_t addr = (sp - (1UL << 20)) & ~(T_PAGE - 1);
	uint64_t v = *(volatile uint64_t *)addr;

	printf("read %#llx at %#llx below SP\n", (unsigned long long)v, (unsigned long long)addr);
}

int main(void)
{
	t_expect_killed(read_below_sp, NULL, "reads a never-written page 1 MiB below its SP");
	return 0;
}
