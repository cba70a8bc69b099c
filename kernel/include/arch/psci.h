/* PSCI calls through the conduit the DTB names (hvc or smc). */
#ifndef FAULTLINE_ARCH_PSCI_H
#define FAULTLINE_ARCH_PSCI_H

#include <stdint.h>
#include "plat/platform.h"

#define PSCI_VERSION      0x84000000
#define PSCI_CPU_ON_64    0xc4000003
#define PSCI_SYSTEM_OFF   0x84000008
#define PSCI_SYSTEM_RESET 0x84000009

void psci_init(const struct platform_info *plat);
/* Start cpu at physical entry with x0 = context. Returns PSCI's status (0 = ok). */
int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context);
/* Power the machine off (QEMU exits). Falls back to a halt loop. */
void psci_system_off(void) __attribute__((noreturn));

#endif
