/*
 * Thread control blocks: configuration, registers, run state, priority and
 * affinity, and destruction.
 *
 * Caller must hold the big kernel lock.
 */
#include "kernel/lib.h"
#include "kernel/object.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/ipc.h"
#include "kernel/ipclog.h"
#include "kernel/smp.h"
#include "arch/mmu.h"

static uint32_t next_thread_id = 1;

/* Called by retype for each new TCB (the memory is already zero). */
void tcb_init(struct tcb *t)
{
	t->id = next_thread_id++;
	t->running_on = -1;
	t->priority = 0;
	t->max_priority = FL_PRIORITY_MAX;
	t->affinity = (uint8_t)this_cpu()->id;
	t->ctx.spsr = 0;       /* EL0t, all interrupts unmasked */
	tcb_refresh_cached(t); /* no CSpace, no address space yet */
}

/* Take t out of whatever it waits on, leaving it TS_INACTIVE. */
void tcb_suspend(struct tcb *t)
{
	ipc_cancel(t);
	t->state = TS_INACTIVE; /* before sched_unready: a stalled remote CPU must not requeue it */
	sched_unready(t);
}

void tcb_destroy(struct tcb *t)
{
	IPCLOG(FL_LOG_DESTROY, NULL, t, 0, 0, 0, NULL, 0, 0);
	tcb_suspend(t);
	sched_stall_remote(t);
	if (t->running_on == (int)this_cpu()->id) {
		this_cpu()->current = NULL;
		t->running_on = -1;
	}
	if (this_cpu()->fpu_owner == t)
		this_cpu()->fpu_owner = NULL;
	if (t->bound_ntfn)
		t->bound_ntfn->bound = NULL;
	for (unsigned i = 0; i < TCB_SLOT_COUNT; i++)
		cte_delete(&t->slots[i]);
}

void tcb_ipcbuf_deleted(struct cte *slot)
{
	struct tcb *t =
	    (struct tcb *)((char *)slot - __builtin_offsetof(struct tcb, slots[TCB_SLOT_IPCBUF]));

	/* The frame may be revoked and its memory retyped: never write it again. */
	t->ipcbuf = NULL;
}

/* Replace the TCB's own copy of a cap in slot i by a copy of src (or nothing). */
void tcb_refresh_cached(struct tcb *t)
{
	const struct cap *cn = &t->slots[TCB_SLOT_CSPACE].cap;

	if (cn->type == FL_OBJ_CNODE && cnode_guard_bits(cn) + cnode_radix(cn) == 64 &&
	    cn->data == 0) {
		t->fast_cnode = cap_cnode(cn);
		t->fast_nslots = 1ULL << cnode_radix(cn);
	} else {
		t->fast_cnode = NULL;
		t->fast_nslots = 0;
	}
	t->ttbr0 = vspace_ttbr0(&t->slots[TCB_SLOT_VSPACE].cap);
}

void tcb_slot_deleted(struct cte *slot)
{
	unsigned i;

	switch (slot->cap.type) {
	case FL_OBJ_CNODE:
		i = TCB_SLOT_CSPACE;
		break;
	case FL_OBJ_VSPACE:
		i = TCB_SLOT_VSPACE;
		break;
	default:
		return; /* the IPC buffer and fault endpoint caches are handled elsewhere */
	}
	struct tcb *t = (struct tcb *)((char *)slot - __builtin_offsetof(struct tcb, slots) -
	                               i * sizeof(struct cte));
	struct cap saved = slot->cap;
	slot->cap.type = FL_OBJ_NULL; /* compute the caches as they will be */
	tcb_refresh_cached(t);
	slot->cap = saved;
	/* A CPU running t must stop using the old tables now: take t off it
	 * (it is queued again and reloads TTBR0 when it next runs). */
	if (i == TCB_SLOT_VSPACE && t->running_on >= 0 && t->running_on != (int)this_cpu()->id)
		sched_stall_remote(t);
}

static void set_slot(struct tcb *t, unsigned i, struct cte *src)
{
	cte_delete(&t->slots[i]);
	if (src) {
		struct cap c = src->cap;
		c.flags |= CAPF_TCB_SLOT;
		if (i == TCB_SLOT_IPCBUF) {
			/* The copy names the memory, not src's mapping: deleting it
			 * must not unmap the frame from wherever src mapped it. */
			c.flags = (uint16_t)((c.flags & ~CAPF_MAPPED) | CAPF_TCB_IPCBUF);
			c.data = 0;
		}
		cte_insert_child(src, &t->slots[i], &c);
	}
	tcb_refresh_cached(t);
	if (i == TCB_SLOT_VSPACE && t->running_on == (int)this_cpu()->id)
		this_cpu()->resched = 1; /* kernel_exit reloads TTBR0 */
}

