/*
 * The benchmarks' instruction counter (arch/pmu.h). Under QEMU's exact mode
 * the generic counter is virtual time, and virtual time jumps while every
 * CPU waits for a device (-icount sleep=off), by an amount that depends on
 * the host; the PMU's INST_RETIRED event counts the instructions QEMU
 * executed and nothing else. Pausing it in the idle loop leaves out the
 * idle CPU and the interrupts it takes while idle (the timer ticks that
 * happen to fall into a wait), so a figure that waits for a disk is still
 * a pure function of the image.
 */
#include "arch/pmu.h"
#include "arch/cpu.h"
#include "arch/mmu.h"
#include "kernel/boot.h"

#define PMCR_E           (1u << 0) /* enable the counters */
#define PMUSERENR_EN     (1u << 0) /* EL0 may read the PMU */
#define PMU_INST_RETIRED 0x08      /* the architected event number */

static int enabled = -1; /* kernel.pmu_insns; decided by the boot CPU */

void pmu_init_cpu(void)
{
	if (enabled < 0)
		enabled = bootarg_flag("kernel.pmu_insns");
	if (!enabled)
		return;
	/* Event counter 0: INST_RETIRED at EL0 and EL1 (no filter bits). */
	write_sysreg(pmevtyper0_el0, PMU_INST_RETIRED);
	write_sysreg(pmevcntr0_el0, 0);
	write_sysreg(pmcr_el0, read_sysreg(pmcr_el0) | PMCR_E);
	write_sysreg(pmuserenr_el0, PMUSERENR_EN);
	write_sysreg(pmcntenset_el0, 1u << 0);
	isb();
}

void pmu_idle_enter(void)
{
	if (enabled > 0)
		write_sysreg(pmcntenclr_el0, 1u << 0);
}

void pmu_idle_exit(void)
{
	if (enabled > 0)
		write_sysreg(pmcntenset_el0, 1u << 0);
}
