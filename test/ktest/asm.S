/*
 * Instructions the fault tests need at known addresses: in each helper the
 * instruction that may fault is the first one, so the fault message's IP
 * must equal the function's address.
 */
#include "ktest_probe.h"

	.text

/* kt_asm_store(p, v): *p = v (faults on a read-only or missing page). */
	.global kt_asm_store
	.type kt_asm_store, %function
kt_asm_store:
	str	x1, [x0]
	ret
	.size kt_asm_store, . - kt_asm_store

/* kt_asm_load(p): return *p (faults on a missing page). */
	.global kt_asm_load
	.type kt_asm_load, %function
kt_asm_load:
	ldr	x0, [x0]
	ret
	.size kt_asm_load, . - kt_asm_load

/* kt_asm_svc(number, x0): a syscall with x8 = number; returns the kernel's x0. */
	.global kt_asm_svc
	.type kt_asm_svc, %function
kt_asm_svc:
	mov	x8, x0
	mov	x0, x1
	svc	#0
	ret
	.size kt_asm_svc, . - kt_asm_svc

/*
 * kt_asm_ipc_probe(p): a syscall with every register the ABI preserves set
 * to a pattern, each checked afterwards (struct kt_ipc_probe in ktest.h).
 * x8 = p->sys, x0 = p->cap, x1 = p->info, x9 = p->reply, x2..x7 = 0; x10..x30
 * = p->base + n and TPIDR_EL0 = p->base + 31 across the svc. Afterwards bit
 * n of p->mismatch is set for each xn (n = 8..31, 31: TPIDR_EL0, 32: SP)
 * that changed; p->x0, p->x1 get the results.
 */
	.global kt_asm_ipc_probe
	.type kt_asm_ipc_probe, %function
kt_asm_ipc_probe:
	stp	x29, x30, [sp, #-112]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x1, tpidr_el0
	stp	x0, x1, [sp, #96]		/* p, the thread's TPIDR_EL0 */
	mov	x1, sp
	str	x1, [x0, #KT_PROBE_SP]
	ldr	x8, [x0, #KT_PROBE_SYS]
	ldr	x9, [x0, #KT_PROBE_REPLY]
	ldr	x10, [x0, #KT_PROBE_BASE]
	add	x1, x10, #31
	msr	tpidr_el0, x1
	add	x11, x10, #11
	add	x12, x10, #12
	add	x13, x10, #13
	add	x14, x10, #14
	add	x15, x10, #15
	add	x16, x10, #16
	add	x17, x10, #17
	add	x18, x10, #18
	add	x19, x10, #19
	add	x20, x10, #20
	add	x21, x10, #21
	add	x22, x10, #22
	add	x23, x10, #23
	add	x24, x10, #24
	add	x25, x10, #25
	add	x26, x10, #26
	add	x27, x10, #27
	add	x28, x10, #28
	add	x29, x10, #29
	add	x30, x10, #30
	add	x10, x10, #10
	ldr	x1, [x0, #KT_PROBE_INFO]
	ldr	x0, [x0, #KT_PROBE_CAP]
	mov	x2, #0
	mov	x3, #0
	mov	x4, #0
	mov	x5, #0
	mov	x6, #0
	mov	x7, #0
	svc	#0
	ldr	x3, [sp, #96]			/* p */
	ldr	x4, [x3, #KT_PROBE_BASE]
	mov	x2, #0
	add	x5, x4, #10
	cmp	x10, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #10
	add	x5, x4, #11
	cmp	x11, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #11
	add	x5, x4, #12
	cmp	x12, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #12
	add	x5, x4, #13
	cmp	x13, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #13
	add	x5, x4, #14
	cmp	x14, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #14
	add	x5, x4, #15
	cmp	x15, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #15
	add	x5, x4, #16
	cmp	x16, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #16
	add	x5, x4, #17
	cmp	x17, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #17
	add	x5, x4, #18
	cmp	x18, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #18
	add	x5, x4, #19
	cmp	x19, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #19
	add	x5, x4, #20
	cmp	x20, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #20
	add	x5, x4, #21
	cmp	x21, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #21
	add	x5, x4, #22
	cmp	x22, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #22
	add	x5, x4, #23
	cmp	x23, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #23
	add	x5, x4, #24
	cmp	x24, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #24
	add	x5, x4, #25
	cmp	x25, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #25
	add	x5, x4, #26
	cmp	x26, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #26
	add	x5, x4, #27
	cmp	x27, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #27
	add	x5, x4, #28
	cmp	x28, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #28
	add	x5, x4, #29
	cmp	x29, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #29
	add	x5, x4, #30
	cmp	x30, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #30
	ldr	x5, [x3, #KT_PROBE_SYS]
	cmp	x8, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #8
	ldr	x5, [x3, #KT_PROBE_REPLY]
	cmp	x9, x5
	cset	x6, ne
	orr	x2, x2, x6, lsl #9
	mrs	x5, tpidr_el0
	add	x7, x4, #31
	cmp	x5, x7
	cset	x6, ne
	orr	x2, x2, x6, lsl #31
	ldr	x5, [x3, #KT_PROBE_SP]
	mov	x7, sp
	cmp	x5, x7
	cset	x6, ne
	orr	x2, x2, x6, lsl #32
	stp	x0, x1, [x3, #KT_PROBE_X0]
	str	x2, [x3, #KT_PROBE_MISMATCH]
	ldr	x1, [sp, #104]
	msr	tpidr_el0, x1
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret
	.size kt_asm_ipc_probe, . - kt_asm_ipc_probe

/* kt_asm_udf(): a permanently undefined instruction. */
	.global kt_asm_udf
	.type kt_asm_udf, %function
kt_asm_udf:
	udf	#0
	ret
	.size kt_asm_udf, . - kt_asm_udf

/* kt_asm_jump(target): branch to target (an instruction fetch there). */
	.global kt_asm_jump
	.type kt_asm_jump, %function
kt_asm_jump:
	br	x0
	.size kt_asm_jump, . - kt_asm_jump

/* The encoding of `ret`, for code the tests write into data pages. */
	.section .rodata
	.global kt_asm_ret_insn
	.balign 4
kt_asm_ret_insn:
	ret
	.size kt_asm_ret_insn, 4
