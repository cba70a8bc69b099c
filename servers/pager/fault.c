/*
 * Fault messages (idl/fault.idl): a thread's VM fault goes to vmcore, which
 * answers resume, retry or kill; any other exception kills the process. A
 * kill writes one line naming the process, the address and the reason.
 *
 * A worker asks vmcore with vm_fault_noio, which never waits on swapd; a
 * fault that needs swap I/O (a swap-in, or eviction for a frame) goes to an
 * I/O thread with the worker's Reply object (swapio.c), so no worker waits
 * on the disk (docs/swap.md, "Faults that need I/O").
 */
#include <stdio.h>

#include <faultline/process.h>

#include "core.h"
#include "extregion.h"
#include "fault.h"
#include "swapio.h"

/* End p as killed by the pager (reads as WIFSIGNALED, WTERMSIG 11). */
static void kill_process(struct process *p, unsigned tid, const char *why, uint64_t ip)
{
	plog("killed pid %u (%s) thread %u: %s (ip 0x%lx)", p->pid, p->name, tid, why,
	     (unsigned long)ip);
	proc_terminate(p, FL_KILLED_SIGNAL);
}

/* fault_verdict without copying the verdict (it carries a 96-byte message):
 * the workers' way. */
static int fault_answer(struct process *p, unsigned tid, uint64_t addr, uint64_t ip,
                        const struct vm_verdict *v)
{
	if (v->kind == VM_KILL) {
		kill_process(p, tid, v->msg, ip);
		return FL_IDL_DEFER;
	}
	if (p->is_init)
		resident_fault(p, addr);
	return FAULT_REPLY_RETRY;
}

/* vmcore's verdict -> kill with the log line, or resident pin and resume
 * (core.h). Caller holds a busy reference on p. */
int fault_verdict(struct process *p, unsigned tid, uint64_t addr, uint64_t ip, struct vm_verdict v)
{
	return fault_answer(p, tid, addr, ip, &v);
}

/* The default handling of a VM fault of p's thread tid at addr (no
 * external region): make the page present, or kill p. Returns true if p
 * was killed. Caller holds a busy reference on p. */
bool fault_vm_default(struct process *p, unsigned tid, uint64_t ip, uint64_t addr,
                      enum vm_access access, uint64_t sp)
{
	struct vm_verdict v = vm_fault(&p->space, addr, access, sp);

	return fault_verdict(p, tid, addr, ip, v) != FAULT_REPLY_RETRY;
}

/* Kill p for an exception that is not a VM fault: an unknown syscall
 * (sysno) or another user exception (esr at addr). Caller holds a busy
 * reference on p. */
void fault_exception_default(struct process *p, unsigned tid, bool syscall, uint64_t ip,
                             uint64_t addr, uint64_t esr, uint64_t sysno)
{
	char why[64];

	if (syscall)
		snprintf(why, sizeof why, "unknown syscall %lu", (unsigned long)sysno);
	else
		snprintf(why, sizeof why, "exception ESR 0x%lx at 0x%lx", (unsigned long)esr,
		         (unsigned long)addr);
	kill_process(p, tid, why, ip);
}

static int on_vm(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                 enum fault_access access, uint64_t sp, uint64_t reserved)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);
	int ret = FL_IDL_DEFER; /* no reply: the thread is gone */
	struct worker *w = ctx;

	(void)esr;
	(void)reserved;
	if (!p)
		return ret;
	/* A never-filled page of an external region is asked of its pager. */
	if (extregion_fault(p, tid, addr, (enum vm_access)access, sp, ip, &ret)) {
		proc_put(p);
		return ret;
	}
	/* The page's one map or protect may travel in the reply (space.c). */
	pspace_reply_allow(w, &p->ps, addr);
	struct vm_verdict v = vm_fault_noio(&p->space, addr, (enum vm_access)access, sp);
	if (v.kind == VM_NEED_IO) {
		pspace_reply_disallow(w);
		if (swapio_defer(p, badge, addr, (enum vm_access)access, sp, ip)) {
			proc_put(p);
			return FL_IDL_DEFER; /* an I/O thread answers it */
		}
		/* Every request record or Reply object is taken: do it here. */
		v = vm_fault(&p->space, addr, (enum vm_access)access, sp);
	}
	pspace_reply_disallow(w);
	ret = fault_answer(p, tid, addr, ip, &v);
	proc_put(p);
	return ret;
}

static int on_unknown_syscall(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                              uint64_t access, uint64_t sp, uint64_t sysno)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	(void)access;
	(void)sp;
	if (p) {
		fault_exception_default(p, tid, true, ip, addr, esr, sysno);
		proc_put(p);
	}
	return FL_IDL_DEFER;
}

static int on_user_exception(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                             uint64_t access, uint64_t sp, uint64_t reserved)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	(void)access;
	(void)sp;
	(void)reserved;
	if (p) {
		fault_exception_default(p, tid, false, ip, addr, esr, 0);
		proc_put(p);
	}
	return FL_IDL_DEFER;
}

const struct fault_handlers fault_handlers = {
    .vm = on_vm,
    .unknown_syscall = on_unknown_syscall,
    .user_exception = on_user_exception,
};
