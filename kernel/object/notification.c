/*
 * Notifications: a word of badge bits that Send ORs in and Recv takes out,
 * waking one waiter at a time. A notification bound to a TCB is also
 * delivered to that thread while it waits on an endpoint, so a server can
 * wait for messages and interrupts at once.
 *
 * Caller must hold the big kernel lock.
 */
#include "kernel/ipc.h"
#include "kernel/ipclog.h"
#include "kernel/lib.h"
#include "kernel/sched.h"

static struct tcb *pop_waiter(struct notification *n)
{
	struct tcb *t = n->q.head;

	if (!t)
		return NULL;
	n->q.head = t->q_next;
	if (n->q.head)
		n->q.head->q_prev = NULL;
	else
		n->q.tail = NULL;
	t->q_next = t->q_prev = NULL;
	return t;
}

void ntfn_signal(struct notification *n, uint64_t badge)
{
	struct tcb *t = pop_waiter(n);

	IPCLOG(FL_LOG_SIGNAL, NULL,
	       t ? t : (n->bound && n->bound->state == TS_BLOCKED_RECV ? n->bound : NULL), badge, 0,
	       0, &n->word, 1, 0);
	if (t) {
		t->blocked_on = NULL;
		t->ctx.x[0] = n->word | badge;
		t->ctx.x[1] = 0;
		n->word = 0;
		sched_wake(t);
		return;
	}
	t = n->bound;
	if (t && t->state == TS_BLOCKED_RECV) {
		ipc_cancel(t);
		t->ctx.x[0] = n->word | badge;
		t->ctx.x[1] = fl_msginfo(FL_NOTIFICATION_LABEL, 0, 0);
		n->word = 0;
		sched_wake(t);
		return;
	}
	n->word |= badge;
}

void ntfn_destroy(struct notification *n)
{
	struct tcb *t;

	while ((t = pop_waiter(n))) {
		t->blocked_on = NULL;
		set_error(t, FL_E_INVALID_CAPABILITY);
		sched_wake(t);
	}
	if (n->bound) {
		n->bound->bound_ntfn = NULL;
		n->bound = NULL;
	}
}

int ntfn_invoke(struct invocation *inv)
{
	struct notification *n = cap_ntfn(&inv->slot->cap);

	if (inv->label != FL_NOTIFICATION_BIND)
		return FL_E_ILLEGAL_OPERATION;
	if (inv->ncaps < 1 || inv->caps[0]->cap.type != FL_OBJ_TCB)
		return FL_E_INVALID_CAPABILITY;
	struct tcb *t = cap_tcb(&inv->caps[0]->cap);
	if (n->bound || t->bound_ntfn)
		return FL_E_ILLEGAL_OPERATION;
	n->bound = t;
	t->bound_ntfn = n;
	return FL_OK;
}
