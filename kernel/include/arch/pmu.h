/*
 * The instruction counter for benchmarks (bootarg kernel.pmu_insns): PMU
 * event counter 0 counts instructions executed at EL0 and EL1, readable
 * from EL0 (PMEVCNTR0_EL0), and stands still while the CPU is idle. Off by
 * default: a counter user code can read is for measuring, not for
 * ordinary runs.
 */
#ifndef FAULTLINE_ARCH_PMU_H
#define FAULTLINE_ARCH_PMU_H

/* Every CPU, after the bootargs are parsed: start the counter if asked. */
void pmu_init_cpu(void);
/* The idle loop: stop counting before waiting, count again on the way out. */
void pmu_idle_enter(void);
void pmu_idle_exit(void);

#endif
