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
#include "kernel/percpu.h"
#include "kernel/smp.h"
#include "arch/cpu.h"
#include "arch/context.h"
#include "arch/mmu.h"

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
	unsigned words;              /* bit w set: bitmap[w] is not zero */
	struct tcb *head[NPRIO], *tail[NPRIO];
};

extern struct runqueue runqueues[];

static inline bool sched_nothing_above(unsigned cpu, unsigned prio)
{
	const struct runqueue *rq = &runqueues[cpu];
	unsigned w = prio / 64;

	/* The fast paths ask this on every IPC: one summary test instead of a
	 * loop over the words above prio's. */
	if ((rq->words >> w) > 1)
		return false;
	return (rq->bitmap[w] >> (prio % 64)) <= 1;
}
#define CPACR_FP_TRAP_EL0 (1ULL << 20) /* FPEN = 01: EL0 FP use traps (lazy switch) */
#define CPACR_FP_ON       (3ULL << 20) /* FPEN = 11 */

/* FP/SIMD on or trapping for EL0 on this CPU (own CPU only). */
static inline void set_cpacr(struct percpu *pc, uint64_t v)
{
	if (pc->cpacr != v) {
		write_sysreg(cpacr_el1, v);
		isb();
		pc->cpacr = v;
	}
}

/* Make t's address space current on this CPU (its cached TTBR0). */
static inline void vspace_activate_inline(struct percpu *pc, const struct tcb *t)
{
	if (t->ttbr0 != pc->ttbr0) {
		write_sysreg(ttbr0_el1, t->ttbr0);
		isb();
		pc->ttbr0 = t->ttbr0;
	}
}

/* The fast paths' direct switch: from (which no longer runs) to to, which
 * the caller made runnable and did not queue; drops the big lock, erets. */
static inline __attribute__((noreturn, always_inline)) void
sched_switch_fast(struct percpu *pc, struct tcb *from, struct tcb *to)
{
	from->running_on = -1;
	pc->current = to;
	to->running_on = (int)pc->id;
	vspace_activate_inline(pc, to);
	set_cpacr(pc, pc->fpu_owner == to ? CPACR_FP_ON : CPACR_FP_TRAP_EL0);
	write_sysreg(tpidrro_el0, to->ipcbuf_va);
	big_unlock();
	return_to_user(&to->ctx);
}

/* Leave the kernel: pick this CPU's thread, drop the big lock, eret. */
void kernel_exit(void) __attribute__((noreturn));

/* Save/restore FP state (arch/aarch64/fpu.S). */
void fpu_save(struct fpu_state *s);
void fpu_restore(const struct fpu_state *s);
/* EL0 touched FP/SIMD: give this CPU's FP registers to the current thread. */
void fpu_trap(void);

#endif
