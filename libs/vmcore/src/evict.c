/*
 * Eviction: a second-chance clock over the frame table picks a victim, which
 * is then unmapped from every sharer through the reverse map, written to one
 * backing-store slot, and every sharer's SPT entry is pointed at that slot
 * (slot refcount = number of sharers). docs/vmcore.md, "Eviction".
 *
 * Locks: the frame-table lock (vm.clock_lock) is held only while choosing;
 * the victim is then owned through fe->evicting, which makes every other
 * path leave the frame alone (faults answer VM_RETRY, fork waits, the clock
 * skips it). Each sharer is visited as SPT lock then frame lock, never the
 * other way round; no lock is held across the write-out.
 */
#include "internal.h"

typedef void (*sharer_fn)(struct vm *vm, struct vm_space *s, struct vm_page *p, struct vm_frame *fe,
                          vm_frame_t f, vm_slot_t slot);

/* Choose a victim with the clock and mark it evicting. Two sweeps give every
 * accessed frame its second chance; if other threads keep touching every
 * frame, a third sweep takes the first candidate regardless, so eviction
 * makes progress while anything is evictable. Takes the frame-table lock,
 * then each candidate's frame lock. */
static enum vm_evict_result choose_victim(struct vm *vm, vm_frame_t *victim)
{
	enum vm_evict_result result = VM_EVICT_NONE;

	vm_lock_take(vm, &vm->clock_lock);
	for (size_t i = 0; i < 3 * vm->nframes; i++) {
		struct vm_frame *fe = &vm->frames[vm->hand];
		vm_frame_t f = vm->frame_base + vm->hand;
		bool accessed;

		vm->hand = (vm->hand + 1) % vm->nframes;
		vm_lock_take(vm, &fe->lock);
		if (fe->owner != VM_OWNER_USER) {
			vm_lock_drop(vm, &fe->lock);
			continue;
		}
		/* In use by a COW copy, pinned, being filled or evicted: not now. */
		if (fe->evicting || fe->pins || fe->copying || fe->refcount == 0) {
			result = VM_EVICT_BUSY;
			vm_lock_drop(vm, &fe->lock);
			continue;
		}
		accessed = fe->referenced;
		fe->referenced = false;
		for (struct vm_rmap *r = fe->rmap; r; r = r->next)
			if (vm->plat.test_clear_accessed(vm->plat.ctx, r->space->cookie, r->va))
				accessed = true;
		if (!accessed || i >= 2 * vm->nframes) {
			fe->evicting = true;
			for (struct vm_rmap *r = fe->rmap; r; r = r->next)
				r->pass = 0;
			*victim = f;
			result = VM_EVICT_GOT;
		}
		vm_lock_drop(vm, &fe->lock);
		if (result == VM_EVICT_GOT)
			break;
	}
	vm_lock_drop(vm, &vm->clock_lock);
	return result;
}

/* Find the reverse-map node of (s, va). Caller must hold the frame's lock. */
static bool rmap_has(struct vm_frame *fe, struct vm_space *s, uint64_t va)
{
	for (struct vm_rmap *r = fe->rmap; r; r = r->next)
		if (r->space == s && r->va == va)
			return true;
	return false;
}

/*
 * Call fn once for every sharer of the evicting frame f not yet visited by
 * this pass, under that sharer's SPT lock and the frame lock. Between
 * sharers the frame lock is dropped (it ranks below SPT locks), so the
 * sharer may exit meanwhile: the space is held so its memory stays valid,
 * and its reverse-map node is looked up again under both locks.
 * Caller must hold no lock.
 */
static void for_each_sharer(struct vm *vm, vm_frame_t f, uint8_t pass, sharer_fn fn, vm_slot_t slot)
{
	struct vm_frame *fe = vm_frame_entry(vm, f);

	for (;;) {
		struct vm_rmap *r;
		struct vm_space *s;
		uint64_t va;

		vm_lock_take(vm, &fe->lock);
		for (r = fe->rmap; r && r->pass >= pass; r = r->next) {
		}
		if (!r) {
			vm_lock_drop(vm, &fe->lock);
			return;
		}
		r->pass = pass;
		s = r->space;
		va = r->va;
		vm_space_hold_locked_frame(s);
		vm_lock_drop(vm, &fe->lock);

		vm_lock_take(vm, &s->lock);
		vm_lock_take(vm, &fe->lock);
		/* Re-check: the sharer may have exited or shrunk its heap. */
		if (rmap_has(fe, s, va))
			fn(vm, s, vm_page_lookup(s, va), fe, f, slot);
		vm_lock_drop(vm, &fe->lock);
		vm_lock_drop(vm, &s->lock);
		vm_space_unhold(s);
	}
}

