/*
 * vmcore's internal interfaces shared between its files. Not for users of the
 * library: the pager includes only <vmcore/vmcore.h>.
 *
 * Lock order (docs/vmcore.md, "Lock order"): a thread acquires locks only in
 * increasing rank, never two of one rank.
 *   1 VM_RANK_CLOCK      vm.clock_lock (the frame-table lock): the clock hand
 *   2 VM_RANK_SPT        vm_space.lock: regions, page entries, brk, counts
 *   3 VM_RANK_SPT_CHILD  the child's vm_space.lock, taken only by fork
 *   4 VM_RANK_FRAME      vm_frame.lock: refcount, pins, copying, rmap, flags
 *   5 VM_RANK_SLOT       vm.slot_lock: slot refcounts
 *   7 VM_RANK_POOL       vm_pool.lock: record free lists
 *   8 VM_RANK_HOLD       vm_space.hold_lock: evictor holds on a space
 * The platform's own locks (its allocator, its mappings) are leaves below all.
 * (Rank 6 was the lock of the global counters, which are atomic now.)
 */
#ifndef VMCORE_INTERNAL_H
#define VMCORE_INTERNAL_H

#include <vmcore/vmcore.h>

enum vm_rank {
	VM_RANK_CLOCK = 1,
	VM_RANK_SPT = 2,
	VM_RANK_SPT_CHILD = 3,
	VM_RANK_FRAME = 4,
	VM_RANK_SLOT = 5,
	VM_RANK_POOL = 7,
	VM_RANK_HOLD = 8,
};

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/* lock.c */
void vm_lock_init(struct vm *vm, struct vm_lock *l, enum vm_rank rank);
void vm_fatal(struct vm *vm, const char *msg);
#ifdef VMCORE_LOCKCHECK
void vm_lock_check_acquire(struct vm *vm, unsigned rank);
void vm_lock_check_release(struct vm *vm, unsigned rank);
#endif

/* The lock wrappers are inline: fork and exit take a frame lock per page,
 * and two calls in front of the platform's lock cost more than the lock. */

/* Acquire a lock at an explicit rank (fork takes the child's SPT lock at
 * VM_RANK_SPT_CHILD). */
static inline void vm_lock_take_as(struct vm *vm, struct vm_lock *l, enum vm_rank rank)
{
#ifdef VMCORE_LOCKCHECK
	vm_lock_check_acquire(vm, rank);
#else
	(void)rank;
#endif
	vm->plat.lock(vm->plat.ctx, l->impl);
}

/* Acquire a lock at its own rank. */
static inline void vm_lock_take(struct vm *vm, struct vm_lock *l)
{
	vm_lock_take_as(vm, l, (enum vm_rank)l->rank);
}

/* Release a lock taken with vm_lock_take_as at this rank. */
static inline void vm_lock_drop_as(struct vm *vm, struct vm_lock *l, enum vm_rank rank)
{
	vm->plat.unlock(vm->plat.ctx, l->impl);
#ifdef VMCORE_LOCKCHECK
	vm_lock_check_release(vm, rank);
#else
	(void)rank;
#endif
}

/* Release a lock taken with vm_lock_take. */
static inline void vm_lock_drop(struct vm *vm, struct vm_lock *l)
{
	vm_lock_drop_as(vm, l, (enum vm_rank)l->rank);
}

/* pool.c */
void vm_pool_init(struct vm *vm, struct vm_pool *p, void *mem, size_t objsize, size_t count);
void *vm_pool_get(struct vm *vm, struct vm_pool *p);
void vm_pool_put(struct vm *vm, struct vm_pool *p, void *obj);
void *vm_pool_get_chain(struct vm *vm, struct vm_pool *p, size_t n, size_t *got);
void vm_pool_put_chain(struct vm *vm, struct vm_pool *p, void *head, void *tail, size_t n);

/* Take the first record of a chain from vm_pool_get_chain (not cleared). */
static inline void *vm_chain_pop(void **chain)
{
	void **obj = *chain;

	*chain = *obj;
	return obj;
}

/* Put a record at the head of a chain (linked through its first word, as
 * the pools link their free records). */
static inline void vm_chain_push(void **chain, void *obj)
{
	*(void **)obj = *chain;
	*chain = obj;
}

/* frame.c: the frame table. Functions named *_locked need the frame's lock. */
void vm_frame_out_of_table(struct vm *vm);

/* The frame-table entry of frame number f; stops on a number the table does
 * not cover. Inline: fork and exit look up a frame per page. */
static inline struct vm_frame *vm_frame_entry(struct vm *vm, vm_frame_t f)
{
	if (f - vm->frame_base >= vm->nframes) /* f below frame_base wraps: also outside */
		vm_frame_out_of_table(vm);
	return &vm->frames[f - vm->frame_base];
}
int vm_frame_get(struct vm *vm, vm_frame_t *out);
int vm_frame_try(struct vm *vm, vm_frame_t *out);
void vm_frame_put_unused(struct vm *vm, vm_frame_t f);
int vm_frame_add_ref_locked(struct vm *vm, struct vm_frame *fe, struct vm_space *s, uint64_t va);
void vm_frame_drop_ref_locked(struct vm *vm, struct vm_frame *fe, vm_frame_t f, struct vm_space *s,
                              uint64_t va);
struct vm_rmap *vm_frame_unlink_ref_locked(struct vm *vm, struct vm_frame *fe, vm_frame_t f,
                                           struct vm_space *s, uint64_t va, long *shared);

