/*
 * Many processes write the same COW-shared pages at once (run on -smp 4
 * this puts write faults on one page on several CPUs together: the StarryOS
 * race). The parent fills the pages and forks WRITERS children; every child
 * writes its own data over every page, ROUNDS times, checking each time
 * that it sees exactly its own data; the parent checks that the original
 * stays intact while they write and after they exit.
 */
#include "testlib.h"

#define PAGES   32
#define WRITERS 8
#define ROUNDS  6

int main(void)
{
	char *p = t_pages(PAGES);
	pid_t pids[WRITERS];

	t_fill(p, PAGES, 100);
	for (int c = 0; c < WRITERS; c++) {
		pids[c] = t_fork();
		if (pids[c] == 0) {
			for (int r = 0; r < ROUNDS; r++) {
				uint64_t seed = 200 + (uint64_t)c * ROUNDS + (uint64_t)r;

				if (r == 0)
					t_check(p, PAGES, 100, "child's view of the original");
				t_fill(p, PAGES, seed);
				sched_yield();
				t_check(p, PAGES, seed, "child's own writes");
			}
			exit(0);
		}
	}
	for (int r = 0; r < ROUNDS; r++) {
		t_check(p, PAGES, 100, "parent's original while children write");
		sched_yield();
	}
	for (int c = 0; c < WRITERS; c++)
		t_wait_ok(pids[c]);
	t_check(p, PAGES, 100, "parent's original after the children exited");
	return 0;
}
