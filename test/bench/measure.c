/*
 * Turning counter deltas into figures: the tick unit (guest instructions per
 * counter tick, from the counter frequency), the cost of the counter reads
 * themselves (subtracted from every per-iteration sample), the statistics of
 * a figure, and its console line (the contract is in bench.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "measure.h"

/* With -icount shift=0 one guest instruction takes one nanosecond. */
#define INSNS_PER_SECOND 1000000000ULL

static uint64_t insn_per_tick; /* guest instructions per counter tick */
static uint64_t read_overhead; /* instructions a sample adds around an empty operation */
static uint64_t counter_freq;

uint64_t bench_insns(uint64_t ticks)
{
	return ticks * insn_per_tick;
}

const char *bench_measure_init(uint64_t freq)
{
	static uint64_t samples[BENCH_SAMPLES];
	uint64_t least = ~0ULL;

	if (freq == 0 || freq > INSNS_PER_SECOND || INSNS_PER_SECOND % freq != 0)
		return "the counter frequency does not divide 1 GHz: figures would not be whole "
		       "instructions";
	counter_freq = freq;
	insn_per_tick = INSNS_PER_SECOND / freq;
	/* An empty sample is the pair of reads a measured operation sits
	 * between; its smallest value is what each sample over-counts. */
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_now();
		samples[i] = bench_now() - t0;
	}
	for (unsigned i = 0; i < BENCH_SAMPLES; i++)
		if (samples[i] < least)
			least = samples[i];
	read_overhead = bench_insns(least);
	return NULL;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t bench_samples[BENCH_SAMPLES];

void bench_summarise(struct bench_figure *f, uint64_t *samples, unsigned n, uint64_t loop_ticks,
                     unsigned loop_n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t insns = bench_insns(samples[i]);
		samples[i] = insns > read_overhead ? insns - read_overhead : 0;
	}
	qsort(samples, n, sizeof samples[0], compare_u64);
	f->n = n;
	f->min = samples[0];
	f->max = samples[n - 1];
	f->median = samples[n / 2];
	f->mean = (bench_insns(loop_ticks) + loop_n / 2) / loop_n;
}

void bench_print(const struct bench_figure *f)
{
	if (f->error) {
		printf("BENCH-ERROR %s: %s\n", f->name, f->error);
		return;
	}
	if (f->skip) {
		printf("BENCH-SKIP %s: %s\n", f->name, f->skip);
		return;
	}
	printf("BENCH %s n=%u median=%llu min=%llu max=%llu mean=%llu\n", f->name, f->n,
	       (unsigned long long)f->median, (unsigned long long)f->min,
	       (unsigned long long)f->max, (unsigned long long)f->mean);
}

void bench_print_info(unsigned cpus)
{
	printf("BENCH-INFO freq=%llu insn_per_tick=%llu overhead=%llu cpus=%u\n",
	       (unsigned long long)counter_freq, (unsigned long long)insn_per_tick,
	       (unsigned long long)read_overhead, cpus);
}
