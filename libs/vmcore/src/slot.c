/*
 * Swap-slot reference counts. The backing store owns slot allocation; vmcore
 * counts the SPT entries (plus transient holds by an evictor or a swap-in in
 * flight) that name each slot, and gives the slot back to the store when the
 * count reaches 0. vm.slot_lock protects slot_refs, slots_to_free and
 * stats.slots_in_use.
 *
 * Giving a slot back is a call to the backing store (in the pager, a Call to
 * swapd, which may wait while swapd's transfers are all in flight), and the
 * last reference is often dropped deep inside a path that holds SPT and
 * frame locks. So the last unref only puts the slot on the to-free list;
 * vm_slot_drain, which every public entry point calls once it holds no
 * vmcore lock, hands the listed slots to the store. The list lives in the
 * slot table itself (a listed slot's word is VM_SLOT_FREEING | next + 1), so
 * it costs no memory and holds every slot at most once.
 */
#include "internal.h"

/* A slot whose last reference is gone and that the store has not been given
 * back yet; the low bits link the to-free list (next slot + 1, 0 = end). */
#define VM_SLOT_FREEING 0x80000000u
#define VM_SLOT_LINK    0x7fffffffu

/* Is the slot number valid and referenced? Caller must hold the slot lock. */
static bool slot_in_use_locked(struct vm *vm, vm_slot_t s)
{
	return s < vm->nslots && vm->slot_refs[s] != 0 && !(vm->slot_refs[s] & VM_SLOT_FREEING);
}

/* Take the first reference on a slot the backing store just filled. Returns
 * VM_E_IO if the store returned a slot number vmcore cannot track (out of
 * range, in use, or not yet given back). */
int vm_slot_first_ref(struct vm *vm, vm_slot_t s)
{
	int err = VM_OK;

	vm_lock_take(vm, &vm->slot_lock);
	if (s >= vm->nslots || vm->slot_refs[s] != 0) {
		err = VM_E_IO;
	} else {
		vm->slot_refs[s] = 1;
		vm->stats.slots_in_use++;
	}
	vm_lock_drop(vm, &vm->slot_lock);
	return err;
}

/* Add a reference to a slot in use. */
void vm_slot_ref(struct vm *vm, vm_slot_t s)
{
	vm_lock_take(vm, &vm->slot_lock);
	if (!slot_in_use_locked(vm, s))
		vm_fatal(vm, "vmcore: referencing a slot that is not in use");
	vm->slot_refs[s]++;
	vm_lock_drop(vm, &vm->slot_lock);
}

/* Drop a reference; the last one puts the slot on the to-free list (no
 * longer in use from here on) for the next vm_slot_drain. Any lock may be
 * held: nothing outside vmcore is called. */
void vm_slot_unref(struct vm *vm, vm_slot_t s)
{
	vm_lock_take(vm, &vm->slot_lock);
	if (!slot_in_use_locked(vm, s))
		vm_fatal(vm, "vmcore: dropping a reference to a slot that is not in use");
	if (--vm->slot_refs[s] == 0) {
		vm->stats.slots_in_use--;
		vm->slot_refs[s] = VM_SLOT_FREEING | vm->slots_to_free;
		vm->slots_to_free = s + 1;
	}
	vm_lock_drop(vm, &vm->slot_lock);
}

/*
 * Give every slot on the to-free list back to the backing store, one call
 * each with no lock held. A slot leaves the list (its word back to 0) before
 * its call, so a store that hands it out again at once finds vmcore ready
 * for vm_slot_first_ref. Several threads may drain at once; each slot is
 * taken by one. Caller must hold no vmcore lock.
 */
void vm_slot_drain(struct vm *vm)
{
	for (;;) {
		vm_slot_t s;

		vm_lock_take(vm, &vm->slot_lock);
		if (!vm->slots_to_free) {
			vm_lock_drop(vm, &vm->slot_lock);
			return;
		}
		s = vm->slots_to_free - 1;
		vm->slots_to_free = vm->slot_refs[s] & VM_SLOT_LINK;
		vm->slot_refs[s] = 0;
		/* The slot is off the list and unreferenced, so it is ours: give
		 * it back with no lock held, then look at the list again. */
		vm_lock_drop(vm, &vm->slot_lock);
		vm->plat.slot_free(vm->plat.ctx, s);
	}
}

/* Is slot s on the to-free list? For the invariant checker. */
bool vm_slot_freeing(struct vm *vm, vm_slot_t s)
{
	return (vm->slot_refs[s] & VM_SLOT_FREEING) != 0;
}
