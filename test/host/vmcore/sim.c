/*
 * The host platform for vmcore's tests (see sim.h).
 */
#include "sim.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local struct vm_lockrec thread_lockrec;

static void p_lock_init(void *ctx, void *impl)
{
	(void)ctx;
	_Static_assert(sizeof(pthread_mutex_t) <= VM_LOCK_IMPL_BYTES, "mutex fits a vm_lock");
	pthread_mutex_init((pthread_mutex_t *)impl, NULL);
}

static void p_lock(void *ctx, void *impl)
{
	(void)ctx;
	pthread_mutex_lock((pthread_mutex_t *)impl);
}

static void p_unlock(void *ctx, void *impl)
{
	(void)ctx;
	pthread_mutex_unlock((pthread_mutex_t *)impl);
}

static struct vm_lockrec *p_lockrec(void *ctx)
{
	(void)ctx;
	return &thread_lockrec;
}

static void p_yield(void *ctx)
{
	(void)ctx;
	sched_yield();
}

static void p_fatal(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "vmcore fatal: %s\n", msg);
	fflush(stderr);
	abort();
}

static int p_frame_alloc(void *ctx, vm_frame_t *out)
{
	struct sim *sim = ctx;
	int err = VM_E_NOMEM;

	pthread_mutex_lock(&sim->alloc_lock);
	if (sim->nfree && sim->in_use < sim->cfg.budget) {
		*out = sim->free_stack[--sim->nfree];
		sim->in_use++;
		err = VM_OK;
	}
	pthread_mutex_unlock(&sim->alloc_lock);
	return err;
}

/* Does a watched space still map frame f? (vmcore must unmap first.) */
static bool watched_mapping_of(struct sim *sim, vm_frame_t f)
{
	bool found = false;

	for (size_t i = 0; i < sim->nwatch; i++) {
		struct sim_space *ss = sim->watch[i];

		pthread_rwlock_rdlock(&ss->mmu_lock);
		for (size_t pg = 0; pg < SIM_VA_PAGES && !found; pg++)
			found = ss->pte[pg].rights && ss->pte[pg].frame == f;
		pthread_rwlock_unlock(&ss->mmu_lock);
	}
	return found;
}

static void p_frame_free(void *ctx, vm_frame_t f)
{
	struct sim *sim = ctx;

	if (sim->nwatch && watched_mapping_of(sim, f))
		atomic_fetch_add(&sim->n_freed_mapped, 1);

	/* Poison freed frames so a use after free shows in checksums. */
	memset(sim_frame_mem(sim, f), 0xdb, VM_PAGE_SIZE);
	pthread_mutex_lock(&sim->alloc_lock);
	sim->free_stack[sim->nfree++] = f;
	sim->in_use--;
	pthread_mutex_unlock(&sim->alloc_lock);
}

uint8_t *sim_frame_mem(struct sim *sim, vm_frame_t f)
{
	if (f < SIM_FRAME_BASE || f - SIM_FRAME_BASE >= sim->cfg.nframes) {
		fprintf(stderr, "sim: bad frame number %#llx\n", (unsigned long long)f);
		abort();
	}
	return sim->mem[f - SIM_FRAME_BASE];
}

static void p_page_zero(void *ctx, vm_frame_t f)
{
	struct sim *sim = ctx;

	atomic_fetch_add(&sim->n_zero, 1);
	memset(sim_frame_mem(sim, f), 0, VM_PAGE_SIZE);
}

static void p_page_copy(void *ctx, vm_frame_t dst, vm_frame_t src)
{
	struct sim *sim = ctx;
	uint8_t *d = sim_frame_mem(sim, dst), *s = sim_frame_mem(sim, src);

	atomic_fetch_add(&sim->n_copy, 1);
	if (!sim->cfg.slow_copy) {
		memcpy(d, s, VM_PAGE_SIZE);
		return;
	}
	for (size_t off = 0; off < VM_PAGE_SIZE; off += 512) {
		memcpy(d + off, s + off, 512);
		sched_yield();
	}
}

static struct sim_pte *pte_of(struct sim_space *ss, uint64_t va)
{
	if (va < SIM_VA_BASE || va >= SIM_VA_BASE + SIM_VA_PAGES * VM_PAGE_SIZE ||
	    (va & VM_PAGE_MASK)) {
		fprintf(stderr, "sim: mapping outside the window: %#llx\n", (unsigned long long)va);
		abort();
	}
	return &ss->pte[(va - SIM_VA_BASE) / VM_PAGE_SIZE];
}

