/*
 * Batching of mapping changes: consecutive pages that get the same change
 * (unmap, or protect to one set of rights) go to the platform as one ranged
 * call, because the kernel's invocations take ranges.
 */
#include "internal.h"

/* Start an empty batch of op on space s. */
void vm_batch_start(struct vm_batch *b, struct vm_space *s, enum vm_batch_op op, unsigned rights)
{
	b->vm = s->vm;
	b->space = s;
	b->op = op;
	b->rights = rights;
	b->n = 0;
}

/* Send the pending run to the platform. Caller must hold the space's SPT lock
 * (it protects the space's mappings). */
void vm_batch_flush(struct vm_batch *b)
{
	struct vm_platform *pl = &b->vm->plat;

	if (!b->n)
		return;
	if (b->op == VM_BATCH_UNMAP)
		pl->unmap(pl->ctx, b->space->cookie, b->va, b->n);
	else
		pl->protect(pl->ctx, b->space->cookie, b->va, b->n, b->rights);
	b->n = 0;
}

/* Add one page; a page that does not extend the run (at its end, or at its
 * start: exit walks down) flushes it first. */
void vm_batch_add(struct vm_batch *b, uint64_t va)
{
	if (b->n && va == b->va + b->n * VM_PAGE_SIZE) {
		b->n++;
		return;
	}
	if (b->n && va + VM_PAGE_SIZE == b->va) {
		b->va = va;
		b->n++;
		return;
	}
	vm_batch_flush(b);
	b->va = va;
	b->n = 1;
}
