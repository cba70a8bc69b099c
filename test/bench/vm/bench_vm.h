/*
 * bench_vm: the benchmarks of memory faults, copy-on-write and fork, run as
 * an ordinary process under the pager (bootarg pager.init=bench_vm). The
 * init instance prints BENCH-INFO, then spawns one fresh bench_vm process
 * per group of figures (argv: bench_vm --group NAME), so every group starts
 * from the same small process, waits for each and prints BENCH-DONE. The
 * console contract is in ../measure.h.
 */
#ifndef BENCH_VM_H
#define BENCH_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "measure.h"

#define PAGE 4096UL

/* One group: its name (for --group), the figures it prints and the function
 * that measures them in this process and prints their lines. A group that
 * needs a machine of its own (a swap disk, a small pool) is named_only: it
 * runs only when bench.groups names it. */
struct vm_group {
	const char *name;
	unsigned nfigures;
	void (*run)(void);
	bool named_only;
};

/* Every group, ending with a NULL name (groups.c). */
extern const struct vm_group vm_groups[];

/* count fresh heap pages (never touched), page aligned; NULL with the
 * figure's error set if the pager refuses. */
uint8_t *vm_fresh_pages(unsigned count, struct bench_figure *f);
/* Write one word into each of count pages from p. */
void vm_touch(uint8_t *p, unsigned count);
/* Frames mapped into this process (fl_process_frames), or 0 on error. */
uint64_t vm_frames(void);

/* The figures of each group (faults.c, cow.c, fork.c, swap.c): each prints its lines. */
void vm_fault_zero_fill(void);
void vm_fault_stack_growth(void);
void vm_fault_elf(void);
void vm_cow(void);
void vm_fork_0(void);
void vm_fork_1(void);
void vm_fork_16(void);
void vm_fork_64(void);
void vm_swap(void);

/* stack.S: move sp down skip pages, then page by page for pages more pages,
 * storing at the new sp each time (a stack-growth fault on each). If
 * samples is non-NULL, samples[i] is the counter delta around the i-th
 * store. Returns the counter delta around the whole loop; sp is restored. */
uint64_t vm_stack_grow(uint64_t skip, uint64_t pages, uint64_t *samples);

#endif
