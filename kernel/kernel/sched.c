/*
 * Scheduling: per-CPU run queues, 256 priorities with a bitmap for the
 * highest runnable one, round robin within a priority driven by the tick,
 * the idle loop, the kernel exit path, lazy FP/SIMD switching and the remote
 * stall protocol that lets one CPU safely change a thread another CPU runs.
 *
 * Everything here runs with the big kernel lock held, except the idle loop
 * while it waits and sched_poll_remote (see the stall protocol below).
 */
#include "arch/context.h"
#include "arch/cpu.h"
#include "arch/gic.h"
#include "arch/mmu.h"
#include "arch/pmu.h"
#include "arch/timer.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

struct runqueue runqueues[MAX_CPUS];
_Static_assert(NPRIO / 64 <= 32, "struct runqueue.words has a bit per bitmap word");
static unsigned idle_cpus;

static int highest_prio(const struct runqueue *rq)
{
	if (!rq->words)
		return -1;
	int w = 31 - __builtin_clz(rq->words);
	return w * 64 + 63 - __builtin_clzll(rq->bitmap[w]);
}

int sched_highest_prio(unsigned cpu)
{
	return highest_prio(&runqueues[cpu]);
}

static bool queued(const struct tcb *t)
{
	return t->rq_prev || t->rq_next || runqueues[t->affinity].head[t->priority] == t;
}

static void rq_append(struct tcb *t, bool at_head)
{
	struct runqueue *rq = &runqueues[t->affinity];
	unsigned p = t->priority;

	if (at_head) {
		t->rq_prev = NULL;
		t->rq_next = rq->head[p];
		if (rq->head[p])
			rq->head[p]->rq_prev = t;
		else
			rq->tail[p] = t;
		rq->head[p] = t;
	} else {
		t->rq_next = NULL;
		t->rq_prev = rq->tail[p];
		if (rq->tail[p])
			rq->tail[p]->rq_next = t;
		else
			rq->head[p] = t;
		rq->tail[p] = t;
	}
	rq->bitmap[p / 64] |= 1ULL << (p % 64);
	rq->words |= 1u << (p / 64);
}

static void rq_remove(struct tcb *t)
{
	struct runqueue *rq = &runqueues[t->affinity];
	unsigned p = t->priority;

	if (t->rq_prev)
		t->rq_prev->rq_next = t->rq_next;
	else
		rq->head[p] = t->rq_next;
	if (t->rq_next)
		t->rq_next->rq_prev = t->rq_prev;
	else
		rq->tail[p] = t->rq_prev;
	if (!rq->head[p]) {
		rq->bitmap[p / 64] &= ~(1ULL << (p % 64));
		if (!rq->bitmap[p / 64])
			rq->words &= ~(1u << (p / 64));
	}
	t->rq_next = t->rq_prev = NULL;
}

void sched_wake(struct tcb *t)
{
	struct percpu *target = &percpu[t->affinity];

	t->state = TS_RUNNABLE;
	if (t->running_on >= 0 || queued(t))
		return; /* it is some CPU's current thread, or already queued */
	rq_append(t, false);
	if (target == this_cpu()) {
		if (!target->current || target->current->priority < t->priority)
			target->resched = 1;
	} else if (!target->current || target->current->priority < t->priority) {
		gic_send_sgi(target->id, IPI_RESCHEDULE);
	}
}

void sched_unready(struct tcb *t)
{
	if (queued(t))
		rq_remove(t);
	if (t->running_on == (int)this_cpu()->id)
		this_cpu()->resched = 1;
	else if (t->running_on >= 0)
		sched_stall_remote(t);
}

void sched_yield(void)
{
	this_cpu()->resched = 1;
}

void sched_tick(void)
{
	this_cpu()->resched = 1;
}

void sched_set_priority(struct tcb *t, unsigned prio)
{
	bool q = queued(t);

	if (q)
		rq_remove(t);
	t->priority = (uint8_t)prio;
	if (q)
		rq_append(t, false);
	if (t->running_on >= 0 && t->running_on != (int)this_cpu()->id)
		gic_send_sgi((unsigned)t->running_on, IPI_RESCHEDULE);
	else
		this_cpu()->resched = 1;
}

void sched_set_affinity(struct tcb *t, unsigned cpu)
{
	bool q;

	sched_stall_remote(t); /* may queue t here if it was running elsewhere */
	q = queued(t);
	if (q)
		rq_remove(t);
	if (t->running_on == (int)this_cpu()->id) {
		/* Running here (it changed its own affinity): save its FP state and
		 * let kernel_exit move it. */
		if (this_cpu()->fpu_owner == t) {
			fpu_save(&t->fpu);
			this_cpu()->fpu_owner = NULL;
		}
		this_cpu()->resched = 1;
	}
	t->affinity = (uint8_t)cpu;
	if (q)
		sched_wake(t);
}

/*
 * The stall protocol. A CPU that holds the big lock and must change thread
 * t, which another CPU B runs or whose FP registers B holds, writes t into
 * B's stall_tcb, interrupts B and waits. B answers from the one place it can
 * be without the lock: its interrupt path or its spin on the big lock
 * (sched_poll_remote). It saves t's FP registers if it holds them, stops
 * treating t as its current thread and clears stall_tcb. Until then the
 * requester keeps the lock, so t cannot change or disappear under B. A t
 * that is still runnable afterwards is queued again on its own CPU.
 */
