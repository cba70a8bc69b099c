/*
 * The pager's ticket lock. Acquire/release ordering comes from the atomic
 * builtins; waiting spins a few rounds, then yields, because the holder may
 * be a thread preempted on this very CPU (the pager's main thread and a
 * worker share CPU 0).
 */
#include <faultline/ipc.h>

#include "lock.h"

/* Make l free. Caller must own l's memory exclusively. */
void ulock_init(struct ulock *l)
{
	l->next = 0;
	l->owner = 0;
}

/* Take l, waiting as long as needed. Not recursive. */
void ulock_take(struct ulock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	unsigned spins = 0;

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket) {
		if (++spins > 64) {
			spins = 0;
			fl_yield();
		}
	}
}

/* Release l. Caller must hold it. */
void ulock_drop(struct ulock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}
