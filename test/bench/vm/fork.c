/*
 * fork + exit + wait figures: a process with 0, 1, 16 or 64 MiB of touched
 * private heap forks; the child exits at once; the parent waits for it.
 * One operation is everything the machine executes from the parent's call
 * of fork to its return from waitpid: the pager's COW clone of the address
 * space, the child's start and exit, the teardown, and the COW faults both
 * take on the pages they write meanwhile (stack, data).
 */
#include <stdio.h>
#include <string.h>

#include <faultline/process.h>

#include "bench_vm.h"

#define FORK_WARMUP 2

/* Fork a child that exits at once and wait for it; 0 on success. */
static int fork_exit_wait(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The figure name for mib MiB touched, n samples (and a loop of n). */
static void fork_figure(const char *name, unsigned mib, unsigned n)
{
	struct bench_figure f = {.name = name};
	const unsigned pages = mib * (1u << 20) / PAGE;
	int failed = 0;

	struct fl_pager_stats st;
	/* Room for the pages, the child's copies of the pages both write, and
	 * the page tables: a pool too small for that is a limit, not a failure. */
	if (pages && fl_pager_stats(&st) == 0 && st.frames_free < pages + pages / 8 + 256) {
		static char why[96];
		snprintf(why, sizeof why,
		         "the pager's pool has %llu free frames, too few for %u MiB",
		         (unsigned long long)st.frames_free, mib);
		f.skip = why;
	}
	if (pages && !f.skip) {
		uint8_t *p = vm_fresh_pages(pages, &f);
		if (!p) {
			bench_print(&f);
			return;
		}
		vm_touch(p, pages);
	}
	if (f.skip) {
		bench_print(&f);
		return;
	}
	memset(bench_samples, 0, sizeof bench_samples);
	fflush(stdout);
	for (unsigned i = 0; i < FORK_WARMUP; i++)
		failed |= fork_exit_wait();
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = bench_now();
		failed |= fork_exit_wait();
		bench_samples[i] = bench_now() - start;
	}
	uint64_t start = bench_now();
	for (unsigned i = 0; i < n; i++)
		failed |= fork_exit_wait();
	uint64_t loop = bench_now() - start;
	if (failed)
		f.error = "a fork, a child's exit or a waitpid failed";
	else
		bench_summarise(&f, bench_samples, n, loop, n);
	bench_print(&f);
}

void vm_fork_0(void)
{
	fork_figure("fork.0mib", 0, 100);
}
void vm_fork_1(void)
{
	fork_figure("fork.1mib", 1, 100);
}
void vm_fork_16(void)
{
	fork_figure("fork.16mib", 16, 20);
}
void vm_fork_64(void)
{
	fork_figure("fork.64mib", 64, 10);
}
