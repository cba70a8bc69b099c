/*
 * The fault entry point: given (space, vaddr, access, user SP) decide and do
 * zero-fill, file read, stack growth, swap-in, COW break or remap, or give a
 * kill verdict. docs/vmcore.md describes each path and its protocol.
 *
 * Every path that needs a new frame drops the SPT lock first (frame
 * allocation may evict, and eviction takes SPT locks), fills the frame with
 * no lock held, then retakes the SPT lock and checks that the entry is still
 * what it saw (same entry, same generation) before inserting: atomic
 * check-and-insert. If it changed, the new frame is given back and the
 * fault answers VM_RETRY; the thread faults again and sees the new state.
 *
 * vm_fault_noio is the same fault for a caller that must not wait on the
 * backing store (the pager's workers): a swap-in, or a new frame when none
 * is free (getting one would evict, a write-out), answers VM_NEED_IO before
 * anything has changed, and the caller hands the fault to a thread that may
 * wait (docs/vmcore.md, "Faults that need I/O").
 */
#include "internal.h"

/* What a fault outside every region was: near below a stack's limit, or not. */
static enum vm_kill_reason no_region_reason(struct vm_space *s, uint64_t va)
{
	for (struct vm_region *r = s->regions; r; r = r->next)
		if (r->kind == VM_REGION_STACK && va < r->start && r->start - va <= VM_STACK_GUARD)
			return VM_KILL_STACK_LIMIT;
	return VM_KILL_NO_REGION;
}

/* Read the file bytes that fall in the page at va into frame f (already
 * zeroed). No lock needed: r is the caller's copy of the region. */
static int read_file_part(struct vm *vm, const struct vm_region *r, uint64_t va, vm_frame_t f)
{
	uint64_t lo = va > r->file_vaddr ? va : r->file_vaddr;
	uint64_t hi = va + VM_PAGE_SIZE;
	uint64_t fend = r->file_vaddr + r->file_size;

	if (r->kind != VM_REGION_FILE)
		return VM_OK;
	if (fend < hi)
		hi = fend;
	if (lo >= hi)
		return VM_OK;
	return vm->plat.file_read(vm->plat.ctx, r->file, r->file_offset + (lo - r->file_vaddr), f,
	                          (size_t)(lo - va), (size_t)(hi - lo));
}

/* A frame for a fault: by any means if may_io, else only a free one. */
static int fault_frame(struct vm *vm, bool may_io, vm_frame_t *out)
{
	return may_io ? vm_frame_get(vm, out) : vm_frame_try(vm, out);
}

/* The verdict when fault_frame found no frame: out of memory, or (no I/O
 * allowed) go and get one where waiting is allowed. */
static struct vm_verdict no_frame(bool may_io, uint64_t addr)
{
	return may_io ? vm_verdict_kill(VM_KILL_OOM, addr) : vm_verdict_need_io();
}

/* New entry p of region r is in frame nf (registered): map it, and resume.
 * Caller holds the SPT lock; it is dropped. */
static inline struct vm_verdict map_new_page(struct vm_space *s, const struct vm_region *r,
                                             struct vm_page *p, vm_frame_t nf)
{
	struct vm *vm = s->vm;

	p->frame = nf;
	p->mapped = true;
	s->resident++;
	vm->plat.map(vm->plat.ctx, s->cookie, p->va, &nf, 1, vm_page_rights(r, p));
	vm_lock_drop(vm, &s->lock);
	return vm_verdict_resume();
}

/* Enter filled frame nf as the page at va of region r and map it: the last
 * step of a first touch. Caller holds the SPT lock and checked that va has
 * no entry; it is dropped. */
static inline struct vm_verdict insert_filled(struct vm_space *s, const struct vm_region *r,
                                              uint64_t va, vm_frame_t nf, uint64_t addr)
{
	struct vm *vm = s->vm;
	struct vm_page *p = vm_page_insert(s, va);

	if (!p || vm_frame_register(vm, nf, s, va) != VM_OK) {
		if (p)
			vm_page_remove(s, p);
		vm_lock_drop(vm, &s->lock);
		vm_frame_put_unused(vm, nf);
		return vm_verdict_kill(VM_KILL_OOM, addr);
	}
	return map_new_page(s, r, p, nf);
}

