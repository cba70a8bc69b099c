/*
 * COW fork: clone the parent's SPT into an empty child. Under the parent's
 * SPT lock (and the child's, at VM_RANK_SPT_CHILD), each frame whose parent
 * mapping is about to be write-protected pinned until it is: frames gain
 * the child's reference, private writable pages are
 * marked COW in both and write-protected in the parent (batched ranges);
 * swapped pages share their slot (slot refcount + 1). Nothing is allocated
 * but records, so no SPT lock is held across frame allocation.
 */
#include "internal.h"

/* Frames pinned at once before the parent's mappings are write-protected. */
#define FORK_PIN_BATCH 32

/* Page and reverse-map records taken from their pools at once (one lock
 * round trip per batch instead of two per page); what is left goes back at
 * the end. */
#define FORK_RECORD_BATCH 64

struct fork_state {
	struct vm_space *parent, *child;
	void *pages, *rmaps; /* chains of records from the pools, not yet filled */
	size_t npages, nrmaps;
	long shared; /* frames that became COW-shared, for frames_cow_shared */
	struct vm_batch protect;
	vm_frame_t pinned[FORK_PIN_BATCH];
	size_t npinned;
	bool retrying; /* the child may already hold pages of an earlier pass */
};

/* Write-protect what is pending, then drop the pins. Caller holds both SPT locks. */
static void flush(struct fork_state *st)
{
	vm_batch_flush(&st->protect);
	for (size_t i = 0; i < st->npinned; i++)
		vm_unpin_frame(st->parent->vm, st->pinned[i]);
	st->npinned = 0;
}

/* Copy the parent's region records (except VM_RF_NOFORK ones). Caller holds both SPT locks. */
static int clone_regions(struct vm_space *parent, struct vm_space *child)
{
	struct vm *vm = parent->vm;

	for (struct vm_region *r = parent->regions; r; r = r->next) {
		struct vm_region *c;

		if (r->flags & VM_RF_NOFORK)
			continue;
		c = vm_pool_get(vm, &vm->regions);
		if (!c)
			return VM_E_NOMEM;
		*c = *r;
		c->next = child->regions;
		child->regions = c;
	}
	child->brk = parent->brk;
	return VM_OK;
}

enum clone_result { CLONED, CLONE_NOMEM, CLONE_EVICTING };

/* A page record for the child from the batch (refilled from the pool when
 * empty), not yet cleared; NULL when the pool is empty. */
static struct vm_page *take_page(struct fork_state *st)
{
	struct vm *vm = st->child->vm;

	if (!st->npages)
		st->pages = vm_pool_get_chain(vm, &vm->pages, FORK_RECORD_BATCH, &st->npages);
	if (!st->npages)
		return NULL;
	st->npages--;
	return vm_chain_pop(&st->pages);
}

/* Give a chain of n records back to pool p. */
static void put_back(struct vm *vm, struct vm_pool *p, void *chain, size_t n)
{
	void **tail = chain;

	for (size_t i = 1; i < n; i++)
		tail = *tail;
	vm_pool_put_chain(vm, p, chain, tail, n);
}

/* Clone one present page p of region r. Caller holds both SPT locks. */
static enum clone_result clone_page(struct fork_state *st, struct vm_region *r, struct vm_page *p)
{
	struct vm_space *child = st->child;
	struct vm *vm = child->vm;
	struct vm_frame *fe;
	struct vm_page *cp;
	struct vm_rmap *rm;

	if (p->swapped) {
		cp = take_page(st);
		if (!cp)
			return CLONE_NOMEM;
		*cp = (struct vm_page){.swapped = true, .slot = p->slot};
		vm_page_link(child, p->va, cp);
		vm_slot_ref(vm, p->slot);
		child->swapped++;
		return CLONED;
	}
	if (!st->nrmaps)
		st->rmaps = vm_pool_get_chain(vm, &vm->rmaps, FORK_RECORD_BATCH, &st->nrmaps);
	if (!st->nrmaps)
		return CLONE_NOMEM;
	cp = take_page(st);
	if (!cp)
		return CLONE_NOMEM;
	fe = vm_frame_entry(vm, p->frame);
	vm_lock_take(vm, &fe->lock);
	/* Pin-if-present: an evictor owns it; let it finish, then retry. */
	if (fe->evicting) {
		vm_lock_drop(vm, &fe->lock);
		vm_chain_push(&st->pages, cp); /* the record goes back to the batch */
		st->npages++;
		return CLONE_EVICTING;
	}
	/* Records are filled field by field (a memset call per record cost
	 * more than the rest of the record's work). */
	*cp = (struct vm_page){.cow = (r->rights & VM_W) != 0, .frame = p->frame};
	vm_page_link(child, p->va, cp);
	st->nrmaps--;
	rm = vm_chain_pop(&st->rmaps);
	vm_frame_link_ref_locked(fe, child, p->va, rm, &st->shared);
	if ((r->rights & VM_W) && !p->cow) {
		p->cow = true;
		p->gen = ++st->parent->gen_next;
		if (p->mapped) {
			/* Pinned until the parent's mapping is read-only
			 * (flush). A page already COW is read-only in the
			 * parent: nothing is pending for it, no pin. */
			fe->pins++;
			st->pinned[st->npinned++] = p->frame;
			vm_batch_add(&st->protect, p->va);
		}
	}
	child->resident++;
	vm_lock_drop(vm, &fe->lock);
	return CLONED;
}

