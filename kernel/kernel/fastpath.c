/*
 * The IPC fast path: Call and ReplyRecv with a message that fits in the
 * registers, no capabilities, between threads of the same CPU, switching
 * straight to the partner without touching the run queues. Every condition
 * the general path would have to look at is checked first; if any does not
 * hold, the function returns having changed nothing and the general path
 * (object/endpoint.c) handles the syscall. The result must be exactly what
 * the general path would have produced.
 *
 * vectors.S enters here (trap_el0_call, trap_el0_reply_recv) straight from
 * the register save for an svc with x8 = Call or ReplyRecv, so that the
 * common case does not go through the general dispatch first.
 */
#include "kernel/ipc.h"
#include "kernel/ipclog.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

/* kernel/entry.c: the general handling of a synchronous exception from EL0
 * (big lock held). */
void trap_el0_sync_locked(struct user_context *ctx, uint64_t esr) __attribute__((noreturn));

_Static_assert(FL_SYS_CALL == 1 && FL_SYS_REPLY_RECV == 2 && EC_SVC64 == 0x15,
               "vectors.S dispatches on these values");

/* Single-level CSpace lookup (a root CNode whose guard makes cptr an index). */
static inline struct cap *fast_lookup(struct tcb *t, uint64_t cptr)
{
	if (cptr >= t->fast_nslots)
		return NULL; /* also when the CSpace is not a single plain-index CNode */
	return &t->fast_cnode[cptr].cap;
}

/* May the fast path hand the CPU to `to`? */
static inline bool can_switch_to(struct percpu *pc, const struct tcb *to)
{
	return to->affinity == pc->id && to->running_on < 0 && !pc->resched &&
	       sched_nothing_above(pc->id, to->priority);
}

/* MR0..MR5 (x2..x7), as three 16-byte pairs. */
static inline void copy_message_registers(struct tcb *to, const struct tcb *from)
{
	uint64_t a = from->ctx.x[2], b = from->ctx.x[3], c = from->ctx.x[4];
	uint64_t d = from->ctx.x[5], e = from->ctx.x[6], f = from->ctx.x[7];

	to->ctx.x[2] = a;
	to->ctx.x[3] = b;
	to->ctx.x[4] = c;
	to->ctx.x[5] = d;
	to->ctx.x[6] = e;
	to->ctx.x[7] = f;
}

