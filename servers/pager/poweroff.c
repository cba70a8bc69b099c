/*
 * Powering the machine off for the init process (the test server ends a
 * run this way): PSCI SYSTEM_OFF through the kernel's debug power-off
 * call, whose authority is the IRQ control cap only the root task holds.
 * With kernel.trace in the bootargs the IPC log is dumped to the console
 * first, so a traced run can be decoded (docs/tracing.md).
 */
#include <faultline/invocations.h>

#include "core.h"

static bool trace_on;

/* Whether to dump the IPC log before powering off (bootarg kernel.trace).
 * Caller: main, at boot. */
void poweroff_init(bool dump_trace)
{
	trace_on = dump_trace;
}

/* Power off. Returns -1 only if the kernel refused (then nothing changed). */
int pager_poweroff_machine(void)
{
	struct fl_msg m = {0};

	if (trace_on)
		kcall(FL_CAP_TRACE, FL_TRACE_DUMP, 0, NULL, 0, NULL, NULL);
	fl_syscall(FL_SYS_DEBUG_POWEROFF, FL_CAP_IRQ_CONTROL, 0, &m);
	plog("power-off refused by the kernel: error %lu", (unsigned long)fl_msginfo_label(m.info));
	return -1;
}
