/* The scheduler: per-CPU run queues, priorities, the idle loop. */
#ifndef FAULTLINE_KERNEL_SCHED_H
#define FAULTLINE_KERNEL_SCHED_H

void sched_start_boot_cpu(void) __attribute__((noreturn));
void sched_start_secondary(void) __attribute__((noreturn));
/* A timer tick on this CPU (interrupts masked, big lock not held). */
void sched_tick(void);

#endif
