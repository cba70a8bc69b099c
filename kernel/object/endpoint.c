/*
 * Endpoints, reply objects and faults: synchronous message passing.
 *
 * A message is the sender's x1 (info), x2..x7 (MR0..MR5), its IPC buffer's
 * msg[6..length) and up to three capabilities named in send_caps[]. It is
 * copied straight from sender to receiver when both are ready; a thread that
 * arrives first waits in the endpoint's queue with its message still in its
 * own registers and IPC buffer. A Call additionally arms the receiver's reply
 * object with the caller, which then waits in TS_BLOCKED_REPLY until someone
 * replies through that object. Faults are Calls the kernel makes on the
 * faulting thread's behalf, with a message built in tcb.fault_words.
 *
 * Caller must hold the big kernel lock.
 */
#include "arch/mmu.h"
#include "kernel/ipc.h"
#include "kernel/ipclog.h"
#include "kernel/irq.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"

static void tq_append(struct tqueue *q, struct tcb *t)
{
	t->q_next = NULL;
	t->q_prev = q->tail;
	if (q->tail)
		q->tail->q_next = t;
	else
		q->head = t;
	q->tail = t;
}

static void tq_remove(struct tqueue *q, struct tcb *t)
{
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		q->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		q->tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
}

static struct tcb *tq_pop(struct tqueue *q)
{
	struct tcb *t = q->head;

	if (t)
		tq_remove(q, t);
	return t;
}

/*
 * Move caps named in snd's send_caps[] into rcv's recv_slots[]. Stops at the
 * first cap that cannot be sent (lookup fails, not transferable, no empty
 * receive slot). A badged endpoint cap to the endpoint the message travels
 * through is "unwrapped": only its badge is delivered. Returns the number of
 * caps delivered; *unwrapped gets the mask.
 */
static unsigned transfer_caps(struct tcb *snd, struct tcb *rcv, unsigned ncaps, void *via,
                              unsigned *unwrapped)
{
	struct fl_ipc_buffer *sb = snd->ipcbuf, *rb = rcv->ipcbuf;
	unsigned i;
	int err;

	*unwrapped = 0;
	for (i = 0; i < ncaps; i++) {
		struct cte *src = lookup_slot(snd, sb->send_caps[i], &err);
		if (!src || src->cap.type == FL_OBJ_NULL)
			break;
		struct cap c = src->cap;
		if (c.type == FL_OBJ_ENDPOINT && (void *)c.obj == via && c.data) {
			rb->recv_badges[i] = c.data;
			rb->recv_capinfo[i] = fl_capinfo(c.type, c.rights);
			*unwrapped |= 1u << i;
			continue;
		}
		if (c.type == FL_OBJ_UNTYPED || c.type == FL_OBJ_DEVICE_UNTYPED ||
		    c.type == FL_OBJ_IRQ_CONTROL)
			break;
		if (!rb->recv_slots[i])
			break;
		struct cte *dst = lookup_slot(rcv, rb->recv_slots[i], &err);
		if (!dst || dst->cap.type != FL_OBJ_NULL)
			break;
		if (c.type == FL_OBJ_FRAME || c.type == FL_OBJ_FRAME_2M ||
		    c.type == FL_OBJ_PAGE_TABLE) {
			c.flags &= ~CAPF_MAPPED;
			c.data = 0;
		}
		cte_insert_child(src, dst, &c);
		rb->recv_badges[i] =
		    (c.type == FL_OBJ_ENDPOINT || c.type == FL_OBJ_NOTIFICATION) ? c.data : 0;
		rb->recv_capinfo[i] = fl_capinfo(c.type, c.rights);
	}
	return i;
}

