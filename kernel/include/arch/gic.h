/* The GIC interrupt controller, version 2 or 3 as the DTB says. */
#ifndef FAULTLINE_ARCH_GIC_H
#define FAULTLINE_ARCH_GIC_H

#include <stdint.h>
#include "plat/platform.h"

#define GIC_SPURIOUS   1020 /* INTIDs 1020..1023 are special: nothing to handle */
#define IPI_RESCHEDULE 1    /* SGI: pick a thread again */
#define IPI_STOP       2    /* SGI: another CPU panicked; stop here */
#define GIC_MAX_INTID  1020

/* Distributor setup: boot CPU, once. Returns 0 or panics with a reason. */
void gic_init(const struct platform_info *plat);
/* This CPU's interface (and redistributor on v3). Every CPU, once. */
void gic_init_cpu(unsigned cpu);
/* Acknowledge the highest-priority pending interrupt: its INTID. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t intid);
void gic_enable(uint32_t intid, unsigned target_cpu);
void gic_disable(uint32_t intid);
void gic_send_sgi(unsigned cpu, unsigned sgi);
unsigned gic_version(void);

#endif
