/*
 * Ticket spinlocks. The kernel has one big lock (kernel/smp.h) for all
 * object state; these small locks guard only the console and the IPC log
 * rings, which interrupt handlers and panics on any CPU may use.
 */
#ifndef FAULTLINE_KERNEL_SPINLOCK_H
#define FAULTLINE_KERNEL_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	uint32_t next;    /* ticket handed to the next arrival */
	uint32_t serving; /* ticket now allowed in */
};

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != me)
		__asm__ volatile("wfe");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
	__asm__ volatile("dsb ishst; sev" ::: "memory");
}

static inline int spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
}

#endif
