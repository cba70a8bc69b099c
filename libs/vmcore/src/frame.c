/*
 * The frame table: one struct vm_frame per frame number the platform can hand
 * out. A frame's lock protects its owner, flags, refcount, pins, copying
 * count and reverse map. refcount always equals the length of the reverse
 * map and the number of SPT entries that point at the frame; a frame goes
 * back to the platform exactly when refcount, pins and copying are all zero
 * and no evictor owns it.
 */
#include "internal.h"

/* Most times frame allocation waits for busy frames (being evicted, copied,
 * filled) to settle before reporting out of memory. */
#define VM_ALLOC_BUSY_RETRIES 10000

/* vm_frame_entry met a frame number the table does not cover: stop. */
void vm_frame_out_of_table(struct vm *vm)
{
	vm_fatal(vm, "vmcore: frame number outside the frame table");
}

/* Add delta to one of vm->stats' counters (not slots_in_use, which the slot
 * lock protects). An atomic add, not a lock: fork and exit change
 * frames_cow_shared for every page, and a lock round trip per change cost
 * about 40 instructions. vm_stats reads each counter atomically. */
void vm_stat_add(struct vm *vm, size_t *counter, long delta)
{
	(void)vm;
	__atomic_fetch_add(counter, (size_t)delta, __ATOMIC_RELAXED);
}

/* A fresh frame from the platform, owned by USER, its lock taken (the
 * caller drops it). */
static int frame_from_platform_locked(struct vm *vm, vm_frame_t *out, struct vm_frame **fep)
{
	struct vm_frame *fe;
	vm_frame_t f;
	int err = vm->plat.frame_alloc(vm->plat.ctx, &f);

	if (err)
		return err;
	fe = vm_frame_entry(vm, f);
	vm_lock_take(vm, &fe->lock);
	if (fe->owner != VM_OWNER_NONE || fe->refcount || fe->pins || fe->rmap)
		vm_fatal(vm, "vmcore: platform handed out a frame vmcore still holds");
	fe->owner = VM_OWNER_USER;
	fe->evicting = false;
	fe->referenced = false;
	vm_stat_add(vm, &vm->stats.frames_user, 1);
	*out = f;
	*fep = fe;
	return VM_OK;
}

/* Take a fresh frame from the platform. */
static int frame_from_platform(struct vm *vm, vm_frame_t *out)
{
	struct vm_frame *fe;
	int err = frame_from_platform_locked(vm, out, &fe);

	if (!err)
		vm_lock_drop(vm, &fe->lock);
	return err;
}

/*
 * vm_frame_try and vm_frame_register in one hold of the frame's lock: a
 * frame from the platform (never by eviction) for a user page, with s's
 * reference at va. VM_E_NOMEM if the platform has none; VM_E_INVAL if no
 * reverse-map record is left (the frame went back). Caller holds s's SPT
 * lock and no vmcore lock of rank 4 or above; the page is s's to fill and
 * map before it lets go of the SPT lock (an evictor that picks the frame
 * needs that lock before it touches it).
 */
int vm_frame_try_register(struct vm *vm, struct vm_space *s, uint64_t va, vm_frame_t *out)
{
	struct vm_frame *fe;
	int err = frame_from_platform_locked(vm, out, &fe);

	if (err)
		return err;
	fe->referenced = true;
	err = vm_frame_add_ref_locked(vm, fe, s, va);
	if (err)
		vm_frame_release_if_unused_locked(vm, fe, *out);
	vm_lock_drop(vm, &fe->lock);
	return err ? VM_E_INVAL : VM_OK;
}

/* Get a frame for a user page from the platform only, never by eviction
 * (vm_fault_noio): VM_E_NOMEM if none is free. Caller may hold no vmcore
 * lock of rank 4 or above (it takes the frame's lock). */
int vm_frame_try(struct vm *vm, vm_frame_t *out)
{
	return frame_from_platform(vm, out);
}

/*
 * Get a frame for a user page: from the platform, else by evicting one. The
 * frame comes back owned by VM_OWNER_USER with refcount 0, which the clock
 * skips, so nobody can take it before the caller registers it.
 * Caller must hold no vmcore lock: eviction takes the frame-table lock and
 * SPT locks (never hold an SPT lock across frame allocation).
 */
int vm_frame_get(struct vm *vm, vm_frame_t *out)
{
	unsigned nothing = 0;
	int err, result = VM_E_NOMEM;

	for (unsigned tries = 0;; tries++) {
		if (frame_from_platform(vm, out) == VM_OK) {
			result = VM_OK;
			break;
		}
		enum vm_evict_result ev = vm_evict(vm, out, &err);
		if (ev == VM_EVICT_GOT) {
			result = VM_OK;
			break;
		}
		if (ev == VM_EVICT_FAILED)
			break;
		if (ev == VM_EVICT_BUSY) {
			if (tries >= VM_ALLOC_BUSY_RETRIES)
				break;
			vm->plat.yield(vm->plat.ctx);
		} else if (++nothing > 3) {
			/* VM_EVICT_NONE: frames freed between our platform
			 * attempt and the sweep leave nothing to evict: look
			 * again, briefly. */
			break;
		}
	}
	/* An eviction whose sharers all exited meanwhile may have dropped a
	 * slot's last reference: give it back now that no lock is held. */
	vm_slot_drain(vm);
	return result;
}

/* Give back a frame that vm_frame_get returned and nobody registered. */
void vm_frame_put_unused(struct vm *vm, vm_frame_t f)
{
	struct vm_frame *fe = vm_frame_entry(vm, f);

	vm_lock_take(vm, &fe->lock);
	vm_frame_release_if_unused_locked(vm, fe, f);
	vm_lock_drop(vm, &fe->lock);
}

