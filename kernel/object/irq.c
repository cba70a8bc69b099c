/*
 * Interrupts for user-level drivers. IRQControl hands out one IRQHandler cap
 * per interrupt line (SPIs the kernel does not use itself). A handler is
 * bound to a notification; when the line fires the kernel masks it at the
 * distributor and signals the notification with the badge of the cap it was
 * bound with; IRQHandler_Ack unmasks it again. A line without a handler is
 * masked the first time it fires, with one log line.
 *
 * Caller must hold the big kernel lock.
 */
#include "arch/gic.h"
#include "kernel/boot.h"
#include "kernel/ipc.h"
#include "kernel/irq.h"
#include "kernel/lib.h"

struct irq_line {
	bool claimed;    /* an IRQHandler cap exists */
	struct cte ntfn; /* copy of the bound notification cap */
};

static struct irq_line lines[GIC_MAX_INTID];

static bool kernel_owned(unsigned intid)
{
	return intid < 32 || intid == platform.uart.irq;
}

void irq_device(unsigned intid)
{
	struct irq_line *l = intid < GIC_MAX_INTID ? &lines[intid] : NULL;

	gic_disable(intid);
	if (!l || l->ntfn.cap.type != FL_OBJ_NOTIFICATION) {
		kprintf("irq %u has no handler: masked\n", intid);
		return;
	}
	ntfn_signal(cap_ntfn(&l->ntfn.cap), l->ntfn.cap.data);
}

int irq_control_invoke(struct invocation *inv)
{
	uint64_t intid = inv->mr[0];
	int err;

	if (inv->label != FL_IRQ_CONTROL_GET)
		return FL_E_ILLEGAL_OPERATION;
	if (inv->len < 2)
		return FL_E_TRUNCATED;
	if (intid >= GIC_MAX_INTID || kernel_owned((unsigned)intid))
		return FL_E_RANGE;
	if (lines[intid].claimed)
		return FL_E_DELETE_FIRST;
	struct cte *dst = lookup_slot(inv->caller, inv->mr[1], &err);
	if (!dst)
		return err;
	if (dst->cap.type != FL_OBJ_NULL)
		return FL_E_DELETE_FIRST;
	struct cap c = {.type = FL_OBJ_IRQ_HANDLER, .rights = FL_RIGHTS_ALL, .obj = intid};
	cte_insert_child(inv->slot, dst, &c);
	lines[intid].claimed = true;
	return FL_OK;
}

int irq_handler_invoke(struct invocation *inv)
{
	unsigned intid = (unsigned)inv->slot->cap.obj;
	struct irq_line *l = &lines[intid];

	switch (inv->label) {
	case FL_IRQ_HANDLER_SET_NOTIFICATION:
		if (inv->ncaps < 1 || inv->caps[0]->cap.type != FL_OBJ_NOTIFICATION ||
		    !(inv->caps[0]->cap.rights & FL_RIGHT_WRITE))
			return FL_E_INVALID_CAPABILITY;
		cte_delete(&l->ntfn);
		cte_insert_child(inv->caps[0], &l->ntfn, &inv->caps[0]->cap);
		gic_enable(intid, 0);
		return FL_OK;
	case FL_IRQ_HANDLER_ACK:
		if (l->ntfn.cap.type != FL_OBJ_NOTIFICATION)
			return FL_E_ILLEGAL_OPERATION;
		gic_enable(intid, 0);
		return FL_OK;
	case FL_IRQ_HANDLER_CLEAR:
		gic_disable(intid);
		cte_delete(&l->ntfn);
		return FL_OK;
	default:
		return FL_E_ILLEGAL_OPERATION;
	}
}

void irq_handler_destroy(struct cap *c)
{
	unsigned intid = (unsigned)c->obj;

	gic_disable(intid);
	cte_delete(&lines[intid].ntfn);
	lines[intid].claimed = false;
}
