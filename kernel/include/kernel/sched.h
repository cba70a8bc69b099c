/*
 * The scheduler: per-CPU run queues with 256 priorities (round robin within
 * a priority, timer preemption), thread affinity, and the exit path that
 * picks the thread a CPU returns to. A thread that runs is not in any run
 * queue; percpu.current names it.
 *
 * Caller must hold the big kernel lock for everything here except
 * sched_start_*.
 */
#ifndef FAULTLINE_KERNEL_SCHED_H
#define FAULTLINE_KERNEL_SCHED_H

#include <stdbool.h>
#include "kernel/object.h"

void sched_init(void);
void sched_start_boot_cpu(void) __attribute__((noreturn));
void sched_start_secondary(void) __attribute__((noreturn));
/* A timer tick on this CPU: the current thread's time slice is over. */
void sched_tick(void);

/* Make t runnable and queue it on its CPU (waking that CPU if needed). */
void sched_wake(struct tcb *t);
/* t stops being runnable (it blocked or was suspended): take it off its run queue. */
void sched_unready(struct tcb *t);
/* Current thread gives up the rest of its slice. */
void sched_yield(void);
/* Move t to another CPU's run queue (its FP state is saved first). */
void sched_set_affinity(struct tcb *t, unsigned cpu);
void sched_set_priority(struct tcb *t, unsigned prio);
/*
 * Make sure no CPU other than this one runs t or holds t's FP registers
 * (they are saved into t). Returns with t not running anywhere but here.
 */
void sched_stall_remote(struct tcb *t);
/* Poll for stall requests addressed to this CPU (while spinning on the big lock). */
void sched_poll_remote(void);

/* Highest priority with a runnable thread queued on cpu, or -1. */
int sched_highest_prio(unsigned cpu);
/* No thread above prio is queued on cpu (equal priority is fine). */
#define NPRIO 256

/* One CPU's run queues; protected by the big lock. */
struct runqueue {
	uint64_t bitmap[NPRIO / 64]; /* bit p set: queue p is not empty */
	struct tcb *head[NPRIO], *tail[NPRIO];
};

extern struct runqueue runqueues[];

static inline bool sched_nothing_above(unsigned cpu, unsigned prio)
{
	const uint64_t *bitmap = runqueues[cpu].bitmap;
	unsigned w = prio / 64;

	for (unsigned i = 3; i > w; i--)
		if (bitmap[i])
			return false;
	return (bitmap[w] >> (prio % 64)) <= 1;
}
struct percpu;
/* The IPC fast path's direct switch: from (which no longer runs) to to, which
 * the caller made runnable and did not queue; drops the big lock, erets. */
void sched_switch_fast(struct percpu *pc, struct tcb *from, struct tcb *to) __attribute__((noreturn));

/* Leave the kernel: pick this CPU's thread, drop the big lock, eret. */
void kernel_exit(void) __attribute__((noreturn));

/* Save/restore FP state (arch/aarch64/fpu.S). */
void fpu_save(struct fpu_state *s);
void fpu_restore(const struct fpu_state *s);
/* EL0 touched FP/SIMD: give this CPU's FP registers to the current thread. */
void fpu_trap(void);

#endif
