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
 * A worker answering a fault does the fault's one map or protect in its
 * reply instead (FL_FAULT_REPLY_MAP/PROTECT: map, resume and receive the next
 * fault in one kernel entry). Such a *reply map* is made under the space's
 * SPT lock like any mapping but lands in the kernel only after the worker
 * let go of its locks, so it is published here (struct reply_map) and every
 * later operation of this file on an overlapping range first *resolves* it:
 * it sends the same reply itself through the worker's Reply object (one
 * lands, the other is refused), so mappings still change in SPT-lock order.
 * docs/pager.md, "Mappings answered by the reply", has the protocol.
 *
 * Lock: pspace.lock protects the mapping records and tables of one space,
 * and the reply maps published for it. It is the platform's lock, below
 * every vmcore lock; vmcore calls in here holding the space's SPT lock, and
 * nothing here calls back into vmcore.
 */
#include <stdlib.h>

#include <faultline/invocations.h>

#include "core.h"

/*
 * A worker's reply map: the words of the FL_FAULT_REPLY_MAP/PROTECT reply
 * it will send for its current fault. It is *open* while `open` names its
 * space: published (words first, then open, release) by the worker under
 * that space's SPT lock and ps->lock; closed (open = NULL) by the worker once
 * its reply was answered, or by whoever resolved it, under ps->lock and
 * only if it is still that record (compare-and-swap: the worker may have
 * moved on to a fault of another space). While it is open its mapping slot
 * and the mapping at va belong to it: everything that would change them
 * resolves it first. A reader for space ps holds ps->lock, so no record for
 * ps is published meanwhile; it reads open, the words, then open again, and
 * skips the record if it changed (closed, or reused for another space).
 */
static struct reply_map reply_maps[MAX_WORKERS];
static unsigned reply_map_workers; /* records in use: one per worker */

/* Give worker w its reply-map record. Caller: workers_start, before any
 * worker runs. */
void pspace_reply_init(struct worker *w)
{
	w->rmap = &reply_maps[w->id];
	if (w->id + 1 > reply_map_workers)
		reply_map_workers = w->id + 1;
}

/* The page-table cache: the 2 MiB span of va is known to have its last-level
 * table (a mapping was made there). Caller holds ps->lock. */
static bool table_known(struct pspace *ps, uint64_t va)
{
	return ps->tables_seen[(va >> 21) % PSPACE_TABLE_CACHE] == (va >> 21) + 1;
}

static void table_seen(struct pspace *ps, uint64_t va)
{
	ps->tables_seen[(va >> 21) % PSPACE_TABLE_CACHE] = (va >> 21) + 1;
}

struct mapping {
	struct mapping *next;
	uint64_t va;
	uint64_t slot; /* in the frame CNode */
};

static struct mapping *free_list;
static struct ulock free_lock;
static size_t nused;

/* count mapping records, each with its own mapping slot of the frame
 * CNode for good (so a fault takes one record, not a record and a slot).
 * A free record's slot is empty: records go back only after their cap was
 * deleted. */