/* Free the frame if nothing references, pins, copies or evicts it.
 * Caller must hold the frame's lock. */
void vm_frame_release_if_unused_locked(struct vm *vm, struct vm_frame *fe, vm_frame_t f)
{
	if (fe->refcount || fe->pins || fe->copying || fe->evicting || fe->owner != VM_OWNER_USER)
		return;
	if (fe->rmap)
		vm_fatal(vm, "vmcore: unreferenced frame with a reverse map");
	fe->owner = VM_OWNER_NONE;
	fe->referenced = false;
	vm->plat.frame_free(vm->plat.ctx, f);
	vm_stat_add(vm, &vm->stats.frames_user, -1);
}

/* Add the reference of (s, va) to the frame: a reverse-map node and one
 * count. Caller must hold the frame's lock and s's SPT lock. */
int vm_frame_add_ref_locked(struct vm *vm, struct vm_frame *fe, struct vm_space *s, uint64_t va)
{
	struct vm_rmap *r = vm_pool_get(vm, &vm->rmaps);
	long shared = 0;

	if (!r)
		return VM_E_NOMEM;
	vm_frame_link_ref_locked(fe, s, va, r, &shared);
	if (shared)
		vm_stat_add(vm, &vm->stats.frames_cow_shared, shared);
	return VM_OK;
}

/* Drop the reference of (s, va), then free the frame if that was the last
 * use. Caller must hold the frame's lock and s's SPT lock. */
void vm_frame_drop_ref_locked(struct vm *vm, struct vm_frame *fe, vm_frame_t f, struct vm_space *s,
                              uint64_t va)
{
	long shared = 0;

	vm_pool_put(vm, &vm->rmaps, vm_frame_unlink_ref_locked(vm, fe, f, s, va, &shared));
	if (shared)
		vm_stat_add(vm, &vm->stats.frames_cow_shared, shared);
}

/* vm_frame_drop_ref_locked that hands the reverse-map record back to the
 * caller, who puts it into vm->rmaps (with others at once), and counts a
 * frame that stopped being shared (refcount 2 -> 1) as -1 in *shared, for
 * the caller to add to frames_cow_shared (once for many pages). Same locks. */
struct vm_rmap *vm_frame_unlink_ref_locked(struct vm *vm, struct vm_frame *fe, vm_frame_t f,
                                           struct vm_space *s, uint64_t va, long *shared)
{
	struct vm_rmap **pp = &fe->rmap, *r;

	while ((r = *pp) && !(r->space == s && r->va == va))
		pp = &r->next;
	if (!r)
		vm_fatal(vm, "vmcore: dropping a reference the reverse map does not hold");
	*pp = r->next;
	if (fe->refcount-- == 2)
		--*shared;
	if (!fe->refcount)
		vm_frame_release_if_unused_locked(vm, fe, f);
	return r;
}

/* Register a freshly filled frame as the page (s, va) (refcount 1).
 * Caller must hold s's SPT lock and have checked the entry (check-and-insert). */
int vm_frame_register(struct vm *vm, vm_frame_t f, struct vm_space *s, uint64_t va)
{
	struct vm_frame *fe = vm_frame_entry(vm, f);
	int err;

	vm_lock_take(vm, &fe->lock);
	err = vm_frame_add_ref_locked(vm, fe, s, va);
	fe->referenced = true;
	vm_lock_drop(vm, &fe->lock);
	return err;
}

/* Allocate a frame for the pager or swapd: never an eviction candidate. */
int vm_frame_alloc_owned(struct vm *vm, enum vm_owner owner, vm_frame_t *out)
{
	struct vm_frame *fe;
	int err;

	if (owner != VM_OWNER_PAGER && owner != VM_OWNER_SWAPD)
		return VM_E_INVAL;
	err = vm_frame_get(vm, out);
	if (err)
		return err;
	fe = vm_frame_entry(vm, *out);
	vm_lock_take(vm, &fe->lock);
	fe->owner = (uint8_t)owner;
	vm_lock_drop(vm, &fe->lock);
	vm_stat_add(vm, &vm->stats.frames_user, -1);
	vm_stat_add(vm, &vm->stats.frames_owned, 1);
	return VM_OK;
}

/* Free a frame from vm_frame_alloc_owned. */
void vm_frame_free_owned(struct vm *vm, vm_frame_t f)
{
	struct vm_frame *fe = vm_frame_entry(vm, f);

	vm_lock_take(vm, &fe->lock);
	if (fe->owner != VM_OWNER_PAGER && fe->owner != VM_OWNER_SWAPD)
		vm_fatal(vm, "vmcore: freeing a frame that is not pager- or swapd-owned");
	fe->owner = VM_OWNER_NONE;
	vm->plat.frame_free(vm->plat.ctx, f);
	vm_lock_drop(vm, &fe->lock);
	vm_stat_add(vm, &vm->stats.frames_owned, -1);
}

/* Drop a pin; the frame goes if that was its last use. */
void vm_unpin_frame(struct vm *vm, vm_frame_t f)
{
	struct vm_frame *fe = vm_frame_entry(vm, f);

	vm_lock_take(vm, &fe->lock);
	if (!fe->pins)
		vm_fatal(vm, "vmcore: unpinning a frame that is not pinned");
	fe->pins--;
	vm_frame_release_if_unused_locked(vm, fe, f);
	vm_lock_drop(vm, &fe->lock);
}
