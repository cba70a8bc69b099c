/*
 * The IPC fast path: Call and ReplyRecv with a message that fits in the
 * registers, no capabilities, between threads of the same CPU, switching
 * straight to the partner without touching the run queues. Every condition
 * the general path would have to look at is checked first; if any does not
 * hold, nothing has changed and the syscall goes to the general path in C
 * (trap_el0_call_locked and friends, kernel/entry.c). The result must be
 * exactly what the general path would have produced.
 *
 * el0_sync (vectors.S) has saved the caller's whole frame into its TCB, so
 * anything that later reads that frame (the general path, TCB_ReadRegisters,
 * a fault, preemption) finds it complete. What the fast path saves is the
 * other half: the message stays in x2..x7 from the sender's svc to the
 * receiver's eret (never copied through either TCB), x0/x1 are computed in
 * registers, and only the receiver's other registers are loaded from its
 * frame. A thread's frame is stale while it runs, as after every eret.
 *
 * It runs on SP_EL1 as el0_sync left it, the calling thread's TCB (the frame
 * is at offset 0: sp = t), and uses no stack. Register use:
 *   sp   t, the calling thread
 *   x0   the cptr (Call: endpoint; ReplyRecv: endpoint), then x0 delivered
 *   x1   the message info, then the info delivered
 *   x2..x7  the message, untouched
 *   x9   ReplyRecv: the reply object's cptr
 *   x19  the thread switched to; x20 this CPU's percpu; w21 this CPU's id
 *   x28  big_lock_uncontended (nonzero: one CPU, no lock)
 *   x10..x17, x22, x23  scratch
 * Offsets and constants: kernel/asm_offsets.h (checked against the C structs).
 */
#include "arch/context.h"
#include "kernel/asm_offsets.h"

/* clang-format off */

