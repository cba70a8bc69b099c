/*
 * Kernel entry from user mode: syscalls, faults and interrupts taken at EL0.
 * The vector code has saved the thread's registers into its TCB; here the
 * big lock is taken, the event handled, and kernel_exit() picks the thread
 * to return to. Nothing a user thread does reaches panic(): every exception
 * class is either handled or turned into a fault message.
 */
#include "arch/context.h"
#include "arch/cpu.h"
#include "arch/psci.h"
#include "kernel/console.h"
#include "kernel/ipc.h"
#include "kernel/irq.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

void fastpath_fault(struct tcb *t, uint64_t label);

static void debug_write(struct tcb *t)
{
	uint64_t n = t->ctx.x[0];

	if (!t->ipcbuf || n > FL_DEBUG_WRITE_MAX) {
		set_error(t, t->ipcbuf ? FL_E_RANGE : FL_E_ILLEGAL_OPERATION);
		return;
	}
	console_write((const char *)t->ipcbuf->msg, n);
	t->ctx.x[1] = 0;
}

/*
 * Power the machine off through PSCI, for test suites that end with a
 * summary. The IRQ control cap in x0 is the authority: only the root task
 * holds it at boot, so an ordinary thread cannot stop the system. Returns
 * only with an error in t's registers.
 */
static void debug_poweroff(struct tcb *t)
{
	int err;
	struct cte *s = lookup_slot(t, t->ctx.x[0], &err);

	if (!s || s->cap.type != FL_OBJ_IRQ_CONTROL) {
		set_error(t, s ? FL_E_INVALID_CAPABILITY : (unsigned)err);
		return;
	}
	kprintf("system off (requested by thread %u)\n", t->id);
	psci_system_off();
}

static void syscall(struct tcb *t, uint64_t esr)
{
	switch (t->ctx.x[8]) {
	case FL_SYS_CALL:
		sys_send(t, true, true);
		break;
	case FL_SYS_REPLY_RECV:
		sys_reply_recv(t);
		break;
	case FL_SYS_SEND:
		sys_send(t, true, false);
		break;
	case FL_SYS_NBSEND:
		sys_send(t, false, false);
		break;
	case FL_SYS_RECV:
		sys_recv(t, true);
		break;
	case FL_SYS_NBRECV:
		sys_recv(t, false);
		break;
	case FL_SYS_REPLY:
		sys_reply(t);
		break;
	case FL_SYS_YIELD:
		sched_yield();
		break;
	case FL_SYS_DEBUG_WRITE:
		debug_write(t);
		break;
	case FL_SYS_DEBUG_POWEROFF:
		debug_poweroff(t);
		break;
	default:
		/* Point at the svc itself: reply label 0 retries it, SKIP
		 * resumes after it, as for every other fault. */
		t->ctx.pc -= 4;
		t->fault_words[0] = t->ctx.pc;
		t->fault_words[1] = 0;
		t->fault_words[2] = esr;
		t->fault_words[3] = FL_ACCESS_EXEC;
		t->fault_words[4] = t->ctx.sp;
		t->fault_words[5] = t->ctx.x[8];
		fault_deliver(t, FL_FAULT_UNKNOWN_SYSCALL);
		break;
	}
}

/* Data or instruction abort from EL0. */
static void abort_fault(struct tcb *t, uint64_t esr, unsigned ec)
{
	uint64_t far = read_sysreg(far_el1);
	unsigned fsc = esr & 0x3f;

	/* Access-flag faults (FSC 0b0010LL) are the clock's bookkeeping: resolved here. */
	if ((fsc & 0x3c) == 0x08 && vspace_handle_access_flag(t, far))
		return;
	t->fault_words[0] = t->ctx.pc;
	t->fault_words[1] = far;
	t->fault_words[2] = esr;
	t->fault_words[3] = ec == EC_IABT_LOW   ? FL_ACCESS_EXEC
	                    : (esr & (1u << 6)) ? FL_ACCESS_WRITE
	                                        : FL_ACCESS_READ;
	t->fault_words[4] = t->ctx.sp;
	t->fault_words[5] = 0;
	fastpath_fault(t, FL_FAULT_VM);
	fault_deliver(t, FL_FAULT_VM);
}

