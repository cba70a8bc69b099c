/*
 * Interrupt dispatch. The timer drives the tick; SGIs carry reschedule and
 * stop requests; every other interrupt belongs to an IRQ handler object
 * (object/irq.c), which signals its notification and masks the line until
 * user level acknowledges it.
 */
#include "arch/gic.h"
#include "arch/timer.h"
#include "kernel/boot.h"
#include "kernel/irq.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"

static int tickcheck = -1;

static void tick(void)
{
	struct percpu *pc = this_cpu();

	pc->ticks++;
	if (tickcheck < 0)
		tickcheck = bootarg_flag("kernel.tickcheck");
	if (tickcheck && pc->ticks == 10)
		kprintf("cpu %u: ticks ok\n", pc->id);
	sched_tick();
}

void irq_dispatch(void)
{
	for (;;) {
		uint32_t intid = gic_ack();
		if (intid >= GIC_SPURIOUS)
			return;
		if (timer_handle(intid)) {
			gic_eoi(intid);
			tick();
			continue;
		}
		if (intid == IPI_RESCHEDULE) {
			this_cpu()->resched = 1;
		} else if (intid == IPI_STOP) {
			gic_eoi(intid);
			irq_stop_this_cpu();
		} else {
			irq_device(intid);
		}
		gic_eoi(intid);
	}
}