static int tcb_configure(struct invocation *inv, struct tcb *t)
{
	struct cte *cspace = inv->ncaps > 0 ? inv->caps[0] : NULL;
	struct cte *vspace = inv->ncaps > 1 ? inv->caps[1] : NULL;
	struct cte *ipcbuf = inv->ncaps > 2 ? inv->caps[2] : NULL;
	struct cte *fault_ep = NULL;
	uint64_t ipcbuf_va = inv->mr[2];
	int err;

	if (inv->len < 3)
		return FL_E_TRUNCATED;
	if (inv->mr[0]) {
		fault_ep = lookup_slot(inv->caller, inv->mr[0], &err);
		if (!fault_ep)
			return err;
		if (fault_ep->cap.type != FL_OBJ_ENDPOINT)
			return FL_E_INVALID_CAPABILITY;
	}
	if (cspace && cspace->cap.type != FL_OBJ_CNODE)
		return FL_E_INVALID_CAPABILITY;
	if (vspace && vspace->cap.type != FL_OBJ_VSPACE)
		return FL_E_INVALID_CAPABILITY;
	if (ipcbuf && (ipcbuf->cap.type != FL_OBJ_FRAME || (ipcbuf->cap.flags & CAPF_DEVICE)))
		return FL_E_INVALID_CAPABILITY;
	if (ipcbuf && (ipcbuf_va & (PAGE_SIZE - 1)))
		return FL_E_ALIGNMENT;
	if (ipcbuf && ipcbuf_va >= USER_TOP)
		return FL_E_INVALID_ARGUMENT;

	if (cspace)
		set_slot(t, TCB_SLOT_CSPACE, cspace);
	if (vspace)
		set_slot(t, TCB_SLOT_VSPACE, vspace);
	if (ipcbuf) {
		set_slot(t, TCB_SLOT_IPCBUF, ipcbuf);
		t->ipcbuf = phys_to_virt(ipcbuf->cap.obj);
		t->ipcbuf_va = ipcbuf_va;
		if (t->running_on == (int)this_cpu()->id)
			this_cpu()->resched = 1;
	}
	set_slot(t, TCB_SLOT_FAULT_EP, fault_ep);
	t->fault_badge = inv->mr[1];
	return FL_OK;
}

int tcb_invoke(struct invocation *inv)
{
	struct tcb *t = cap_tcb(&inv->slot->cap);
	struct tcb *src;

	switch (inv->label) {
	case FL_TCB_CONFIGURE:
		return tcb_configure(inv, t);
	case FL_TCB_WRITE_REGISTERS:
		if (inv->len < 6)
			return FL_E_TRUNCATED;
		if (t == inv->caller)
			return FL_E_ILLEGAL_OPERATION;
		sched_stall_remote(t);
		t->ctx.pc = inv->mr[0];
		t->ctx.sp = inv->mr[1];
		t->ctx.x[0] = inv->mr[2];
		t->ctx.x[1] = inv->mr[3];
		t->ctx.tpidr = inv->mr[4];
		t->ctx.spsr = 0;
		if (inv->mr[5] && t->state == TS_INACTIVE)
			sched_wake(t);
		return FL_OK;
	case FL_TCB_READ_REGISTERS:
		if (t != inv->caller)
			sched_stall_remote(t);
		inv->mr[0] = t->ctx.pc;
		inv->mr[1] = t->ctx.sp;
		inv->mr[2] = t->ctx.x[0];
		inv->mr[3] = t->ctx.x[1];
		inv->mr[4] = t->ctx.tpidr;
		inv->mr[5] = t->state;
		inv->reply_len = 6;
		return FL_OK;
	case FL_TCB_COPY_REGISTERS:
		if (inv->ncaps < 1 || inv->caps[0]->cap.type != FL_OBJ_TCB)
			return FL_E_INVALID_CAPABILITY;
		src = cap_tcb(&inv->caps[0]->cap);
		if (src == t || t == inv->caller)
			return FL_E_ILLEGAL_OPERATION;
		sched_stall_remote(t);
		sched_stall_remote(src);
		if (this_cpu()->fpu_owner == src) {
			fpu_save(&src->fpu);
			this_cpu()->fpu_owner = NULL;
		}
		t->ctx = src->ctx;
		t->fpu = src->fpu;
		t->fpu_used = src->fpu_used;
		if (inv->len >= 1)
			t->ctx.x[0] = inv->mr[0];
		return FL_OK;
	case FL_TCB_RESUME:
		if (t->state == TS_INACTIVE) {
			IPCLOG(FL_LOG_RESUME, inv->caller, t, 0, 0, 0, NULL, 0, 0);
			sched_wake(t);
		}
		return FL_OK;
	case FL_TCB_SUSPEND:
		IPCLOG(FL_LOG_SUSPEND, inv->caller, t, 0, 0, 0, NULL, 0, 0);
		tcb_suspend(t);
		return FL_OK;
	case FL_TCB_SET_PRIORITY:
		if (inv->len < 1)
			return FL_E_TRUNCATED;
		if (inv->mr[0] > inv->caller->max_priority)
			return FL_E_RANGE;
		t->max_priority = (uint8_t)inv->mr[0];
		sched_set_priority(t, (unsigned)inv->mr[0]);
		return FL_OK;
	case FL_TCB_SET_AFFINITY:
		if (inv->len < 1)
			return FL_E_TRUNCATED;
		if (inv->mr[0] >= smp_ncpus())
			return FL_E_RANGE;
		sched_set_affinity(t, (unsigned)inv->mr[0]);
		return FL_OK;
	case FL_TCB_SET_FAULT_EP:
		if (inv->ncaps >= 1 && inv->caps[0]->cap.type != FL_OBJ_ENDPOINT)
			return FL_E_INVALID_CAPABILITY;
		set_slot(t, TCB_SLOT_FAULT_EP, inv->ncaps ? inv->caps[0] : NULL);
		t->fault_badge = inv->len >= 1 ? inv->mr[0] : 0;
		return FL_OK;
	case FL_TCB_GET_ID:
		inv->mr[0] = t->id;
		inv->reply_len = 1;
		return FL_OK;
	default:
		return FL_E_ILLEGAL_OPERATION;
	}
}