static void user_exception(struct tcb *t, uint64_t esr, unsigned ec)
{
	t->fault_words[0] = t->ctx.pc;
	t->fault_words[1] = (ec == EC_PC_ALIGN || ec == EC_WATCHPT_LOW) ? read_sysreg(far_el1) : 0;
	t->fault_words[2] = esr;
	t->fault_words[3] = FL_ACCESS_READ;
	t->fault_words[4] = t->ctx.sp;
	t->fault_words[5] = 0;
	fault_deliver(t, FL_FAULT_USER_EXCEPTION);
}

/* A synchronous exception from EL0, big lock held. Never returns. */
static inline __attribute__((always_inline, noreturn)) void el0_sync(struct user_context *ctx,
                                                                     uint64_t esr)
{
	unsigned ec = esr_class(esr);
	struct tcb *t = ctx_tcb(ctx);

	if (this_cpu()->current != t) {
		/* Another CPU stalled t while we entered: retry the syscall later. */
		if (ec == EC_SVC64)
			ctx->pc -= 4;
		kernel_exit();
	}
	switch (ec) {
	case EC_SVC64:
		syscall(t, esr);
		break;
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		abort_fault(t, esr, ec);
		break;
	case EC_FP_ASIMD:
		fpu_trap();
		break;
	default:
		user_exception(t, esr, ec);
		break;
	}
	kernel_exit();
}

/* A synchronous exception from EL0 other than Call and ReplyRecv (vectors.S
 * sends those to the fast-path entries). */
void trap_el0_sync(struct user_context *ctx)
{
	uint64_t esr = read_sysreg(esr_el1);

	big_lock();
	el0_sync(ctx, esr);
}

/* The same with the big lock held, for the Call and ReplyRecv entries
 * below when their thread is no longer this CPU's current. */
void trap_el0_sync_locked(struct user_context *ctx, uint64_t esr)
{
	el0_sync(ctx, esr);
}

/*
 * Call and ReplyRecv that the assembly fast path (arch/aarch64/fastpath.S)
 * does not take, with the big lock already held (the _locked entries) or
 * not. They go straight to the syscall rather than through the general
 * dispatch.
 */
void trap_el0_call_locked(struct user_context *ctx)
{
	struct tcb *t = ctx_tcb(ctx);

	/* Not current: another CPU stalled the thread while it entered; the
	 * general path retries the syscall. */
	if (__builtin_expect(this_cpu()->current != t, 0))
		el0_sync(ctx, read_sysreg(esr_el1));
	sys_send(t, true, true); /* what syscall() does for FL_SYS_CALL */
	kernel_exit();
}

void trap_el0_call(struct user_context *ctx)
{
	big_lock();
	trap_el0_call_locked(ctx);
}

void trap_el0_reply_recv_locked(struct user_context *ctx)
{
	struct tcb *t = ctx_tcb(ctx);

	if (__builtin_expect(this_cpu()->current != t, 0))
		el0_sync(ctx, read_sysreg(esr_el1));
	sys_reply_recv(t); /* what syscall() does for FL_SYS_REPLY_RECV */
	kernel_exit();
}

void trap_el0_reply_recv(struct user_context *ctx)
{
	big_lock();
	trap_el0_reply_recv_locked(ctx);
}

void trap_el0_irq(struct user_context *ctx)
{
	(void)ctx;
	big_lock();
	irq_dispatch();
	kernel_exit();
}

void trap_el0_serror(struct user_context *ctx)
{
	struct tcb *t = ctx_tcb(ctx);
	uint64_t esr = read_sysreg(esr_el1);

	big_lock();
	if (this_cpu()->current != t)
		kernel_exit();
	user_exception(t, esr, esr_class(esr));
	kernel_exit();
}