/*
 * First touch of a page with no entry: zero-fill (zero, heap, stack regions,
 * file pages past the file's bytes) or read from the file. Caller holds no
 * lock; region is a copy taken under the SPT lock.
 */
static struct vm_verdict fill_page(struct vm_space *s, struct vm_region region, uint64_t va,
                                   uint64_t addr, bool may_io)
{
	struct vm *vm = s->vm;
	struct vm_region *r;
	vm_frame_t nf;

	if (fault_frame(vm, may_io, &nf) != VM_OK)
		return no_frame(may_io, addr);
	vm->plat.page_zero(vm->plat.ctx, nf);
	if (read_file_part(vm, &region, va, nf) != VM_OK) {
		vm_frame_put_unused(vm, nf);
		return vm_verdict_kill(VM_KILL_IO, addr);
	}

	vm_lock_take(vm, &s->lock);
	r = vm_region_find(s, va);
	/* Check-and-insert: still no entry, and still the same region. */
	if (vm_page_lookup(s, va) || !r || r->kind != region.kind || r->file != region.file) {
		vm_lock_drop(vm, &s->lock);
		vm_frame_put_unused(vm, nf);
		return vm_verdict_retry();
	}
	return insert_filled(s, r, va, nf, addr);
}

/*
 * First touch of a zero page (zero, heap and stack regions) by a fault that
 * may not wait (vm_fault_noio), done whole under the SPT lock. The rule
 * "never hold an SPT lock across frame allocation" exists because
 * allocation may evict and eviction takes SPT locks; vm_frame_try never
 * evicts (it takes only the frame's lock, rank 4, and the platform's
 * allocator), so here the lock is kept, and with it the entry's absence:
 * no second lookup, no check-and-insert; the frame is taken and registered
 * in one hold of its lock. The page is cleared under the SPT lock (a few
 * hundred instructions; a file read, which may be longer, still goes
 * through fill_page). Caller holds the SPT lock; it is dropped.
 */
static struct vm_verdict fill_zero_locked(struct vm_space *s, const struct vm_region *r,
                                          uint64_t va, uint64_t addr)
{
	struct vm *vm = s->vm;
	struct vm_page *p;
	vm_frame_t nf;
	int err = vm_frame_try_register(vm, s, va, &nf);

	if (err) {
		vm_lock_drop(vm, &s->lock);
		return err == VM_E_NOMEM ? vm_verdict_need_io()
		                         : vm_verdict_kill(VM_KILL_OOM, addr);
	}
	vm->plat.page_zero(vm->plat.ctx, nf);
	p = vm_page_insert(s, va);
	if (!p) {
		struct vm_frame *fe = vm_frame_entry(vm, nf);
		vm_lock_take(vm, &fe->lock);
		vm_frame_drop_ref_locked(vm, fe, nf, s, va); /* the frame goes back */
		vm_lock_drop(vm, &fe->lock);
		vm_lock_drop(vm, &s->lock);
		return vm_verdict_kill(VM_KILL_OOM, addr);
	}
	return map_new_page(s, r, p, nf);
}

/*
 * Swap-in: read the page's slot into a new private frame. If other sharers
 * still name the slot they keep it (slot refcount); this space's entry
 * becomes an exclusive frame, so a write needs no further COW break.
 * Caller holds the SPT lock; it is dropped.
 */
static struct vm_verdict swap_in_page(struct vm_space *s, struct vm_page *p, uint64_t addr)
{
	struct vm *vm = s->vm;
	uint64_t va = p->va, gen = p->gen;
	vm_slot_t slot = p->slot;
	struct vm_region *r;
	vm_frame_t nf;
	int err;

	/* Hold the slot so it is not freed and reused while we read it. */
	vm_slot_ref(vm, slot);
	vm_lock_drop(vm, &s->lock);

