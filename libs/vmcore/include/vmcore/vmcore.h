/*
 * vmcore: the pager's VM core. Supplemental page tables (SPT) per address
 * space, the frame table (refcounts, pins, reverse map, clock bit), swap-slot
 * refcounts, the fault entry point, COW fork, sbrk, eviction and exit.
 *
 * Portable, freestanding C11: no libc beyond memcpy/memset and no allocation.
 * Everything outside the library (locks, frames, page copies, mappings,
 * backing store, file source) is reached through struct vm_platform; all
 * memory for records comes from caller-provided pools. docs/vmcore.md holds
 * the states, the lock order and each protocol.
 */
#ifndef VMCORE_VMCORE_H
#define VMCORE_VMCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VM_PAGE_SIZE 4096ULL
#define VM_PAGE_MASK (VM_PAGE_SIZE - 1)

typedef uint64_t vm_frame_t; /* physical frame number */
typedef uint32_t vm_slot_t;  /* backing-store slot number */

/* Errors are values: 0 is success, everything else one of these. */
enum vm_err {
	VM_OK = 0,
	VM_E_NOMEM = -1,   /* no frame, no record in a pool */
	VM_E_IO = -2,      /* backing store or file source failed */
	VM_E_FULL = -3,    /* backing store has no free slot */
	VM_E_INVAL = -4,   /* bad argument (alignment, range, kind) */
	VM_E_OVERLAP = -5, /* a region would overlap another */
	VM_E_NOENT = -6,   /* no such region or page */
};

/* Mapping rights, as the platform maps them. */
enum vm_rights {
	VM_R = 1,
	VM_W = 2,
	VM_X = 4,
};

/* Access kind of a fault (same values as fl_fault_access in the ABI). */
enum vm_access {
	VM_ACCESS_READ = 0,
	VM_ACCESS_WRITE = 1,
	VM_ACCESS_EXEC = 2,
};

/* Who owns a frame; only VM_OWNER_USER frames are eviction candidates. */
enum vm_owner {
	VM_OWNER_NONE = 0, /* not held by vmcore (free at the platform) */
	VM_OWNER_USER = 1, /* a user page, or one being filled for a user page */
	VM_OWNER_PAGER = 2,
	VM_OWNER_SWAPD = 3,
};

/*
 * Lock storage. The platform's lock lives in impl (it must fit; a pthread
 * mutex does, and so does the pager's user-level lock); vmcore adds the
 * lock's rank in the documented lock order.
 */
#define VM_LOCK_IMPL_BYTES 48
struct vm_lock {
	_Alignas(16) unsigned char impl[VM_LOCK_IMPL_BYTES];
	uint8_t rank;
};

/* Per-thread record of held lock ranks, for the lock-order checker. */
#define VM_LOCKREC_MAX 16
struct vm_lockrec {
	uint8_t held[VM_LOCKREC_MAX];
	unsigned n;
};

/*
 * The platform interface: a struct of function pointers with a context.
 * Why function pointers rather than link-time functions: the host tests run
 * many differently-configured platforms (failing I/O, tiny budgets, full
 * swap) in one binary, and the pager passes its own context without globals.
 * `space` arguments are the opaque cookie given to vm_space_init.
 */
struct vm_platform {
	void *ctx;
	/* Locks: init/lock/unlock on struct vm_lock.impl. */
	void (*lock_init)(void *ctx, void *impl);
	void (*lock)(void *ctx, void *impl);
	void (*unlock)(void *ctx, void *impl);
	/* The calling thread's lock record (used only with VMCORE_LOCKCHECK). */
	struct vm_lockrec *(*lockrec)(void *ctx);
	/* Give up the CPU while waiting for another thread to finish a step. */
	void (*yield)(void *ctx);
	/* An internal invariant broke: report msg and stop; must not return. */
	void (*fatal)(void *ctx, const char *msg);
	/* Frames: allocate one (VM_E_NOMEM when the budget is used up) or free one. */
	int (*frame_alloc)(void *ctx, vm_frame_t *out);
	void (*frame_free)(void *ctx, vm_frame_t frame);
	void (*page_zero)(void *ctx, vm_frame_t frame);
	void (*page_copy)(void *ctx, vm_frame_t dst, vm_frame_t src);
	/* Mappings, in batched ranges of n consecutive pages starting at va. */
	int (*map)(void *ctx, void *space, uint64_t va, const vm_frame_t *frames, size_t n,
	           unsigned rights);
	int (*protect)(void *ctx, void *space, uint64_t va, size_t n, unsigned rights);
	int (*unmap)(void *ctx, void *space, uint64_t va, size_t n);
	/* Read and clear the accessed state of one mapping (false if unmapped). */
	bool (*test_clear_accessed)(void *ctx, void *space, uint64_t va);
	/* Backing store: VM_E_IO or VM_E_FULL on failure. */
	int (*swap_out)(void *ctx, vm_frame_t frame, vm_slot_t *slot);
	int (*swap_in)(void *ctx, vm_slot_t slot, vm_frame_t frame);
	void (*slot_free)(void *ctx, vm_slot_t slot);
	/* File source: read len bytes at offset of file into frame at frame_off. */
	int (*file_read)(void *ctx, uint32_t file, uint64_t offset, vm_frame_t frame,
	                 size_t frame_off, size_t len);
};