/* vm_frame_add_ref_locked with a reverse-map record r the caller took from
 * vm->rmaps: link it as (s, va)'s reference, one count more. A frame that
 * became shared (refcount 2) counts +1 in *shared, which the caller adds to
 * frames_cow_shared (fork: once for all its pages). Caller holds the
 * frame's lock and s's SPT lock. */
static inline void vm_frame_link_ref_locked(struct vm_frame *fe, struct vm_space *s, uint64_t va,
                                            struct vm_rmap *r, long *shared)
{
	*r = (struct vm_rmap){.next = fe->rmap, .space = s, .va = va};
	fe->rmap = r;
	if (++fe->refcount == 2)
		++*shared;
}
void vm_frame_release_if_unused_locked(struct vm *vm, struct vm_frame *fe, vm_frame_t f);
int vm_frame_register(struct vm *vm, vm_frame_t f, struct vm_space *s, uint64_t va);
int vm_frame_try_register(struct vm *vm, struct vm_space *s, uint64_t va, vm_frame_t *out);
void vm_stat_add(struct vm *vm, size_t *counter, long delta);

/* evict.c */
enum vm_evict_result { VM_EVICT_GOT, VM_EVICT_BUSY, VM_EVICT_NONE, VM_EVICT_FAILED };
enum vm_evict_result vm_evict(struct vm *vm, vm_frame_t *out, int *err);

/* slot.c */
void vm_slot_ref(struct vm *vm, vm_slot_t s);
void vm_slot_unref(struct vm *vm, vm_slot_t s);
int vm_slot_first_ref(struct vm *vm, vm_slot_t s);
void vm_slot_drain(struct vm *vm);
bool vm_slot_freeing(struct vm *vm, vm_slot_t s);

/* space.c */
struct vm_page *vm_page_insert(struct vm_space *s, uint64_t va);
void vm_page_remove(struct vm_space *s, struct vm_page *p);
void vm_page_unlink(struct vm_space *s, struct vm_page *p);

/* The SPT's occupancy summary (struct vm_space.chunk_pages). */
#define VM_SPT_CHUNK_BYTES (VM_SPT_CHUNK_PAGES * VM_PAGE_SIZE)

/* The counter of the chunk holding va. */
static inline size_t vm_spt_chunk_of(uint64_t va)
{
	return (size_t)((va / VM_SPT_CHUNK_BYTES) % VM_SPT_CHUNKS);
}

/* The SPT bucket of the page at va. */
static inline size_t vm_spt_bucket_of(uint64_t va)
{
	return (size_t)((va / VM_PAGE_SIZE) % VM_SPT_BUCKETS);
}

/* The SPT's lookup and insertion are inline: fork and exit do one per
 * page, and the call cost a third of each. */

/* The materialised page at va, or NULL. Caller must hold the SPT lock. */
static inline struct vm_page *vm_page_lookup(struct vm_space *s, uint64_t va)
{
	for (struct vm_page *p = s->buckets[vm_spt_bucket_of(va)]; p; p = p->next)
		if (p->va == va)
			return p;
	return NULL;
}

/* vm_page_insert with a record the caller took from vm->pages and filled
 * (its va, gen and next are set here). Caller must hold the SPT lock and
 * know va has no entry. */
static inline void vm_page_link(struct vm_space *s, uint64_t va, struct vm_page *p)
{
	struct vm_page **head = &s->buckets[vm_spt_bucket_of(va)];

	p->va = va;
	p->gen = ++s->gen_next;
	p->next = *head;
	*head = p;
	s->chunk_pages[vm_spt_chunk_of(va)]++;
}

/* Has the chunk holding va surely no entry? Caller holds the SPT lock. */
static inline bool vm_spt_chunk_empty(const struct vm_space *s, uint64_t va)
{
	return !s->chunk_pages[vm_spt_chunk_of(va)];
}

/* The first address of the chunk holding va. */
static inline uint64_t vm_spt_chunk_start(uint64_t va)
{
	return va & ~(VM_SPT_CHUNK_BYTES - 1);
}
struct vm_region *vm_region_find(struct vm_space *s, uint64_t va);
bool vm_region_overlaps(struct vm_space *s, uint64_t start, uint64_t end, struct vm_region *skip);
unsigned vm_page_rights(const struct vm_region *r, const struct vm_page *p);
void vm_space_hold_locked_frame(struct vm_space *s);
void vm_space_unhold(struct vm_space *s);
void vm_release_range(struct vm_space *s, uint64_t start, uint64_t end);

/* batch.c: runs of consecutive pages for the platform's ranged calls. */
enum vm_batch_op { VM_BATCH_UNMAP, VM_BATCH_PROTECT };
struct vm_batch {
	struct vm *vm;
	struct vm_space *space;
	enum vm_batch_op op;
	unsigned rights;
	uint64_t va;
	size_t n;
};
void vm_batch_start(struct vm_batch *b, struct vm_space *s, enum vm_batch_op op, unsigned rights);
void vm_batch_add(struct vm_batch *b, uint64_t va);
void vm_batch_flush(struct vm_batch *b);

/* verdict.c */
struct vm_verdict vm_verdict_resume(void);
struct vm_verdict vm_verdict_retry(void);
struct vm_verdict vm_verdict_need_io(void);
struct vm_verdict vm_verdict_kill(enum vm_kill_reason reason, uint64_t addr);
size_t vm_fmt_str(char *buf, size_t len, size_t pos, const char *s);
size_t vm_fmt_dec(char *buf, size_t len, size_t pos, uint64_t v);
size_t vm_fmt_hex(char *buf, size_t len, size_t pos, uint64_t v);

#endif
