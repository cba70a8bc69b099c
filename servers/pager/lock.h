/*
 * User-level locks that work across CPUs: a ticket spinlock that gives up
 * the CPU (Yield) while it waits, so a holder preempted on the same CPU can
 * run. One 32-bit word pair; fits vmcore's struct vm_lock storage.
 */
#ifndef PAGER_LOCK_H
#define PAGER_LOCK_H

#include <stdint.h>

struct ulock {
	uint32_t next;  /* next ticket to hand out */
	uint32_t owner; /* ticket being served */
};

void ulock_init(struct ulock *l);
void ulock_take(struct ulock *l);
void ulock_drop(struct ulock *l);

#endif