void mappings_init(size_t count)
{
	struct mapping *m = heap_alloc(count * sizeof *m);
	uint64_t first = fslot_reserve(count);

	ulock_init(&free_lock);
	for (size_t i = 0; i < count; i++) {
		m[i].slot = first + i;
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

/* Give records back; their caps are deleted. */
static void mappings_put(struct mapping *const *m, size_t n)
{
	ulock_take(&free_lock);
	for (size_t i = 0; i < n; i++) {
		m[i]->next = free_list;
		free_list = m[i];
	}
	nused -= n;
	ulock_drop(&free_lock);
}

static void mapping_put(struct mapping *m)
{
	mappings_put(&m, 1);
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
	struct mapping *m[DELETE_BATCH];
};

static int slot_cmp(const void *a, const void *b)
{
	uint64_t x = (*(struct mapping *const *)a)->slot, y = (*(struct mapping *const *)b)->slot;

	return x < y ? -1 : x > y;
}

/* Delete the cap of every record in b (a run of consecutive slots per
 * call), then give the records back. */
static void batch_flush(struct slot_batch *b)
{
	qsort(b->m, b->n, sizeof b->m[0], slot_cmp);
	for (size_t i = 0; i < b->n;) {
		size_t j = i + 1;
		while (j < b->n && b->m[j]->slot == b->m[j - 1]->slot + 1)
			j++;
		uint64_t w[2] = {b->m[i]->slot, j - i};
		uint64_t err = kcall(frame_cnode, FL_CNODE_DELETE_RANGE, 2, w, 0, NULL, NULL);
		if (err)
			pager_panic("deleting mapping caps %lu..+%lu failed: %lu",
			            (unsigned long)b->m[i]->slot, (unsigned long)(j - i),
			            (unsigned long)err);
		i = j;
	}
	mappings_put(b->m, b->n);
	b->n = 0;
}

/* Queue mapping record m (unlinked) for its cap's deletion. */
static void batch_add(struct slot_batch *b, struct mapping *m)
{
	b->m[b->n++] = m;
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
		m->va = va;
		m->next = NULL;
		*l = m;
	}
	for (;;) {
		uint64_t w[4] = {va, m->slot, frame, rights}, out[6];
		uint64_t err = kcall(ps->vspace, FL_VSPACE_MAP_COPY, 4, w, 1, &frame_cnode, out);
		if (!err) {
			table_seen(ps, va);
			return VM_OK;
		}
		if (err == FL_E_MAPPING && out[1] != 0) {
			int e = add_table(ps, va);
			if (e == VM_OK)
				continue;
			err = (uint64_t)e;
		}
		/* Undo: the cap goes (if an older one is still there), the record goes. */
		delete_cap(m->slot);
		*find(ps, va) = m->next;
		mapping_put(m);
		return err == (uint64_t)VM_E_NOMEM ? VM_E_NOMEM : VM_E_INVAL;
	}
}

/* Map with MapCopy what open record rm maps (its reply could not). Caller
 * holds ps->lock. */
static void reply_map_land(struct pspace *ps, const uint64_t *words)
{
	for (int tries = 0; tries < 4; tries++) {
		uint64_t w[4] = {words[0], words[1], words[2], words[3]}, out[6];
		uint64_t err = kcall(ps->vspace, FL_VSPACE_MAP_COPY, 4, w, 1, &frame_cnode, out);
		if (err != FL_E_MAPPING || out[1] == 0 || add_table(ps, words[0]) != VM_OK) {
			if (err)
				plog("reply map at %lx could not land: %lu",
				     (unsigned long)words[0], (unsigned long)err);
			return;
		}
	}
}

/* Close rm if it is still the record of ps that was resolved. */
static void reply_map_close(struct reply_map *rm, struct pspace *ps)
{
	struct pspace *expect = ps;

	__atomic_compare_exchange_n(&rm->open, &expect, NULL, false, __ATOMIC_RELEASE,
	                            __ATOMIC_RELAXED);
}

/*
 * Resolve open record rm of ps (its label, Reply object and words copied):
 * send its reply through the worker's Reply object, which maps (or
 * protects) and resumes the faulter if the worker has not yet; then close
 * it. The kernel refuses the reply if it landed already (dest not empty, no
 * caller armed, or another fault's caller) or the faulter is gone; only a
 * missing page table (the table cache was wrong) needs the mapping made
 * here, the faulter left to the worker's plain reply. Caller holds ps->lock.
 */
static void reply_map_resolve(struct pspace *ps, struct reply_map *rm, fl_cptr_t reply,
                              const struct fl_msg *msg)
{
	struct fl_msg m = *msg;

	fl_reply(reply, &m);
	if (fl_msginfo_is_error(m.info) && fl_msginfo_label(m.info) == FL_E_MAPPING &&
	    fl_msginfo_label(msg->info) == FL_FAULT_REPLY_MAP)
		reply_map_land(ps, msg->mr);
	reply_map_close(rm, ps);
}

/* Resolve rm, found open for ps, if it maps in [va, va + n pages).
 * Caller holds ps->lock. */
static void reply_map_settle(struct pspace *ps, struct reply_map *rm, uint64_t va, size_t n)
{
	struct fl_msg msg = rm->msg;
	fl_cptr_t reply = rm->reply;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&rm->open, __ATOMIC_RELAXED) != ps)
		return; /* closed meanwhile (and maybe reused for another space) */
	if (msg.mr[0] >= va && msg.mr[0] - va < n * 4096)
		reply_map_resolve(ps, rm, reply, &msg);
}