/* Copy a message from snd (as described by info/flags) into rcv's return registers. */
static void transfer(struct tcb *snd, struct tcb *rcv, uint64_t info, uint64_t badge,
                     uint32_t flags, void *via)
{
	unsigned len = fl_msginfo_length(info);
	unsigned ncaps = 0, unwrapped = 0;

	if (flags & SENDF_FAULT) {
		for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
			rcv->ctx.x[2 + i] = snd->fault_words[i];
		len = FL_MSG_REG_COUNT;
	} else {
		for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
			rcv->ctx.x[2 + i] = snd->ctx.x[2 + i];
		if (len > FL_MSG_MAX_WORDS)
			len = FL_MSG_MAX_WORDS;
		if (len > FL_MSG_REG_COUNT) {
			if (snd->ipcbuf && rcv->ipcbuf)
				memcpy(&rcv->ipcbuf->msg[FL_MSG_REG_COUNT],
				       &snd->ipcbuf->msg[FL_MSG_REG_COUNT],
				       (len - FL_MSG_REG_COUNT) * sizeof(uint64_t));
			else
				len = FL_MSG_REG_COUNT;
		}
		if ((flags & SENDF_GRANT) && fl_msginfo_caps(info) && snd->ipcbuf && rcv->ipcbuf)
			ncaps = transfer_caps(snd, rcv, fl_msginfo_caps(info), via, &unwrapped);
	}
	rcv->ctx.x[0] = badge;
	rcv->ctx.x[1] = fl_msginfo(fl_msginfo_label(info), len, ncaps) |
	                ((uint64_t)unwrapped << FL_MSGINFO_UNWRAPPED_SHIFT);
}

/* Log a message from snd delivered to rcv (a Send, a Call or a fault). A
 * fault's access kind (MR3) is past the words a record keeps: it goes in flags. */
static void log_delivery(const struct tcb *snd, const struct tcb *rcv, uint64_t badge,
                         uint64_t info, uint32_t flags)
{
	unsigned kind = (flags & SENDF_FAULT)  ? FL_LOG_FAULT
	                : (flags & SENDF_CALL) ? FL_LOG_CALL
	                                       : FL_LOG_SEND;
	const uint64_t *w = (flags & SENDF_FAULT) ? snd->fault_words : &snd->ctx.x[2];
	unsigned access = (flags & SENDF_FAULT) ? (unsigned)snd->fault_words[3] : 0;

	IPCLOG(kind, snd, rcv, badge, fl_msginfo_label(info), fl_msginfo_length(info), w, 3,
	       access);
}

/* A caller whose call can get no reply: wake it with an error (faulters stay stopped). */
static void abort_caller(struct tcb *c, unsigned err)
{
	if (c->send_flags & SENDF_FAULT) {
		kprintf("thread %u: fault handler went away before replying: suspended\n", c->id);
		c->state = TS_INACTIVE;
		return;
	}
	set_error(c, err);
	sched_wake(c);
}

/* The message of sender snd has been delivered to rcv: a Call arms rcv's reply object. */
static void complete_send(struct tcb *snd, struct tcb *rcv)
{
	if (!(snd->send_flags & SENDF_CALL)) {
		snd->ctx.x[1] = 0;
		if (snd->state != TS_RUNNABLE)
			sched_wake(snd);
		return;
	}
	struct reply *r = rcv->reply;
	if (!r) {
		abort_caller(snd, FL_E_NO_REPLY);
		return;
	}
	rcv->reply = NULL;
	r->receiver = NULL;
	r->caller = snd;
	snd->state = TS_BLOCKED_REPLY;
	snd->blocked_on = r;
	sched_unready(snd);
}

static struct reply *lookup_reply(struct tcb *t, uint64_t cptr, int *err)
{
	struct cte *s = lookup_slot(t, cptr, err);

	if (!s)
		return NULL;
	if (s->cap.type != FL_OBJ_REPLY) {
		*err = FL_E_INVALID_CAPABILITY;
		return NULL;
	}
	return cap_reply(&s->cap);
}

/*
 * Take a waiting receiver off ep (state EP_RECV): the first one whose CPU is
 * this CPU if there is one, else the first in line. Several pager workers,
 * one per CPU, wait on one endpoint; handing a fault or a call to the worker
 * on the sender's own CPU keeps it there (no IPI, no remote wake-up, and the
 * fast path applies). Receivers are few (about one per CPU), so the scan is short.
 */
struct tcb *ep_take_receiver(struct endpoint *ep)
{
	unsigned self = this_cpu()->id;
	struct tcb *r = ep->q.head;

	for (struct tcb *c = r; c; c = c->q_next)
		if (c->affinity == self) {
			r = c;
			break;
		}
	tq_remove(&ep->q, r);
	if (!ep->q.head)
		ep->state = EP_IDLE;
	return r;
}

