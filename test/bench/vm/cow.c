/*
 * Copy-on-write figures. The process writes its own fresh pages, forks,
 * and the child writes them while the parent (blocked in waitpid) still
 * shares them: each write is a COW fault that copies (cow.copy). When the
 * child has exited the parent is the last sharer of every page, still
 * mapped read-only: each write is a COW fault that just remaps (cow.reuse).
 * The pager's copy and reuse counters check that each path was taken.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/process.h>

#include "bench_vm.h"

#define COW_SAMPLES 500
#define COW_PAGES   (BENCH_WARMUP + 2 * COW_SAMPLES)

/* Write every page of p (COW faults): the first BENCH_WARMUP untimed, the
 * next COW_SAMPLES one by one, the rest as a loop; summarise into f. copies
 * says which pager counter must grow by one per page: cow_copies (non-zero)
 * or cow_reuses. */
static void timed_writes(uint8_t *p, struct bench_figure *f, int copies)
{
	struct fl_pager_stats s0, s1;

	/* The samples' own pages are COW-shared too: break them untimed. */
	memset(bench_samples, 0, sizeof bench_samples);
	if (fl_pager_stats(&s0) < 0) {
		f->error = "the pager's stats call failed";
		return;
	}
	vm_touch(p, BENCH_WARMUP);
	p += BENCH_WARMUP * PAGE;
	for (unsigned i = 0; i < COW_SAMPLES; i++, p += PAGE) {
		uint64_t start = bench_now();
		*(volatile uint64_t *)p = 2;
		bench_samples[i] = bench_now() - start;
	}
	uint64_t start = bench_now();
	for (unsigned i = 0; i < COW_SAMPLES; i++, p += PAGE)
		*(volatile uint64_t *)p = 2;
	uint64_t loop = bench_now() - start;
	if (fl_pager_stats(&s1) < 0) {
		f->error = "the pager's stats call failed";
		return;
	}
	uint64_t done = copies ? s1.cow_copies - s0.cow_copies : s1.cow_reuses - s0.cow_reuses;
	if (done < COW_PAGES) {
		f->error = copies ? "the writes were not all COW copies"
		                  : "the writes were not all last-sharer COW reuses";
		return;
	}
	bench_summarise(f, bench_samples, COW_SAMPLES, loop, COW_SAMPLES);
}

void vm_cow(void)
{
	struct bench_figure copy = {.name = "cow.copy"}, reuse = {.name = "cow.reuse"};
	uint8_t *p = vm_fresh_pages(COW_PAGES, &copy);
	int status = 0;

	if (!p) {
		bench_print(&copy);
		reuse.error = copy.error;
		bench_print(&reuse);
		return;
	}
	vm_touch(p, COW_PAGES);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		timed_writes(p, &copy, 1);
		bench_print(&copy);
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		copy.error = "the forked child did not run to its end";
		bench_print(&copy);
		reuse.error = copy.error;
	} else {
		timed_writes(p, &reuse, 0);
	}
	bench_print(&reuse);
}
