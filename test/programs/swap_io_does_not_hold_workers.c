/*
 * A fault waiting on swap I/O does not hold a pager worker. A child sweeps
 * over 1.5 times the frame budget again and again, so nearly every fault
 * it takes is a swap-in; meanwhile this process does plain work that
 * needs the pager: read the swap counters, grow the heap by a page, touch
 * it (a zero-fill fault), shrink the heap again, read the counters again.
 * Such an operation counts as done *inside* a swap-in when a swap-in was
 * outstanding at the first read (ins_done < ins_started) and none finished
 * by the second (ins_done unchanged): a swap-in was in flight the whole
 * time, and the pager still served four calls and a fault of this process.
 *
 * On one CPU there is one worker. If that worker waited on swapd for the
 * sweeper's swap-in, it could answer nothing else until the swap-in ended,
 * so no operation could ever start and end inside one: the test fails.
 * With faults that need I/O handed to the I/O threads (docs/swap.md), the
 * worker serves this process while the disk works. It asserts behaviour
 * (operations inside a swap-in), not time.
 */
#include <signal.h>

#include "swaptest.h"

#define WANT    10     /* operations that must complete inside a swap-in */
#define MAX_OPS 100000 /* give up after this many operations */
#define SEED    0x5eedULL

/* The child: fill, then verify forever (the parent kills it). */
static void sweep(size_t n)
{
	char *p = t_pages(n);

	t_fill(p, n, SEED);
	for (;;)
		t_check(p, n, SEED, "a page the sweep swapped back in");
}

/* One operation of plain work: counters, a fresh heap page zero-filled by a
 * fault, the page given back, counters. True if it ran inside a swap-in. */
static bool plain_work(void)
{
	struct pager_swap_stats a = swap_stats_now(), b;
	char *brk = sbrk(0);
	size_t pad = (T_PAGE - ((uintptr_t)brk & (T_PAGE - 1))) & (T_PAGE - 1);
	volatile char *page;

	T_ASSERTF(sbrk((intptr_t)(pad + T_PAGE)) != (void *)-1, "sbrk to grow failed");
	page = brk + pad;
	T_ASSERTF(*page == 0, "a fresh heap page is not zero");
	*page = 1;
	T_ASSERTF(sbrk(-(intptr_t)(pad + T_PAGE)) != (void *)-1, "sbrk to shrink failed");
	b = swap_stats_now();
	return a.ins_done < a.ins_started && b.ins_done == a.ins_done;
}

int main(void)
{
	size_t n = swap_budget() + swap_budget() / 2;
	uint64_t slots0 = swap_stats_now().slots_used, start;
	unsigned inside = 0, ops = 0;
	int status = 0;

	swap_require(n);
	start = swap_stats_now().ins_started;
	pid_t child = t_fork();
	if (child == 0) {
		sweep(n);
		exit(0);
	}
	/* Wait until the sweep is swapping pages in, then count. Failures are
	 * reported once the child is ended, so nothing of it outlives the test. */
	uint64_t end = t_now() + 100 * t_hz(); /* within the suite's 150 s a test */
	bool sweeping = false, alive = true;
	while (inside < WANT && ops < MAX_OPS && t_now() < end) {
		if (waitpid(child, &status, WNOHANG) != 0) {
			alive = false;
			break;
		}
		if (!sweeping) {
			sweeping = swap_stats_now().ins_started >= start + 64;
			if (!sweeping)
				sched_yield();
			continue;
		}
		inside += plain_work();
		ops++;
	}
	struct pager_swap_stats s = swap_stats_now();
	if (alive) {
		T_ASSERT(kill(child, SIGKILL) == 0);
		T_ASSERT(waitpid(child, &status, 0) == child);
		T_ASSERTF(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		          "the sweeping child was not ended by the kill (status 0x%x)", status);
	}
	T_ASSERTF(alive, "the sweeping child ended during the test (status 0x%x)", status);
	T_ASSERTF(sweeping, "the sweeping child never started swapping in");
	printf("%u of %u operations inside a swap-in; %llu swap-ins, %llu faults deferred\n",
	       inside, ops, (unsigned long long)(s.ins_started - start),
	       (unsigned long long)s.faults_deferred);
	T_ASSERTF(inside >= WANT,
	          "only %u of %u operations completed while a swap-in was outstanding "
	          "(%d wanted): a fault waiting on swap I/O holds the pager's worker",
	          inside, ops, WANT);
	uint64_t bound = swap_slots_bound(slots0);
	T_ASSERTF(swap_wait_slots(bound, 10),
	          "slots still in use after the sweeper exited: %llu, at most %llu expected",
	          (unsigned long long)swap_stats_now().slots_used, (unsigned long long)bound);
	return 0;
}