/* A fixed-size record pool over caller memory (entries, rmap nodes, regions). */
struct vm_pool {
	struct vm_lock lock; /* protects free, used */
	void *free;
	size_t objsize, used, count;
};

/* Reverse-map node: one (space, vaddr) that references a frame. */
struct vm_rmap {
	struct vm_rmap *next;
	struct vm_space *space;
	uint64_t va;
	uint8_t pass; /* eviction: which pass has visited this sharer */
};

/*
 * Frame table entry. `lock` protects every field below it. refcount is the
 * number of SPT entries that reference the frame (== length of rmap); pins
 * hold it against eviction and against in-place COW reuse; copying counts
 * COW breaks reading it right now (each still holding its reference).
 */
struct vm_frame {
	struct vm_lock lock;
	uint8_t owner;     /* enum vm_owner */
	bool evicting;     /* an evictor owns it: no new use, pin-if-present fails */
	bool referenced;   /* clock bit: second chance */
	uint32_t refcount; /* SPT references (COW sharers) */
	uint32_t pins;
	uint32_t copying;
	struct vm_rmap *rmap;
};

/* Page entry states as seen by vm_page_state(). */
enum vm_page_state {
	VM_PAGE_NOT_PRESENT = 0, /* outside every region (or not yet grown stack) */
	VM_PAGE_ZERO,            /* in a zero-fill, heap or stack region, not materialised */
	VM_PAGE_FILE,            /* in a file region, not loaded */
	VM_PAGE_FRAME,           /* an exclusive frame (refcount 1) */
	VM_PAGE_COW_SHARED,      /* a frame with refcount >= 2 */
	VM_PAGE_SWAPPED,         /* in a backing-store slot */
};

/* A materialised page: in a frame or a slot. Protected by its space's lock. */
struct vm_page {
	struct vm_page *next;
	uint64_t va;
	uint64_t gen; /* changes on every state change: check-and-insert */
	bool swapped; /* slot, else frame */
	bool cow;     /* private writable page shared copy-on-write: map read-only */
	bool mapped;  /* the platform mapping exists */
	vm_frame_t frame;
	vm_slot_t slot;
};

enum vm_region_kind {
	VM_REGION_FILE = 1,  /* pages from a file, zero past file_size (ELF segment) */
	VM_REGION_ZERO = 2,  /* anonymous zero-fill */
	VM_REGION_HEAP = 3,  /* zero-fill, end moves with sbrk */
	VM_REGION_STACK = 4, /* zero-fill, [end - limit, end), grows down from end */
};

/* Region flags. */
#define VM_RF_NOFORK 1u /* fork does not clone it (IPC buffers: private, pinned) */

/* A region. Protected by its space's lock. */
struct vm_region {
	struct vm_region *next;
	uint64_t start, end; /* page aligned; heap: end == roundup(brk) */
	uint8_t kind, rights, flags;
	uint32_t file;       /* file id for the platform's file_read */
	uint64_t file_vaddr; /* where the file's bytes start (may be unaligned) */
	uint64_t file_offset, file_size;
};

#define VM_SPT_BUCKETS 1024 /* a page lookup walks resident/1024 entries on average */
/* The SPT's occupancy summary: entries per 64-page chunk of address space,
 * hashed into 256 counters, so that fork and exit skip a chunk with no
 * page (an 8 MiB stack that uses a few pages) without a lookup per page. */
#define VM_SPT_CHUNK_PAGES 64
#define VM_SPT_CHUNKS      256

/*
 * An address space's supplemental page table. `lock` (the SPT lock) protects
 * regions, buckets, brk, resident and swapped; hold_lock protects holds.
 */
struct vm_space {
	struct vm_lock lock;
	struct vm *vm;
	void *cookie; /* the platform's handle for this address space */
	uint32_t id;
	struct vm_region *regions;
	struct vm_page *buckets[VM_SPT_BUCKETS];
	/* Entries per chunk (vm_spt_chunk_of); 0: none in any chunk hashed
	 * there. Changed only by vm_page_link/vm_page_unlink. */
	uint32_t chunk_pages[VM_SPT_CHUNKS];
	uint64_t brk;
	uint64_t gen_next;
	size_t resident; /* pages in frames */
	size_t swapped;  /* pages in slots */
	size_t copies;   /* COW breaks that copied a page for this space */
	struct vm_lock hold_lock;
	unsigned holds; /* evictors holding a pointer to this space */
};

/* Exact accounting, for tests and the pager's accounting queries. */
struct vm_stats {
	size_t frames_user;       /* frames held for user pages */
	size_t frames_owned;      /* frames held for the pager or swapd */
	size_t frames_cow_shared; /* frames with refcount >= 2 */
	size_t slots_in_use;      /* slots with refcount >= 1 */
	size_t copies;            /* COW breaks that copied a page */
	size_t reuses;            /* COW breaks by the last sharer: no copy */
	size_t evictions;         /* frames written out */
};

