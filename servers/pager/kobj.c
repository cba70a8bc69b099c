/*
 * Kernel resources of the pager: root CNode slots, boot untyped memory,
 * 4 KiB kernel-object blocks and the pool of Reply objects.
 *
 * Why blocks: an untyped cap reuses its memory only once every object carved
 * from it is gone (the kernel resets its watermark when it has no children).
 * Objects a process needs (VSpace, CNode, TCBs, page tables) each get their
 * own 4 KiB untyped block, so revoking the block when the process ends gives
 * the memory back at once, with every copy of the object's cap. The pager's
 * own objects come straight from boot untyped and are never given back.
 *
 * Locks: slot_lock protects the slot bitmap; ut_lock the untyped watermarks
 * and the block free list; reply_lock the reply pool. All rank below
 * vmcore's locks and are held across no vmcore call.
 */
#include <string.h>

#include <faultline/invocations.h>

#include "core.h"

static struct ulock slot_lock, ut_lock, reply_lock;
static uint64_t slot_first, slot_count, slot_hint, nslots_used;
static uint64_t *slot_bits;

struct ut {
	fl_cptr_t cap;
	uint64_t size, used;
};
static struct ut uts[FL_BOOTINFO_MAX_UNTYPED];
static unsigned nuts;

#define BLOCK_BATCH 64
static fl_cptr_t *block_free; /* stack of free blocks (block cptr; object slot is block + 1) */
static size_t block_nfree, block_cap, blocks_used;

#define REPLY_POOL 256
static fl_cptr_t reply_stack[REPLY_POOL];
static size_t reply_n;

/* One invocation on cap with label, words w[0..n) and caps; the reply's
 * words go to out (6 words) if not NULL. Returns the fl_error (0 = OK). */
uint64_t kcall(fl_cptr_t cap, uint64_t label, unsigned n, const uint64_t *w, unsigned ncaps,
               const fl_cptr_t *caps, uint64_t *out)
{
	struct fl_msg m = {.info = fl_msginfo(label, n, ncaps)};
	struct fl_ipc_buffer *b = fl_ipc_buffer();

	for (unsigned i = 0; i < n && i < FL_MSG_REG_COUNT; i++)
		m.mr[i] = w[i];
	for (unsigned i = 0; i < ncaps; i++)
		b->send_caps[i] = caps[i];
	fl_call(cap, &m);
	if (out)
		for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
			out[i] = m.mr[i];
	return fl_msginfo_label(m.info);
}

/* Bytes of one object of type (bits: CNode radix or untyped size). */
static uint64_t object_size(unsigned type, unsigned bits)
{
	switch (type) {
	case FL_OBJ_TCB:
		return 1ULL << 11;
	case FL_OBJ_ENDPOINT:
	case FL_OBJ_NOTIFICATION:
	case FL_OBJ_REPLY:
		return 1ULL << 5;
	case FL_OBJ_CNODE:
		return 1ULL << (bits + 6);
	case FL_OBJ_UNTYPED:
		return 1ULL << bits;
	default:
		return 1ULL << 12;
	}
}

/* Take stock of the boot untyped, the empty slots and make the reply pool.
 * Caller: the main thread, before any worker runs. */
void kobj_init(const struct fl_bootinfo *bi)
{
	static uint64_t bits[(1u << 20) / 64];

	ulock_init(&slot_lock);
	ulock_init(&ut_lock);
	ulock_init(&reply_lock);
	slot_first = bi->empty_first;
	slot_count = bi->empty_count;
	if (slot_count > sizeof bits * 8)
		slot_count = sizeof bits * 8;
	slot_bits = bits;
	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		if (bi->untyped[i].is_device)
			continue;
		uts[nuts++] = (struct ut){.cap = bi->untyped_first + i,
		                          .size = 1ULL << bi->untyped[i].size_bits};
	}
	fl_cptr_t first = slot_alloc();
	for (unsigned i = 1; i < REPLY_POOL; i++)
		if (slot_alloc() != first + i)
			pager_panic("reply pool slots are not consecutive");
	ut_retype_root(FL_OBJ_REPLY, 0, first, REPLY_POOL);
	for (unsigned i = 0; i < REPLY_POOL; i++)
		reply_stack[reply_n++] = first + i;
}

/* A free root CNode slot (0 if none). Takes slot_lock. */
fl_cptr_t slot_alloc(void)
{
	fl_cptr_t s = 0;

	ulock_take(&slot_lock);
	for (uint64_t k = 0; k < slot_count; k++) {
		uint64_t i = (slot_hint + k) % slot_count;
		if (!(slot_bits[i / 64] & (1ULL << (i % 64)))) {
			slot_bits[i / 64] |= 1ULL << (i % 64);
			slot_hint = i + 1;
			nslots_used++;
			s = slot_first + i;
			break;
		}
	}
	ulock_drop(&slot_lock);
	return s;
}

/* Give back root slot s, which must be empty again. Takes slot_lock. */
void slot_free(fl_cptr_t s)
{
	uint64_t i = s - slot_first;

	ulock_take(&slot_lock);
	slot_bits[i / 64] &= ~(1ULL << (i % 64));
	nslots_used--;
	ulock_drop(&slot_lock);
}

