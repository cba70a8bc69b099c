/*
 * Exception vectors and the kernel entry/exit paths.
 *
 * From EL0: registers go into the current thread's frame (SP_EL1 points
 * just past it), then SP switches to the CPU's kernel stack (percpu at
 * TPIDR_EL1, field PERCPU_KSTACK_TOP) and C takes over; C never returns
 * here but leaves through return_to_user() with whichever thread runs next.
 * Call and ReplyRecv go to the assembly fast path (fastpath.S) instead,
 * which runs on the frame's SP and erets itself or leaves for C as above.
 * From EL1: a frame is pushed on the kernel stack; IRQs return normally,
 * anything synchronous is a kernel bug and panics with the frame.
 */
#include "arch/context.h"
#include "arch/asm.h"

#define PERCPU_KSTACK_TOP 0
#define ESR_EC_SHIFT 26
#define ESR_EC_SVC64 0x15 /* EC_SVC64 in arch/cpu.h */
#define FL_SYS_CALL 1       /* faultline/abi.h */
#define FL_SYS_REPLY_RECV 2 /* faultline/abi.h */

.macro save_frame
	stp	x0, x1, [sp, #CTX_X(0)]
	stp	x2, x3, [sp, #CTX_X(2)]
	stp	x4, x5, [sp, #CTX_X(4)]
	stp	x6, x7, [sp, #CTX_X(6)]
	stp	x8, x9, [sp, #CTX_X(8)]
	stp	x10, x11, [sp, #CTX_X(10)]
	stp	x12, x13, [sp, #CTX_X(12)]
	stp	x14, x15, [sp, #CTX_X(14)]
	stp	x16, x17, [sp, #CTX_X(16)]
	stp	x18, x19, [sp, #CTX_X(18)]
	stp	x20, x21, [sp, #CTX_X(20)]
	stp	x22, x23, [sp, #CTX_X(22)]
	stp	x24, x25, [sp, #CTX_X(24)]
	stp	x26, x27, [sp, #CTX_X(26)]
	stp	x28, x29, [sp, #CTX_X(28)]
	mrs	x21, sp_el0
	stp	x30, x21, [sp, #CTX_X(30)]
	mrs	x22, elr_el1
	mrs	x23, spsr_el1
	stp	x22, x23, [sp, #CTX_PC]
	mrs	x24, tpidr_el0
	str	x24, [sp, #CTX_TPIDR]
.endm

/* Entry from EL0: frame in the TCB, then the kernel stack; x0 = frame. */
.macro user_entry handler
	sub	sp, sp, #CTX_SIZE
	save_frame
	mov	x0, sp
	mrs	x1, tpidr_el1
	ldr	x1, [x1, #PERCPU_KSTACK_TOP]
	mov	sp, x1
	mov	x29, #0
	bl	\handler
	b	.			/* handlers never return */
.endm

/* Entry from EL1: frame on the kernel stack; x0 = frame. */
.macro kernel_entry handler
	sub	sp, sp, #CTX_SIZE
	save_frame
	mov	x0, sp
	bl	\handler
	b	kernel_exit
.endm

.macro ventry label
	.balign 128
	b	\label
.endm

	.section .text.vectors, "ax"
	.balign 2048
	.global exception_vectors
exception_vectors:
	ventry	el1_sp0_bad		/* current EL, SP_EL0: never used */
	ventry	el1_sp0_bad
	ventry	el1_sp0_bad
	ventry	el1_sp0_bad
	ventry	el1_sync		/* current EL, SP_ELx */
	ventry	el1_irq
	ventry	el1_fiq
	ventry	el1_serror
	ventry	el0_sync		/* lower EL, AArch64 */
	ventry	el0_irq
	ventry	el0_fiq
	ventry	el0_serror
	ventry	el0_aarch32		/* lower EL, AArch32: never enabled */
	ventry	el0_aarch32
	ventry	el0_aarch32
	ventry	el0_aarch32

el1_sp0_bad:	kernel_entry trap_el1_unexpected
el1_sync:	kernel_entry trap_el1_sync
el1_irq:	kernel_entry trap_el1_irq
el1_fiq:	kernel_entry trap_el1_unexpected
el1_serror:	kernel_entry trap_el1_unexpected
el0_irq:	user_entry trap_el0_irq
el0_fiq:	user_entry trap_el0_irq
el0_serror:	user_entry trap_el0_serror
el0_aarch32:	user_entry trap_el0_serror

/* Synchronous from EL0: an svc for Call or ReplyRecv (x8, still the user's)
 * goes to its fast path (fastpath.S) with sp = the thread's frame, x20 =
 * this CPU's percpu and x0..x9 as the user left them; everything else to
 * trap_el0_sync with x0 = frame, on the kernel stack. */
el0_sync:
	sub	sp, sp, #CTX_SIZE
	save_frame
	/* x8 first: every other syscall (and most faults) leaves after three
	 * instructions. */
	sub	x10, x8, #FL_SYS_CALL
	cmp	x10, #FL_SYS_REPLY_RECV - FL_SYS_CALL
	b.hi	1f
	mrs	x11, esr_el1
	ubfx	x11, x11, #ESR_EC_SHIFT, #6
	cmp	x11, #ESR_EC_SVC64
	b.ne	1f
	mrs	x20, tpidr_el1
	tbz	x8, #1, fastpath_call	/* 1: Call; 2: ReplyRecv */
	b	fastpath_reply_recv
1:	mov	x0, sp
	mrs	x2, tpidr_el1
	ldr	x1, [x2, #PERCPU_KSTACK_TOP]
	mov	sp, x1
	mov	x29, #0
	bl	trap_el0_sync
	b	.			/* handlers never return */

kernel_exit:
	mov	x0, sp
	/* fall through */

/* return_to_user(frame): restore the frame at x0 and eret. For a user
 * thread the frame is in its TCB and SP_EL1 is left just past it. */
	.global return_to_user
return_to_user:
	mov	sp, x0
	ldp	x22, x23, [sp, #CTX_PC]
	msr	elr_el1, x22
	msr	spsr_el1, x23
	ldp	x30, x21, [sp, #CTX_X(30)]
	msr	sp_el0, x21
	ldr	x24, [sp, #CTX_TPIDR]
	msr	tpidr_el0, x24
	ldp	x0, x1, [sp, #CTX_X(0)]
	ldp	x2, x3, [sp, #CTX_X(2)]
	ldp	x4, x5, [sp, #CTX_X(4)]
	ldp	x6, x7, [sp, #CTX_X(6)]
	ldp	x8, x9, [sp, #CTX_X(8)]
	ldp	x10, x11, [sp, #CTX_X(10)]
	ldp	x12, x13, [sp, #CTX_X(12)]
	ldp	x14, x15, [sp, #CTX_X(14)]
	ldp	x16, x17, [sp, #CTX_X(16)]
	ldp	x18, x19, [sp, #CTX_X(18)]
	ldp	x20, x21, [sp, #CTX_X(20)]
	ldp	x22, x23, [sp, #CTX_X(22)]
	ldp	x24, x25, [sp, #CTX_X(24)]
	ldp	x26, x27, [sp, #CTX_X(26)]
	ldp	x28, x29, [sp, #CTX_X(28)]
	add	sp, sp, #CTX_SIZE
	eret

/* call_on_kernel_stack(fn): reset SP to this CPU's kernel stack top, call fn. */
	.global call_on_kernel_stack
call_on_kernel_stack:
	mrs	x1, tpidr_el1
	ldr	x1, [x1, #PERCPU_KSTACK_TOP]
	mov	sp, x1
	mov	x29, #0
	blr	x0
	b	.
