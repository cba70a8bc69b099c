/* The IPC log offered to processes (trace.c): pager.trace_map and
 * pager.trace_enable. */
#ifndef PAGER_TRACE_H
#define PAGER_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <faultline/bootinfo.h>

void trace_init(const struct fl_bootinfo *bi);
int trace_on_map(void *ctx, uint64_t badge, uint64_t *vaddr, uint32_t *ncpus, uint32_t *thread);
int trace_on_enable(void *ctx, uint64_t badge, bool on, bool *was_on);

#endif
