/*
 * Page-fault figures: a store to a fresh heap page (zero-fill), a store
 * that grows the stack, and a load from a page of the program's own
 * read-only data (filled from the ELF in the boot archive). Each is a
 * round trip fault -> kernel -> pager -> map -> reply -> the retried access.
 * Each figure checks that every access did map one new frame.
 */
#include <string.h>

#include "bench_vm.h"

#define FAULT_SAMPLES 500
#define STACK_MARGIN  32 /* pages below sp left alone: earlier calls may have used them */
#define ELF_PAGES     256
#define ELF_SAMPLES   ((ELF_PAGES - BENCH_WARMUP) / 2)

/* A megabyte of read-only data in its own pages, so that each is a page of
 * the ELF file no one has touched before. */
static const uint8_t elf_data[ELF_PAGES * PAGE] __attribute__((aligned(4096))) = {1};

/* samples[i] = counter delta around a store to page i of p. The store
 * carries the global label vm_zero_fill_store: `./faultline bench` profiles
 * one of these faults from a QEMU execution log and finds the store by that
 * symbol (docs/benchmarks.md, "The zero-fill breakdown"). noinline: the
 * label must exist exactly once. */
static __attribute__((noinline)) void timed_stores(uint8_t *p, unsigned n, uint64_t *samples)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t start = bench_now();
		__asm__ volatile(".global vm_zero_fill_store\n"
		                 "vm_zero_fill_store:\n\t"
		                 "str %1, [%0]"
		                 :
		                 : "r"(p + i * PAGE), "r"((uint64_t)1)
		                 : "memory");
		samples[i] = bench_now() - start;
	}
}

/* The counter delta around stores to pages 0..n of p. */
static uint64_t loop_stores(uint8_t *p, unsigned n)
{
	uint64_t start = bench_now();

	for (unsigned i = 0; i < n; i++)
		*(volatile uint64_t *)(p + i * PAGE) = 1;
	return bench_now() - start;
}

/* Check that n accesses mapped exactly n new frames (since before). */
static void check_frames(struct bench_figure *f, uint64_t before, unsigned n)
{
	if (!f->error && vm_frames() != before + n)
		f->error = "the accesses did not each map one new frame";
}

void vm_fault_zero_fill(void)
{
	struct bench_figure f = {.name = "fault.zero_fill"};
	const unsigned pages = BENCH_WARMUP + 2 * FAULT_SAMPLES;
	uint8_t *p = vm_fresh_pages(pages, &f);

	if (p) {
		memset(bench_samples, 0, sizeof bench_samples);
		uint64_t before = vm_frames();
		vm_touch(p, BENCH_WARMUP);
		timed_stores(p + BENCH_WARMUP * PAGE, FAULT_SAMPLES, bench_samples);
		uint64_t loop =
		    loop_stores(p + (BENCH_WARMUP + FAULT_SAMPLES) * PAGE, FAULT_SAMPLES);
		check_frames(&f, before, pages);
		if (!f.error)
			bench_summarise(&f, bench_samples, FAULT_SAMPLES, loop, FAULT_SAMPLES);
	}
	bench_print(&f);
}

void vm_fault_stack_growth(void)
{
	struct bench_figure f = {.name = "fault.stack_growth"};
	const unsigned pages = BENCH_WARMUP + 2 * FAULT_SAMPLES;

	memset(bench_samples, 0, sizeof bench_samples);
	uint64_t before = vm_frames();
	vm_stack_grow(STACK_MARGIN, BENCH_WARMUP, NULL);
	vm_stack_grow(STACK_MARGIN + BENCH_WARMUP, FAULT_SAMPLES, bench_samples);
	uint64_t loop =
	    vm_stack_grow(STACK_MARGIN + BENCH_WARMUP + FAULT_SAMPLES, FAULT_SAMPLES, NULL);
	check_frames(&f, before, pages);
	if (!f.error)
		bench_summarise(&f, bench_samples, FAULT_SAMPLES, loop, FAULT_SAMPLES);
	bench_print(&f);
}

void vm_fault_elf(void)
{
	struct bench_figure f = {.name = "fault.elf"};
	const uint8_t *p = elf_data;
	uint64_t start;

	memset(bench_samples, 0, sizeof bench_samples);
	uint64_t before = vm_frames();
	for (unsigned i = 0; i < BENCH_WARMUP; i++, p += PAGE)
		(void)*(const volatile uint8_t *)p;
	for (unsigned i = 0; i < ELF_SAMPLES; i++, p += PAGE) {
		start = bench_now();
		(void)*(const volatile uint8_t *)p;
		bench_samples[i] = bench_now() - start;
	}
	start = bench_now();
	for (unsigned i = 0; i < ELF_SAMPLES; i++, p += PAGE)
		(void)*(const volatile uint8_t *)p;
	uint64_t loop = bench_now() - start;
	check_frames(&f, before, BENCH_WARMUP + 2 * ELF_SAMPLES);
	if (!f.error)
		bench_summarise(&f, bench_samples, ELF_SAMPLES, loop, ELF_SAMPLES);
	bench_print(&f);
}
