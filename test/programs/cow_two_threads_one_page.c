/*
 * Two threads of one process write-fault on the same COW-shared page at
 * the same moment: the pager makes exactly one copy for the process (the
 * second fault finds the page already private), neither thread's write is
 * lost, the rest of the page keeps the data of the fork, and the other
 * sharer (the parent) still sees the original.
 *
 * The copies are counted for the child alone (t_my_copies): the
 * system-wide cow_copies also moves when the parent, right after fork,
 * copies its own stack page on its way into waitpid, and on a busy host that
 * copy can land inside the race's window (seen once on -smp 4).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "testlib.h"

#define ROUNDS 20

static uint64_t *page;    /* the shared page, in the heap */
static atomic_int *ready; /* threads at the start line (on a private page) */
static atomic_int *go;    /* the start signal */

/* Thread body: wait for the start signal, then write word i of the page. */
static void *writer(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	atomic_fetch_add(ready, 1);
	while (!atomic_load(go))
		;
	page[i] = 0xabc0 + i;
	return NULL;
}

/* One round in a fresh child: the race, then the checks. Returns in the child only. */
static void race(int round)
{
	pthread_t a, b;
	uint64_t c0, c1;

	T_ASSERT(pthread_create(&a, NULL, writer, (void *)(uintptr_t)1) == 0);
	T_ASSERT(pthread_create(&b, NULL, writer, (void *)(uintptr_t)400) == 0);
	while (atomic_load(ready) < 2)
		sched_yield();
	c0 = t_my_copies();
	atomic_store(go, 1);
	T_ASSERT(pthread_join(a, NULL) == 0);
	T_ASSERT(pthread_join(b, NULL) == 0);
	c1 = t_my_copies();
	T_ASSERTF(page[1] == 0xabc1 && page[400] == 0xabc0 + 400,
	          "round %d: a write was lost: word 1 = %#llx, word 400 = %#llx", round,
	          (unsigned long long)page[1], (unsigned long long)page[400]);
	for (size_t w = 0; w < T_PAGE / 8; w++)
		if (w != 1 && w != 400)
			T_ASSERTF(page[w] == t_word(round, 0, w),
			          "round %d: word %zu of the copied page is wrong", round, w);
	/* join may free a thread's stack back to malloc, which takes no frame;
	 * the only copy of this process between c0 and c1 is the shared page's. */
	T_ASSERTF(c1 - c0 == 1, "round %d: two threads faulting on one page made %llu copies",
	          round, (unsigned long long)(c1 - c0));
}

int main(void)
{
	char *flags = t_pages(1);

	page = t_pages(1);
	ready = (atomic_int *)flags;
	go = (atomic_int *)(flags + 64);
	for (int round = 0; round < ROUNDS; round++) {
		t_fill(page, 1, round);
		pid_t pid = t_fork();
		if (pid == 0) {
			/* Make the flags page private before the race, so the one
			 * copy the race may make is the shared page's. */
			atomic_store(ready, 0);
			atomic_store(go, 0);
			race(round);
			exit(0);
		}
		t_wait_ok(pid);
		t_check(page, 1, round, "the parent's copy of the raced page");
	}
	return 0;
}
