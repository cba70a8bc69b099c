/*
 * Address spaces: the supplemental page table (a hash of materialised pages),
 * the regions, page-state queries, and teardown. The SPT lock (vm_space.lock)
 * protects regions, buckets, brk, gen_next, resident and swapped.
 */
#include "internal.h"

/* Set up an empty address space. cookie is the platform's handle for it. */
int vm_space_init(struct vm *vm, struct vm_space *s, void *cookie, uint32_t id)
{
	memset(s, 0, sizeof(*s));
	s->vm = vm;
	s->cookie = cookie;
	s->id = id;
	vm_lock_init(vm, &s->lock, VM_RANK_SPT);
	vm_lock_init(vm, &s->hold_lock, VM_RANK_HOLD);
	return VM_OK;
}

/* A new, empty page entry for va (caller fills it), or NULL when the pool is
 * empty. Caller must hold the SPT lock and know va has no entry. */
struct vm_page *vm_page_insert(struct vm_space *s, uint64_t va)
{
	struct vm_page *p = vm_pool_get(s->vm, &s->vm->pages);

	if (p)
		vm_page_link(s, va, p);
	return p;
}

/* Unlink and free an entry. Caller must hold the SPT lock. */
void vm_page_remove(struct vm_space *s, struct vm_page *p)
{
	vm_page_unlink(s, p);
	vm_pool_put(s->vm, &s->vm->pages, p);
}

/* Unlink an entry; the caller puts it back into vm->pages. Caller must hold
 * the SPT lock. */
void vm_page_unlink(struct vm_space *s, struct vm_page *p)
{
	struct vm_page **pp = &s->buckets[vm_spt_bucket_of(p->va)];

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	s->chunk_pages[vm_spt_chunk_of(p->va)]--;
}

/*
 * Pages taken out of the SPT by vm_release_range, up to 64 at a time: their
 * mappings go first (one ranged call per run), then their frame and slot
 * references, so a frame is never free while a mapping of it is left; then
 * their records go back to the pools in one lock round trip each. The
 * pages wait in a chain linked through their first word, which the pool
 * takes back as it is.
 */
#define RELEASE_BATCH 64
struct released {
	struct vm_space *space;
	struct vm_batch unmap;
	void *pages, *last; /* chain of unlinked page records; last: its tail */
	size_t npages;
};

/* Unmap the batch's pages, drop what each one references (a frame
 * reference or a slot reference), and give the records back. If an evictor
 * owns a frame, it finds our reverse-map node gone and skips us; it frees
 * nothing we still use. Caller holds the SPT lock. */
static void released_flush(struct released *rel)
{
	struct vm_space *s = rel->space;
	struct vm *vm = s->vm;
	void *rmaps = NULL, *rlast = NULL;
	size_t nrmaps = 0;
	long shared = 0;

	vm_batch_flush(&rel->unmap);
	for (struct vm_page *p = rel->pages; p; p = *(struct vm_page **)p) {
		if (p->swapped) {
			vm_slot_unref(vm, p->slot);
			s->swapped--;
			continue;
		}
		struct vm_frame *fe = vm_frame_entry(vm, p->frame);
		vm_lock_take(vm, &fe->lock);
		struct vm_rmap *r = vm_frame_unlink_ref_locked(vm, fe, p->frame, s, p->va, &shared);
		vm_lock_drop(vm, &fe->lock);
		if (!rlast)
			rlast = r;
		vm_chain_push(&rmaps, r);
		nrmaps++;
		s->resident--;
	}
	vm_pool_put_chain(vm, &vm->pages, rel->pages, rel->last, rel->npages);
	vm_pool_put_chain(vm, &vm->rmaps, rmaps, rlast, nrmaps);
	if (shared)
		vm_stat_add(vm, &vm->stats.frames_cow_shared, shared);
	rel->pages = rel->last = NULL;
	rel->npages = 0;
}

/*
 * Release every page in [start, end): unmap (batched ranges), drop frame
 * and slot references, free the records. Chunks with no entry are skipped
 * whole. The walk goes down from end: the pages of a range were mostly
 * entered going up (faults in touch order, fork), and each bucket keeps its
 * newest entry first, so going down finds each page at its bucket's head
 * and takes it out there. Caller must hold the SPT lock.
 */
