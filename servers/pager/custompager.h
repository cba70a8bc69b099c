/*
 * Custom pagers, mode 1 (docs/custom-pagers.md): the pager.idl handlers a
 * user's own pager and its clients call (custompager.c).
 */
#ifndef PAGER_CUSTOMPAGER_H
#define PAGER_CUSTOMPAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pager.h"

int custompager_on_spawn(void *ctx, uint64_t badge, uint32_t pager, const char *name,
                         const uint8_t *argv, size_t argv_len, uint32_t *pid);
int custompager_on_resolve(void *ctx, uint64_t badge, uint32_t pid, uint32_t tid,
                           enum pager_fault_kind kind, uint64_t ip, uint64_t addr, uint64_t esr,
                           uint32_t access, uint64_t sp, bool *killed);
int custompager_on_place(void *ctx, uint64_t badge, uint32_t pid, uint64_t addr, uint32_t buffer);

#endif
