/*
 * The register frame saved on every exception. For a user thread it lives in
 * the thread's TCB: while the thread runs at EL0, SP_EL1 points just past its
 * frame, so the vector code saves user registers straight into the TCB and
 * only then switches to the CPU's kernel stack (the seL4 arrangement). For
 * exceptions taken at EL1 the same frame is pushed on the kernel stack.
 */
#ifndef FAULTLINE_ARCH_CONTEXT_H
#define FAULTLINE_ARCH_CONTEXT_H

#define CTX_X(n)  ((n)*8)
#define CTX_SP    248
#define CTX_PC    256
#define CTX_SPSR  264
#define CTX_TPIDR 272
#define CTX_SIZE  288

#ifndef __ASSEMBLER__
#include <stdint.h>

struct user_context {
	uint64_t x[31];
	uint64_t sp;    /* SP_EL0 */
	uint64_t pc;    /* ELR_EL1 */
	uint64_t spsr;  /* SPSR_EL1 */
	uint64_t tpidr; /* TPIDR_EL0: the user's thread pointer */
	uint64_t pad;
};
_Static_assert(sizeof(struct user_context) == CTX_SIZE, "context layout");
_Static_assert(__builtin_offsetof(struct user_context, sp) == CTX_SP, "context layout");
_Static_assert(__builtin_offsetof(struct user_context, tpidr) == CTX_TPIDR, "context layout");

/* Restore ctx and eret to EL0 (or, for an EL1 frame, to EL1). Never returns. */
void return_to_user(struct user_context *ctx) __attribute__((noreturn));
/* Reset the stack to this CPU's kernel stack top and run fn there. */
void call_on_kernel_stack(void (*fn)(void)) __attribute__((noreturn));
#endif

#endif