/* The whole VM core: the frame table, the slot table, pools and counters. */
struct vm {
	struct vm_platform plat;
	struct vm_lock clock_lock; /* frame-table lock: protects hand */
	struct vm_frame *frames;
	vm_frame_t frame_base;
	size_t nframes, hand;
	struct vm_lock slot_lock; /* protects slot_refs, slots_to_free, stats.slots_in_use */
	uint32_t *slot_refs;
	uint32_t slots_to_free; /* head of the to-free list (slot + 1, 0 = empty), slot.c */
	size_t nslots;
	struct vm_pool pages, rmaps, regions;
	struct vm_stats stats; /* atomic counters, but slots_in_use: slot_lock */
};

/* Memory the caller gives vm_init: a frame table covering the frame numbers
 * [frame_base, frame_base + nframes), a slot table and three record pools. */
struct vm_config {
	struct vm_frame *frames;
	vm_frame_t frame_base;
	size_t nframes;
	uint32_t *slot_refs;
	size_t nslots;
	void *page_mem;
	size_t npages_records;
	void *rmap_mem;
	size_t nrmap_records;
	void *region_mem;
	size_t nregion_records;
};

/* Record sizes, for sizing the pool memory in struct vm_config. */
#define VM_PAGE_RECORD_SIZE   sizeof(struct vm_page)
#define VM_RMAP_RECORD_SIZE   sizeof(struct vm_rmap)
#define VM_REGION_RECORD_SIZE sizeof(struct vm_region)

/* What the pager does with a fault. */
enum vm_verdict_kind {
	VM_RESUME = 0, /* the page is there: resume the thread */
	VM_RETRY = 1,  /* another thread is moving the page: resume; it faults again */
	VM_KILL = 2,   /* kill the process; msg says why */
	/* vm_fault_noio only: the fault needs backing-store I/O (swap-in, or
	 * eviction for a frame); nothing changed. */
	VM_NEED_IO = 3,
};

enum vm_kill_reason {
	VM_KILL_NONE = 0,
	VM_KILL_NO_REGION,
	VM_KILL_STACK_LIMIT,
	VM_KILL_STACK_FAR_BELOW_SP,
	VM_KILL_WRITE_READONLY,
	VM_KILL_EXEC_NOEXEC,
	VM_KILL_OOM,
	VM_KILL_IO,
};

struct vm_verdict {
	enum vm_verdict_kind kind;
	enum vm_kill_reason reason;
	uint64_t addr;
	char msg[96]; /* "<reason> at 0x<addr>" for the pager's kill log line */
};

/* Region descriptor for vm_region_add. */
struct vm_region_desc {
	enum vm_region_kind kind;
	uint64_t start, end; /* page aligned; stack: end is the top, start = end - limit */
	unsigned rights, flags;
	uint32_t file;
	uint64_t file_vaddr, file_offset, file_size;
};

/* How far below SP a read may touch a never-written stack page (AArch64
 * stp pre-index stores and red-zone-free ABIs stay well within this). */
#define VM_STACK_READ_SLACK 256ULL
/* Below the stack's limit, this much more is reported as "beyond the stack
 * limit" rather than "outside every region". */
#define VM_STACK_GUARD (1ULL << 20)

int vm_init(struct vm *vm, const struct vm_platform *plat, const struct vm_config *cfg);
void vm_stats(struct vm *vm, struct vm_stats *out);

int vm_space_init(struct vm *vm, struct vm_space *s, void *cookie, uint32_t id);
int vm_region_add(struct vm_space *s, const struct vm_region_desc *d);
void vm_space_destroy(struct vm_space *s);
void vm_space_counts(struct vm_space *s, size_t *resident, size_t *swapped);
size_t vm_space_cow_shared(struct vm_space *s);
size_t vm_space_copies(struct vm_space *s);
enum vm_page_state vm_page_state(struct vm_space *s, uint64_t va);

struct vm_verdict vm_fault(struct vm_space *s, uint64_t va, enum vm_access access, uint64_t sp);
struct vm_verdict vm_fault_noio(struct vm_space *s, uint64_t va, enum vm_access access,
                                uint64_t sp);
int vm_fork(struct vm_space *parent, struct vm_space *child);
int vm_sbrk(struct vm_space *s, int64_t delta, uint64_t *old_brk);

int vm_pin_page(struct vm_space *s, uint64_t va, vm_frame_t *frame);
void vm_unpin_frame(struct vm *vm, vm_frame_t frame);
int vm_frame_alloc_owned(struct vm *vm, enum vm_owner owner, vm_frame_t *out);
void vm_frame_free_owned(struct vm *vm, vm_frame_t frame);
int vm_evict_one(struct vm *vm);

int vm_check_quiescent(struct vm *vm, struct vm_space *const *spaces, size_t n, char *err,
                       size_t errlen);

#endif
