/*
 * The pager's memory: the big frame CNode, the user frame pool, the linear
 * window through which the pager reads and writes every pool frame, the
 * pager's own eagerly mapped heap, and the mapping-cap slots.
 *
 * The frame CNode (radix R, its cap in a root slot) holds, by index:
 *   [0, npool)                 the pool frames' original caps, each mapped
 *                              once, at PAGER_WINDOW_VA + index * 4 KiB;
 *   [npool, npool + nheap)     the pager heap's frames, at PAGER_HEAP_VA;
 *   [npool + nheap, 2^R)       copies of pool frame caps, one per user
 *                              mapping (a frame cap maps exactly one place).
 * A vm_frame_t is a pool index, so frame <-> cap slot <-> window address
 * is arithmetic. Everything is mapped before any worker runs: the pager never
 * faults.
 *
 * Locks: pool_lock protects the free stack; fslot_lock the mapping-slot
 * bitmap. Both rank below every vmcore lock and call nothing that locks.
 */
#include <string.h>

#include <faultline/invocations.h>

#include "core.h"
#include "swap.h"

fl_cptr_t frame_cnode;
size_t frame_cnode_size;

static size_t npool, nheap;
static uint32_t *free_stack;
static size_t nfree;
static struct ulock pool_lock, fslot_lock;
static uint64_t heap_next, heap_end;
static uint64_t *fslot_bits;
static uint64_t fslot_first, fslot_count, fslot_hint, fslot_nused;

/* Map count caps of cnode from index first at va in the pager's own space,
 * making page tables as the kernel asks for them. */
void pager_map(uint64_t va, fl_cptr_t cnode, uint64_t first, uint64_t count, unsigned rights)
{
	for (;;) {
		uint64_t w[4] = {va, first, count, rights}, out[6];
		uint64_t err = kcall(FL_CAP_ROOT_VSPACE, FL_VSPACE_MAP_RANGE, 4, w, 1, &cnode, out);
		if (!err)
			return;
		if (err != FL_E_MAPPING || out[1] == 0)
			pager_panic("mapping pager memory at %lx failed: %lu", (unsigned long)va,
			            (unsigned long)err);
		/* A table is missing for page out[0] of the range: make one. */
		fl_cptr_t pt = slot_alloc();
		ut_retype_root(FL_OBJ_PAGE_TABLE, 0, pt, 1);
		uint64_t pw[1] = {va + out[0] * 4096};
		fl_cptr_t vs = FL_CAP_ROOT_VSPACE;
		if (kcall(pt, FL_PAGE_TABLE_MAP, 1, pw, 1, &vs, NULL))
			pager_panic("page table for %lx refused", (unsigned long)pw[0]);
	}
}

/*
 * Retype count frames into the frame CNode from index. The kernel zeroes
 * every frame it retypes while holding its big lock, and an idle CPU takes
 * that lock on each timer tick: in batches of RETYPE_BATCH frames (64 KiB
 * of zeroing) no other CPU waits long for it, which matters most under
 * TCG, where a spinning waiter takes host time from the holder.
 */
#define RETYPE_BATCH 16
static void retype_frames(uint64_t index, unsigned count)
{
	for (unsigned done = 0; done < count; done += RETYPE_BATCH) {
		unsigned c = count - done < RETYPE_BATCH ? count - done : RETYPE_BATCH;
		ut_retype_into(FL_OBJ_FRAME, 0, frame_cnode, index + done, c);
	}
}

static unsigned log2_up(uint64_t x)
{
	unsigned r = 0;

	while ((1ULL << r) < x)
		r++;
	return r;
}

/* The default pool's ceiling (pager.frames=N can ask for more). */
#define POOL_DEFAULT_MAX 16384

/* Bytes of pager metadata per pool frame, and in all (see platform_init). */
#define PER_FRAME_BYTES                                                                            \
	(sizeof(struct vm_frame) + 2 * VM_PAGE_RECORD_SIZE + 2 * VM_RMAP_RECORD_SIZE + 2 * 40 +    \
	 4 + 1)
static uint64_t metadata_bytes(uint64_t n)
{
	return n * PER_FRAME_BYTES + MAX_PROCS * 16 * VM_REGION_RECORD_SIZE +
	       SWAP_MAX_SLOTS * VM_PAGE_RECORD_SIZE + (2u << 20);
}

/*
 * Carve the pool from boot untyped: budget frames if not 0 (as many as fit
 * if fewer fit), else as many as fit but at most POOL_DEFAULT_MAX; the
 * pager's metadata (sized from the pool) and 24 MiB for kernel objects come
 * first. Caller: the main thread, at boot.
 */
