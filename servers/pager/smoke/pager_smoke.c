/*
 * pager_smoke: a quick in-system check of the pager's process calls, run as
 * the init process (bootarg pager.init=pager_smoke). Each step prints
 * "ok <step>" or "FAIL <step>: why"; the last line is "pager_smoke: N failed".
 * The full suite is the test server's; this is the pager's own smoke test.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/process.h>

static int failed;

#define CHECK(cond, step)                                                                          \
	do {                                                                                       \
		if (cond)                                                                          \
			printf("ok %s\n", step);                                                   \
		else {                                                                             \
			printf("FAIL %s: %s\n", step, #cond);                                      \
			failed++;                                                                  \
		}                                                                                  \
	} while (0)

static char data_page[4096 * 4] = {1};

static int grow_stack(int depth)
{
	volatile char buf[4096];

	buf[0] = (char)depth;
	return depth ? grow_stack(depth - 1) + buf[0] : 0;
}

static void *thread_fn(void *arg)
{
	volatile int *shared = arg;

	shared[0] += 1;
	return (void *)(uintptr_t)0x1234;
}

int main(int argc, char **argv)
{
	struct fl_pager_stats before, after;
	int status;

	(void)argc;
	printf("pager_smoke: pid %d, argv[0] %s\n", getpid(), argv[0]);
	CHECK(fl_pager_stats(&before) == 0, "stats");

	/* heap */
	char *brk0 = sbrk(0);
	CHECK(sbrk(8192) == brk0 && sbrk(0) == brk0 + 8192, "sbrk grow");
	brk0[8191] = 7;
	CHECK(sbrk(-8192) == brk0 + 8192 && sbrk(0) == brk0, "sbrk shrink");
	char *m = malloc(100000);
	CHECK(m != NULL, "malloc");
	memset(m, 0x5a, 100000);
	free(m);

	/* stack growth: ~1 MiB */
	CHECK(grow_stack(256) >= 0, "stack growth");

	/* fork: the child writes its copy; the parent's stays */
	data_page[0] = 42;
	pid_t pid = fork();
	if (pid == 0) {
		data_page[0] = 99;
		exit(data_page[0] == 99 ? 3 : 4);
	}
	CHECK(pid > 0, "fork");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 3,
	      "waitpid");
	CHECK(data_page[0] == 42, "cow parent unchanged");

	/* a child killed by the pager reads as signalled */
	pid = fork();
	if (pid == 0) {
		volatile uintptr_t bad = 0x10;
		*(volatile int *)bad = 1;
		exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status), "killed child is signalled");

	/* threads */
	static volatile int shared[1];
	pthread_t t;
	void *ret;
	CHECK(pthread_create(&t, NULL, thread_fn, (void *)shared) == 0, "pthread_create");
	CHECK(pthread_join(t, &ret) == 0 && ret == (void *)0x1234 && shared[0] == 1,
	      "pthread_join");

	/* nothing leaked */
	CHECK(fl_pager_stats(&after) == 0, "stats again");
	printf(
	    "frames free %lu -> %lu, slots %lu -> %lu, blocks %lu -> %lu, copies %lu reuses %lu\n",
	    (unsigned long)before.frames_free, (unsigned long)after.frames_free,
	    (unsigned long)before.slots_used, (unsigned long)after.slots_used,
	    (unsigned long)before.kobj_blocks_used, (unsigned long)after.kobj_blocks_used,
	    (unsigned long)after.cow_copies, (unsigned long)after.cow_reuses);
	CHECK(after.processes == before.processes, "no process left");
	CHECK(after.kobj_blocks_used == before.kobj_blocks_used, "kernel objects returned");
	printf("pager_smoke: %d failed\n", failed);
	return failed;
}