/* Before changing ps's mappings in [va, va + n pages): resolve every open
 * reply map there. Caller holds ps->lock. */
static inline void reply_maps_settle(struct pspace *ps, uint64_t va, size_t n)
{
	for (unsigned i = 0; i < reply_map_workers; i++)
		if (__atomic_load_n(&reply_maps[i].open, __ATOMIC_ACQUIRE) == ps)
			reply_map_settle(ps, &reply_maps[i], va, n);
}

/* Publish the calling worker's reply map (label, words) for ps. Caller
 * holds ps's SPT lock and ps->lock; its previous record is closed. */
/* Publish worker w's reply map for ps: label and six words. Caller holds
 * ps's SPT lock and ps->lock; w's previous record is closed. */
static void reply_map_publish(struct worker *w, struct pspace *ps, uint64_t label, uint64_t w0,
                              uint64_t w1, uint64_t w2, uint64_t w3, uint64_t w4, uint64_t w5)
{
	struct reply_map *rm = w->rmap;

	rm->msg.info = fl_msginfo(label, 6, 0);
	rm->msg.mr[0] = w0;
	rm->msg.mr[1] = w1;
	rm->msg.mr[2] = w2;
	rm->msg.mr[3] = w3;
	rm->msg.mr[4] = w4;
	rm->msg.mr[5] = w5;
	rm->reply = w->reply;
	__atomic_store_n(&rm->open, ps, __ATOMIC_RELEASE);
	w->reply_ps = NULL; /* one reply map per fault */
}

/* The calling worker, if its fault's page is va of ps (pspace_reply_allow). */
static inline struct worker *reply_map_allowed(struct pspace *ps, uint64_t va)
{
	struct worker *w = pager_self;

	return w && w->reply_ps == ps && w->reply_va == va ? w : NULL;
}

/*
 * The worker's reply map was sent; err is the kernel's answer (0: it landed
 * and the next message arrived). Closes the record. Returns true if the
 * faulter still waits for a plain resume reply: the reply was refused but
 * the mapping exists now (made here if nobody else made it). Caller: the
 * worker, holding no lock.
 */
bool pspace_reply_sent(struct worker *w, uint64_t err)
{
	struct reply_map *rm = w->rmap;
	struct pspace *ps = rm->open;

	if (err == FL_OK || err == FL_E_NO_REPLY ||
	    fl_msginfo_label(rm->msg.info) != FL_FAULT_REPLY_MAP ||
	    (err != FL_E_MAPPING && err != FL_E_DELETE_FIRST)) {
		/* Landed; or resolved by someone else, or the faulter is gone (the
		 * process is ending); a refused protect leaves the old rights,
		 * which a new fault handles. */
		__atomic_store_n(&rm->open, NULL, __ATOMIC_RELEASE);
		return err != FL_OK && err != FL_E_NO_REPLY;
	}
	if (!ps)
		return true; /* resolved meanwhile: the mapping is there */
	/* ps->lock protects the record; whoever changes the page may have
	 * resolved and closed it since the load above, so it is read again. */
	ulock_take(&ps->lock);
	if (__atomic_load_n(&rm->open, __ATOMIC_ACQUIRE) == ps) {
		if (err == FL_E_MAPPING)
			reply_map_land(ps, rm->msg.mr);
		reply_map_close(rm, ps);
	}
	ulock_drop(&ps->lock);
	return true;
}

