/*
 * A process's kernel address space as vmcore's platform sees it: mappings of
 * pool frames in ranges, write-protection, unmapping, accessed bits, and
 * the page tables the kernel asks for.
 *
 * A frame cap maps exactly one place, so every user mapping is a copy of the
 * frame's cap in a mapping slot of the frame CNode, recorded per space by
 * virtual address (struct mapping), made and mapped by one VSpace_MapCopy.
 * Mapping over an existing mapping (a COW break maps the copy over the old
 * frame) reuses the slot: the kernel deletes the old cap first, which
 * unmaps it. Page tables are kernel-object blocks, freed with the space.
 *
 * Lock: pspace.lock protects the mapping records and tables of one space.
 * It is the platform's lock, below every vmcore lock; vmcore calls in here
 * holding the space's SPT lock, and nothing here calls back into vmcore.
 */
#include <stdlib.h>

#include <faultline/invocations.h>

#include "core.h"

struct mapping {
	struct mapping *next;
	uint64_t va;
	uint64_t slot; /* in the frame CNode */
};

static struct mapping *free_list;
static struct ulock free_lock;
static size_t nused;

void mappings_init(size_t count)
{
	struct mapping *m = heap_alloc(count * sizeof *m);

	ulock_init(&free_lock);
	for (size_t i = 0; i < count; i++) {
		m[i].next = free_list;
		free_list = &m[i];
	}
}

size_t mappings_used(void)
{
	return nused;
}

static struct mapping *mapping_get(void)
{
	struct mapping *m;

	ulock_take(&free_lock);
	m = free_list;
	if (m) {
		free_list = m->next;
		nused++;
	}
	ulock_drop(&free_lock);
	return m;
}

static void mapping_put(struct mapping *m)
{
	ulock_take(&free_lock);
	m->next = free_list;
	free_list = m;
	nused--;
	ulock_drop(&free_lock);
}

static unsigned bucket(uint64_t va)
{
	return (unsigned)((va >> 12) % PSPACE_BUCKETS);
}

/* The link pointing at va's mapping (or at the NULL ending its bucket). Caller holds ps->lock. */
static struct mapping **find(struct pspace *ps, uint64_t va)
{
	struct mapping **l = &ps->buckets[bucket(va)];

	while (*l && (*l)->va != va)
		l = &(*l)->next;
	return l;
}

/* Delete a mapping cap: the kernel unmaps it if it is still what va maps. */
static void delete_cap(uint64_t slot)
{
	uint64_t w[1] = {slot};
	uint64_t err = kcall(frame_cnode, FL_CNODE_DELETE, 1, w, 0, NULL, NULL);

	if (err)
		pager_panic("deleting mapping cap %lu failed: %lu", (unsigned long)slot,
		            (unsigned long)err);
}

/*
 * Mapping caps to delete, gathered so that runs of consecutive slots go in
 * one CNode_DeleteRange call instead of one CNode_Delete per page (exit and
 * big unmaps would otherwise cost a kernel call per page). Lives on the
 * caller's stack.
 */
#define DELETE_BATCH 256
struct slot_batch {
	size_t n;
	uint64_t slot[DELETE_BATCH];
};

static int slot_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Delete every cap in b (a run of consecutive slots per call) and free the slots. */
static void batch_flush(struct slot_batch *b)
{
	qsort(b->slot, b->n, sizeof b->slot[0], slot_cmp);
	for (size_t i = 0; i < b->n;) {
		size_t j = i + 1;
		while (j < b->n && b->slot[j] == b->slot[j - 1] + 1)
			j++;
		uint64_t w[2] = {b->slot[i], j - i};
		uint64_t err = kcall(frame_cnode, FL_CNODE_DELETE_RANGE, 2, w, 0, NULL, NULL);
		if (err)
			pager_panic("deleting mapping caps %lu..+%lu failed: %lu",
			            (unsigned long)b->slot[i], (unsigned long)(j - i),
			            (unsigned long)err);
		i = j;
	}
	for (size_t i = 0; i < b->n; i++)
		fslot_free(b->slot[i]);
	b->n = 0;
}

/* Queue mapping cap slot for deletion. */
static void batch_add(struct slot_batch *b, uint64_t slot)
{
	b->slot[b->n++] = slot;
	if (b->n == DELETE_BATCH)
		batch_flush(b);
}