	if (vm_frame_get(vm, &nf) != VM_OK) {
		vm_slot_unref(vm, slot);
		return vm_verdict_kill(VM_KILL_OOM, addr);
	}
	err = vm->plat.swap_in(vm->plat.ctx, slot, nf);
	if (err != VM_OK) {
		vm_frame_put_unused(vm, nf);
		vm_slot_unref(vm, slot);
		return vm_verdict_kill(VM_KILL_IO, addr);
	}

	vm_lock_take(vm, &s->lock);
	if (vm_page_lookup(s, va) != p || p->gen != gen) {
		vm_lock_drop(vm, &s->lock);
		vm_frame_put_unused(vm, nf);
		vm_slot_unref(vm, slot);
		return vm_verdict_retry();
	}
	if (vm_frame_register(vm, nf, s, va) != VM_OK) {
		vm_lock_drop(vm, &s->lock);
		vm_frame_put_unused(vm, nf);
		vm_slot_unref(vm, slot);
		return vm_verdict_kill(VM_KILL_OOM, addr);
	}
	r = vm_region_find(s, va);
	p->swapped = false;
	p->frame = nf;
	p->cow = false;
	p->gen = ++s->gen_next;
	p->mapped = true;
	s->swapped--;
	s->resident++;
	vm->plat.map(vm->plat.ctx, s->cookie, va, &nf, 1, vm_page_rights(r, p));
	vm_slot_unref(vm, slot); /* the entry's reference */
	vm_lock_drop(vm, &s->lock);
	vm_slot_unref(vm, slot); /* our hold */
	return vm_verdict_resume();
}

/*
 * COW break of a page whose frame is shared (or pinned, or being copied by
 * another COW break): copy it to a new frame and move this space to the
 * copy. The delayed-decrement protocol: this space's reference to the old
 * frame is kept (and counted in fe->copying) while the copy runs with no
 * lock held, so every other sharer still sees refcount >= 2 and copies
 * instead of writing the old frame in place, and the clock skips it; only
 * after the copy is installed is the old reference dropped.
 * Caller holds the SPT lock and the frame's lock; both are dropped.
 */
static struct vm_verdict cow_break(struct vm_space *s, struct vm_page *p, struct vm_frame *fe,
                                   uint64_t addr, bool may_io)
{
	struct vm *vm = s->vm;
	uint64_t va = p->va, gen = p->gen;
	vm_frame_t f = p->frame, nf;
	struct vm_region *r;

#ifdef VMCORE_MUTATION_NO_DELAYED_DECREMENT
	/* Mutation for the harness's self-check only: drop the reference
	 * before copying (the StarryOS race). It cannot be undone, so this
	 * build never gives up for lack of a free frame. */
	vm_frame_drop_ref_locked(vm, fe, f, s, va);
	may_io = true;
#else
	fe->copying++;
#endif
	vm_lock_drop(vm, &fe->lock);
	vm_lock_drop(vm, &s->lock);

	if (fault_frame(vm, may_io, &nf) != VM_OK) {
		/* Give up the copy: the entry still holds its reference, so
		 * nothing else changed (a later fault starts over). */
#ifndef VMCORE_MUTATION_NO_DELAYED_DECREMENT
		vm_lock_take(vm, &fe->lock);
		fe->copying--;
		vm_frame_release_if_unused_locked(vm, fe, f);
		vm_lock_drop(vm, &fe->lock);
#endif
		return no_frame(may_io, addr);
	}
	vm->plat.page_copy(vm->plat.ctx, nf, f);

	vm_lock_take(vm, &s->lock);
#ifndef VMCORE_MUTATION_NO_DELAYED_DECREMENT
	vm_lock_take(vm, &fe->lock);
	fe->copying--;
	/* Our entry changed meanwhile (a sibling thread broke COW first, heap
	 * shrink, exit): our reference is gone or moved; discard the copy. */
	if (vm_page_lookup(s, va) != p || p->gen != gen) {
		vm_frame_release_if_unused_locked(vm, fe, f);
		vm_lock_drop(vm, &fe->lock);
		vm_lock_drop(vm, &s->lock);
		vm_frame_put_unused(vm, nf);
		return vm_verdict_retry();
	}
	vm_lock_drop(vm, &fe->lock);
#else
	if (vm_page_lookup(s, va) != p || p->gen != gen) {
		vm_lock_drop(vm, &s->lock);
		vm_frame_put_unused(vm, nf);
		return vm_verdict_retry();
	}
#endif
	if (vm_frame_register(vm, nf, s, va) != VM_OK) {
		vm_lock_drop(vm, &s->lock);
		vm_frame_put_unused(vm, nf);
		return vm_verdict_kill(VM_KILL_OOM, addr);
	}
	r = vm_region_find(s, va);
	p->frame = nf;
	p->cow = false;
	p->gen = ++s->gen_next;
	p->mapped = true;
	/* Map the copy (replacing the read-only mapping of the old frame)
	 * before dropping the old reference, so no thread of this space reads
	 * the old frame once another sharer may write it in place. */
	vm->plat.map(vm->plat.ctx, s->cookie, va, &nf, 1, vm_page_rights(r, p));
#ifndef VMCORE_MUTATION_NO_DELAYED_DECREMENT
	vm_lock_take(vm, &fe->lock);
	vm_frame_drop_ref_locked(vm, fe, f, s, va); /* the delayed decrement */
	vm_lock_drop(vm, &fe->lock);
#endif
	s->copies++;
	vm_lock_drop(vm, &s->lock);
	vm_stat_add(vm, &vm->stats.copies, 1);
	return vm_verdict_resume();
}

