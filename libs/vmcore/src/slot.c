/*
 * Swap-slot reference counts. The backing store owns slot allocation; vmcore
 * counts the SPT entries (plus transient holds by an evictor or a swap-in in
 * flight) that name each slot, and frees the slot when the count reaches 0.
 * vm.slot_lock protects slot_refs and stats.slots_in_use.
 */
#include "internal.h"

/* Take the first reference on a slot the backing store just filled. Returns
 * VM_E_IO if the store returned a slot number vmcore cannot track. */
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
	if (s >= vm->nslots || vm->slot_refs[s] == 0)
		vm_fatal(vm, "vmcore: referencing a slot that is not in use");
	vm->slot_refs[s]++;
	vm_lock_drop(vm, &vm->slot_lock);
}

/* Drop a reference; the last one frees the slot at the backing store. */
void vm_slot_unref(struct vm *vm, vm_slot_t s)
{
	vm_lock_take(vm, &vm->slot_lock);
	if (s >= vm->nslots || vm->slot_refs[s] == 0)
		vm_fatal(vm, "vmcore: dropping a reference to a slot that is not in use");
	if (--vm->slot_refs[s] == 0) {
		vm->stats.slots_in_use--;
		vm->plat.slot_free(vm->plat.ctx, s);
	}
	vm_lock_drop(vm, &vm->slot_lock);
}
