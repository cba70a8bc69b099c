/*
 * vmcore's platform in the pager: locks are the pager's ticket locks, frames
 * come from the pool, page contents are read and written through the
 * window, mappings go to space.c, file pages come from the boot archive
 * (mapped read-only in the pager by the kernel), the backing store is
 * swapd (swap.c).
 */
#include <string.h>

#include "core.h"
#include "extregion.h"
#include "swap.h"
#include "swapio.h"

struct vm pager_vm;
static const struct fl_bootinfo *bootinfo;

_Static_assert(sizeof(struct ulock) <= VM_LOCK_IMPL_BYTES, "pager lock fits vmcore's lock storage");

static void p_lock_init(void *ctx, void *impl)
{
	(void)ctx;
	ulock_init(impl);
}

static void p_lock(void *ctx, void *impl)
{
	(void)ctx;
	ulock_take(impl);
}

static void p_unlock(void *ctx, void *impl)
{
	(void)ctx;
	ulock_drop(impl);
}

static struct vm_lockrec *p_lockrec(void *ctx)
{
	(void)ctx;
	return &worker_self()->lockrec;
}

static void p_yield(void *ctx)
{
	(void)ctx;
	fl_yield();
}

static void p_fatal(void *ctx, const char *msg)
{
	(void)ctx;
	pager_panic("vmcore: %s", msg);
}

static int p_frame_alloc(void *ctx, vm_frame_t *out)
{
	int err = frame_take(out);

	(void)ctx;
	evictor_poke(); /* below the low watermark: evict in the background */
	return err;
}

static void p_frame_free(void *ctx, vm_frame_t f)
{
	(void)ctx;
	frame_give(f);
}

/*
 * Zero one page with DC ZVA, unrolled whole: two instructions per 64-byte
 * block (the clear, the next address) and no loop, where memset's general
 * loop takes six (the zero-fill fault's largest single cost; eight blocks
 * per round from eight registers took 2.4). memset if the CPU forbids DC
 * ZVA or its block is not 64 bytes.
 */
static void zero_page(void *page)
{
	uint64_t dczid;

	__asm__("mrs %0, dczid_el0" : "=r"(dczid));
	if ((dczid & 0x1f) != 4) { /* DZP clear, 4 << 4 = 64-byte blocks */
		memset(page, 0, VM_PAGE_SIZE);
		return;
	}
	_Static_assert(VM_PAGE_SIZE == 64 * 64, "64 blocks of 64 bytes");
	__asm__ volatile(".rept 64\n\tdc zva, %0\n\tadd %0, %0, #64\n\t.endr"
	                 : "+r"(page)
	                 :
	                 : "memory");
}

static void p_page_zero(void *ctx, vm_frame_t f)
{
	(void)ctx;
	zero_page(frame_addr(f));
}

/* Copy one page, 256 bytes a round (memcpy's loop moves 64 bytes in nine
 * instructions; this one 256 in twenty): the COW copy's largest cost. */
static void copy_page(void *dst, const void *src)
{
	char *d = dst;
	const char *s = src, *end = s + VM_PAGE_SIZE;

	while (s < end) {
		__asm__ volatile("ldp q0, q1, [%1]\n\tldp q2, q3, [%1, #32]\n\t"
		                 "ldp q4, q5, [%1, #64]\n\tldp q6, q7, [%1, #96]\n\t"
		                 "stp q0, q1, [%0]\n\tstp q2, q3, [%0, #32]\n\t"
		                 "stp q4, q5, [%0, #64]\n\tstp q6, q7, [%0, #96]\n\t"
		                 "ldp q0, q1, [%1, #128]\n\tldp q2, q3, [%1, #160]\n\t"
		                 "ldp q4, q5, [%1, #192]\n\tldp q6, q7, [%1, #224]\n\t"
		                 "stp q0, q1, [%0, #128]\n\tstp q2, q3, [%0, #160]\n\t"
		                 "stp q4, q5, [%0, #192]\n\tstp q6, q7, [%0, #224]"
		                 :
		                 : "r"(d), "r"(s)
		                 : "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7");
		d += 256;
		s += 256;
	}
}

static void p_page_copy(void *ctx, vm_frame_t dst, vm_frame_t src)
{
	(void)ctx;
	copy_page(frame_addr(dst), frame_addr(src));
}

static int p_map(void *ctx, void *space, uint64_t va, const vm_frame_t *frames, size_t n,
                 unsigned rights)
{
	(void)ctx;
	return pspace_map(space, va, frames, n, rights);
}

static int p_protect(void *ctx, void *space, uint64_t va, size_t n, unsigned rights)
{
	(void)ctx;
	return pspace_protect(space, va, n, rights);
}

static int p_unmap(void *ctx, void *space, uint64_t va, size_t n)
{
	(void)ctx;
	return pspace_unmap(space, va, n);
}