/* Leave for the C entry fn(frame) on this CPU's kernel stack. */
.macro to_c fn
	mov	x0, sp
	ldr	x1, [x20, #PC_KSTACK_TOP]
	mov	sp, x1
	mov	x29, #0
	bl	\fn
	b	.
.endm

/*
 * Take the big lock unless one CPU runs (big_lock_uncontended, kept in
 * x28). If another CPU holds it, go to \unlocked, the C entry that waits
 * for it while answering stall requests; if t stopped being this CPU's
 * current thread while it entered (another CPU stalled it), to \locked.
 */
.macro fast_lock unlocked, locked
	adrp	x10, big_lock_uncontended
	ldr	w28, [x10, :lo12:big_lock_uncontended]
	cbnz	w28, 2f
	adrp	x10, big_kernel_lock
	add	x10, x10, :lo12:big_kernel_lock
	mov	w11, #1
1:	ldaxr	w12, [x10]
	stxr	w13, w11, [x10]
	cbnz	w13, 1b
	cbnz	w12, \unlocked		/* it was held: we stored 1 over 1 */
	ldr	x12, [x20, #PC_CURRENT]
	mov	x13, sp
	cmp	x12, x13
	b.ne	\locked
2:
.endm

/* The message fits in x2..x7, carries no caps, and the IPC log is off. */
.macro short_message bail
	tst	x1, #K_MSG_CAPS
	and	x10, x1, #K_MSG_LENGTH
	ccmp	x10, #K_MSG_REG_COUNT, #2, eq	/* caps: flags "higher" */
	b.hi	\bail
	adrp	x10, ipclog_enabled
	ldr	w10, [x10, :lo12:ipclog_enabled]
	cbnz	w10, \bail
.endm

/*
 * The rest of can_switch_to() for \to, whose CPU is this one: it runs
 * nowhere, nothing asks this CPU to reschedule, and no thread above its
 * priority is queued here (sched_nothing_above(); an empty run queue, the
 * common case, is one test).
 */
.macro cpu_free_for to, bail
	ldr	w10, [\to, #T_RUNNING_ON]
	tbz	w10, #31, \bail
	ldr	w10, [x20, #PC_RESCHED]
	cbnz	w10, \bail
	ldr	x12, [x20, #PC_RQ]
	ldr	w13, [x12, #RQ_WORDS]
	cbz	w13, 1f
	ldrb	w10, [\to, #T_PRIORITY]
	lsr	w11, w10, #6
	lsr	w13, w13, w11
	cmp	w13, #1
	b.hi	\bail
	ldr	x13, [x12, x11, lsl #3]
	lsr	x13, x13, x10		/* by prio % 64 */
	cmp	x13, #1
	b.hi	\bail
1:
.endm

/*
 * sched_switch_fast(): t no longer runs, \to (made runnable by the caller)
 * does; its address space, FP trap setting and IPC buffer pointer; drop the
 * big lock.
 */
.macro switch_to to
	mov	w10, #-1
	str	w10, [sp, #T_RUNNING_ON]
	str	\to, [x20, #PC_CURRENT]
	str	w21, [\to, #T_RUNNING_ON]
	ldr	x10, [\to, #T_TTBR0]
	ldp	x11, x12, [x20, #PC_CPACR]	/* cpacr, ttbr0 last written */
	cmp	x10, x12
	b.eq	1f
	msr	ttbr0_el1, x10
	isb
	str	x10, [x20, #PC_TTBR0]
1:	ldr	x12, [x20, #PC_FPU_OWNER]
	mov	x13, #K_CPACR_FP_TRAP_EL0
	cmp	x12, \to
	b.ne	2f
	mov	x13, #K_CPACR_FP_ON
2:	cmp	x11, x13
	b.eq	3f
	msr	cpacr_el1, x13
	isb
	str	x13, [x20, #PC_CPACR]
3:	ldr	x10, [\to, #T_IPCBUF_VA]
	msr	tpidrro_el0, x10
	cbnz	w28, 4f
	adrp	x10, big_kernel_lock
	add	x10, x10, :lo12:big_kernel_lock
	stlr	wzr, [x10]
4:
.endm

/*
 * The state change of a ReplyRecv that takes the fast path: the caller
 * (x19) is runnable and no longer waits on the reply object (x23); t waits
 * on the endpoint (x16), last in its queue, with the reply object bound.
 */
.macro rr_commit
	mov	x10, sp
	stp	xzr, x10, [x23, #REPLY_CALLER]	/* caller = NULL, receiver = t */
	str	xzr, [x19, #T_BLOCKED_ON]
	str	wzr, [x19, #T_SEND_FLAGS]
	mov	w11, #K_TS_RUNNABLE
	str	w11, [x19, #T_STATE]
	stp	x16, x23, [sp, #T_BLOCKED_ON]	/* blocked_on = ep, reply */
	mov	w11, #K_TS_BLOCKED_RECV
	str	w11, [sp, #T_STATE]
	ldr	x11, [x16, #EP_TAIL]
	stp	xzr, x11, [sp, #T_Q_NEXT]	/* q_next = NULL, q_prev = tail */
	cbnz	x11, 1f
	stp	x10, x10, [x16, #EP_HEAD]	/* the only waiter: head = tail = t */
	b	2f
1:	str	x10, [x11, #T_Q_NEXT]
	str	x10, [x16, #EP_TAIL]
2:	mov	x11, #K_EP_RECV
	str	x11, [x16, #EP_STATE]
.endm

/* Return to \to with every register from its frame but x0..x7 (set by the
 * fast path: the message). */
.macro eret_with_message to
	ldp	x10, x11, [\to, #CTX_PC]
	msr	elr_el1, x10
	msr	spsr_el1, x11
	ldp	x30, x10, [\to, #CTX_X(30)]
	msr	sp_el0, x10
	ldr	x10, [\to, #CTX_TPIDR]
	msr	tpidr_el0, x10
	add	sp, \to, #CTX_SIZE	/* SP_EL1 just past its frame, as at EL0 */
	ldp	x8, x9, [sp, #CTX_X(8) - CTX_SIZE]
	ldp	x10, x11, [sp, #CTX_X(10) - CTX_SIZE]
	ldp	x12, x13, [sp, #CTX_X(12) - CTX_SIZE]
	ldp	x14, x15, [sp, #CTX_X(14) - CTX_SIZE]
	ldp	x16, x17, [sp, #CTX_X(16) - CTX_SIZE]
	ldp	x18, x19, [sp, #CTX_X(18) - CTX_SIZE]
	ldp	x20, x21, [sp, #CTX_X(20) - CTX_SIZE]
	ldp	x22, x23, [sp, #CTX_X(22) - CTX_SIZE]
	ldp	x24, x25, [sp, #CTX_X(24) - CTX_SIZE]
	ldp	x26, x27, [sp, #CTX_X(26) - CTX_SIZE]
	ldp	x28, x29, [sp, #CTX_X(28) - CTX_SIZE]
	eret
.endm

	.text

/*
 * Call (svc, x8 = FL_SYS_CALL) from el0_sync: sp = t with its frame saved,
 * x20 = this CPU's percpu. The first receiver waiting on the endpoint from
 * this CPU gets the message and t waits on the receiver's reply object, as
 * sys_send() -> ep_send() would do it.
 */
	.global fastpath_call
	.type fastpath_call, %function
fastpath_call:
	fast_lock .Lcall_c_unlocked, .Lcall_c_locked
	short_message .Lcall_c_locked
	/* The endpoint cap (x12): t's CSpace is one plain-index CNode
	 * (fast_nslots is 0 otherwise); an endpoint, with Write. */
	ldp	x12, x13, [sp, #T_FAST_CNODE]
	cmp	x0, x13
	b.hs	.Lcall_c_locked
	add	x12, x12, x0, lsl #CTE_SIZE_SHIFT
	ldrb	w10, [x12, #CAP_TYPE]
	cmp	w10, #K_OBJ_ENDPOINT
	b.ne	.Lcall_c_locked
	ldrb	w22, [x12, #CAP_RIGHTS]
	tbz	w22, #K_RIGHT_WRITE_BIT, .Lcall_c_locked
	ldp	x16, x17, [x12, #CAP_OBJ]	/* x16 = the endpoint, x17 = the badge */
	/* local_receiver(): the first receiver waiting from this CPU (x19),
	 * with a reply object (x23), no bound notification, free to run. */
	ldr	x10, [x16, #EP_STATE]
	cmp	x10, #K_EP_RECV
	b.ne	.Lcall_c_locked
	ldr	x19, [x16, #EP_HEAD]
	ldr	w21, [x20, #PC_ID]
1:	ldrb	w10, [x19, #T_AFFINITY]
	cmp	w10, w21
	b.eq	2f
	ldr	x19, [x19, #T_Q_NEXT]
	cbnz	x19, 1b
	b	.Lcall_c_locked
2:	ldp	x23, x10, [x19, #T_REPLY]	/* reply, bound_ntfn */
	cbz	x23, .Lcall_c_locked
	cbnz	x10, .Lcall_c_locked
	cpu_free_for x19, .Lcall_c_locked

	/* Nothing fails from here on. dequeue_receiver(): the common case is
	 * the only waiter; the general unlink is out of line. */
	ldp	x10, x11, [x19, #T_Q_NEXT]	/* q_next, q_prev */
	orr	x12, x10, x11
	cbnz	x12, .Lcall_unlink
	stp	xzr, xzr, [x16, #EP_HEAD]	/* head = tail = NULL */
	str	xzr, [x16, #EP_STATE]		/* EP_IDLE */
.Lcall_unlinked:
	stp	xzr, xzr, [x19, #T_Q_NEXT]
	stp	xzr, xzr, [x19, #T_BLOCKED_ON]	/* blocked_on, reply */
	/* Arm the receiver's reply object with t, who now waits on it. */
	mov	x10, sp
	stp	x10, xzr, [x23, #REPLY_CALLER]	/* caller = t, receiver = NULL */
	and	w11, w22, #K_RIGHT_GRANTS	/* SENDF_GRANT, SENDF_GRANT_REPLY */
	orr	w11, w11, #K_SENDF_CALL
	str	w11, [sp, #T_SEND_FLAGS]
	mov	w11, #K_TS_BLOCKED_REPLY
	str	w11, [sp, #T_STATE]
	str	x23, [sp, #T_BLOCKED_ON]
	mov	w11, #K_TS_RUNNABLE
	str	w11, [x19, #T_STATE]
	switch_to x19
	/* The message, as transfer() delivers it: the badge, the label and
	 * length; x2..x7 as they are. */
	mov	x0, x17
	and	x1, x1, #K_MSG_DELIVERED
	eret_with_message x19

/* dequeue_receiver() for a receiver with neighbours (x10 next, x11 prev). */
.Lcall_unlink:
	cbz	x11, 1f
	str	x10, [x11, #T_Q_NEXT]
	b	2f
1:	str	x10, [x16, #EP_HEAD]
2:	cbz	x10, 3f
	str	x11, [x10, #T_Q_PREV]
	b	.Lcall_unlinked
3:	str	x11, [x16, #EP_TAIL]		/* prev is not NULL: still waiters */
	b	.Lcall_unlinked

.Lcall_c_unlocked:
	to_c trap_el0_call
.Lcall_c_locked:
	to_c trap_el0_call_locked
	.size fastpath_call, . - fastpath_call

/*
 * ReplyRecv (x8 = FL_SYS_REPLY_RECV) from el0_sync, as fastpath_call: the
 * caller armed on the reply object (x9) gets the reply (or, for a fault,
 * resumes) and runs; t waits on the endpoint (x0) with the reply object
 * bound, as sys_reply_recv() would do it.
 */
	.global fastpath_reply_recv
	.type fastpath_reply_recv, %function
fastpath_reply_recv:
	fast_lock .Lrr_c_unlocked, .Lrr_c_locked
	short_message .Lrr_c_locked
	ldp	x22, x10, [sp, #T_REPLY]	/* t->reply, t->bound_ntfn */
	cbnz	x10, .Lrr_c_locked
	/* The reply cap (x14) and the endpoint cap (x15), as in Call. */
	ldp	x12, x13, [sp, #T_FAST_CNODE]
	cmp	x9, x13
	ccmp	x0, x13, #2, lo			/* x9 out of range: flags "higher or same" */
	b.hs	.Lrr_c_locked
	add	x14, x12, x9, lsl #CTE_SIZE_SHIFT
	add	x15, x12, x0, lsl #CTE_SIZE_SHIFT
	ldrb	w10, [x14, #CAP_TYPE]
	cmp	w10, #K_OBJ_REPLY
	b.ne	.Lrr_c_locked
	ldrb	w10, [x15, #CAP_TYPE]
	cmp	w10, #K_OBJ_ENDPOINT
	b.ne	.Lrr_c_locked
	ldrb	w10, [x15, #CAP_RIGHTS]
	tbz	w10, #K_RIGHT_READ_BIT, .Lrr_c_locked
	ldr	x23, [x14, #CAP_OBJ]		/* the reply object */
	ldr	x16, [x15, #CAP_OBJ]		/* the endpoint */
	/* A caller (x19) is armed on it and nobody received through it; no
	 * sender waits on the endpoint; t has no other reply object bound. */
	ldp	x19, x10, [x23, #REPLY_CALLER]	/* caller, receiver */
	cbz	x19, .Lrr_c_locked
	cbnz	x10, .Lrr_c_locked
	ldr	x10, [x16, #EP_STATE]
	cmp	x10, #K_EP_SEND
	b.eq	.Lrr_c_locked
	cmp	x22, x23
	ccmp	x22, #0, #4, ne			/* t->reply == reply: flags "equal" */
	b.ne	.Lrr_c_locked
	/* can_switch_to(caller) */
	ldrb	w10, [x19, #T_AFFINITY]
	ldr	w21, [x20, #PC_ID]
	cmp	w10, w21
	b.ne	.Lrr_c_locked
	cpu_free_for x19, .Lrr_c_locked
	ldr	w10, [x19, #T_SEND_FLAGS]
	tbnz	w10, #K_SENDF_FAULT_BIT, .Lrr_fault
	/* A label of the kernel's range (FL_FAULT_REPLY_MAP/PROTECT among
	 * them) to a caller that is not faulting: the general path refuses
	 * a map/protect and delivers the others. */
	tbnz	x1, #63, .Lrr_c_locked
	rr_commit
	switch_to x19
	/* The reply, as do_reply() delivers it: badge 0. */
	mov	x0, #0
	and	x1, x1, #K_MSG_DELIVERED
	eret_with_message x19

/* The caller waits for a fault reply: label 0 resumes it at the faulting
 * instruction, 1 (FL_FAULT_REPLY_SKIP) after it; its registers are not
 * touched. A map or protect reply (docs/kernel-api.md) is checked and
 * applied by fastpath_vm_reply_apply() in C, then resumes the caller the
 * same way; other labels (a stop), and a reply it refuses, go to the
 * general path. */
.Lrr_fault:
	lsr	x10, x1, #K_MSG_LABEL_SHIFT
	cmp	x10, #K_FAULT_REPLY_SKIP
	b.hi	.Lrr_vm
	b.ne	.Lrr_resume
	ldr	x10, [x19, #CTX_PC]
	add	x10, x10, #4
	str	x10, [x19, #CTX_PC]
.Lrr_resume:
	rr_commit
	switch_to x19
	mov	x0, x19
	b	return_to_user		/* its whole frame */

/* fastpath_vm_reply_apply(t, caller) on this CPU's kernel stack; t's frame
 * (the message words) is saved, and x19..x28 survive the call: keep t in
 * x24 and the endpoint in x25 for rr_commit. Nonzero: nothing changed. */
.Lrr_vm:
	mov	x24, sp
	mov	x25, x16
	ldr	x10, [x20, #PC_KSTACK_TOP]
	mov	sp, x10
	mov	x29, #0
	mov	x0, x24
	mov	x1, x19
	bl	fastpath_vm_reply_apply
	mov	sp, x24
	mov	x16, x25
	cbz	w0, .Lrr_resume
	b	.Lrr_c_locked		/* refused: the general path reports it */

.Lrr_c_unlocked:
	to_c trap_el0_reply_recv
.Lrr_c_locked:
	to_c trap_el0_reply_recv_locked
	.size fastpath_reply_recv, . - fastpath_reply_recv
/* clang-format on */
