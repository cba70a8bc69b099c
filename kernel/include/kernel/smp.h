/*
 * SMP: the big kernel lock and CPU bring-up. Every kernel entry from EL0
 * (syscall, fault, interrupt) takes the big lock before it reads or changes
 * any kernel object and drops it just before returning to user mode, as seL4
 * does. The idle loop holds it only while it picks a thread.
 */
#ifndef FAULTLINE_KERNEL_SMP_H
#define FAULTLINE_KERNEL_SMP_H

#include <stdint.h>
#include "plat/platform.h"

/*
 * The big lock is a test-and-test-and-set lock, not a ticket lock: under
 * QEMU's multi-threaded TCG on a busy host a vCPU holding the next ticket is
 * often descheduled, and a FIFO lock then hands over only as fast as the host
 * schedules each waiter in turn (a lock convoy). Any CPU that is actually
 * running takes a free test-and-set lock at once.
 */
extern uint32_t big_kernel_lock;
/* Set while only one CPU runs: nobody can contend, so the lock is skipped
 * (interrupts are masked throughout the kernel). Cleared, for good, before
 * the first secondary CPU is started. */
extern int big_lock_uncontended;

void sched_poll_remote(void);

/* Take the big lock. While waiting, answer stall requests (kernel/sched.c):
 * the CPU holding the lock may be waiting for exactly that. */
static inline void big_lock(void)
{
	if (big_lock_uncontended)
		return;
	while (__atomic_exchange_n(&big_kernel_lock, 1, __ATOMIC_ACQUIRE)) {
		do {
			sched_poll_remote();
			__asm__ volatile("yield");
		} while (__atomic_load_n(&big_kernel_lock, __ATOMIC_RELAXED));
	}
}

/* Waiters spin without WFE (they must keep answering stall requests), so
 * a store-release is all the unlock needs: no DSB, no SEV. */
static inline __attribute__((always_inline)) void big_unlock(void)
{
	if (big_lock_uncontended)
		return;
	__atomic_store_n(&big_kernel_lock, 0, __ATOMIC_RELEASE);
}

/* Start every CPU the DTB lists; returns when all are online or have timed out. */
void smp_boot_secondaries(const struct platform_info *plat);
unsigned smp_ncpus(void);
/* Ask cpu to reschedule (IPI); no-op for the calling CPU. */
void smp_reschedule(unsigned cpu);

#endif
