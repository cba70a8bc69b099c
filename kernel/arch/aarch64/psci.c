/* PSCI: CPU_ON for secondary CPUs and SYSTEM_OFF, via hvc or smc per the DTB. */
#include "arch/psci.h"
#include "arch/cpu.h"

static enum plat_psci_conduit conduit;
static uint32_t cpu_on_fn = PSCI_CPU_ON_64;

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (conduit == PLAT_PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
	else if (conduit == PLAT_PSCI_SMC)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
	else
		return -1; /* NOT_SUPPORTED */
	return (int64_t)x0;
}

void psci_init(const struct platform_info *plat)
{
	conduit = plat->psci_conduit;
	if (plat->psci_cpu_on)
		cpu_on_fn = plat->psci_cpu_on;
}

int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context)
{
	return psci_call(cpu_on_fn, mpidr, entry_pa, context);
}

void psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	irq_disable();
	for (;;)
		wfi();
}