void vm_release_range(struct vm_space *s, uint64_t start, uint64_t end)
{
	struct released rel;
	uint64_t va = end;

	rel.space = s;
	rel.pages = rel.last = NULL;
	rel.npages = 0;
	vm_batch_start(&rel.unmap, s, VM_BATCH_UNMAP, 0);
	while (va > start) {
		uint64_t lo = vm_spt_chunk_start(va - VM_PAGE_SIZE);

		if (lo < start)
			lo = start;
		if (vm_spt_chunk_empty(s, va - VM_PAGE_SIZE)) {
			va = lo;
			continue;
		}
		while (va > lo) {
			va -= VM_PAGE_SIZE;
			struct vm_page **pp = &s->buckets[vm_spt_bucket_of(va)], *p;

			while ((p = *pp) && p->va != va)
				pp = &p->next;
			if (!p)
				continue;
			*pp = p->next;
			s->chunk_pages[vm_spt_chunk_of(va)]--;
			if (p->mapped)
				vm_batch_add(&rel.unmap, va);
			if (!rel.last)
				rel.last = p;
			vm_chain_push(&rel.pages, p);
			if (++rel.npages == RELEASE_BATCH)
				released_flush(&rel);
		}
	}
	released_flush(&rel);
}

/* The region containing va, or NULL. Caller must hold the SPT lock. */
struct vm_region *vm_region_find(struct vm_space *s, uint64_t va)
{
	for (struct vm_region *r = s->regions; r; r = r->next)
		if (va >= r->start && va < r->end)
			return r;
	return NULL;
}

/* The rights a page is mapped with: its region's, minus write while COW. */
unsigned vm_page_rights(const struct vm_region *r, const struct vm_page *p)
{
	return p->cow ? (r->rights & ~(unsigned)VM_W) : r->rights;
}

/* Does [start, end) (or the point start, when empty) meet a region other than
 * skip? Caller must hold the SPT lock. */
bool vm_region_overlaps(struct vm_space *s, uint64_t start, uint64_t end, struct vm_region *skip)
{
	for (struct vm_region *r = s->regions; r; r = r->next) {
		if (r == skip)
			continue;
		if (start == end ? (start >= r->start && start < r->end)
		                 : (start < r->end && r->start < end))
			return true;
	}
	return false;
}

/* Check a region descriptor on its own (decode before acting). */
static int region_desc_valid(const struct vm_region_desc *d)
{
	if ((d->start | d->end) & VM_PAGE_MASK || d->end < d->start)
		return VM_E_INVAL;
	if (d->end == d->start && d->kind != VM_REGION_HEAP)
		return VM_E_INVAL;
	if (!(d->rights & VM_R) || (d->rights & ~(unsigned)(VM_R | VM_W | VM_X)))
		return VM_E_INVAL;
	if (d->flags & ~VM_RF_NOFORK)
		return VM_E_INVAL;
	switch (d->kind) {
	case VM_REGION_FILE:
		if (d->file_vaddr < d->start || d->file_size > d->end - d->file_vaddr)
			return VM_E_INVAL;
		return VM_OK;
	case VM_REGION_ZERO:
	case VM_REGION_STACK:
		return VM_OK;
	case VM_REGION_HEAP:
		return (d->rights & VM_W) ? VM_OK : VM_E_INVAL;
	}
	return VM_E_INVAL;
}

/* Add a region. A heap region may be empty (start == end == initial brk);
 * there is at most one heap. VM_E_OVERLAP if it meets another region. */
int vm_region_add(struct vm_space *s, const struct vm_region_desc *d)
{
	struct vm *vm = s->vm;
	struct vm_region *r;
	int err = region_desc_valid(d);

	if (err)
		return err;
	vm_lock_take(vm, &s->lock);
	if (vm_region_overlaps(s, d->start, d->end, NULL)) {
		err = VM_E_OVERLAP;
		goto out;
	}
	for (r = s->regions; d->kind == VM_REGION_HEAP && r; r = r->next) {
		if (r->kind == VM_REGION_HEAP) {
			err = VM_E_INVAL;
			goto out;
		}
	}
	r = vm_pool_get(vm, &vm->regions);
	if (!r) {
		err = VM_E_NOMEM;
		goto out;
	}
	r->start = d->start;
	r->end = d->end;
	r->kind = (uint8_t)d->kind;
	r->rights = (uint8_t)d->rights;
	r->flags = (uint8_t)d->flags;
	r->file = d->file;
	r->file_vaddr = d->file_vaddr;
	r->file_offset = d->file_offset;
	r->file_size = d->file_size;
	r->next = s->regions;
	s->regions = r;
	if (r->kind == VM_REGION_HEAP)
		s->brk = r->start;
out:
	vm_lock_drop(vm, &s->lock);
	return err;
}

