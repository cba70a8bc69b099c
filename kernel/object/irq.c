/*
 * Device interrupts. An interrupt line without an IRQ handler object is
 * masked at the distributor the first time it fires, with one log line.
 */
#include "arch/gic.h"
#include "kernel/irq.h"
#include "kernel/lib.h"

void irq_device(unsigned intid)
{
	kprintf("irq %u has no handler: masked\n", intid);
	gic_disable(intid);
}