/* Make the page table the kernel reports missing for va. Caller holds ps->lock. */
static int add_table(struct pspace *ps, uint64_t va)
{
	if (ps->ntables == PSPACE_MAX_TABLES)
		return VM_E_NOMEM;
	struct kobj *k = &ps->tables[ps->ntables];
	if (kobj_alloc(FL_OBJ_PAGE_TABLE, 0, k) < 0)
		return VM_E_NOMEM;
	uint64_t w[1] = {va};
	uint64_t err = kcall(k->obj, FL_PAGE_TABLE_MAP, 1, w, 1, &ps->vspace, NULL);
	if (err) {
		kobj_free(k);
		plog("page table for %lx refused: %lu", (unsigned long)va, (unsigned long)err);
		return VM_E_INVAL;
	}
	ps->ntables++;
	return VM_OK;
}

/*
 * Map one frame at va, replacing whatever ps maps there. One
 * VSpace_MapCopy derives the mapping cap into the mapping's slot (deleting
 * the cap of the mapping it replaces, which unmaps it) and maps it.
 * Caller holds ps->lock.
 */
static int map_one(struct pspace *ps, uint64_t va, vm_frame_t frame, unsigned rights)
{
	struct mapping **l = find(ps, va), *m = *l;

	if (!m) {
		m = mapping_get();
		if (!m)
			return VM_E_NOMEM;
		if (fslot_alloc(&m->slot) < 0) {
			mapping_put(m);
			return VM_E_NOMEM;
		}
		m->va = va;
		m->next = NULL;
		*l = m;
	}
	for (;;) {
		uint64_t w[4] = {va, m->slot, frame, rights}, out[6];
		uint64_t err = kcall(ps->vspace, FL_VSPACE_MAP_COPY, 4, w, 1, &frame_cnode, out);
		if (!err)
			return VM_OK;
		if (err == FL_E_MAPPING && out[1] != 0) {
			int e = add_table(ps, va);
			if (e == VM_OK)
				continue;
			err = (uint64_t)e;
		}
		/* Undo: the cap goes (if an older one is still there), the record goes. */
		delete_cap(m->slot);
		*find(ps, va) = m->next;
		fslot_free(m->slot);
		mapping_put(m);
		return err == (uint64_t)VM_E_NOMEM ? VM_E_NOMEM : VM_E_INVAL;
	}
}

/* Map n frames at va.. with rights (VM_R/W/X == FL_MAP_*). */
int pspace_map(struct pspace *ps, uint64_t va, const vm_frame_t *frames, size_t n, unsigned rights)
{
	int err = VM_OK;

	ulock_take(&ps->lock);
	for (size_t i = 0; i < n && err == VM_OK; i++)
		err = map_one(ps, va + i * 4096, frames[i], rights);
	ulock_drop(&ps->lock);
	return err;
}

/* Change the rights of the present mappings in [va, va + n pages): one call. */
int pspace_protect(struct pspace *ps, uint64_t va, size_t n, unsigned rights)
{
	uint64_t w[3] = {va, n, rights};

	return kcall(ps->vspace, FL_VSPACE_PROTECT, 3, w, 0, NULL, NULL) ? VM_E_INVAL : VM_OK;
}

/* Unmap [va, va + n pages): one ranged call, then the caps of the range go. */
int pspace_unmap(struct pspace *ps, uint64_t va, size_t n)
{
	uint64_t w[2] = {va, n};

	struct slot_batch b;

	b.n = 0;
	ulock_take(&ps->lock);
	kcall(ps->vspace, FL_VSPACE_UNMAP_RANGE, 2, w, 0, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		struct mapping **l = find(ps, va + i * 4096), *m = *l;
		if (!m)
			continue;
		*l = m->next;
		batch_add(&b, m->slot);
		mapping_put(m);
	}
	batch_flush(&b);
	ulock_drop(&ps->lock);
	return VM_OK;
}

/* Read and clear the accessed bit of va's mapping. */
bool pspace_test_clear_accessed(struct pspace *ps, uint64_t va)
{
	uint64_t w[2] = {va, 1}, out[6];

	if (kcall(ps->vspace, FL_VSPACE_GET_CLEAR_ACCESSED, 2, w, 0, NULL, out))
		return false;
	return out[0] & 1;
}

/* Delete every mapping cap and page table of ps. Caller: the process's
 * destroyer, after vm_space_destroy, before the VSpace goes. */
void pspace_release(struct pspace *ps)
{
	struct slot_batch batch;

	batch.n = 0;
	ulock_take(&ps->lock);
	for (unsigned b = 0; b < PSPACE_BUCKETS; b++) {
		while (ps->buckets[b]) {
			struct mapping *m = ps->buckets[b];
			ps->buckets[b] = m->next;
			batch_add(&batch, m->slot);
			mapping_put(m);
		}
	}
	batch_flush(&batch);
	for (unsigned i = 0; i < ps->ntables; i++)
		kobj_free(&ps->tables[i]);
	ps->ntables = 0;
	ulock_drop(&ps->lock);
}
