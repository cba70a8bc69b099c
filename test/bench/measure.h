/*
 * Measuring, shared by the benchmark programs (bench, bench_vm): the
 * counter, the tick unit (guest instructions per counter tick), the cost of
 * the counter reads themselves, a figure's statistics and its console line.
 *
 * Console contract (tools/bench/benchfmt.py parses it):
 *   BENCH-INFO freq=<counter Hz> insn_per_tick=<k> overhead=<insns> cpus=<n>
 *   BENCH <name> n=<samples> median=<i> min=<i> max=<i> mean=<i>
 *   BENCH-ERROR <name>: <reason>       the benchmark failed
 *   BENCH-SKIP <name>: <reason>        this system cannot offer what it needs
 *   BENCH-DONE <number of figures reported (BENCH and BENCH-ERROR lines)>
 * All figures are guest instructions per operation (docs/benchmarks.md).
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <stdint.h>

#define BENCH_SAMPLES 1000 /* per-iteration samples per figure */
#define BENCH_WARMUP  16   /* untimed iterations before the samples */

/* The counter, ordered after every earlier instruction (isb). */
static inline uint64_t bench_now(void)
{
	uint64_t c;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(c)::"memory");
	return c;
}

/* The result of one figure, in guest instructions per operation. */
struct bench_figure {
	const char *name;
	unsigned n; /* per-iteration samples */
	uint64_t median, min, max;
	uint64_t mean;     /* counter delta around a loop of operations, per operation */
	const char *error; /* non-NULL: the benchmark failed */
	const char *skip;  /* non-NULL: the system lacks what the benchmark needs */
};

/* Measure the counter-read overhead and the tick unit; call once, first. */
const char *bench_measure_init(uint64_t freq);
/* Instructions in a counter delta of ticks. */
uint64_t bench_insns(uint64_t ticks);
/* Room for the per-iteration samples of the figure being measured (one
 * thread at a time uses it). */
extern uint64_t bench_samples[BENCH_SAMPLES];
/* Fill f from samples[0..n) (counter deltas of one operation each, the read
 * overhead included) and loop_ticks (a loop of loop_n operations, timed as a
 * whole). Sorts samples. */
void bench_summarise(struct bench_figure *f, uint64_t *samples, unsigned n, uint64_t loop_ticks,
                     unsigned loop_n);
/* Print f's console line (BENCH, BENCH-ERROR or BENCH-SKIP). */
void bench_print(const struct bench_figure *f);
/* Print the BENCH-INFO line. */
void bench_print_info(unsigned cpus);

#endif