/*
 * Pager CNode slots in use: root slots plus the big frame CNode's mapping
 * slots, less the two slots of each block waiting in the free list (the
 * block cache grows under load and keeps its blocks: they are reusable
 * memory, not slots held for anyone, so a test that needed more blocks at
 * once than any before it does not read as a leak). A block in use counts.
 */
size_t slots_used(void)
{
	size_t cached;

	ulock_take(&ut_lock);
	cached = 2 * block_nfree;
	ulock_drop(&ut_lock);
	return nslots_used + fslots_used() + mappings_used() - cached;
}

/* Retype from the first boot untyped with room. Caller holds ut_lock. */
static void retype_locked(unsigned type, unsigned bits, fl_cptr_t cnode, uint64_t index,
                          unsigned count)
{
	uint64_t sz = object_size(type, bits);

	for (unsigned i = 0; i < nuts; i++) {
		struct ut *u = &uts[i];
		uint64_t start = (u->used + sz - 1) & ~(sz - 1);
		if (sz > u->size || start > u->size || count > (u->size - start) / sz)
			continue;
		uint64_t w[4] = {type, bits, index, count};
		uint64_t err = kcall(u->cap, FL_UNTYPED_RETYPE, 4, w, 1, &cnode, NULL);
		if (err)
			pager_panic("retype of %u objects of type %u failed: %lu", count, type,
			            (unsigned long)err);
		u->used = start + count * sz;
		return;
	}
	pager_panic("out of untyped memory for %u objects of type %u", count, type);
}

void ut_retype_into(unsigned type, unsigned bits, fl_cptr_t cnode, uint64_t index, unsigned count)
{
	ulock_take(&ut_lock);
	retype_locked(type, bits, cnode, index, count);
	ulock_drop(&ut_lock);
}

void ut_retype_root(unsigned type, unsigned bits, fl_cptr_t dest, unsigned count)
{
	ut_retype_into(type, bits, FL_CAP_ROOT_CNODE, dest, count);
}

/* Make BLOCK_BATCH more blocks. Caller holds ut_lock. */
static int blocks_grow(void)
{
	if (block_nfree + BLOCK_BATCH > block_cap) {
		size_t cap = block_cap ? block_cap * 2 : 1024;
		fl_cptr_t *n = heap_alloc(cap * sizeof *n);
		if (block_free)
			memcpy(n, block_free, block_nfree * sizeof *n);
		block_free = n;
		block_cap = cap;
	}
	for (unsigned i = 0; i < BLOCK_BATCH; i++) {
		/* Two consecutive slots: the block and the slot its object lives in. */
		fl_cptr_t a = slot_alloc(), b = slot_alloc();
		if (!a || !b || b != a + 1) {
			if (a)
				slot_free(a);
			if (b)
				slot_free(b);
			return i ? 0 : -1;
		}
		retype_locked(FL_OBJ_UNTYPED, 12, FL_CAP_ROOT_CNODE, a, 1);
		block_free[block_nfree++] = a;
	}
	return 0;
}

/* A new kernel object of type in its own block. 0, or -1 if out of memory. */
int kobj_alloc(unsigned type, unsigned bits, struct kobj *out)
{
	fl_cptr_t block;

	ulock_take(&ut_lock);
	if (!block_nfree && blocks_grow() < 0) {
		ulock_drop(&ut_lock);
		return -1;
	}
	block = block_free[--block_nfree];
	blocks_used++;
	ulock_drop(&ut_lock);
	uint64_t w[4] = {type, bits, block + 1, 1};
	fl_cptr_t cn = FL_CAP_ROOT_CNODE;
	uint64_t err = kcall(block, FL_UNTYPED_RETYPE, 4, w, 1, &cn, NULL);
	if (err) {
		plog("retype of a type %u object failed: %lu", type, (unsigned long)err);
		ulock_take(&ut_lock);
		block_free[block_nfree++] = block;
		blocks_used--;
		ulock_drop(&ut_lock);
		return -1;
	}
	out->block = block;
	out->obj = block + 1;
	return 0;
}

/* Destroy k's object and every copy of its cap; the block is free again. */
void kobj_free(struct kobj *k)
{
	if (!k->block)
		return;
	uint64_t w[1] = {k->block};
	uint64_t err = kcall(FL_CAP_ROOT_CNODE, FL_CNODE_REVOKE, 1, w, 0, NULL, NULL);
	if (err)
		pager_panic("revoke of block %lu failed: %lu", (unsigned long)k->block,
		            (unsigned long)err);
	ulock_take(&ut_lock);
	block_free[block_nfree++] = k->block;
	blocks_used--;
	ulock_drop(&ut_lock);
	k->block = k->obj = 0;
}

size_t kobj_blocks_used(void)
{
	return blocks_used;
}

/* A Reply object for a worker that hands its own to a deferred caller. */
fl_cptr_t reply_alloc(void)
{
	fl_cptr_t r = 0;

	ulock_take(&reply_lock);
	if (reply_n)
		r = reply_stack[--reply_n];
	ulock_drop(&reply_lock);
	return r;
}

void reply_free(fl_cptr_t r)
{
	ulock_take(&reply_lock);
	reply_stack[reply_n++] = r;
	ulock_drop(&reply_lock);
}