/* Close the calling worker's open reply map by resolving it now (its
 * fault is not being answered with it). Caller holds no lock. */
void pspace_reply_flush_slow(struct worker *w)
{
	struct reply_map *rm = w->rmap;
	struct pspace *ps = rm->open;

	if (!ps)
		return;
	ulock_take(&ps->lock); /* as in pspace_reply_sent: read open again */
	if (__atomic_load_n(&rm->open, __ATOMIC_ACQUIRE) == ps)
		reply_map_resolve(ps, rm, rm->reply, &rm->msg);
	ulock_drop(&ps->lock);
}

/* Map n frames at va.. with rights (VM_R/W/X == FL_MAP_*). A worker's
 * fault's own page goes into its reply instead when it can (fresh mapping
 * record, page table known to be there). */
int pspace_map(struct pspace *ps, uint64_t va, const vm_frame_t *frames, size_t n, unsigned rights)
{
	struct worker *rw = n == 1 ? reply_map_allowed(ps, va) : NULL;
	int err = VM_OK;

	ulock_take(&ps->lock);
	reply_maps_settle(ps, va, n);
	if (rw && table_known(ps, va)) {
		struct mapping **l = find(ps, va), *m = *l;
		if (!m && (m = mapping_get())) {
			m->va = va;
			m->next = NULL;
			*l = m;
			reply_map_publish(rw, ps, FL_FAULT_REPLY_MAP, va, m->slot, frames[0],
			                  rights, ps->vspace, frame_cnode);
			ulock_drop(&ps->lock);
			return VM_OK;
		}
	}
	for (size_t i = 0; i < n && err == VM_OK; i++)
		err = map_one(ps, va + i * 4096, frames[i], rights);
	ulock_drop(&ps->lock);
	return err;
}

/* Change the rights of the present mappings in [va, va + n pages): one
 * call, or a worker's fault's own page in its reply. */
int pspace_protect(struct pspace *ps, uint64_t va, size_t n, unsigned rights)
{
	struct worker *rw = n == 1 ? reply_map_allowed(ps, va) : NULL;
	uint64_t w[3] = {va, n, rights};
	uint64_t err;

	ulock_take(&ps->lock);
	reply_maps_settle(ps, va, n);
	if (rw) {
		reply_map_publish(rw, ps, FL_FAULT_REPLY_PROTECT, va, rights, ps->vspace, 0, 0, 0);
		ulock_drop(&ps->lock);
		return VM_OK;
	}
	err = kcall(ps->vspace, FL_VSPACE_PROTECT, 3, w, 0, NULL, NULL);
	ulock_drop(&ps->lock);
	return err ? VM_E_INVAL : VM_OK;
}

/* Unmap [va, va + n pages): one ranged call, then the caps of the range go. */
int pspace_unmap(struct pspace *ps, uint64_t va, size_t n)
{
	uint64_t w[2] = {va, n};

	struct slot_batch b;

	b.n = 0;
	ulock_take(&ps->lock);
	reply_maps_settle(ps, va, n);
	kcall(ps->vspace, FL_VSPACE_UNMAP_RANGE, 2, w, 0, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		struct mapping **l = find(ps, va + i * 4096), *m = *l;
		if (!m)
			continue;
		*l = m->next;
		batch_add(&b, m);
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
	reply_maps_settle(ps, 0, (1ULL << 48) / 4096);
	for (unsigned b = 0; b < PSPACE_BUCKETS; b++) {
		struct mapping *m = ps->buckets[b];
		if (!m)
			continue; /* most buckets: five instructions each */
		ps->buckets[b] = NULL;
		while (m) {
			struct mapping *next = m->next;
			batch_add(&batch, m);
			m = next;
		}
	}
	batch_flush(&batch);
	for (unsigned i = 0; i < ps->ntables; i++)
		kobj_free(&ps->tables[i]);
	ps->ntables = 0;
	for (unsigned i = 0; i < PSPACE_TABLE_CACHE; i++)
		ps->tables_seen[i] = 0;
	ulock_drop(&ps->lock);
}
