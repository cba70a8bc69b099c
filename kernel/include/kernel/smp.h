/*
 * SMP: the big kernel lock and CPU bring-up. Every kernel entry from EL0
 * (syscall, fault, interrupt) takes the big lock before it reads or changes
 * any kernel object and drops it just before returning to user mode, as seL4
 * does. The idle loop holds it only while it picks a thread.
 */
#ifndef FAULTLINE_KERNEL_SMP_H
#define FAULTLINE_KERNEL_SMP_H

#include "kernel/spinlock.h"
#include "plat/platform.h"

extern struct spinlock big_kernel_lock;

void sched_poll_remote(void);

/* Take the big lock. While waiting, answer stall requests (kernel/sched.c):
 * the CPU holding the lock may be waiting for exactly that. */
static inline void big_lock(void)
{
	uint32_t me = __atomic_fetch_add(&big_kernel_lock.next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&big_kernel_lock.serving, __ATOMIC_ACQUIRE) != me) {
		sched_poll_remote();
		__asm__ volatile("yield");
	}
}
static inline void big_unlock(void) { spin_unlock(&big_kernel_lock); }

/* Start every CPU the DTB lists; returns when all are online or have timed out. */
void smp_boot_secondaries(const struct platform_info *plat);
unsigned smp_ncpus(void);
/* Ask cpu to reschedule (IPI); no-op for the calling CPU. */
void smp_reschedule(unsigned cpu);

#endif