void frames_init(const struct fl_bootinfo *bi, size_t budget)
{
	uint64_t ram = 0;

	ulock_init(&pool_lock);
	ulock_init(&fslot_lock);
	for (uint64_t i = 0; i < bi->untyped_count; i++)
		if (!bi->untyped[i].is_device)
			ram += 1ULL << bi->untyped[i].size_bits;
	uint64_t per_frame = 4096 + 3 * 64 + PER_FRAME_BYTES;
	uint64_t n = ram > (40ULL << 20) ? (ram - (40ULL << 20)) / per_frame : 0;
	if (budget) {
		if (budget < n)
			n = budget; /* more than fits gives what fits */
	} else if (n > POOL_DEFAULT_MAX) {
		n = POOL_DEFAULT_MAX; /* see docs/pager.md: boot time grows with the pool */
	}
	if (n < 64)
		pager_panic("too little memory for a frame pool (%lu KiB of RAM)",
		            (unsigned long)(ram >> 10));
	npool = n;
	nheap = (metadata_bytes(n) + 4095) / 4096;

	/* The frame CNode: pool caps, heap caps, then two mapping slots per frame. */
	unsigned radix = log2_up(npool + nheap + 2 * npool);
	frame_cnode_size = 1ULL << radix;
	frame_cnode = slot_alloc();
	ut_retype_root(FL_OBJ_CNODE, radix, frame_cnode, 1);

	/* The heap first, so the pool cannot starve it. */
	for (uint64_t i = 0; i < nheap; i += 512) {
		unsigned c = nheap - i < 512 ? (unsigned)(nheap - i) : 512;
		retype_frames(npool + i, c);
		pager_map(PAGER_HEAP_VA + i * 4096, frame_cnode, npool + i, c, FL_MAP_RW);
	}
	heap_next = PAGER_HEAP_VA;
	heap_end = PAGER_HEAP_VA + nheap * 4096;

	for (uint64_t i = 0; i < npool; i += 512) {
		unsigned c = npool - i < 512 ? (unsigned)(npool - i) : 512;
		retype_frames(i, c);
		pager_map(PAGER_WINDOW_VA + i * 4096, frame_cnode, i, c, FL_MAP_RW);
	}
	free_stack = heap_alloc(npool * sizeof *free_stack);
	for (size_t i = 0; i < npool; i++)
		free_stack[i] = (uint32_t)(npool - 1 - i);
	nfree = npool;

	fslot_first = npool + nheap;
	fslot_count = frame_cnode_size - fslot_first;
	fslot_bits = heap_alloc((fslot_count + 63) / 64 * 8);
	plog("frame pool: %lu frames (%lu MiB), frame CNode radix %u, %lu KiB pager heap",
	     (unsigned long)npool, (unsigned long)(npool >> 8), radix, (unsigned long)(nheap * 4));
}

/* Pager memory from the eagerly mapped heap; zeroed, 64-byte aligned, never freed. */
void *heap_alloc(size_t bytes)
{
	uint64_t p = (heap_next + 63) & ~63ULL;

	if (p + bytes > heap_end)
		pager_panic("pager heap exhausted (%lu bytes asked)", (unsigned long)bytes);
	heap_next = p + bytes;
	return (void *)p;
}

size_t frames_total(void)
{
	return npool;
}
size_t frames_free(void)
{
	return nfree;
}

/* Take a free pool frame. VM_E_NOMEM when the pool is empty. */
int frame_take(vm_frame_t *out)
{
	int err = VM_E_NOMEM;

	ulock_take(&pool_lock);
	if (nfree) {
		*out = free_stack[--nfree];
		err = VM_OK;
	}
	ulock_drop(&pool_lock);
	return err;
}

/* Give pool frame f back. It must be mapped nowhere but the window. */
void frame_give(vm_frame_t f)
{
	ulock_take(&pool_lock);
	free_stack[nfree++] = (uint32_t)f;
	ulock_drop(&pool_lock);
}

void *frame_addr(vm_frame_t f)
{
	return (void *)(PAGER_WINDOW_VA + f * 4096);
}

/* Take the first n mapping slots for good (space.c's mapping records, one
 * slot each); returns the first. Caller: boot, before any fslot_alloc. */
uint64_t fslot_reserve(size_t n)
{
	uint64_t first = fslot_first;

	if (n > fslot_count)
		pager_panic("frame CNode: %lu mapping slots wanted, %lu there", (unsigned long)n,
		            (unsigned long)fslot_count);
	fslot_first += n;
	fslot_count -= n;
	return first;
}

/* A free mapping slot of the frame CNode. -1 if none. */
int fslot_alloc(uint64_t *out)
{
	int err = -1;

	ulock_take(&fslot_lock);
	for (uint64_t k = 0; k < fslot_count; k++) {
		uint64_t i = (fslot_hint + k) % fslot_count;
		if (!(fslot_bits[i / 64] & (1ULL << (i % 64)))) {
			fslot_bits[i / 64] |= 1ULL << (i % 64);
			fslot_hint = i + 1;
			fslot_nused++;
			*out = fslot_first + i;
			err = 0;
			break;
		}
	}
	ulock_drop(&fslot_lock);
	return err;
}

void fslot_free(uint64_t s)
{
	uint64_t i = s - fslot_first;

	ulock_take(&fslot_lock);
	fslot_bits[i / 64] &= ~(1ULL << (i % 64));
	fslot_nused--;
	ulock_drop(&fslot_lock);
}

size_t fslots_used(void)
{
	return fslot_nused;
}