static inline bool short_message(uint64_t info)
{
	return fl_msginfo_length(info) <= FL_MSG_REG_COUNT && fl_msginfo_caps(info) == 0;
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

/* Call from t (pc's current thread; big lock held). Returns only if the
 * fast path does not apply, having changed nothing. */
static inline void fastpath_call(struct percpu *pc, struct tcb *t)
{
	uint64_t info = t->ctx.x[1];

	if (!short_message(info) || ipclog_enabled)
		return;
	struct cap *c = fast_lookup(t, t->ctx.x[0]);
	if (!c || c->type != FL_OBJ_ENDPOINT || !(c->rights & FL_RIGHT_WRITE))
		return;
	struct endpoint *ep = cap_ep(c);
	struct tcb *r = local_receiver(pc, ep);
	if (!r)
		return;
	struct reply *reply = r->reply;
	dequeue_receiver(ep, r);

	/* The message, as transfer() would deliver it. */
	r->ctx.x[0] = c->data;
	r->ctx.x[1] = fl_msginfo(fl_msginfo_label(info), fl_msginfo_length(info), 0);
	copy_message_registers(r, t);

	/* Arm the receiver's reply object with the caller, who now waits on it. */
	r->reply = NULL;
	reply->receiver = NULL;
	reply->caller = t;
	t->send_flags = SENDF_CALL | ((c->rights & FL_RIGHT_GRANT) ? SENDF_GRANT : 0) |
	                ((c->rights & FL_RIGHT_GRANT_REPLY) ? SENDF_GRANT_REPLY : 0);
	t->state = TS_BLOCKED_REPLY;
	t->blocked_on = reply;
	r->state = TS_RUNNABLE;
	sched_switch_fast(pc, t, r);
}

/* ReplyRecv from t (pc's current thread; big lock held). Returns only if
 * the fast path does not apply, having changed nothing. */
static inline void fastpath_reply_recv(struct percpu *pc, struct tcb *t)
{
	uint64_t info = t->ctx.x[1];

	if (!short_message(info) || ipclog_enabled || t->bound_ntfn)
		return;
	struct cap *rc = fast_lookup(t, t->ctx.x[9]);
	struct cap *ec = fast_lookup(t, t->ctx.x[0]);
	if (!rc || rc->type != FL_OBJ_REPLY || !ec || ec->type != FL_OBJ_ENDPOINT ||
	    !(ec->rights & FL_RIGHT_READ))
		return;
	struct reply *reply = cap_reply(rc);
	struct endpoint *ep = cap_ep(ec);
	struct tcb *caller = reply->caller;
	if (!caller || ep->state == EP_SEND || reply->receiver || (t->reply && t->reply != reply) ||
	    !can_switch_to(pc, caller))
		return;

	if (caller->send_flags & SENDF_FAULT) {
		/* A fault reply: resume (label 0) or skip the instruction (label 1);
		 * the faulting thread's registers are not touched. Other labels
		 * leave it stopped: the general path does that. */
		uint64_t label = fl_msginfo_label(info);
		if (label > FL_FAULT_REPLY_SKIP)
			return;
		if (label == FL_FAULT_REPLY_SKIP)
			caller->ctx.pc += 4;
	} else {
		/* The reply, as do_reply() would deliver it. */
		caller->ctx.x[0] = 0;
		caller->ctx.x[1] = fl_msginfo(fl_msginfo_label(info), fl_msginfo_length(info), 0);
		copy_message_registers(caller, t);
	}
	reply->caller = NULL;
	caller->blocked_on = NULL;
	caller->send_flags = 0;
	caller->state = TS_RUNNABLE;

	/* The replier waits on the endpoint with its reply object bound. */
	reply->receiver = t;
	t->reply = reply;
	t->state = TS_BLOCKED_RECV;
	t->blocked_on = ep;
	t->q_next = NULL;
	t->q_prev = ep->q.tail;
	if (ep->q.tail)
		ep->q.tail->q_next = t;
	else
		ep->q.head = t;
	ep->q.tail = t;
	ep->state = EP_RECV;
	sched_switch_fast(pc, t, caller);
}

/*
 * svc with x8 = FL_SYS_CALL, from vectors.S: ctx is the caller's saved
 * frame, esr its ESR_EL1, pc this CPU. Takes the big lock; leaves through
 * the fast path's switch or the general path, never returns.
 */
void __attribute__((noreturn))
trap_el0_call(struct user_context *ctx, uint64_t esr, struct percpu *pc)
{
	struct tcb *t = ctx_tcb(ctx);

	big_lock();
	/* Not current: another CPU stalled the thread while it entered; the
	 * general path retries the syscall. */
	if (__builtin_expect(pc->current != t, 0))
		trap_el0_sync_locked(ctx, esr);
	fastpath_call(pc, t);
	sys_send(t, true, true); /* what syscall() does for FL_SYS_CALL */
	kernel_exit();
}

/* svc with x8 = FL_SYS_REPLY_RECV, from vectors.S; as trap_el0_call. */
void __attribute__((noreturn))
trap_el0_reply_recv(struct user_context *ctx, uint64_t esr, struct percpu *pc)
{
	struct tcb *t = ctx_tcb(ctx);

	big_lock();
	if (__builtin_expect(pc->current != t, 0))
		trap_el0_sync_locked(ctx, esr);
	fastpath_reply_recv(pc, t);
	sys_reply_recv(t); /* what syscall() does for FL_SYS_REPLY_RECV */
	kernel_exit();
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
