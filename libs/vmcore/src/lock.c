/*
 * Locks: the platform's lock plus the rank that places it in the lock order.
 * With VMCORE_LOCKCHECK defined, every acquisition is checked against the
 * calling thread's record of held ranks and an out-of-order acquisition stops
 * the program through the platform's fatal().
 */
#include "internal.h"

/* Stop: an internal invariant broke. */
void vm_fatal(struct vm *vm, const char *msg)
{
	vm->plat.fatal(vm->plat.ctx, msg);
	for (;;) {
	}
}

#ifdef VMCORE_LOCKCHECK
/* Record that the calling thread takes a lock of this rank, or stop if it
 * already holds one of an equal or higher rank. */
void vm_lock_check_acquire(struct vm *vm, unsigned rank)
{
	struct vm_lockrec *rec = vm->plat.lockrec(vm->plat.ctx);
	char msg[96];
	size_t n;

	for (unsigned i = 0; i < rec->n; i++) {
		if (rec->held[i] >= rank) {
			n = vm_fmt_str(msg, sizeof(msg), 0,
			               "vmcore lock order violation: acquiring rank ");
			n = vm_fmt_dec(msg, sizeof(msg), n, rank);
			n = vm_fmt_str(msg, sizeof(msg), n, " while holding rank ");
			vm_fmt_dec(msg, sizeof(msg), n, rec->held[i]);
			vm_fatal(vm, msg);
		}
	}
	if (rec->n == VM_LOCKREC_MAX)
		vm_fatal(vm, "vmcore lock record overflow");
	rec->held[rec->n++] = (uint8_t)rank;
}

/* Forget the most recent acquisition of this rank. */
void vm_lock_check_release(struct vm *vm, unsigned rank)
{
	struct vm_lockrec *rec = vm->plat.lockrec(vm->plat.ctx);

	for (unsigned i = rec->n; i-- > 0;) {
		if (rec->held[i] == rank) {
			for (unsigned j = i; j + 1 < rec->n; j++)
				rec->held[j] = rec->held[j + 1];
			rec->n--;
			return;
		}
	}
	vm_fatal(vm, "vmcore lock released that was not held");
}
#endif

/* Initialise a lock with its rank. */
void vm_lock_init(struct vm *vm, struct vm_lock *l, enum vm_rank rank)
{
	l->rank = (uint8_t)rank;
	vm->plat.lock_init(vm->plat.ctx, l->impl);
}
