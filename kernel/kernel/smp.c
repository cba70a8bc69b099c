/*
 * Secondary CPU bring-up by PSCI CPU_ON or spin-table release, as each CPU's
 * enable-method in the DTB says, and reschedule IPIs.
 */
#include "arch/cpu.h"
#include "arch/gic.h"
#include "arch/mmu.h"
#include "arch/psci.h"
#include "arch/timer.h"
#include "kernel/boot.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"

uint32_t big_kernel_lock;
int big_lock_uncontended = 1;
unsigned ncpus_online_target = 1;

extern char secondary_entry[], spin_table_entry[];

static const struct plat_cpu *dtb_cpu(uint64_t mpidr)
{
	for (unsigned i = 0; i < platform.ncpus; i++)
		if (platform.cpus[i].mpidr == mpidr)
			return &platform.cpus[i];
	return NULL;
}

/* Release one CPU; returns 0 if the request was accepted. */
static int start_cpu(unsigned cpu)
{
	const struct plat_cpu *c = dtb_cpu(percpu[cpu].mpidr);

	switch (c ? c->enable : PLAT_ENABLE_NONE) {
	case PLAT_ENABLE_PSCI: {
		int64_t r = psci_cpu_on(percpu[cpu].mpidr, virt_to_phys(secondary_entry), cpu);
		if (r != 0) {
			kprintf("cpu %u: PSCI CPU_ON failed (%ld)\n", cpu, (long)r);
			return -1;
		}
		return 0;
	}
	case PLAT_ENABLE_SPIN_TABLE: {
		volatile uint64_t *release = phys_to_virt(c->release_addr);
		*release = virt_to_phys(spin_table_entry);
		dcache_clean_range((const void *)release, sizeof *release);
		__asm__ volatile("sev" ::: "memory");
		return 0;
	}
	default:
		kprintf("cpu %u (mpidr %lx): no usable enable-method in the DTB\n", cpu,
		        (unsigned long)percpu[cpu].mpidr);
		return -1;
	}
}

void smp_boot_secondaries(const struct platform_info *plat)
{
	(void)plat;
	if (ncpus_online_target > 1) {
		/* From here on the lock is real. The boot CPU holds none now
		 * (kernel_main runs before any thread), so nothing is unbalanced. */
		__atomic_store_n(&big_lock_uncontended, 0, __ATOMIC_RELEASE);
		dcache_clean_range(&big_lock_uncontended, sizeof big_lock_uncontended);
	}
	for (unsigned cpu = 1; cpu < ncpus_online_target; cpu++) {
		if (start_cpu(cpu) < 0)
			continue;
		/* Wait up to 5 s of counter time: a CPU that does not arrive is reported, not
		 * waited for. */
		uint64_t deadline = counter_now() + 5 * timer_frequency();
		while (!__atomic_load_n(&percpu[cpu].online, __ATOMIC_ACQUIRE)) {
			if (counter_now() > deadline) {
				kprintf("cpu %u (mpidr %lx) did not come online\n", cpu,
				        (unsigned long)percpu[cpu].mpidr);
				break;
			}
			cpu_relax();
		}
	}
}

unsigned smp_ncpus(void)
{
	return ncpus_online_target;
}

void smp_reschedule(unsigned cpu)
{
	if (cpu == this_cpu()->id)
		this_cpu()->resched = 1;
	else
		gic_send_sgi(cpu, IPI_RESCHEDULE);
}
