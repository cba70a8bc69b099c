/*
 * The boot CPU's path from head.S to the scheduler, and the secondary CPUs'.
 * Order matters: the console needs the device window, the final page tables
 * need the DTB's memory ranges, the GIC and timer need both.
 */
#include <libfdt.h>
#include "arch/cpu.h"
#include "arch/gic.h"
#include "arch/mmu.h"
#include "arch/psci.h"
#include "arch/pmu.h"
#include "arch/timer.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/ipclog.h"

void root_task_create(void);

struct platform_info platform;
char machine_model[64];
uint64_t dtb_phys, dtb_size;
struct percpu percpu[MAX_CPUS];
unsigned char kernel_stacks[MAX_CPUS][KSTACK_SIZE] __attribute__((aligned(16)));

extern char exception_vectors[];

/* This CPU's percpu pointer, kernel stack and exception vectors. */
static void cpu_setup_local(unsigned cpu)
{
	struct percpu *pc = &percpu[cpu];

	pc->id = cpu;
	pc->rq = &runqueues[cpu];
	pc->kstack_top = (uint64_t)&kernel_stacks[cpu][KSTACK_SIZE];
	write_sysreg(tpidr_el1, pc);
	write_sysreg(vbar_el1, exception_vectors);
	/* EL0 may read the virtual counter (CNTVCT_EL0): user-level timeouts and
	 * benchmarks count in it; nothing else of the timer is exposed. */
	write_sysreg(cntkctl_el1, 1u << 1);
	/* Hardware access-flag updates where the CPU has them (FEAT_HAFDBS):
	 * then the clock's accessed bits cost not even a kernel entry. */
	if ((read_sysreg(id_aa64mmfr1_el1) & 0xf) != 0)
		write_sysreg(tcr_el1, read_sysreg(tcr_el1) | (1ULL << 39));
	isb();
}

/* Find, check and parse the DTB; any failure is reported and fatal. */
static void read_device_tree(uint64_t pa)
{
	const char *err = "DTB: unknown error";
	const struct fdt_header *h;

	if (!pa)
		panic("DTB: no device tree address in x0 (boot the Image, not the ELF)");
	if (pa & 7)
		panic("DTB: address %lx is not 8-byte aligned", (unsigned long)pa);
	h = phys_to_virt(pa);
	if (fdt_magic(h) != FDT_MAGIC) {
		kprintf("DTB: bad magic %x at %lx (not a device tree)\n", fdt_magic(h),
		        (unsigned long)pa);
		panic("cannot boot without a device tree");
	}
	dtb_size = fdt_totalsize(h);
	if (dtb_size < sizeof *h || dtb_size > (64u << 20) ||
	    (pa >> 30) != ((pa + dtb_size - 1) >> 30)) {
		kprintf("DTB: implausible size %lu at %lx\n", (unsigned long)dtb_size,
		        (unsigned long)pa);
		panic("cannot boot without a device tree");
	}
	dtb_phys = pa;
	if (dtb_parse(h, dtb_size, &platform, &err) < 0) {
		kprintf("%s\n", err);
		panic("cannot boot without a usable device tree");
	}
	int len;
	const char *model = fdt_getprop(h, 0, "model", &len);
	if (model && len > 0)
		memcpy(machine_model, model,
		       (size_t)len < sizeof machine_model ? (size_t)len : sizeof machine_model - 1);
	else
		memcpy(machine_model, "unknown machine", 16);
}

/* Logical CPU numbers: the boot CPU is 0, the others follow in DTB order. */
static void assign_cpu_numbers(void)
{
	extern uint64_t cpu_mpidr_table[MAX_CPUS];
	uint64_t self = read_sysreg(mpidr_el1) & 0xff00ffffffULL;
	unsigned next = 1;

	percpu[0].mpidr = self;
	for (unsigned i = 0; i < platform.ncpus; i++) {
		if (platform.cpus[i].mpidr == self)
			continue;
		if (next == MAX_CPUS)
			break;
		percpu[next++].mpidr = platform.cpus[i].mpidr;
	}
	ncpus_online_target = next;
	for (unsigned i = 0; i < MAX_CPUS; i++)
		cpu_mpidr_table[i] = i < next ? percpu[i].mpidr : ~0ULL;
	dcache_clean_range(cpu_mpidr_table, sizeof(uint64_t) * MAX_CPUS);
}

void kernel_main(uint64_t dtb_pa)
{
	cpu_setup_local(0);
	console_init_early();
	read_device_tree(dtb_pa);
	console_init(&platform);
	ipclog_init();
	kprintf("\nFaultline %s on %s\n", FAULTLINE_VERSION, machine_model);
	mmu_init_kernel(&platform);
	assign_cpu_numbers();
	gic_init(&platform);
	timer_init(&platform);
	psci_init(&platform);
	kprintf("gicv%u, timer %lu Hz (intid %u), %u memory range(s), bootargs \"%s\"\n",
	        gic_version(), (unsigned long)timer_frequency(), timer_intid(), platform.nmem,
	        platform.bootargs);

	gic_init_cpu(0);
	timer_init_cpu(0);
	pmu_init_cpu();
	percpu[0].online = 1;
	kprintf("cpu 0 online (mpidr %lx)\n", (unsigned long)percpu[0].mpidr);
	root_task_create();
	smp_boot_secondaries(&platform);
	sched_start_boot_cpu();
}

void secondary_main(unsigned cpu)
{
	cpu_setup_local(cpu);
	gic_init_cpu(cpu);
	timer_init_cpu(cpu);
	pmu_init_cpu();
	kprintf("cpu %u online (mpidr %lx)\n", cpu, (unsigned long)percpu[cpu].mpidr);
	__atomic_store_n(&percpu[cpu].online, 1, __ATOMIC_RELEASE);
	sched_start_secondary();
}
