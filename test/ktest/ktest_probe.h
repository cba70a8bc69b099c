/*
 * The register probe (asm.S kt_asm_ipc_probe): one syscall with every
 * register the ABI preserves set to a pattern, checked afterwards. Shared
 * by asm.S and the C tests, so it is plain #defines plus the struct.
 */
#ifndef KTEST_PROBE_H
#define KTEST_PROBE_H

#define KT_PROBE_SYS      0
#define KT_PROBE_CAP      8
#define KT_PROBE_INFO     16
#define KT_PROBE_REPLY    24
#define KT_PROBE_BASE     32
#define KT_PROBE_X0       40 /* x1 follows */
#define KT_PROBE_MISMATCH 56
#define KT_PROBE_SP       64

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct kt_ipc_probe {
	uint64_t sys, cap, info, reply; /* in: x8, x0, x1, x9 */
	uint64_t base;                  /* in: x10..x30 = base + n, TPIDR_EL0 = base + 31 */
	uint64_t x0, x1;                /* out: the syscall's results */
	uint64_t mismatch;              /* out: bit n: xn changed (31: TPIDR_EL0, 32: SP) */
	uint64_t sp;                    /* the SP the syscall was made with */
};
_Static_assert(offsetof(struct kt_ipc_probe, sys) == KT_PROBE_SYS &&
                   offsetof(struct kt_ipc_probe, cap) == KT_PROBE_CAP &&
                   offsetof(struct kt_ipc_probe, info) == KT_PROBE_INFO &&
                   offsetof(struct kt_ipc_probe, reply) == KT_PROBE_REPLY &&
                   offsetof(struct kt_ipc_probe, base) == KT_PROBE_BASE &&
                   offsetof(struct kt_ipc_probe, x0) == KT_PROBE_X0 &&
                   offsetof(struct kt_ipc_probe, x1) == KT_PROBE_X0 + 8 &&
                   offsetof(struct kt_ipc_probe, mismatch) == KT_PROBE_MISMATCH &&
                   offsetof(struct kt_ipc_probe, sp) == KT_PROBE_SP,
               "probe layout");

/* Make the syscall p describes (see asm.S). */
void kt_asm_ipc_probe(struct kt_ipc_probe *p);
#endif

#endif
