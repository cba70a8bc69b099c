/*
 * The heap: a zero-fill region whose end follows the break. sbrk grows it
 * (refusing, with nothing changed, to meet another region) or shrinks it,
 * releasing the frames and slots of the pages given back.
 */
#include "internal.h"

/* The space's heap region, or NULL. Caller must hold the SPT lock. */
static struct vm_region *heap_of(struct vm_space *s)
{
	for (struct vm_region *r = s->regions; r; r = r->next)
		if (r->kind == VM_REGION_HEAP)
			return r;
	return NULL;
}

/*
 * Move the break by delta bytes (0: just report it); *old_brk gets the
 * break before. VM_E_OVERLAP if growth would meet another region, VM_E_INVAL
 * below the heap's start or without a heap; on error nothing changes.
 * Caller must hold no vmcore lock.
 */
int vm_sbrk(struct vm_space *s, int64_t delta, uint64_t *old_brk)
{
	struct vm *vm = s->vm;
	struct vm_region *h;
	uint64_t old, new, new_end;
	int err = VM_OK;

	vm_lock_take(vm, &s->lock);
	h = heap_of(s);
	if (!h) {
		err = VM_E_INVAL;
		goto out;
	}
	old = s->brk;
	*old_brk = old;
	if (delta >= 0) {
		new = old + (uint64_t)delta;
		if (new < old || new > UINT64_MAX - VM_PAGE_SIZE) {
			err = VM_E_INVAL;
			goto out;
		}
		new_end = (new + VM_PAGE_MASK) & ~VM_PAGE_MASK;
		if (new_end > h->end) {
			if (vm_region_overlaps(s, h->end, new_end, h)) {
				err = VM_E_OVERLAP;
				goto out;
			}
			h->end = new_end;
		}
	} else {
		uint64_t shrink = (uint64_t)0 - (uint64_t)delta;

		if (shrink > old - h->start) {
			err = VM_E_INVAL;
			goto out;
		}
		new = old - shrink;
		new_end = (new + VM_PAGE_MASK) & ~VM_PAGE_MASK;
		if (new_end < h->end) {
			vm_release_range(s, new_end, h->end);
			h->end = new_end;
		}
	}
	s->brk = new;
out:
	vm_lock_drop(vm, &s->lock);
	vm_slot_drain(vm); /* slots of the pages a shrink gave back */
	return err;
}
