/*
 * Exit frees everything: a child that grows its heap, grows its stack,
 * writes COW-shared pages, starts threads and forks (and reaps) a
 * grandchild of its own, then exits without freeing anything or joining
 * its threads, leaves the pager's accounting exactly as it was before the
 * fork: free frames, frames held by the pager, cap slots, kernel object
 * blocks and the process count. Each counter is a sub-check of its own
 * (testserver.check), so a failure shows every counter that moved.
 */
#include <alloca.h>
#include <pthread.h>

#include "testlib.h"

#define PAGES 16

static char *shared;

static void *thread_body(void *arg)
{
	char *mine = arg;

	t_fill(mine, 2, 9);
	return NULL;
}

static void __attribute__((noinline)) use_stack(void)
{
	volatile char *a = alloca(64 * T_PAGE);

	for (size_t i = 0; i < 64; i++)
		a[i * T_PAGE] = (char)i;
}

static void busy_child(void)
{
	pthread_t t[3];

	t_fill(shared, PAGES / 2, 8);
	use_stack();
	char *heap = t_pages(32);
	t_fill(heap, 32, 7);
	for (int i = 0; i < 3; i++)
		T_ASSERT(pthread_create(&t[i], NULL, thread_body, t_pages(2)) == 0);
	pid_t grandchild = t_fork();
	if (grandchild == 0) {
		t_fill(heap, 4, 6);
		exit(0);
	}
	t_wait_ok(grandchild);
	/* Join one thread; leave the others (perhaps still running) to exit. */
	T_ASSERT(pthread_join(t[0], NULL) == 0);
	exit(0);
}

/* Compare one counter of two snapshots: a sub-check of its own (the test
 * server shows every counter, and fails the test if one moved). */
static void same(const char *what, uint64_t before, uint64_t after)
{
	t_report(what, before == after, "%llu before the fork, %llu after the child was reaped",
	         (unsigned long long)before, (unsigned long long)after);
}

int main(void)
{
	shared = t_pages(PAGES);
	t_fill(shared, PAGES, 5);
	/* Touch the stack the parent uses below, so that no first touch of its
	 * own falls between the two snapshots. */
	use_stack();
	struct fl_pager_stats s0 = t_stats();
	pid_t pid = t_fork();
	if (pid == 0)
		busy_child();
	t_wait_ok(pid);
	struct fl_pager_stats s1 = t_stats();
	same("free frames", s0.frames_free, s1.frames_free);
	same("user frames", s0.frames_user, s1.frames_user);
	same("pager frames", s0.frames_pager, s1.frames_pager);
	same("COW-shared frames", s0.frames_cow_shared, s1.frames_cow_shared);
	same("pager cap slots", s0.slots_used, s1.slots_used);
	same("kernel object blocks", s0.kobj_blocks_used, s1.kobj_blocks_used);
	same("processes", s0.processes, s1.processes);
	t_check(shared, PAGES, 5, "parent's pages");
	return 0;
}
