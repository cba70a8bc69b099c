/*
 * The host platform for vmcore's tests: simulated physical memory (an array
 * of pages the test owns), a frame allocator with a budget, a software MMU
 * per address space (page table + accessed bits, with a lock that models
 * the TLB shootdown: after unmap/protect returns, no store through the old
 * mapping is in flight), an in-memory backing store standing in for swapd,
 * an in-memory file source, pthread locks and fault injection.
 */
#ifndef SIM_H
#define SIM_H

#include <pthread.h>
#include <stdatomic.h>
#include <vmcore/vmcore.h>

/* A 69 MiB window per space: two pages 64 MiB apart share a counter of the
 * SPT's chunk summary (VM_SPT_CHUNKS chunks of VM_SPT_CHUNK_PAGES pages). */
#define SIM_VA_BASE    0x10000000ULL
#define SIM_VA_PAGES   17664
#define SIM_FRAME_BASE 0x100
#define SIM_WORDS      (VM_PAGE_SIZE / 8)

struct sim_pte {
	vm_frame_t frame;
	unsigned rights; /* 0: not mapped */
	atomic_bool accessed;
};

struct sim_space {
	struct vm_space vs;
	pthread_rwlock_t mmu_lock; /* protects pte[].frame/rights; readers: user accesses */
	struct sim_pte pte[SIM_VA_PAGES];
};

struct sim_config {
	size_t nframes;  /* physical frames */
	size_t budget;   /* frames the allocator hands out at once (<= nframes) */
	size_t nslots;   /* backing-store slots */
	size_t nrecords; /* records in each vmcore pool */
	bool slow_copy;  /* copy pages in chunks with yields (widens race windows) */
};

struct sim {
	struct vm vm;
	struct sim_config cfg;
	uint8_t (*mem)[VM_PAGE_SIZE];
	pthread_mutex_t alloc_lock; /* protects free_stack, nfree, in_use */
	vm_frame_t *free_stack;
	size_t nfree, in_use;
	pthread_mutex_t store_lock; /* protects slot data, slot_used, slots_used, fail flags */
	uint8_t (*slots)[VM_PAGE_SIZE];
	bool *slot_used;
	size_t slots_used, slot_limit;
	bool fail_swap_io, fail_file_io;
	const uint8_t *file; /* file 0 */
	size_t file_len;
	atomic_size_t n_map, n_protect, n_unmap, n_copy, n_zero, n_swap_out, n_swap_in;
	/* Store calls made while the calling thread held a vmcore lock (seen
	 * through the lock-order checker's record; always 0 without it). */
	atomic_size_t n_slot_free, n_store_calls_locked;
	/* Spaces whose mappings frame_free checks (sim_watch_frees): a frame
	 * freed while one of them still maps it counts in n_freed_mapped. */
	struct sim_space *watch[4];
	size_t nwatch;
	atomic_size_t n_freed_mapped;
	struct vm_frame *ft;
	uint32_t *slot_refs;
	void *page_mem, *rmap_mem, *region_mem;
};

struct sim *sim_new(const struct sim_config *cfg);
void sim_delete(struct sim *sim);
size_t sim_frames_in_use(struct sim *sim);
size_t sim_slots_in_use(struct sim *sim);
void sim_set_budget(struct sim *sim, size_t budget);
void sim_set_slot_limit(struct sim *sim, size_t limit);
void sim_set_fail_swap_io(struct sim *sim, bool fail);

struct sim_space *sim_space_new(struct sim *sim, uint32_t id);
void sim_space_delete(struct sim_space *ss);
uint8_t *sim_frame_mem(struct sim *sim, vm_frame_t f);
bool sim_mapping(struct sim_space *ss, uint64_t va, vm_frame_t *frame, unsigned *rights);
void sim_watch_frees(struct sim *sim, struct sim_space *ss);

/* A user access of n words at word index w of the page at va: retries
 * through vm_fault until it succeeds; returns the kill verdict otherwise. */
struct vm_verdict sim_write(struct sim_space *ss, uint64_t va, size_t w, size_t n,
                            const uint64_t *src, uint64_t sp);
struct vm_verdict sim_read(struct sim_space *ss, uint64_t va, size_t w, size_t n, uint64_t *dst,
                           uint64_t sp);
struct vm_verdict sim_exec(struct sim_space *ss, uint64_t va, uint64_t sp);

#endif