/* Send t's message (or fault) through endpoint ep with badge. */
static void ep_send(struct tcb *t, struct endpoint *ep, uint64_t badge, uint64_t info,
                    uint32_t flags, bool blocking)
{
	t->send_flags = flags;
	if (ep->state == EP_RECV) {
		struct tcb *r = ep_take_receiver(ep);
		transfer(t, r, info, badge, flags, ep);
		log_delivery(t, r, badge, info, flags);
		r->blocked_on = NULL;
		sched_wake(r);
		complete_send(t, r);
		return;
	}
	if (!blocking) {
		set_error(t, FL_E_WOULD_BLOCK);
		return;
	}
	IPCLOG(FL_LOG_BLOCK_SEND, t, NULL, badge, fl_msginfo_label(info), fl_msginfo_length(info),
	       (flags & SENDF_FAULT) ? t->fault_words : &t->ctx.x[2], 3,
	       (flags & SENDF_FAULT) ? (unsigned)t->fault_words[3] : 0);
	t->state = TS_BLOCKED_SEND;
	t->blocked_on = ep;
	t->send_badge = badge;
	t->send_info = info;
	tq_append(&ep->q, t);
	ep->state = EP_SEND;
	sched_unready(t);
}

/* Run an invocation on a non-IPC object; results go to t's registers. */
static void invoke(struct tcb *t, struct cte *slot, uint64_t info, bool want_reply);

void sys_send(struct tcb *t, bool blocking, bool call)
{
	uint64_t info = t->ctx.x[1];
	int err;
	struct cte *s = lookup_slot(t, t->ctx.x[0], &err);

	if (!s || s->cap.type == FL_OBJ_NULL) {
		set_error(t, s ? FL_E_INVALID_CAPABILITY : (unsigned)err);
		return;
	}
	switch (s->cap.type) {
	case FL_OBJ_ENDPOINT: {
		uint32_t flags = call ? SENDF_CALL : 0;
		if (!(s->cap.rights & FL_RIGHT_WRITE)) {
			set_error(t, FL_E_INVALID_CAPABILITY);
			return;
		}
		if (s->cap.rights & FL_RIGHT_GRANT)
			flags |= SENDF_GRANT;
		if (s->cap.rights & FL_RIGHT_GRANT_REPLY)
			flags |= SENDF_GRANT_REPLY;
		ep_send(t, cap_ep(&s->cap), s->cap.data, info, flags, blocking || call);
		return;
	}
	case FL_OBJ_NOTIFICATION:
		if (call) {
			invoke(t, s, info, true); /* Notification_Bind */
			return;
		}
		if (!(s->cap.rights & FL_RIGHT_WRITE)) {
			set_error(t, FL_E_INVALID_CAPABILITY);
			return;
		}
		ntfn_signal(cap_ntfn(&s->cap), s->cap.data);
		t->ctx.x[1] = 0;
		return;
	case FL_OBJ_REPLY:
		set_error(t, FL_E_ILLEGAL_OPERATION);
		return;
	default:
		invoke(t, s, info, call);
		return;
	}
}

/* Give t the pending word of its bound notification, if any. */
static bool take_bound_notification(struct tcb *t)
{
	struct notification *n = t->bound_ntfn;

	if (!n || !n->word)
		return false;
	t->ctx.x[0] = n->word;
	t->ctx.x[1] = fl_msginfo(FL_NOTIFICATION_LABEL, 0, 0);
	n->word = 0;
	return true;
}

/* Attach reply object r to receiver t; a stale caller still armed on r gets an error. */
static void bind_reply(struct tcb *t, struct reply *r)
{
	if (r->caller) {
		struct tcb *old = r->caller;
		r->caller = NULL;
		old->blocked_on = NULL;
		abort_caller(old, FL_E_NO_REPLY);
	}
	if (r->receiver && r->receiver != t)
		r->receiver->reply = NULL;
	if (t->reply && t->reply != r)
		t->reply->receiver = NULL;
	r->receiver = t;
	t->reply = r;
}

