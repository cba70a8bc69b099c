/*
 * Fork chains with writes at every level: a process forks a child, which
 * forks a grandchild, and so on DEPTH levels down. Each level first checks
 * that it inherited exactly the data its parent had at the fork, then
 * writes its own data to every page while its parent overwrites the same
 * pages again; no level ever sees another level's later writes, and every
 * level still sees its own after its whole subtree has exited.
 */
#include "testlib.h"

#define PAGES 32
#define DEPTH 5

/* The data level writes before forking its child, and after. */
static uint64_t before_fork(int level)
{
	return 1000 + (uint64_t)level;
}
static uint64_t after_fork(int level)
{
	return 2000 + (uint64_t)level;
}

static char *p;

/* Run level `level` of the chain; never returns. */
static void __attribute__((noreturn)) run_level(int level)
{
	/* Inherited: the parent's pre-fork data. */
	t_check(p, PAGES, before_fork(level - 1), "inherited data");
	t_fill(p, PAGES, before_fork(level));
	if (level < DEPTH) {
		pid_t pid = t_fork();

		if (pid == 0)
			run_level(level + 1);
		t_fill(p, PAGES, after_fork(level));
		t_check(p, PAGES, after_fork(level), "own writes while the child runs");
		t_wait_ok(pid);
		t_check(p, PAGES, after_fork(level), "own writes after the child exited");
	} else {
		t_check(p, PAGES, before_fork(level), "own writes at the bottom");
	}
	exit(0);
}

int main(void)
{
	p = t_pages(PAGES);
	t_fill(p, PAGES, before_fork(0));
	pid_t pid = t_fork();
	if (pid == 0)
		run_level(1);
	t_fill(p, PAGES, after_fork(0));
	t_wait_ok(pid);
	t_check(p, PAGES, after_fork(0), "top level after the chain exited");
	return 0;
}