static int p_map(void *ctx, void *space, uint64_t va, const vm_frame_t *frames, size_t n,
                 unsigned rights)
{
	struct sim *sim = ctx;
	struct sim_space *ss = space;

	atomic_fetch_add(&sim->n_map, 1);
	pthread_rwlock_wrlock(&ss->mmu_lock);
	for (size_t i = 0; i < n; i++) {
		struct sim_pte *pte = pte_of(ss, va + i * VM_PAGE_SIZE);

		sim_frame_mem(sim, frames[i]);
		pte->frame = frames[i];
		pte->rights = rights;
		atomic_store(&pte->accessed, false);
	}
	pthread_rwlock_unlock(&ss->mmu_lock);
	return VM_OK;
}

static int p_protect(void *ctx, void *space, uint64_t va, size_t n, unsigned rights)
{
	struct sim *sim = ctx;
	struct sim_space *ss = space;

	atomic_fetch_add(&sim->n_protect, 1);
	pthread_rwlock_wrlock(&ss->mmu_lock);
	for (size_t i = 0; i < n; i++) {
		struct sim_pte *pte = pte_of(ss, va + i * VM_PAGE_SIZE);

		if (!pte->rights) {
			fprintf(stderr, "sim: protect of an unmapped page %#llx\n",
			        (unsigned long long)(va + i * VM_PAGE_SIZE));
			abort();
		}
		pte->rights = rights;
	}
	pthread_rwlock_unlock(&ss->mmu_lock);
	return VM_OK;
}

static int p_unmap(void *ctx, void *space, uint64_t va, size_t n)
{
	struct sim *sim = ctx;
	struct sim_space *ss = space;

	atomic_fetch_add(&sim->n_unmap, 1);
	pthread_rwlock_wrlock(&ss->mmu_lock);
	for (size_t i = 0; i < n; i++)
		pte_of(ss, va + i * VM_PAGE_SIZE)->rights = 0;
	pthread_rwlock_unlock(&ss->mmu_lock);
	return VM_OK;
}

static bool p_test_clear_accessed(void *ctx, void *space, uint64_t va)
{
	struct sim_space *ss = space;

	(void)ctx;
	return atomic_exchange(&pte_of(ss, va)->accessed, false);
}

/* Count a backing-store call made with a vmcore lock held (vmcore's rule:
 * never; the record is kept only with VMCORE_LOCKCHECK). */
static void note_store_call(struct sim *sim)
{
	if (thread_lockrec.n)
		atomic_fetch_add(&sim->n_store_calls_locked, 1);
}

static int p_swap_out(void *ctx, vm_frame_t f, vm_slot_t *slot)
{
	struct sim *sim = ctx;
	int err = VM_E_FULL;

	note_store_call(sim);
	atomic_fetch_add(&sim->n_swap_out, 1);
	pthread_mutex_lock(&sim->store_lock);
	if (sim->fail_swap_io) {
		err = VM_E_IO;
	} else if (sim->slots_used < sim->slot_limit) {
		for (size_t s = 0; s < sim->cfg.nslots; s++) {
			if (!sim->slot_used[s]) {
				sim->slot_used[s] = true;
				sim->slots_used++;
				memcpy(sim->slots[s], sim_frame_mem(sim, f), VM_PAGE_SIZE);
				*slot = (vm_slot_t)s;
				err = VM_OK;
				break;
			}
		}
	}
	pthread_mutex_unlock(&sim->store_lock);
	return err;
}

static int p_swap_in(void *ctx, vm_slot_t slot, vm_frame_t f)
{
	struct sim *sim = ctx;
	int err = VM_OK;

	note_store_call(sim);
	atomic_fetch_add(&sim->n_swap_in, 1);
	pthread_mutex_lock(&sim->store_lock);
	if (sim->fail_swap_io)
		err = VM_E_IO;
	else if (slot >= sim->cfg.nslots || !sim->slot_used[slot])
		err = VM_E_IO;
	else
		memcpy(sim_frame_mem(sim, f), sim->slots[slot], VM_PAGE_SIZE);
	pthread_mutex_unlock(&sim->store_lock);
	return err;
}