void sys_recv(struct tcb *t, bool blocking)
{
	int err;
	struct cte *s = lookup_slot(t, t->ctx.x[0], &err);

	if (!s || s->cap.type == FL_OBJ_NULL) {
		set_error(t, s ? FL_E_INVALID_CAPABILITY : (unsigned)err);
		return;
	}
	if (s->cap.type == FL_OBJ_NOTIFICATION) {
		struct notification *n = cap_ntfn(&s->cap);
		if (!(s->cap.rights & FL_RIGHT_READ)) {
			set_error(t, FL_E_INVALID_CAPABILITY);
			return;
		}
		if (n->word || !blocking) {
			t->ctx.x[0] = n->word;
			t->ctx.x[1] = 0;
			n->word = 0;
			return;
		}
		irq_waiting_on(n);
		t->state = TS_BLOCKED_NTFN;
		t->blocked_on = n;
		tq_append(&n->q, t);
		sched_unready(t);
		return;
	}
	if (s->cap.type != FL_OBJ_ENDPOINT || !(s->cap.rights & FL_RIGHT_READ)) {
		set_error(t, FL_E_INVALID_CAPABILITY);
		return;
	}
	struct endpoint *ep = cap_ep(&s->cap);
	struct reply *r = NULL;
	if (t->ctx.x[9]) {
		r = lookup_reply(t, t->ctx.x[9], &err);
		if (!r) {
			set_error(t, (unsigned)err);
			return;
		}
	}
	if (take_bound_notification(t))
		return;
	if (r)
		bind_reply(t, r);
	else if (t->reply) {
		t->reply->receiver = NULL;
		t->reply = NULL;
	}
	if (ep->state == EP_SEND) {
		struct tcb *snd = tq_pop(&ep->q);
		if (!ep->q.head)
			ep->state = EP_IDLE;
		snd->blocked_on = NULL;
		transfer(snd, t, snd->send_info, snd->send_badge, snd->send_flags, ep);
		log_delivery(snd, t, snd->send_badge, snd->send_info, snd->send_flags);
		complete_send(snd, t);
		return;
	}
	if (!blocking) {
		set_error(t, FL_E_WOULD_BLOCK);
		return;
	}
	if (t->bound_ntfn)
		irq_waiting_on(t->bound_ntfn);
	IPCLOG(FL_LOG_BLOCK_RECV, t, NULL, 0, 0, 0, NULL, 0, 0);
	t->state = TS_BLOCKED_RECV;
	t->blocked_on = ep;
	tq_append(&ep->q, t);
	ep->state = EP_RECV;
	sched_unready(t);
}

/* Reply from t through r to the caller armed on it. */
static void do_reply(struct tcb *t, struct reply *r)
{
	struct tcb *c = r->caller;

	r->caller = NULL;
	c->blocked_on = NULL;
	if (c->send_flags & SENDF_FAULT) {
		uint64_t label = fl_msginfo_label(t->ctx.x[1]);
		uint64_t action = label == 0 ? 0 : label == FL_FAULT_REPLY_SKIP ? 1 : 2;
		IPCLOG(FL_LOG_FAULT_REPLY, t, c, 0, label, 0, &action, 1, 0);
		c->send_flags = 0;
		if (label == 0 || label == FL_FAULT_REPLY_SKIP) {
			if (label == FL_FAULT_REPLY_SKIP)
				c->ctx.pc += 4;
			sched_wake(c);
		} else {
			c->state = TS_INACTIVE;
		}
		return;
	}
	IPCLOG(FL_LOG_REPLY, t, c, 0, fl_msginfo_label(t->ctx.x[1]), fl_msginfo_length(t->ctx.x[1]),
	       &t->ctx.x[2], 3, 0);
	transfer(t, c, t->ctx.x[1], 0, (c->send_flags & SENDF_GRANT_REPLY) ? SENDF_GRANT : 0, NULL);
	c->send_flags = 0;
	sched_wake(c);
}

/* Is info's label a fault reply that changes the faulter's address space?
 * Tested first on the label's top bit (the kernel's range), so that other
 * replies pay one instruction for it. */
static inline bool vm_reply_label(uint64_t info)
{
	uint64_t label = fl_msginfo_label(info);

	return __builtin_expect(info >> 63, 0) &&
	       (label == FL_FAULT_REPLY_MAP || label == FL_FAULT_REPLY_PROTECT);
}

/*
 * A fault reply that maps or protects (FL_FAULT_REPLY_MAP/PROTECT) from t
 * through r: checked whole first; then the faulter's space changes and it
 * resumes. On an error nothing changes, the caller armed on r (if any) still
 * waits, and t's registers hold the error (MR0, MR1 say what failed).
 * Returns whether it was done.
 */