/*
 * A fault on a page that has a frame. Pin-if-present: if an evictor owns the
 * frame the fault answers VM_RETRY and is retried as a not-present fault.
 * Caller holds the SPT lock; it is dropped.
 */
static struct vm_verdict frame_fault(struct vm_space *s, struct vm_region *r, struct vm_page *p,
                                     enum vm_access access, uint64_t addr, bool may_io)
{
	struct vm *vm = s->vm;
	struct vm_frame *fe = vm_frame_entry(vm, p->frame);

	vm_lock_take(vm, &fe->lock);
	if (fe->evicting) {
		vm_lock_drop(vm, &fe->lock);
		vm_lock_drop(vm, &s->lock);
		return vm_verdict_retry();
	}
	if (access == VM_ACCESS_WRITE && p->cow) {
		if (fe->refcount > 1 || fe->pins || fe->copying)
			return cow_break(s, p, fe, addr, may_io);
		/* The last sharer, unpinned, not being copied: no copy. */
		p->cow = false;
		p->gen = ++s->gen_next;
		if (p->mapped)
			vm->plat.protect(vm->plat.ctx, s->cookie, p->va, 1, vm_page_rights(r, p));
		else
			vm->plat.map(vm->plat.ctx, s->cookie, p->va, &p->frame, 1,
			             vm_page_rights(r, p));
		p->mapped = true;
		vm_stat_add(vm, &vm->stats.reuses, 1);
	} else if (!p->mapped) {
		vm->plat.map(vm->plat.ctx, s->cookie, p->va, &p->frame, 1, vm_page_rights(r, p));
		p->mapped = true;
	}
	fe->referenced = true;
	vm_lock_drop(vm, &fe->lock);
	vm_lock_drop(vm, &s->lock);
	return vm_verdict_resume();
}

/* A fault of s at addr (vm_fault); may_io false: answer VM_NEED_IO
 * instead of waiting on the backing store. Caller must hold no vmcore lock. */
