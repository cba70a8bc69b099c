/*
 * SMP stress (issue 7, in-system form): WORKERS processes at once, each for
 * ROUNDS rounds (or, with bootarg stress.seconds=S, for S seconds): fork a
 * child; parent and child write their own data over halves of the shared
 * pages while the other half stays shared; the child grows and shrinks its
 * heap; both check every page's data every round; the child exits. Run on
 * -smp 4 under a small frame budget (pager.frames=N) this races faults,
 * COW breaks, heap changes and exits on every CPU. At the end, with every
 * process reaped, the pager's accounting must be what it was at the start.
 */
#include <stdlib.h>

#include "testlib.h"

#define WORKERS 6
#define ROUNDS  8
#define PAGES   24
#define HEAP    16

/* The data of worker w's page set in round r, as written by whom (0 parent, 1 child). */
static uint64_t seed(int w, int r, int who)
{
	return 10000 + (uint64_t)w * 1000 + r * 2 + who;
}

/* The child of one round: check, write, grow and shrink the heap, check, exit. */
static void __attribute__((noreturn)) child(char *p, int w, int r, uint64_t prev)
{
	t_check(p, PAGES, prev, "child's view of the pages at the fork");
	t_fill(p + PAGES / 2 * T_PAGE, PAGES / 2, seed(w, r, 1));
	char *h = t_pages(HEAP);
	t_fill(h, HEAP, seed(w, r, 1) + 7);
	T_ASSERT(sbrk(-(intptr_t)(HEAP / 2 * T_PAGE)) != (void *)-1);
	t_check(h, HEAP / 2, seed(w, r, 1) + 7, "child's heap after the shrink");
	t_check(p, PAGES / 2, prev, "child's view of the still-shared half");
	t_check(p + PAGES / 2 * T_PAGE, PAGES / 2, seed(w, r, 1), "child's own half");
	exit(0);
}

/* One worker process: rounds until both ROUNDS are done and deadline passed. */
static void __attribute__((noreturn)) worker(int w, uint64_t deadline)
{
	char *p = t_pages(PAGES);
	uint64_t cur = seed(w, 0, 0) - 2;

	t_fill(p, PAGES, cur);
	for (int r = 1; r <= ROUNDS || t_now() < deadline; r++) {
		pid_t pid = t_fork();

		if (pid == 0)
			child(p, w, r, cur);
		/* The parent rewrites the whole set while the child runs. */
		t_fill(p, PAGES, seed(w, r, 0));
		char *h = t_pages(HEAP);
		t_fill(h, HEAP, seed(w, r, 0) + 3);
		t_check(h, HEAP, seed(w, r, 0) + 3, "worker's heap");
		T_ASSERT(sbrk(-(intptr_t)(HEAP * T_PAGE)) != (void *)-1);
		t_wait_ok(pid);
		cur = seed(w, r, 0);
		t_check(p, PAGES, cur, "worker's pages after the round");
	}
	exit(0);
}

int main(void)
{
	/* The soak length, from the bootargs (testserver.option). */
	const char *soak = t_option("stress.seconds");
	uint64_t deadline = 0;
	pid_t pids[WORKERS];

	if (soak) {
		deadline = t_now() + strtoull(soak, NULL, 10) * t_hz();
		printf("smp_stress: soak for %s s\n", soak);
	}
	struct fl_pager_stats s0 = t_stats();
	for (int w = 0; w < WORKERS; w++) {
		pids[w] = t_fork();
		if (pids[w] == 0)
			worker(w, deadline);
	}
	for (int w = 0; w < WORKERS; w++)
		t_wait_ok(pids[w]);
	struct fl_pager_stats s1 = t_stats();
	T_ASSERTF(s1.frames_free == s0.frames_free && s1.frames_pager == s0.frames_pager &&
	              s1.slots_used == s0.slots_used && s1.processes == s0.processes &&
	              s1.kobj_blocks_used == s0.kobj_blocks_used,
	          "accounting moved: free %llu->%llu, pager %llu->%llu, slots %llu->%llu, "
	          "processes %llu->%llu, kobj %llu->%llu",
	          (unsigned long long)s0.frames_free, (unsigned long long)s1.frames_free,
	          (unsigned long long)s0.frames_pager, (unsigned long long)s1.frames_pager,
	          (unsigned long long)s0.slots_used, (unsigned long long)s1.slots_used,
	          (unsigned long long)s0.processes, (unsigned long long)s1.processes,
	          (unsigned long long)s0.kobj_blocks_used, (unsigned long long)s1.kobj_blocks_used);
	printf("smp_stress: %d workers, copies %llu, reuses %llu\n", WORKERS,
	       (unsigned long long)s1.cow_copies, (unsigned long long)s1.cow_reuses);
	return 0;
}