static bool vm_fault_reply(struct tcb *t, struct reply *r)
{
	uint64_t info = t->ctx.x[1];
	struct tcb *c = r->caller;
	struct vm_fault_reply op;
	int err;

	if (!c) {
		err = FL_E_NO_REPLY;
		op.word[0] = FL_FAULT_REPLY_BAD_TARGET;
		op.word[1] = 0;
	} else {
		err = vspace_fault_reply_check(t, c, fl_msginfo_label(info), &t->ctx.x[2],
		                               fl_msginfo_length(info), &op);
	}
	if (err) {
		set_error(t, (unsigned)err);
		t->ctx.x[1] |= fl_msginfo(0, 2, 0);
		t->ctx.x[2] = op.word[0];
		t->ctx.x[3] = op.word[1];
		return false;
	}
	vspace_fault_reply_apply(&op);
	uint64_t action = op.label == FL_FAULT_REPLY_MAP ? 3 : 4;
	IPCLOG(FL_LOG_FAULT_REPLY, t, c, 0, op.label, 0, &action, 1, 0);
	r->caller = NULL;
	c->blocked_on = NULL;
	c->send_flags = 0;
	sched_wake(c);
	return true;
}

void sys_reply(struct tcb *t)
{
	int err;
	struct reply *r = lookup_reply(t, t->ctx.x[9], &err);

	if (!r) {
		set_error(t, (unsigned)err);
		return;
	}
	if (vm_reply_label(t->ctx.x[1])) {
		if (vm_fault_reply(t, r))
			t->ctx.x[1] = 0;
		return;
	}
	if (!r->caller) {
		set_error(t, FL_E_NO_REPLY);
		return;
	}
	do_reply(t, r);
	t->ctx.x[1] = 0;
}

void sys_reply_recv(struct tcb *t)
{
	int err;
	struct reply *r = lookup_reply(t, t->ctx.x[9], &err);

	if (!r) {
		set_error(t, (unsigned)err);
		return;
	}
	if (vm_reply_label(t->ctx.x[1])) {
		if (!vm_fault_reply(t, r))
			return; /* the error goes back at once: t does not receive */
	} else if (r->caller) {
		do_reply(t, r);
	}
	sys_recv(t, true);
}

void fault_deliver(struct tcb *t, uint64_t label)
{
	struct cap *fep = &t->slots[TCB_SLOT_FAULT_EP].cap;

	if (fep->type != FL_OBJ_ENDPOINT || !(fep->rights & FL_RIGHT_WRITE)) {
		kprintf("thread %u: %s at pc %lx (address %lx, esr %lx) and no fault handler: "
		        "suspended\n",
		        t->id,
		        label == FL_FAULT_VM                ? "page fault"
		        : label == FL_FAULT_UNKNOWN_SYSCALL ? "unknown syscall"
		                                            : "exception",
		        (unsigned long)t->fault_words[0], (unsigned long)t->fault_words[1],
		        (unsigned long)t->fault_words[2]);
		IPCLOG(FL_LOG_SUSPEND, NULL, t, 0, label, 0, t->fault_words, 3, 0);
		tcb_suspend(t);
		return;
	}
	uint64_t badge = t->fault_badge ? t->fault_badge : fep->data;
	ep_send(t, cap_ep(fep), badge, fl_msginfo(label, FL_MSG_REG_COUNT, 0),
	        SENDF_CALL | SENDF_FAULT, true);
}

void ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case TS_BLOCKED_SEND:
	case TS_BLOCKED_RECV: {
		struct endpoint *ep = t->blocked_on;
		tq_remove(&ep->q, t);
		if (!ep->q.head)
			ep->state = EP_IDLE;
		break;
	}
	case TS_BLOCKED_NTFN:
		tq_remove(&((struct notification *)t->blocked_on)->q, t);
		break;
	case TS_BLOCKED_REPLY:
		((struct reply *)t->blocked_on)->caller = NULL;
		break;
	default:
		break;
	}
	t->blocked_on = NULL;
	if (t->reply) {
		t->reply->receiver = NULL;
		t->reply = NULL;
	}
}

void ep_destroy(struct endpoint *ep)
{
	struct tcb *t;

	while ((t = tq_pop(&ep->q))) {
		t->blocked_on = NULL;
		if (t->send_flags & SENDF_FAULT) {
			kprintf("thread %u: fault endpoint deleted: suspended\n", t->id);
			t->state = TS_INACTIVE;
			continue;
		}
		set_error(t, FL_E_INVALID_CAPABILITY);
		sched_wake(t);
	}
	ep->state = EP_IDLE;
}