static bool p_test_clear_accessed(void *ctx, void *space, uint64_t va)
{
	(void)ctx;
	return pspace_test_clear_accessed(space, va);
}

/* Pages written to and read from swap since boot (pager.swap_stats; the
 * swap benchmarks check with them that they measured real swap I/O). */
static uint64_t nswap_outs, nswap_ins;

static int p_swap_out(void *ctx, vm_frame_t frame, vm_slot_t *slot)
{
	int err = swap_out_frame(frame, slot);

	(void)ctx;
	if (err == VM_OK)
		__atomic_fetch_add(&nswap_outs, 1, __ATOMIC_RELAXED);
	return err;
}

static int p_swap_in(void *ctx, vm_slot_t slot, vm_frame_t frame)
{
	int err = swap_in_frame(slot, frame);

	(void)ctx;
	if (err == VM_OK)
		__atomic_fetch_add(&nswap_ins, 1, __ATOMIC_RELAXED);
	return err;
}

/* Pages swapped out and in since boot. No lock: each count is one word. */
void swap_io_counts(uint64_t *outs, uint64_t *ins)
{
	*outs = __atomic_load_n(&nswap_outs, __ATOMIC_RELAXED);
	*ins = __atomic_load_n(&nswap_ins, __ATOMIC_RELAXED);
}

static void p_slot_free(void *ctx, vm_slot_t slot)
{
	(void)ctx;
	swap_free_slot(slot);
}

/* Copy len bytes at offset of archive file `file` into frame at frame_off. */
static int p_file_read(void *ctx, uint32_t file, uint64_t offset, vm_frame_t frame,
                       size_t frame_off, size_t len)
{
	const struct fl_boot_file *f = archive_file(file);

	(void)ctx;
	if (file >= EXTREGION_FILE_BASE)
		return extregion_read(file, offset, frame, frame_off, len);
	if (!f || offset > f->size || len > f->size - offset || frame_off + len > VM_PAGE_SIZE)
		return VM_E_IO;
	memcpy((char *)frame_addr(frame) + frame_off, (const char *)f->vaddr + offset, len);
	return VM_OK;
}

static const struct vm_platform platform = {
    .lock_init = p_lock_init,
    .lock = p_lock,
    .unlock = p_unlock,
    .lockrec = p_lockrec,
    .yield = p_yield,
    .fatal = p_fatal,
    .frame_alloc = p_frame_alloc,
    .frame_free = p_frame_free,
    .page_zero = p_page_zero,
    .page_copy = p_page_copy,
    .map = p_map,
    .protect = p_protect,
    .unmap = p_unmap,
    .test_clear_accessed = p_test_clear_accessed,
    .swap_out = p_swap_out,
    .swap_in = p_swap_in,
    .slot_free = p_slot_free,
    .file_read = p_file_read,
};

/* Set up vmcore over a pool of nframes frames (indexes 0..nframes). Records:
 * two page entries per frame plus one per swap slot (a swapped page keeps
 * its entry), two reverse-map nodes and two mappings per frame (a
 * frame shared by more spaces than that on average runs the pools out,
 * which is reported like running out of frames). */
void platform_init(const struct fl_bootinfo *bi, size_t nframes)
{
	size_t nslots;
	uint32_t *slot_refs = swap_slot_table(&nslots);
	struct vm_config cfg = {
	    .frames = heap_alloc(nframes * sizeof(struct vm_frame)),
	    .frame_base = 0,
	    .nframes = nframes,
	    .slot_refs = slot_refs,
	    .nslots = nslots,
	    .page_mem = heap_alloc((2 * nframes + nslots) * VM_PAGE_RECORD_SIZE),
	    .npages_records = 2 * nframes + nslots,
	    .rmap_mem = heap_alloc(2 * nframes * VM_RMAP_RECORD_SIZE),
	    .nrmap_records = 2 * nframes,
	    .region_mem = heap_alloc(MAX_PROCS * 16 * VM_REGION_RECORD_SIZE),
	    .nregion_records = MAX_PROCS * 16,
	};

	bootinfo = bi;
	mappings_init(2 * nframes);
	int err = vm_init(&pager_vm, &platform, &cfg);
	if (err)
		pager_panic("vm_init failed: %d", err);
}

/* Boot archive file id (index in BootInfo files[]), or NULL. */
const struct fl_boot_file *archive_file(uint32_t id)
{
	return id < bootinfo->nfiles ? &bootinfo->files[id] : NULL;
}

/* Find a program by name ("name" or "name.elf"). 0, or -1. */
int archive_find(const char *name, uint32_t *id)
{
	size_t n = strlen(name);

	for (uint32_t i = 0; i < bootinfo->nfiles; i++) {
		const char *fn = bootinfo->files[i].name;
		if (!strcmp(fn, name) || (!strncmp(fn, name, n) && !strcmp(fn + n, ".elf"))) {
			*id = i;
			return 0;
		}
	}
	return -1;
}