/* Does the page at va hold any of the file's bytes? */
static bool page_has_file_bytes(const struct vm_region *r, uint64_t va)
{
	return r->kind == VM_REGION_FILE && va < r->file_vaddr + r->file_size &&
	       va + VM_PAGE_SIZE > r->file_vaddr;
}

/* The state of the page at va (see enum vm_page_state). Takes the SPT lock
 * and the frame's lock. */
enum vm_page_state vm_page_state(struct vm_space *s, uint64_t va)
{
	struct vm *vm = s->vm;
	enum vm_page_state st = VM_PAGE_NOT_PRESENT;
	struct vm_region *r;
	struct vm_page *p;

	va &= ~VM_PAGE_MASK;
	vm_lock_take(vm, &s->lock);
	p = vm_page_lookup(s, va);
	if (p && p->swapped) {
		st = VM_PAGE_SWAPPED;
	} else if (p) {
		struct vm_frame *fe = vm_frame_entry(vm, p->frame);

		vm_lock_take(vm, &fe->lock);
		st = fe->refcount >= 2 ? VM_PAGE_COW_SHARED : VM_PAGE_FRAME;
		vm_lock_drop(vm, &fe->lock);
	} else if ((r = vm_region_find(s, va)) != NULL) {
		st = page_has_file_bytes(r, va) ? VM_PAGE_FILE : VM_PAGE_ZERO;
	}
	vm_lock_drop(vm, &s->lock);
	return st;
}

/* Pages of the space in frames and in slots. Takes the SPT lock. */
void vm_space_counts(struct vm_space *s, size_t *resident, size_t *swapped)
{
	vm_lock_take(s->vm, &s->lock);
	*resident = s->resident;
	*swapped = s->swapped;
	vm_lock_drop(s->vm, &s->lock);
}

/* How many COW breaks copied a page for s (vm_stats' copies counts those
 * of every space): a measure of one process that other processes' copies at
 * the same moment cannot move. Takes the SPT lock. */
size_t vm_space_copies(struct vm_space *s)
{
	size_t n;

	vm_lock_take(s->vm, &s->lock);
	n = s->copies;
	vm_lock_drop(s->vm, &s->lock);
	return n;
}

/* How many of s's pages are in frames shared by two or more entries (COW).
 * Takes the SPT lock, then each frame's lock (rank order 2 -> 4). */
size_t vm_space_cow_shared(struct vm_space *s)
{
	size_t n = 0;

	vm_lock_take(s->vm, &s->lock);
	for (unsigned b = 0; b < VM_SPT_BUCKETS; b++) {
		for (struct vm_page *p = s->buckets[b]; p; p = p->next) {
			if (p->swapped)
				continue;
			struct vm_frame *fe = vm_frame_entry(s->vm, p->frame);
			vm_lock_take(s->vm, &fe->lock);
			if (fe->refcount >= 2)
				n++;
			vm_lock_drop(s->vm, &fe->lock);
		}
	}
	vm_lock_drop(s->vm, &s->lock);
	return n;
}

/* An evictor is about to use s without its lock: keep its memory valid.
 * Caller holds a frame lock whose reverse map names s. */
void vm_space_hold_locked_frame(struct vm_space *s)
{
	vm_lock_take(s->vm, &s->hold_lock);
	s->holds++;
	vm_lock_drop(s->vm, &s->hold_lock);
}

/* Drop a hold from vm_space_hold_locked_frame. */
void vm_space_unhold(struct vm_space *s)
{
	vm_lock_take(s->vm, &s->hold_lock);
	s->holds--;
	vm_lock_drop(s->vm, &s->hold_lock);
}

/*
 * Exit: release every page (frames and slots; a frame goes when its last
 * reference does) and every region, then wait until no evictor still holds
 * a pointer to s, so the caller may reuse its memory. Caller must hold no lock
 * and no other thread may fault in s any more.
 */
void vm_space_destroy(struct vm_space *s)
{
	struct vm *vm = s->vm;
	unsigned holds;

	vm_lock_take(vm, &s->lock);
	while (s->regions) {
		struct vm_region *r = s->regions;

		vm_release_range(s, r->start, r->end);
		s->regions = r->next;
		vm_pool_put(vm, &vm->regions, r);
	}
	s->brk = 0;
	vm_lock_drop(vm, &s->lock);
	vm_slot_drain(vm); /* the slots of its swapped pages */
	for (;;) {
		vm_lock_take(vm, &s->hold_lock);
		holds = s->holds;
		vm_lock_drop(vm, &s->hold_lock);
		if (!holds)
			break;
		vm->plat.yield(vm->plat.ctx);
	}
}
