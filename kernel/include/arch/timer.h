/* The generic timer: a periodic tick on every CPU that has a thread to run. */
#ifndef FAULTLINE_ARCH_TIMER_H
#define FAULTLINE_ARCH_TIMER_H

#include <stdint.h>
#include "plat/platform.h"

#define TICK_HZ 100

void timer_init(const struct platform_info *plat); /* boot CPU */
void timer_init_cpu(unsigned cpu);                 /* every CPU: enable its PPI, arm */
/* The tick interrupt fired: re-arm. Returns 1 if intid was the timer's. */
int timer_handle(uint32_t intid);
/* The idle loop: stop this CPU's tick while it has nothing to run, and
 * start a fresh slice when it has (no-ops with kernel.tickcheck). Caller
 * runs with IRQs masked on the CPU concerned. */
void timer_idle_stop(void);
void timer_idle_restart(void);
uint64_t timer_frequency(void);
uint32_t timer_intid(void);

#endif
