/* Recording into the IPC log (kernel/ipclog.c). Caller holds the big lock. */
#ifndef FAULTLINE_KERNEL_IPCLOG_H
#define FAULTLINE_KERNEL_IPCLOG_H

#include "faultline/ipclog.h"
#include "kernel/object.h"

extern int ipclog_enabled;

void ipclog_write(unsigned kind, const struct tcb *from, const struct tcb *to, uint64_t badge,
                  uint64_t label, unsigned length, const uint64_t *words, unsigned nwords,
                  unsigned flags);

/* One predictable branch when tracing is off. */
#define IPCLOG(kind, from, to, badge, label, length, words, nwords, flags)                         \
	do {                                                                                       \
		if (__builtin_expect(ipclog_enabled, 0))                                           \
			ipclog_write(kind, from, to, badge, label, length, words, nwords, flags);  \
	} while (0)

void ipclog_init(void);
/* Physical address and size of the rings (for the root task's read-only view). */
uint64_t ipclog_phys(void);
uint64_t ipclog_size(void);
int trace_invoke(struct invocation *inv);

#endif
