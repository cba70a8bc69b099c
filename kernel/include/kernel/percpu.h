/*
 * Per-CPU state, reached through TPIDR_EL1. Fields other than those marked
 * "own CPU only" are protected by the big kernel lock.
 */
#ifndef FAULTLINE_KERNEL_PERCPU_H
#define FAULTLINE_KERNEL_PERCPU_H

#include <stdint.h>
#include "arch/memlayout.h"
#include "arch/cpu.h"

struct tcb;
struct runqueue;

struct percpu {
	uint64_t kstack_top; /* must stay first: vectors.S loads it at offset 0 */
	unsigned id;         /* logical CPU number: index in the DTB's /cpus order */
	uint64_t mpidr;
	struct tcb *current;   /* thread running (or about to run) here; NULL = idle */
	struct tcb *fpu_owner; /* whose FP/SIMD registers are live here (own CPU only) */
	volatile int online;
	volatile int idle;              /* reached the idle loop at least once */
	uint64_t ticks;                 /* timer interrupts taken (own CPU only) */
	volatile int resched;           /* set by IPIs and the tick: pick again before returning */
	struct tcb *volatile stall_tcb; /* a CPU holding the big lock asks us to let go of it */
	uint64_t cpacr;                 /* CPACR_EL1 value last written (own CPU only) */
	uint64_t ttbr0;                 /* TTBR0_EL1 value last written (own CPU only) */
	struct runqueue *rq;            /* &runqueues[id], for the assembly fast path */
};

extern struct percpu percpu[MAX_CPUS];
extern unsigned ncpus_online_target; /* number of CPUs the DTB lists (and we use) */

static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el1);
}

#endif
