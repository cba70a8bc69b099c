/*
 * The scheduler's idle loop. Each CPU ends up here with nothing to run; it
 * waits for interrupts with the big lock released.
 */
#include "arch/context.h"
#include "arch/cpu.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

static unsigned idle_cpus;

static void __attribute__((noreturn)) idle_loop(void)
{
	struct percpu *pc = this_cpu();

	if (!pc->idle) {
		pc->idle = 1;
		if (__atomic_add_fetch(&idle_cpus, 1, __ATOMIC_ACQ_REL) == smp_ncpus())
			kprintf("all %u cpus idle\n", smp_ncpus());
	}
	for (;;) {
		irq_enable();
		wfi();
		irq_disable();
	}
}

void sched_start_boot_cpu(void) { call_on_kernel_stack(idle_loop); }
void sched_start_secondary(void) { call_on_kernel_stack(idle_loop); }
void sched_tick(void) { this_cpu()->resched = 1; }