static void p_slot_free(void *ctx, vm_slot_t slot)
{
	struct sim *sim = ctx;

	note_store_call(sim);
	atomic_fetch_add(&sim->n_slot_free, 1);
	pthread_mutex_lock(&sim->store_lock);
	if (slot >= sim->cfg.nslots || !sim->slot_used[slot]) {
		fprintf(stderr, "sim: freeing a free slot %u\n", slot);
		abort();
	}
	sim->slot_used[slot] = false;
	sim->slots_used--;
	memset(sim->slots[slot], 0xdb, VM_PAGE_SIZE);
	pthread_mutex_unlock(&sim->store_lock);
}

static int p_file_read(void *ctx, uint32_t file, uint64_t off, vm_frame_t f, size_t frame_off,
                       size_t len)
{
	struct sim *sim = ctx;

	if (file != 0 || sim->fail_file_io || off > sim->file_len || len > sim->file_len - off ||
	    frame_off + len > VM_PAGE_SIZE)
		return VM_E_IO;
	memcpy(sim_frame_mem(sim, f) + frame_off, sim->file + off, len);
	return VM_OK;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

/* A simulated machine with vmcore set up over it. */
struct sim *sim_new(const struct sim_config *cfg)
{
	struct sim *sim = xcalloc(1, sizeof(*sim));
	struct vm_platform plat = {
	    .ctx = sim,
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
	struct vm_config vc;

	sim->cfg = *cfg;
	sim->mem = xcalloc(cfg->nframes, VM_PAGE_SIZE);
	sim->free_stack = xcalloc(cfg->nframes, sizeof(vm_frame_t));
	for (size_t i = 0; i < cfg->nframes; i++)
		sim->free_stack[sim->nfree++] = SIM_FRAME_BASE + cfg->nframes - 1 - i;
	pthread_mutex_init(&sim->alloc_lock, NULL);
	pthread_mutex_init(&sim->store_lock, NULL);
	sim->slots = xcalloc(cfg->nslots ? cfg->nslots : 1, VM_PAGE_SIZE);
	sim->slot_used = xcalloc(cfg->nslots ? cfg->nslots : 1, sizeof(bool));
	sim->slot_limit = cfg->nslots;
	sim->ft = xcalloc(cfg->nframes, sizeof(struct vm_frame));
	sim->slot_refs = xcalloc(cfg->nslots ? cfg->nslots : 1, sizeof(uint32_t));
	sim->page_mem = xcalloc(cfg->nrecords, VM_PAGE_RECORD_SIZE);
	sim->rmap_mem = xcalloc(cfg->nrecords, VM_RMAP_RECORD_SIZE);
	sim->region_mem = xcalloc(cfg->nrecords, VM_REGION_RECORD_SIZE);
	vc = (struct vm_config){
	    .frames = sim->ft,
	    .frame_base = SIM_FRAME_BASE,
	    .nframes = cfg->nframes,
	    .slot_refs = sim->slot_refs,
	    .nslots = cfg->nslots,
	    .page_mem = sim->page_mem,
	    .npages_records = cfg->nrecords,
	    .rmap_mem = sim->rmap_mem,
	    .nrmap_records = cfg->nrecords,
	    .region_mem = sim->region_mem,
	    .nregion_records = cfg->nrecords,
	};
	if (vm_init(&sim->vm, &plat, &vc) != VM_OK) {
		fprintf(stderr, "sim: vm_init failed\n");
		exit(2);
	}
	return sim;
}

void sim_delete(struct sim *sim)
{
	free(sim->mem);
	free(sim->free_stack);
	free(sim->slots);
	free(sim->slot_used);
	free(sim->ft);
	free(sim->slot_refs);
	free(sim->page_mem);
	free(sim->rmap_mem);
	free(sim->region_mem);
	free(sim);
}

size_t sim_frames_in_use(struct sim *sim)
{
	size_t n;

	pthread_mutex_lock(&sim->alloc_lock);
	n = sim->in_use;
	pthread_mutex_unlock(&sim->alloc_lock);
	return n;
}

size_t sim_slots_in_use(struct sim *sim)
{
	size_t n;

	pthread_mutex_lock(&sim->store_lock);
	n = sim->slots_used;
	pthread_mutex_unlock(&sim->store_lock);
	return n;
}

void sim_set_budget(struct sim *sim, size_t budget)
{
	pthread_mutex_lock(&sim->alloc_lock);
	sim->cfg.budget = budget;
	pthread_mutex_unlock(&sim->alloc_lock);
}

void sim_set_slot_limit(struct sim *sim, size_t limit)
{
	pthread_mutex_lock(&sim->store_lock);
	sim->slot_limit = limit;
	pthread_mutex_unlock(&sim->store_lock);
}

void sim_set_fail_swap_io(struct sim *sim, bool fail)
{
	pthread_mutex_lock(&sim->store_lock);
	sim->fail_swap_io = fail;
	pthread_mutex_unlock(&sim->store_lock);
}

struct sim_space *sim_space_new(struct sim *sim, uint32_t id)
{
	struct sim_space *ss = xcalloc(1, sizeof(*ss));

	pthread_rwlock_init(&ss->mmu_lock, NULL);
	vm_space_init(&sim->vm, &ss->vs, ss, id);
	return ss;
}

void sim_space_delete(struct sim_space *ss)
{
	struct sim *sim = (struct sim *)ss->vs.vm; /* vm is sim's first member */

	for (size_t i = 0; i < sim->nwatch; i++)
		if (sim->watch[i] == ss)
			sim->watch[i--] = sim->watch[--sim->nwatch];
	pthread_rwlock_destroy(&ss->mmu_lock);
	free(ss);
}

/* From now on every frame_free checks that ss does not map the frame.
 * Single-threaded set-up only; ss must stay alive while sim does. */
void sim_watch_frees(struct sim *sim, struct sim_space *ss)
{
	if (sim->nwatch == sizeof(sim->watch) / sizeof(sim->watch[0]))
		abort();
	sim->watch[sim->nwatch++] = ss;
}

bool sim_mapping(struct sim_space *ss, uint64_t va, vm_frame_t *frame, unsigned *rights)
{
	struct sim_pte *pte;
	bool mapped;

	pthread_rwlock_rdlock(&ss->mmu_lock);
	pte = pte_of(ss, va & ~VM_PAGE_MASK);
	mapped = pte->rights != 0;
	if (frame)
		*frame = pte->frame;
	if (rights)
		*rights = pte->rights;
	pthread_rwlock_unlock(&ss->mmu_lock);
	return mapped;
}

/* One user access: translate under the MMU lock and do it, or fault and retry. */
static struct vm_verdict access(struct sim_space *ss, uint64_t va, enum vm_access acc, size_t w,
                                size_t n, uint64_t *words, uint64_t sp)
{
	struct sim *sim = (struct sim *)ss->vs.vm->plat.ctx;
	unsigned need = acc == VM_ACCESS_WRITE ? VM_W : acc == VM_ACCESS_EXEC ? VM_X : VM_R;
	uint64_t page = va & ~VM_PAGE_MASK;

	for (;;) {
		struct vm_verdict v;
		struct sim_pte *pte;

		if (page >= SIM_VA_BASE && page < SIM_VA_BASE + SIM_VA_PAGES * VM_PAGE_SIZE) {
			pthread_rwlock_rdlock(&ss->mmu_lock);
			pte = pte_of(ss, page);
			if ((pte->rights & need) == need) {
				uint64_t *mem = (uint64_t *)sim_frame_mem(sim, pte->frame);

				atomic_store(&pte->accessed, true);
				if (acc == VM_ACCESS_WRITE)
					memcpy(mem + w, words, n * 8);
				else if (acc == VM_ACCESS_READ)
					memcpy(words, mem + w, n * 8);
				pthread_rwlock_unlock(&ss->mmu_lock);
				return (struct vm_verdict){.kind = VM_RESUME};
			}
			pthread_rwlock_unlock(&ss->mmu_lock);
		}
		/* As the pager does: the worker's fault never waits on the
		 * store; one that needs I/O is done again by a thread that may. */
		v = vm_fault_noio(&ss->vs, va, acc, sp);
		if (v.kind == VM_NEED_IO)
			v = vm_fault(&ss->vs, va, acc, sp);
		if (v.kind == VM_KILL)
			return v;
		if (v.kind == VM_RETRY)
			sched_yield();
	}
}

struct vm_verdict sim_write(struct sim_space *ss, uint64_t va, size_t w, size_t n,
                            const uint64_t *src, uint64_t sp)
{
	return access(ss, va, VM_ACCESS_WRITE, w, n, (uint64_t *)src, sp);
}

struct vm_verdict sim_read(struct sim_space *ss, uint64_t va, size_t w, size_t n, uint64_t *dst,
                           uint64_t sp)
{
	return access(ss, va, VM_ACCESS_READ, w, n, dst, sp);
}

struct vm_verdict sim_exec(struct sim_space *ss, uint64_t va, uint64_t sp)
{
	return access(ss, va, VM_ACCESS_EXEC, 0, 0, NULL, sp);
}
