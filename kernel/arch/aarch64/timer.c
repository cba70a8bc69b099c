/*
 * The EL1 physical timer (CNTP) drives the scheduler tick. Its PPI comes from
 * the DTB's arm,armv8-timer node; the frequency from CNTFRQ_EL0 unless the
 * node overrides it (some firmware leaves CNTFRQ unset).
 */
#include "arch/timer.h"
#include "arch/cpu.h"
#include "arch/gic.h"
#include "kernel/lib.h"

static uint32_t intid;
static uint64_t freq;
static uint64_t interval;

void timer_init(const struct platform_info *plat)
{
	intid = plat->timer.ppi_phys_ns;
	if (!intid)
		panic("timer: DTB has no arm,armv8-timer interrupts");
	freq = plat->timer.clock_frequency ? plat->timer.clock_frequency : read_sysreg(cntfrq_el0);
	if (!freq)
		panic("timer: frequency unknown (CNTFRQ_EL0 = 0 and no clock-frequency)");
	interval = freq / TICK_HZ;
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

uint64_t timer_frequency(void)
{
	return freq;
}
uint32_t timer_intid(void)
{
	return intid;
}