static struct vm_verdict fault(struct vm_space *s, uint64_t addr, enum vm_access access,
                               uint64_t sp, bool may_io)
{
	struct vm *vm = s->vm;
	uint64_t va = addr & ~VM_PAGE_MASK;
	enum vm_kill_reason why = VM_KILL_NONE;
	struct vm_region *r, copy;
	struct vm_page *p;

	vm_lock_take(vm, &s->lock);
	r = vm_region_find(s, va);
	if (!r)
		why = no_region_reason(s, va);
	else if (access == VM_ACCESS_WRITE && !(r->rights & VM_W))
		why = VM_KILL_WRITE_READONLY;
	else if (access == VM_ACCESS_EXEC && !(r->rights & VM_X))
		why = VM_KILL_EXEC_NOEXEC;
	if (why != VM_KILL_NONE) {
		vm_lock_drop(vm, &s->lock);
		return vm_verdict_kill(why, addr);
	}
	p = vm_page_lookup(s, va);
	if (p && p->swapped && !may_io) {
		vm_lock_drop(vm, &s->lock);
		return vm_verdict_need_io();
	}
	if (p && p->swapped)
		return swap_in_page(s, p, addr);
	if (p)
		return frame_fault(s, r, p, access, addr, may_io);
	/* Stack growth: a write anywhere within the limit grows the stack;
	 * a read of a never-written page far below SP is a bug. */
	if (r->kind == VM_REGION_STACK && access != VM_ACCESS_WRITE &&
	    addr + VM_STACK_READ_SLACK < sp) {
		vm_lock_drop(vm, &s->lock);
		return vm_verdict_kill(VM_KILL_STACK_FAR_BELOW_SP, addr);
	}
	if (!may_io && r->kind != VM_REGION_FILE)
		return fill_zero_locked(s, r, va, addr);
	copy = *r;
	vm_lock_drop(vm, &s->lock);
	return fill_page(s, copy, va, addr, may_io);
}

/*
 * Handle a fault of space s at addr with the given access kind; sp is the
 * faulting thread's stack pointer (stack growth rules). Returns the verdict
 * the pager turns into a reply (VM_RESUME, VM_RETRY) or a kill (VM_KILL).
 * May wait for the backing store (swap-in, eviction).
 * Caller must hold no vmcore lock.
 */
struct vm_verdict vm_fault(struct vm_space *s, uint64_t addr, enum vm_access access, uint64_t sp)
{
	struct vm_verdict v = fault(s, addr, access, sp, true);

	vm_slot_drain(s->vm); /* a swap-in may have dropped a slot's last reference */
	return v;
}

/*
 * vm_fault for a caller that must not wait for the backing store: where
 * vm_fault would swap in or evict, answers VM_NEED_IO with nothing changed
 * (the caller then calls vm_fault from a thread that may wait). Zero-fill,
 * file pages, COW breaks and remaps with a free frame complete as in
 * vm_fault. Never calls the backing store. Caller must hold no vmcore lock.
 */
struct vm_verdict vm_fault_noio(struct vm_space *s, uint64_t addr, enum vm_access access,
                                uint64_t sp)
{
	return fault(s, addr, access, sp, false);
}

/*
 * Pin the page at va in a frame of its own (faulting it in, breaking COW in
 * a writable region), so it is never evicted or shared until
 * vm_unpin_frame: for pages others write on the process's behalf.
 * Caller must hold no vmcore lock.
 */
int vm_pin_page(struct vm_space *s, uint64_t va, vm_frame_t *frame)
{
	struct vm *vm = s->vm;

	va &= ~VM_PAGE_MASK;
	for (unsigned tries = 0; tries < 10000; tries++) {
		struct vm_region *r;
		struct vm_page *p;
		struct vm_verdict v;
		unsigned rights;

		vm_lock_take(vm, &s->lock);
		r = vm_region_find(s, va);
		if (!r) {
			vm_lock_drop(vm, &s->lock);
			return VM_E_NOENT;
		}
		rights = r->rights;
		p = vm_page_lookup(s, va);
		if (p && !p->swapped && !(p->cow && (rights & VM_W))) {
			struct vm_frame *fe = vm_frame_entry(vm, p->frame);

			vm_lock_take(vm, &fe->lock);
			if (!fe->evicting) {
				fe->pins++;
				*frame = p->frame;
				vm_lock_drop(vm, &fe->lock);
				vm_lock_drop(vm, &s->lock);
				return VM_OK;
			}
			vm_lock_drop(vm, &fe->lock);
		}
		vm_lock_drop(vm, &s->lock);
		v = vm_fault(s, va, (rights & VM_W) ? VM_ACCESS_WRITE : VM_ACCESS_READ, va);
		if (v.kind == VM_KILL)
			return v.reason == VM_KILL_IO ? VM_E_IO : VM_E_NOMEM;
		if (v.kind == VM_RETRY)
			vm->plat.yield(vm->plat.ctx);
	}
	return VM_E_NOMEM;
}
