/*
 * Interrupts for user-level drivers. IRQControl hands out one IRQHandler cap
 * per interrupt line (SPIs the kernel does not use itself). A handler is
 * bound to a notification; when the line fires the kernel masks it at the
 * distributor and signals the notification with the badge of the cap it was
 * bound with; IRQHandler_Ack unmasks it again. A line without a handler is
 * masked the first time it fires, with one log line.
 *
 * Ack with FL_IRQ_ACK_ON_WAIT defers the unmask until a thread blocks
 * waiting on the notification (sys_recv in endpoint.c calls
 * irq_waiting_on; the IPC fast paths never block a thread that has a
 * bound notification, they leave it to sys_recv): a
 * single-threaded driver (swapd) that starts a transfer and then waits
 * takes the completion only once it waits, never while it still runs,
 * where it could not act on it anyway. Besides saving that kernel entry,
 * this puts the interrupt at a fixed point of the driver's instruction
 * stream whenever the device finishes, which keeps QEMU's exact mode exact
 * (docs/benchmarks.md). The deferred lines are few (one per driver that
 * uses it), so they are kept in a short list, not in the notification.
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

/* Lines acknowledged with FL_IRQ_ACK_ON_WAIT, masked until a thread waits on
 * their notification. */
#define DEFERRED_MAX 8
static uint16_t deferred[DEFERRED_MAX];
unsigned irq_ndeferred; /* entries of deferred[] */

/* Forget a deferred unmask of intid, if there is one. */
static void undefer(unsigned intid)
{
	for (unsigned i = 0; i < irq_ndeferred; i++)
		if (deferred[i] == intid) {
			deferred[i] = deferred[--irq_ndeferred];
			return;
		}
}

/* Acknowledge intid: unmask it now, or (on_wait) mask it until a thread
 * waits on its notification. With the list full the unmask is immediate:
 * later than asked is never right, earlier only costs an interrupt. */
static void ack(unsigned intid, bool on_wait)
{
	undefer(intid);
	if (!on_wait || irq_ndeferred == DEFERRED_MAX) {
		gic_enable(intid, 0);
		return;
	}
	gic_disable(intid);
	deferred[irq_ndeferred++] = (uint16_t)intid;
}

void irq_unmask_deferred(struct notification *n)
{
	for (unsigned i = 0; i < irq_ndeferred;) {
		struct irq_line *l = &lines[deferred[i]];
		if (l->ntfn.cap.type == FL_OBJ_NOTIFICATION && cap_ntfn(&l->ntfn.cap) == n) {
			gic_enable(deferred[i], 0);
			deferred[i] = deferred[--irq_ndeferred];
		} else {
			i++;
		}
	}
}

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
		undefer(intid);
		gic_enable(intid, 0);
		return FL_OK;
	case FL_IRQ_HANDLER_ACK: {
		uint64_t flags = inv->len ? inv->mr[0] : 0;
		if (flags & ~(uint64_t)FL_IRQ_ACK_ON_WAIT)
			return FL_E_INVALID_ARGUMENT;
		if (l->ntfn.cap.type != FL_OBJ_NOTIFICATION)
			return FL_E_ILLEGAL_OPERATION;
		ack(intid, flags & FL_IRQ_ACK_ON_WAIT);
		return FL_OK;
	}
	case FL_IRQ_HANDLER_CLEAR:
		undefer(intid);
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

	undefer(intid);
	gic_disable(intid);
	cte_delete(&lines[intid].ntfn);
	lines[intid].claimed = false;
}