void reply_destroy(struct reply *r)
{
	if (r->caller) {
		struct tcb *c = r->caller;
		r->caller = NULL;
		c->blocked_on = NULL;
		abort_caller(c, FL_E_NO_REPLY);
	}
	if (r->receiver) {
		r->receiver->reply = NULL;
		r->receiver = NULL;
	}
}

/* --- invocations --- */

static uint64_t inv_words[FL_MSG_MAX_WORDS]; /* big lock held: one invocation at a time */

static void invoke(struct tcb *t, struct cte *slot, uint64_t info, bool want_reply)
{
	struct invocation inv = {
	    .caller = t,
	    .slot = slot,
	    .label = fl_msginfo_label(info),
	    .mr = inv_words,
	    .len = fl_msginfo_length(info),
	    .ncaps = fl_msginfo_caps(info),
	};
	int err = FL_OK;

	if (inv.len > FL_MSG_MAX_WORDS)
		inv.len = FL_MSG_MAX_WORDS;
	if (inv.len > FL_MSG_REG_COUNT && !t->ipcbuf)
		inv.len = FL_MSG_REG_COUNT;
	for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
		inv_words[i] = t->ctx.x[2 + i];
	if (inv.len > FL_MSG_REG_COUNT)
		memcpy(&inv_words[FL_MSG_REG_COUNT], &t->ipcbuf->msg[FL_MSG_REG_COUNT],
		       (inv.len - FL_MSG_REG_COUNT) * sizeof(uint64_t));
	for (unsigned i = inv.len; i < FL_MSG_REG_COUNT; i++)
		inv_words[i] = 0;
	if (inv.ncaps && !t->ipcbuf)
		err = FL_E_INVALID_CAPABILITY;
	for (unsigned i = 0; !err && i < inv.ncaps; i++) {
		int lerr;
		inv.caps[i] = lookup_slot(t, t->ipcbuf->send_caps[i], &lerr);
		if (!inv.caps[i] || inv.caps[i]->cap.type == FL_OBJ_NULL) {
			err = FL_E_INVALID_CAPABILITY;
			inv_words[0] = i;
			inv.reply_len = 1;
		}
	}
	if (!err) {
		switch (slot->cap.type) {
		case FL_OBJ_UNTYPED:
		case FL_OBJ_DEVICE_UNTYPED:
			err = untyped_invoke(&inv);
			break;
		case FL_OBJ_CNODE:
			err = cnode_invoke(&inv);
			break;
		case FL_OBJ_TCB:
			err = tcb_invoke(&inv);
			break;
		case FL_OBJ_VSPACE:
			err = vspace_invoke(&inv);
			break;
		case FL_OBJ_PAGE_TABLE:
			err = page_table_invoke(&inv);
			break;
		case FL_OBJ_FRAME:
		case FL_OBJ_FRAME_2M:
			err = frame_invoke(&inv);
			break;
		case FL_OBJ_IRQ_CONTROL:
			err = irq_control_invoke(&inv);
			break;
		case FL_OBJ_IRQ_HANDLER:
			err = irq_handler_invoke(&inv);
			break;
		case FL_OBJ_NOTIFICATION:
			err = ntfn_invoke(&inv);
			break;
		case FL_OBJ_TRACE:
			err = trace_invoke(&inv);
			break;
		default:
			err = FL_E_ILLEGAL_OPERATION;
		}
	}
	/* The arguments as sent: results overwrite inv_words, but t's x2.. are
	 * still the message registers until the reply is written below. */
	IPCLOG(FL_LOG_INVOKE, t, NULL, 0, inv.label, inv.len, &t->ctx.x[2],
	       inv.len < 3 ? inv.len : 3, (unsigned)err);
	if (!want_reply || t->state != TS_RUNNABLE)
		return;
	t->ctx.x[0] = 0;
	t->ctx.x[1] = fl_msginfo((uint64_t)err, inv.reply_len, 0) | (err ? FL_MSGINFO_ERROR : 0);
	for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
		t->ctx.x[2 + i] = i < inv.reply_len ? inv_words[i] : 0;
	if (inv.reply_len > FL_MSG_REG_COUNT && t->ipcbuf)
		memcpy(&t->ipcbuf->msg[FL_MSG_REG_COUNT], &inv_words[FL_MSG_REG_COUNT],
		       (inv.reply_len - FL_MSG_REG_COUNT) * sizeof(uint64_t));
}
