/*
 * A parent forks again the moment waitpid has reaped its child, many times
 * over: each new child may reuse the record of the one just reaped while the
 * pager worker that ended that child has not yet dropped its reference to
 * it. Every child must still start, exit and be reaped. The pager once
 * reused such a record at once; the late drop left the new child's busy
 * count one short, and its exit then waited forever (a hang, seen on -smp 4
 * on a busy host, with children like these). Two threads of the parent
 * spin meanwhile, reading only, so every CPU is busy and the host preempts
 * CPUs more often, which is what opens that window. The window is narrow:
 * this is a regression stress, not a sure detector (without the fix it
 * passed every run tried; a longer probe of the same shape hung).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "testlib.h"

#define ROUNDS   150
#define SPINNERS 2

static atomic_bool stop;

/* Keep a CPU busy until stop, writing nothing (no COW copy per fork);
 * yielding, so on -smp 1 the main thread still gets the processor. */
static void *spin(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		sched_yield();
	return NULL;
}

/* A child thread: nothing but its start and its exit. */
static void *brief(void *arg)
{
	return arg;
}

/* The child: two threads that start, end and are joined, then exit, as
 * the COW race tests' children do (the pattern the hang was seen with). */
static void child(void)
{
	pthread_t a, b;

	T_ASSERT(pthread_create(&a, NULL, brief, NULL) == 0);
	T_ASSERT(pthread_create(&b, NULL, brief, NULL) == 0);
	T_ASSERT(pthread_join(a, NULL) == 0);
	T_ASSERT(pthread_join(b, NULL) == 0);
	exit(0);
}

int main(void)
{
	pthread_t t[SPINNERS];

	for (int i = 0; i < SPINNERS; i++)
		T_ASSERT(pthread_create(&t[i], NULL, spin, NULL) == 0);
	for (int round = 0; round < ROUNDS; round++) {
		pid_t pid = t_fork();

		if (pid == 0)
			child();
		t_wait_ok(pid);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < SPINNERS; i++)
		T_ASSERT(pthread_join(t[i], NULL) == 0);
	return 0;
}
