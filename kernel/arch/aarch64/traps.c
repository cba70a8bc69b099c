/*
 * Exception dispatch for the kernel's own exceptions (EL1), interrupts, and
 * the panic report. Exceptions from user mode are dispatched in
 * kernel/entry.c; anything synchronous taken at EL1 is a kernel bug and is
 * reported with the exception class decoded, FAR, ELR, all registers and
 * the CPU, then every CPU stops.
 */
#include "arch/context.h"
#include "arch/cpu.h"
#include "arch/gic.h"
#include "arch/psci.h"
#include "kernel/console.h"
#include "kernel/irq.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"

static const char *const ec_names[64] = {
    [EC_UNKNOWN] = "unknown reason / undefined instruction",
    [EC_WFX] = "trapped WFI/WFE",
    [EC_FP_ASIMD] = "FP/SIMD access trapped",
    [EC_ILLEGAL_STATE] = "illegal execution state",
    [EC_SVC64] = "SVC",
    [EC_SYSREG] = "trapped system register access",
    [EC_SVE] = "SVE access trapped",
    [EC_IABT_LOW] = "instruction abort from EL0",
    [EC_IABT_CUR] = "instruction abort in the kernel",
    [EC_PC_ALIGN] = "PC alignment fault",
    [EC_DABT_LOW] = "data abort from EL0",
    [EC_DABT_CUR] = "data abort in the kernel",
    [EC_SP_ALIGN] = "SP alignment fault",
    [EC_FP_EXC64] = "FP exception",
    [EC_SERROR] = "SError",
    [EC_BREAKPT_LOW] = "breakpoint from EL0",
    [EC_SOFTSTP_LOW] = "software step from EL0",
    [EC_WATCHPT_LOW] = "watchpoint from EL0",
    [EC_BRK64] = "BRK instruction",
};

const char *esr_class_name(unsigned long esr)
{
	const char *n = ec_names[esr_class(esr)];

	return n ? n : "reserved exception class";
}

static volatile int panicking;

/* Stop this CPU for good: interrupts off, wait forever. */
static void __attribute__((noreturn)) halt_cpu(void)
{
	irq_disable();
	for (;;)
		wfi();
}

/* Tell every other CPU to stop, so the report is the last thing printed. */
static void stop_other_cpus(void)
{
	unsigned self = this_cpu() ? this_cpu()->id : 0;

	for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
		if (cpu != self && percpu[cpu].online)
			gic_send_sgi(cpu, IPI_STOP);
}

static void __attribute__((noreturn))
panic_vreport(const struct user_context *frame, const char *fmt, va_list ap)
{
	unsigned cpu = this_cpu() ? this_cpu()->id : 0;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		halt_cpu(); /* another CPU is already reporting */
	stop_other_cpus();
	console_force_unlock();
	kprintf("\nKERNEL PANIC on cpu %u: ", cpu);
	kvprintf(fmt, ap);
	kprintf("\n");
	if (frame) {
		uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
		kprintf("  ESR %016lx  class 0x%02x: %s  ISS %07lx\n", (unsigned long)esr,
		        esr_class(esr), esr_class_name(esr), (unsigned long)(esr & 0x1ffffff));
		kprintf("  FAR %016lx  ELR %016lx  SPSR %016lx  SP %016lx\n", (unsigned long)far,
		        (unsigned long)frame->pc, (unsigned long)frame->spsr,
		        (unsigned long)((uint64_t)frame + CTX_SIZE));
		for (int i = 0; i < 31; i += 2) {
			if (i == 30)
				kprintf("  x30 %016lx\n", (unsigned long)frame->x[30]);
			else
				kprintf("  x%-2d %016lx  x%-2d %016lx\n", i,
				        (unsigned long)frame->x[i], i + 1,
				        (unsigned long)frame->x[i + 1]);
		}
	}
	kprintf("system halted\n");
	halt_cpu();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_vreport(NULL, fmt, ap);
}

static void __attribute__((noreturn))
panic_frame(const struct user_context *frame, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_vreport(frame, fmt, ap);
}

void trap_el1_sync(struct user_context *frame)
{
	uint64_t esr = read_sysreg(esr_el1);

	panic_frame(frame, "unexpected kernel exception: %s", esr_class_name(esr));
}

void trap_el1_unexpected(struct user_context *frame)
{
	panic_frame(frame, "unexpected kernel exception (FIQ, SError or SP0 vector)");
}

/* Interrupt taken in the kernel: only the idle loop runs with IRQs unmasked. */
void trap_el1_irq(struct user_context *frame)
{
	(void)frame;
	big_lock();
	irq_dispatch();
	big_unlock();
}

/* IPI_STOP: another CPU panicked. */
void irq_stop_this_cpu(void)
{
	halt_cpu();
}