/* Clone the pages of every forked region; pages the child already has (from
 * an earlier attempt) are skipped, and so are chunks of the parent's SPT
 * with no entry. Caller holds both SPT locks. */
static enum clone_result clone_pages(struct fork_state *st)
{
	struct vm_space *parent = st->parent;

	for (struct vm_region *r = parent->regions; r; r = r->next) {
		if (r->flags & VM_RF_NOFORK)
			continue;
		flush(st);
		vm_batch_start(&st->protect, parent, VM_BATCH_PROTECT, r->rights & ~(unsigned)VM_W);
		for (uint64_t va = r->start; va < r->end;) {
			uint64_t stop = vm_spt_chunk_start(va) + VM_SPT_CHUNK_BYTES;

			if (stop > r->end)
				stop = r->end;
			if (vm_spt_chunk_empty(parent, va)) {
				va = stop;
				continue;
			}
			for (; va < stop; va += VM_PAGE_SIZE) {
				struct vm_page *p = vm_page_lookup(parent, va);
				enum clone_result res;

				/* The child is empty on the first pass: look
				 * in it only after a retry. */
				if (!p || (st->retrying && vm_page_lookup(st->child, va)))
					continue;
				res = clone_page(st, r, p);
				if (res != CLONED)
					return res;
				if (st->npinned == FORK_PIN_BATCH)
					flush(st);
			}
		}
	}
	return CLONED;
}

/*
 * Fork: make the empty space child a COW clone of parent. VM_E_NOMEM when a
 * record pool runs out (the child is then emptied again). Other threads of
 * the parent may keep running: each page is cloned atomically under the
 * parent's SPT lock. Caller must hold no vmcore lock.
 */
int vm_fork(struct vm_space *parent, struct vm_space *child)
{
	struct vm *vm = parent->vm;
	struct fork_state st = {.parent = parent, .child = child};
	enum clone_result res;
	int err;

	if (child == parent || child->vm != vm || child->regions)
		return VM_E_INVAL;
	vm_lock_take(vm, &parent->lock);
	vm_lock_take_as(vm, &child->lock, VM_RANK_SPT_CHILD);
	vm_batch_start(&st.protect, parent, VM_BATCH_PROTECT, 0);
	err = clone_regions(parent, child);
	while (!err) {
		res = clone_pages(&st);
		flush(&st);
		if (res == CLONED)
			break;
		if (res == CLONE_NOMEM) {
			err = VM_E_NOMEM;
			break;
		}
		/* An evictor owns a parent frame and needs our SPT locks to finish:
		 * let go, wait, and carry on where we were. */
		vm_lock_drop_as(vm, &child->lock, VM_RANK_SPT_CHILD);
		vm_lock_drop(vm, &parent->lock);
		st.retrying = true;
		vm->plat.yield(vm->plat.ctx);
		vm_lock_take(vm, &parent->lock);
		vm_lock_take_as(vm, &child->lock, VM_RANK_SPT_CHILD);
	}
	vm_lock_drop_as(vm, &child->lock, VM_RANK_SPT_CHILD);
	vm_lock_drop(vm, &parent->lock);
	put_back(vm, &vm->pages, st.pages, st.npages);
	put_back(vm, &vm->rmaps, st.rmaps, st.nrmaps);
	/* Once, not per page: an atomic add per page cost ~10 instructions. */
	if (st.shared)
		vm_stat_add(vm, &vm->stats.frames_cow_shared, st.shared);
	if (err)
		vm_space_destroy(child);
	return err;
}