void sched_stall_remote(struct tcb *t)
{
	unsigned self = this_cpu()->id;

	for (unsigned cpu = 0; cpu < smp_ncpus(); cpu++) {
		struct percpu *pc = &percpu[cpu];
		if (cpu == self || (pc->current != t && pc->fpu_owner != t))
			continue;
		pc->stall_tcb = t;
		__asm__ volatile("dsb ish" ::: "memory");
		gic_send_sgi(cpu, IPI_RESCHEDULE);
		while (__atomic_load_n(&pc->stall_tcb, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
	if (t->running_on >= 0 && t->running_on != (int)self) {
		t->running_on = -1;
		/* It lost its CPU but still wants to run: queue it again, or it
		 * would be runnable and in no run queue (lost for good). */
		if (t->state == TS_RUNNABLE)
			sched_wake(t);
	}
}

void sched_poll_remote(void)
{
	struct percpu *pc = this_cpu();
	struct tcb *t = __atomic_load_n(&pc->stall_tcb, __ATOMIC_ACQUIRE);

	if (!t)
		return;
	if (pc->fpu_owner == t) {
		fpu_save(&t->fpu);
		pc->fpu_owner = NULL;
	}
	if (pc->current == t) {
		pc->current = NULL;
		pc->resched = 1;
	}
	__atomic_store_n(&pc->stall_tcb, NULL, __ATOMIC_RELEASE);
}

void fpu_trap(void)
{
	struct percpu *pc = this_cpu();
	struct tcb *t = pc->current;

	if (pc->fpu_owner && pc->fpu_owner != t)
		fpu_save(&pc->fpu_owner->fpu);
	if (t->fpu_used) {
		fpu_restore(&t->fpu);
	} else {
		memset(&t->fpu, 0, sizeof t->fpu);
		fpu_restore(&t->fpu);
		t->fpu_used = 1;
	}
	pc->fpu_owner = t;
	set_cpacr(pc, CPACR_FP_ON);
}

static void __attribute__((noreturn)) idle_loop(void);

void kernel_exit(void)
{
	struct percpu *pc = this_cpu();
	struct runqueue *rq = &runqueues[pc->id];
	struct tcb *cur = pc->current;
	struct tcb *next = NULL;
	int top = highest_prio(rq);

	if (cur && cur->state == TS_RUNNABLE && cur->affinity == pc->id) {
		if (top > (int)cur->priority) {
			rq_append(cur,
			          true); /* preempted by a higher priority: first in line again */
		} else if (pc->resched && top == (int)cur->priority) {
			rq_append(cur, false); /* slice over: round robin */
		} else {
			next = cur;
		}
	} else if (cur && cur->state == TS_RUNNABLE) {
		/* Its affinity moved elsewhere: queue it there. */
		cur->running_on = -1;
		pc->current = NULL;
		sched_wake(cur);
		cur = NULL;
	}
	pc->resched = 0;
	if (!next) {
		top = highest_prio(rq);
		if (top >= 0) {
			next = rq->head[top];
			rq_remove(next);
		}
	}
	if (cur && cur != next)
		cur->running_on = -1;
	pc->current = next;
	if (!next) {
		big_unlock();
		call_on_kernel_stack(idle_loop);
	}
	next->running_on = (int)pc->id;
	vspace_activate(next); /* also when next == cur: its address space may have changed */
	set_cpacr(pc, pc->fpu_owner == next ? CPACR_FP_ON : CPACR_FP_TRAP_EL0);
	write_sysreg(tpidrro_el0, next->ipcbuf_va);
	big_unlock();
	return_to_user(&next->ctx);
}

/*
 * Wait for interrupts until this CPU has a thread to run. Big lock not held.
 * The tick is stopped meanwhile (arch/timer.h: it only preempts, and there
 * is nothing to preempt) and the PMU's instruction counter paused.
 *
 * WFI runs with IRQs masked: it wakes on a pending interrupt all the same,
 * which is then taken when they are unmasked just after. Unmasking first
 * would lose a wake-up: an interrupt pending since before the loop (a disk
 * completion that came in while this CPU was on its way here) would be
 * taken between the unmask and the WFI, and the WFI would then sleep until
 * the next interrupt with the thread it made runnable waiting. The periodic
 * tick used to bound that to 10 ms; with the tick stopped it would be
 * forever.
 */
static void __attribute__((noreturn)) idle_loop(void)
{
	struct percpu *pc = this_cpu();

	if (!pc->idle) {
		pc->idle = 1;
		if (__atomic_add_fetch(&idle_cpus, 1, __ATOMIC_ACQ_REL) == smp_ncpus())
			kprintf("all %u cpus idle\n", smp_ncpus());
	}
	pmu_idle_enter();
	timer_idle_stop();
	for (;;) {
		wfi();
		irq_enable();
		irq_disable();
		sched_poll_remote();
		if (pc->resched || highest_prio(&runqueues[pc->id]) >= 0) {
			timer_idle_restart();
			pmu_idle_exit();
			big_lock();
			kernel_exit(); /* returns to user, or back to this loop's top */
		}
	}
}

void sched_start_boot_cpu(void)
{
	big_lock();
	kernel_exit();
}

void sched_start_secondary(void)
{
	big_lock();
	kernel_exit();
}
