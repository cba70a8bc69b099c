/*
 * The fault fast paths: a VM fault delivered straight to a handler waiting
 * on the faulting thread's fault endpoint from the same CPU, with a direct
 * switch; and the handler's ReplyRecv that maps or protects the faulting
 * page (FL_FAULT_REPLY_MAP/PROTECT), which resumes the faulter with a
 * direct switch the same way. The IPC fast paths for Call and ReplyRecv are in assembly
 * (arch/aarch64/fastpath.S; the offsets it uses are checked here, by
 * including kernel/asm_offsets.h). Every condition the general path would
 * have to look at is checked first; if any does not hold, the function
 * returns having changed nothing and the general path (object/endpoint.c)
 * handles the fault. The result must be exactly what the general path
 * would have produced.
 */
#include "kernel/asm_offsets.h"
#include "kernel/ipc.h"
#include "kernel/ipclog.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

/* May the fast path hand the CPU to `to`? */
static inline bool can_switch_to(struct percpu *pc, const struct tcb *to)
{
	return to->affinity == pc->id && to->running_on < 0 && !pc->resched &&
	       sched_nothing_above(pc->id, to->priority);
}

/*
 * The receiver the general path (ep_take_receiver) would pick if it is one
 * the fast path can switch to: the first waiting on ep from this CPU, with a
 * reply object, no bound notification, and nothing above it queued here.
 * NULL (and nothing changed) otherwise.
 */
static inline struct tcb *local_receiver(struct percpu *pc, struct endpoint *ep)
{
	if (ep->state != EP_RECV)
		return NULL;
	struct tcb *r = ep->q.head;
	while (r && r->affinity != pc->id)
		r = r->q_next;
	if (!r || !r->reply || !can_switch_to(pc, r) || r->bound_ntfn)
		return NULL;
	return r;
}

/* Take receiver r off ep's queue; it no longer waits there. */
static inline void dequeue_receiver(struct endpoint *ep, struct tcb *r)
{
	if (r->q_prev)
		r->q_prev->q_next = r->q_next;
	else
		ep->q.head = r->q_next;
	if (r->q_next)
		r->q_next->q_prev = r->q_prev;
	else
		ep->q.tail = r->q_prev;
	if (!ep->q.head)
		ep->state = EP_IDLE;
	r->q_next = r->q_prev = NULL;
	r->blocked_on = NULL;
}

/*
 * A fault from t (t->fault_words filled, label the fault kind) delivered
 * straight to a pager worker waiting on t's fault endpoint on this CPU, as
 * fault_deliver() -> ep_send() would, with a direct switch.
 */
void fastpath_fault(struct tcb *t, uint64_t label)
{
	struct percpu *pc = this_cpu();
	struct cap *fep = &t->slots[TCB_SLOT_FAULT_EP].cap;

	if (ipclog_enabled || fep->type != FL_OBJ_ENDPOINT || !(fep->rights & FL_RIGHT_WRITE))
		return;
	struct endpoint *ep = cap_ep(fep);
	struct tcb *r = local_receiver(pc, ep);
	if (!r)
		return;
	struct reply *reply = r->reply;
	dequeue_receiver(ep, r);

	r->ctx.x[0] = t->fault_badge ? t->fault_badge : fep->data;
	r->ctx.x[1] = fl_msginfo(label, FL_MSG_REG_COUNT, 0);
	r->ctx.x[2] = t->fault_words[0];
	r->ctx.x[3] = t->fault_words[1];
	r->ctx.x[4] = t->fault_words[2];
	r->ctx.x[5] = t->fault_words[3];
	r->ctx.x[6] = t->fault_words[4];
	r->ctx.x[7] = t->fault_words[5];

	r->reply = NULL;
	reply->receiver = NULL;
	reply->caller = t;
	t->send_flags = SENDF_CALL | SENDF_FAULT;
	t->state = TS_BLOCKED_REPLY;
	t->blocked_on = reply;
	r->state = TS_RUNNABLE;
	sched_switch_fast(pc, t, r);
}

/*
 * The map or protect of a fault reply from t to caller, for the assembly
 * fast path (fastpath_reply_recv), which has checked the reply and endpoint
 * caps, the armed fault caller, the endpoint and the switch before the reply
 * itself and commits the ReplyRecv after: the reply checked whole and
 * applied. Returns nonzero, having changed nothing, for any other label or a
 * reply the general path must refuse. Big lock held; t is this CPU's current thread and caller
 * waits on a fault.
 */
int fastpath_vm_reply_apply(struct tcb *t, const struct tcb *caller)
{
	uint64_t info = t->ctx.x[1], label = fl_msginfo_label(info);
	struct vm_fault_reply op;

	if ((label != FL_FAULT_REPLY_MAP && label != FL_FAULT_REPLY_PROTECT) ||
	    vspace_fault_reply_check(t, caller, label, &t->ctx.x[2], fl_msginfo_length(info), &op))
		return 1;
	vspace_fault_reply_apply(&op);
	return 0;
}
