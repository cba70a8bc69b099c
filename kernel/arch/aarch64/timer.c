/*
 * The EL1 physical timer (CNTP) drives the scheduler tick. Its PPI comes from
 * the DTB's arm,armv8-timer node; the frequency from CNTFRQ_EL0 unless the
 * node overrides it (some firmware leaves CNTFRQ unset).
 *
 * The tick is only for preemption (round robin among equal priorities; the
 * kernel has no timeouts), so a CPU with nothing to run stops it: the idle
 * loop calls timer_idle_stop() and, once it has a thread again,
 * timer_idle_restart(), which gives that thread a full slice. An idle CPU
 * then sleeps until a device or another CPU interrupts it. This also keeps
 * QEMU's exact mode exact across device waits: with no timer pending,
 * `-icount sleep=off` has no deadline to jump virtual time to while every
 * CPU waits for the disk (docs/benchmarks.md). With kernel.tickcheck the
 * tick keeps running while idle, since that check is of the periodic tick
 * itself on every CPU (an idle CPU would otherwise never count to 10).
 */
#include "arch/timer.h"
#include "arch/cpu.h"
#include "arch/gic.h"
#include "kernel/boot.h"
#include "kernel/lib.h"

static uint32_t intid;
static uint64_t freq;
static uint64_t interval;
static bool idle_ticks; /* kernel.tickcheck: keep ticking while idle */

void timer_init(const struct platform_info *plat)
{
	intid = plat->timer.ppi_phys_ns;
	if (!intid)
		panic("timer: DTB has no arm,armv8-timer interrupts");
	freq = plat->timer.clock_frequency ? plat->timer.clock_frequency : read_sysreg(cntfrq_el0);
	if (!freq)
		panic("timer: frequency unknown (CNTFRQ_EL0 = 0 and no clock-frequency)");
	interval = freq / TICK_HZ;
	idle_ticks = bootarg_flag("kernel.tickcheck");
}

static void arm(void)
{
	write_sysreg(cntp_tval_el0, interval);
	write_sysreg(cntp_ctl_el0, 1); /* ENABLE, not masked */
}

void timer_init_cpu(unsigned cpu)
{
	gic_enable(intid, cpu);
	arm();
}

int timer_handle(uint32_t id)
{
	if (id != intid)
		return 0;
	arm();
	return 1;
}

/* Disabling the timer also drops its interrupt if it is pending (the PPI
 * is level-sensitive and follows ISTATUS && ENABLE). */
void timer_idle_stop(void)
{
	if (!idle_ticks)
		write_sysreg(cntp_ctl_el0, 0);
}

void timer_idle_restart(void)
{
	if (!idle_ticks)
		arm();
}

uint64_t timer_frequency(void)
{
	return freq;
}
uint32_t timer_intid(void)
{
	return intid;
}