/* Pass 1: remove the sharer's mapping so nothing writes the frame any more. */
static void unmap_sharer(struct vm *vm, struct vm_space *s, struct vm_page *p, struct vm_frame *fe,
                         vm_frame_t f, vm_slot_t slot)
{
	(void)fe;
	(void)f;
	(void)slot;
	if (p->mapped) {
		vm->plat.unmap(vm->plat.ctx, s->cookie, p->va, 1);
		p->mapped = false;
	}
}

/* Pass 2: point the sharer's entry at the slot; move its reference there. */
static void swap_sharer(struct vm *vm, struct vm_space *s, struct vm_page *p, struct vm_frame *fe,
                        vm_frame_t f, vm_slot_t slot)
{
	vm_slot_ref(vm, slot);
	p->swapped = true;
	p->slot = slot;
	p->cow = false;
	p->gen = ++s->gen_next;
	s->resident--;
	s->swapped++;
	vm_frame_drop_ref_locked(vm, fe, f, s, p->va);
}

/* End the eviction of f: the caller now owns it (refcount 0, skipped by the clock). */
static void finish(struct vm *vm, struct vm_frame *fe)
{
	vm_lock_take(vm, &fe->lock);
	fe->evicting = false;
	fe->referenced = false;
	vm_lock_drop(vm, &fe->lock);
}

/*
 * Evict one frame and hand it to the caller (not back to the platform, so no
 * other thread can take it first). VM_EVICT_BUSY: nothing evictable now but
 * some frame is transiently in use; VM_EVICT_NONE: nothing evictable at all;
 * VM_EVICT_FAILED: the write-out failed (*err: VM_E_IO or VM_E_FULL), the
 * victim stays in memory, unmapped (its next fault maps it again).
 * Caller must hold no vmcore lock.
 */
enum vm_evict_result vm_evict(struct vm *vm, vm_frame_t *out, int *err)
{
	enum vm_evict_result res;
	struct vm_frame *fe;
	vm_frame_t f = 0;
	vm_slot_t slot = 0;
	bool gone;

	res = choose_victim(vm, &f);
	if (res != VM_EVICT_GOT)
		return res;
	fe = vm_frame_entry(vm, f);
	for_each_sharer(vm, f, 1, unmap_sharer, 0);

	vm_lock_take(vm, &fe->lock);
	gone = fe->refcount == 0; /* every sharer exited meanwhile: nothing to write */
	vm_lock_drop(vm, &fe->lock);
	if (!gone) {
		*err = vm->plat.swap_out(vm->plat.ctx, f, &slot);
		if (*err == VM_OK && vm_slot_first_ref(vm, slot) != VM_OK)
			*err = VM_E_IO;
		if (*err != VM_OK) {
			vm_lock_take(vm, &fe->lock);
			fe->evicting = false;
			gone = fe->refcount == 0;
			vm_lock_drop(vm, &fe->lock);
			if (!gone)
				return VM_EVICT_FAILED;
		} else {
			/* The evictor's own slot reference keeps the slot alive while
			 * sharers that already moved to it exit. */
			for_each_sharer(vm, f, 2, swap_sharer, slot);
			vm_slot_unref(vm, slot);
			vm_stat_add(vm, &vm->stats.evictions, 1);
		}
	}
	finish(vm, fe);
	*out = f;
	return VM_EVICT_GOT;
}

/* Evict one frame and give it back to the platform (a background evictor,
 * tests). VM_E_NOENT if nothing can be evicted now. */
int vm_evict_one(struct vm *vm)
{
	vm_frame_t f;
	int err = VM_OK;
	enum vm_evict_result res = vm_evict(vm, &f, &err);

	vm_slot_drain(vm); /* the evictor's hold may have been a slot's last reference */
	switch (res) {
	case VM_EVICT_GOT:
		vm_frame_put_unused(vm, f);
		return VM_OK;
	case VM_EVICT_FAILED:
		return err;
	default:
		return VM_E_NOENT;
	}
}
