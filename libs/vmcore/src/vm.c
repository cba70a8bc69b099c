/*
 * Setting up the VM core over caller memory, and reading its accounting.
 */
#include "internal.h"

/* Does the platform supply every call vmcore makes? (lockrec only matters
 * with VMCORE_LOCKCHECK.) */
static bool platform_complete(const struct vm_platform *p)
{
	return p->lock_init && p->lock && p->unlock && p->yield && p->fatal && p->frame_alloc &&
	       p->frame_free && p->page_zero && p->page_copy && p->map && p->protect && p->unmap &&
	       p->test_clear_accessed && p->swap_out && p->swap_in && p->slot_free && p->file_read
#ifdef VMCORE_LOCKCHECK
	       && p->lockrec
#endif
	    ;
}

/* Set up vm over the caller's frame table, slot table and pool memory.
 * VM_E_INVAL if the platform lacks a call or the memory is missing. */
int vm_init(struct vm *vm, const struct vm_platform *plat, const struct vm_config *cfg)
{
	if (!plat || !cfg || !platform_complete(plat) || !cfg->frames || !cfg->nframes ||
	    (cfg->nslots && !cfg->slot_refs) || !cfg->page_mem || !cfg->npages_records ||
	    !cfg->rmap_mem || !cfg->nrmap_records || !cfg->region_mem || !cfg->nregion_records)
		return VM_E_INVAL;
	memset(vm, 0, sizeof(*vm));
	vm->plat = *plat;
	vm_lock_init(vm, &vm->clock_lock, VM_RANK_CLOCK);
	vm_lock_init(vm, &vm->slot_lock, VM_RANK_SLOT);
	vm->frames = cfg->frames;
	vm->frame_base = cfg->frame_base;
	vm->nframes = cfg->nframes;
	memset(vm->frames, 0, cfg->nframes * sizeof(*vm->frames));
	for (size_t i = 0; i < cfg->nframes; i++)
		vm_lock_init(vm, &vm->frames[i].lock, VM_RANK_FRAME);
	vm->slot_refs = cfg->slot_refs;
	vm->nslots = cfg->nslots;
	if (cfg->nslots)
		memset(vm->slot_refs, 0, cfg->nslots * sizeof(*vm->slot_refs));
	vm_pool_init(vm, &vm->pages, cfg->page_mem, sizeof(struct vm_page), cfg->npages_records);
	vm_pool_init(vm, &vm->rmaps, cfg->rmap_mem, sizeof(struct vm_rmap), cfg->nrmap_records);
	vm_pool_init(vm, &vm->regions, cfg->region_mem, sizeof(struct vm_region),
	             cfg->nregion_records);
	return VM_OK;
}

/* Copy the accounting counters: each one atomically (vm_stat_add), so
 * counters changed meanwhile may be from slightly different moments.
 * Takes the slot lock. */
void vm_stats(struct vm *vm, struct vm_stats *out)
{
	const struct vm_stats *st = &vm->stats;

	vm_lock_take(vm, &vm->slot_lock);
	out->slots_in_use = st->slots_in_use;
	vm_lock_drop(vm, &vm->slot_lock);
	out->frames_user = __atomic_load_n(&st->frames_user, __ATOMIC_RELAXED);
	out->frames_owned = __atomic_load_n(&st->frames_owned, __ATOMIC_RELAXED);
	out->frames_cow_shared = __atomic_load_n(&st->frames_cow_shared, __ATOMIC_RELAXED);
	out->copies = __atomic_load_n(&st->copies, __ATOMIC_RELAXED);
	out->reuses = __atomic_load_n(&st->reuses, __ATOMIC_RELAXED);
	out->evictions = __atomic_load_n(&st->evictions, __ATOMIC_RELAXED);
}
