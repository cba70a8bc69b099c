/*
 * vmcore unit tests: one test per SPT state transition and per refcount,
 * pin, reverse-map, heap, stack, exit and out-of-memory rule. Run one test
 * by name (`test_vmcore NAME`, as ctest does) or all with no argument.
 * After each test the invariant checker and the accounting must agree.
 */
#include "sim.h"
#include "../../../libs/vmcore/src/internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CODE        (SIM_VA_BASE)           /* file, r-x, 4 pages */
#define DATA        (SIM_VA_BASE + 0x10000) /* file, rw-, 3 pages, file bytes at +0x10, 5000 bytes */
#define ZERO        (SIM_VA_BASE + 0x100000) /* zero-fill, rw-, 16 pages */
#define HEAP        (SIM_VA_BASE + 0x200000) /* heap, starts empty */
#define BLOCK       (SIM_VA_BASE + 0x210000) /* zero-fill region 16 pages above the heap */
#define STACK_TOP   (SIM_VA_BASE + 0x1000000)
#define STACK_LIMIT (8ULL << 20)
#define PG          VM_PAGE_SIZE

static int failures;
static uint8_t file_bytes[4 * 4096 + 64];

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static struct sim *sim;
static struct sim_space *spaces[8];
static size_t nspaces;

static void add(struct sim_space *ss, enum vm_region_kind kind, uint64_t start, uint64_t end,
                unsigned rights, uint64_t fvaddr, uint64_t foff, uint64_t fsize)
{
	struct vm_region_desc d = {.kind = kind,
	                           .start = start,
	                           .end = end,
	                           .rights = rights,
	                           .file_vaddr = fvaddr,
	                           .file_offset = foff,
	                           .file_size = fsize};

	if (vm_region_add(&ss->vs, &d) != VM_OK) {
		fprintf(stderr, "region_add failed\n");
		exit(2);
	}
}

/* A machine of nframes frames (budget budget) and nslots slots, and one
 * process with the standard layout. */
static struct sim_space *setup(size_t budget, size_t nslots)
{
	struct sim_config cfg = {
	    .nframes = 64, .budget = budget, .nslots = nslots, .nrecords = 4096};
	struct sim_space *ss;

	for (size_t i = 0; i < sizeof(file_bytes); i++)
		file_bytes[i] = (uint8_t)(i * 7 + 1);
	sim = sim_new(&cfg);
	sim->file = file_bytes;
	sim->file_len = sizeof(file_bytes);
	ss = sim_space_new(sim, 1);
	spaces[0] = ss;
	nspaces = 1;
	add(ss, VM_REGION_FILE, CODE, CODE + 4 * PG, VM_R | VM_X, CODE, 0, 4 * PG);
	add(ss, VM_REGION_FILE, DATA, DATA + 3 * PG, VM_R | VM_W, DATA + 0x10, 0x40, 5000);
	add(ss, VM_REGION_ZERO, ZERO, ZERO + 16 * PG, VM_R | VM_W, 0, 0, 0);
	add(ss, VM_REGION_HEAP, HEAP, HEAP, VM_R | VM_W, 0, 0, 0);
	add(ss, VM_REGION_ZERO, BLOCK, BLOCK + 16 * PG, VM_R | VM_W, 0, 0, 0);
	add(ss, VM_REGION_STACK, STACK_TOP - STACK_LIMIT, STACK_TOP, VM_R | VM_W, 0, 0, 0);
	return ss;
}

static struct sim_space *fork_of(struct sim_space *parent)
{
	struct sim_space *c = sim_space_new(sim, (uint32_t)(nspaces + 1));

	if (vm_fork(&parent->vs, &c->vs) != VM_OK) {
		fprintf(stderr, "fork failed\n");
		exit(2);
	}
	spaces[nspaces++] = c;
	return c;
}

static void drop_space(struct sim_space *ss)
{
	for (size_t i = 0; i < nspaces; i++) {
		if (spaces[i] == ss) {
			spaces[i] = spaces[--nspaces];
			break;
		}
	}
	vm_space_destroy(&ss->vs);
	sim_space_delete(ss);
}

static uint64_t rd(struct sim_space *ss, uint64_t va)
{
	uint64_t v = 0;
	struct vm_verdict vd = sim_read(ss, va, (va & VM_PAGE_MASK) / 8, 1, &v, STACK_TOP);

	if (vd.kind == VM_KILL) {
		fprintf(stderr, "unexpected kill: %s\n", vd.msg);
		exit(1);
	}
	return v;
}

static void wr(struct sim_space *ss, uint64_t va, uint64_t v)
{
	struct vm_verdict vd = sim_write(ss, va, (va & VM_PAGE_MASK) / 8, 1, &v, STACK_TOP);

	if (vd.kind == VM_KILL) {
		fprintf(stderr, "unexpected kill: %s\n", vd.msg);
		exit(1);
	}
}

static struct vm_frame *frame_of(struct sim_space *ss, uint64_t va)
{
	struct vm_page *p = vm_page_lookup(&ss->vs, va & ~VM_PAGE_MASK);

	return p && !p->swapped ? vm_frame_entry(&sim->vm, p->frame) : NULL;
}

static bool in_rmap(struct vm_frame *fe, struct sim_space *ss, uint64_t va)
{
	for (struct vm_rmap *r = fe->rmap; r; r = r->next)
		if (r->space == &ss->vs && r->va == va)
			return true;
	return false;
}

static struct vm_stats stats(void)
{
	struct vm_stats st;

	vm_stats(&sim->vm, &st);
	return st;
}

/* Evict until the page at va is swapped (the clock may pick others first). */
static void evict_page(struct sim_space *ss, uint64_t va)
{
	for (int i = 0; i < 64 && vm_page_state(&ss->vs, va) != VM_PAGE_SWAPPED; i++)
		vm_evict_one(&sim->vm);
}

/* ---- state transitions ---- */

static void zero_fill_on_first_touch(void)
{
	struct sim_space *p = setup(32, 16);

	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_ZERO);
	CHECK(rd(p, ZERO + 8) == 0);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_FRAME);
	CHECK(atomic_load(&sim->n_zero) == 1);
	CHECK(p->vs.resident == 1);
	CHECK(frame_of(p, ZERO)->refcount == 1 && in_rmap(frame_of(p, ZERO), p, ZERO));
}

static void file_page_loads_on_first_touch(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t want;

	CHECK(vm_page_state(&p->vs, CODE + PG) == VM_PAGE_FILE);
	memcpy(&want, file_bytes + PG + 8, 8);
	CHECK(rd(p, CODE + PG + 8) == want);
	CHECK(vm_page_state(&p->vs, CODE + PG) == VM_PAGE_FRAME);
	/* Data: zero before file_vaddr, file bytes, zero after file_size. */
	CHECK(rd(p, DATA) == 0);
	memcpy(&want, file_bytes + 0x40 + (0x18 - 0x10), 8);
	CHECK(rd(p, DATA + 0x18) == want);
	CHECK(rd(p, DATA + 0x10 + 5000 + 8) == 0);
	CHECK(vm_page_state(&p->vs, DATA + 2 * PG) == VM_PAGE_ZERO);
	wr(p, DATA + 0x18, 42); /* private: the file is untouched */
	CHECK(rd(p, DATA + 0x18) == 42 && file_bytes[0x48] != 42);
}

static void spurious_fault_adds_no_frame(void)
{
	struct sim_space *p = setup(32, 16);
	struct vm_verdict v;

	wr(p, ZERO, 1);
	v = vm_fault(&p->vs, ZERO, VM_ACCESS_WRITE, STACK_TOP);
	CHECK(v.kind == VM_RESUME);
	CHECK(stats().frames_user == 1 && frame_of(p, ZERO)->refcount == 1);
}

static void write_to_readonly_region_kills(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t v = 1;
	struct vm_verdict vd = sim_write(p, CODE + 0x20, 4, 1, &v, STACK_TOP);

	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_WRITE_READONLY);
	CHECK(strstr(vd.msg, "read-only") && strstr(vd.msg, "0x10000020"));
}

static void exec_needs_exec_right(void)
{
	struct sim_space *p = setup(32, 16);
	struct vm_verdict vd = sim_exec(p, CODE, STACK_TOP);

	CHECK(vd.kind == VM_RESUME);
	vd = sim_exec(p, ZERO, STACK_TOP);
	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_EXEC_NOEXEC);
}

static void access_outside_every_region_kills(void)
{
	struct sim_space *p = setup(32, 16);
	struct vm_verdict vd = vm_fault(&p->vs, ZERO + 16 * PG + 4, VM_ACCESS_READ, STACK_TOP);

	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_NO_REGION);
	CHECK(strstr(vd.msg, "outside every region at 0x10110004"));
	CHECK(stats().frames_user == 0);
}

static void fork_shares_frames_copy_on_write(void)
{
	struct sim_space *p = setup(32, 16), *c;
	size_t protects;
	unsigned rights;

	for (int i = 0; i < 4; i++)
		wr(p, ZERO + i * PG, 100 + i);
	protects = atomic_load(&sim->n_protect);
	c = fork_of(p);
	/* The parent's four pages are write-protected in one ranged call. */
	CHECK(atomic_load(&sim->n_protect) == protects + 1);
	CHECK(sim_mapping(p, ZERO, NULL, &rights) && rights == VM_R);
	for (int i = 0; i < 4; i++) {
		struct vm_frame *fe = frame_of(p, ZERO + i * PG);

		CHECK(vm_page_state(&p->vs, ZERO + i * PG) == VM_PAGE_COW_SHARED);
		CHECK(vm_page_state(&c->vs, ZERO + i * PG) == VM_PAGE_COW_SHARED);
		CHECK(fe == frame_of(c, ZERO + i * PG) && fe->refcount == 2 && fe->pins == 0);
		CHECK(in_rmap(fe, p, ZERO + i * PG) && in_rmap(fe, c, ZERO + i * PG));
	}
	CHECK(stats().frames_cow_shared == 4 && stats().frames_user == 4);
	CHECK(rd(c, ZERO + PG) == 101); /* the child reads the parent's data, no copy */
	CHECK(stats().copies == 0);
}

static void cow_write_by_non_last_sharer_copies(void)
{
	struct sim_space *p = setup(32, 16), *c;
	struct vm_frame *old;

	wr(p, ZERO, 7);
	c = fork_of(p);
	old = frame_of(p, ZERO);
	wr(c, ZERO, 8);
	CHECK(stats().copies == 1 && stats().reuses == 0);
	CHECK(frame_of(c, ZERO) != old && frame_of(p, ZERO) == old);
	CHECK(old->refcount == 1 && !in_rmap(old, c, ZERO) && in_rmap(old, p, ZERO));
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_FRAME);
	CHECK(vm_page_state(&c->vs, ZERO) == VM_PAGE_FRAME);
	CHECK(rd(p, ZERO) == 7 && rd(c, ZERO) == 8);
	CHECK(stats().frames_cow_shared == 0 && stats().frames_user == 2);
}

static void cow_write_by_last_sharer_reuses_frame(void)
{
	struct sim_space *p = setup(32, 16), *c;
	struct vm_frame *old;

	wr(p, ZERO, 7);
	c = fork_of(p);
	old = frame_of(p, ZERO);
	wr(c, ZERO, 8); /* child copies; the parent is now the last sharer */
	wr(p, ZERO, 9);
	CHECK(stats().copies == 1 && stats().reuses == 1);
	CHECK(frame_of(p, ZERO) == old && old->refcount == 1);
	CHECK(rd(p, ZERO) == 9 && rd(c, ZERO) == 8);
}

/* Each space counts the copies made for it (vm_space_copies), so a test of
 * one process is not moved by another's copies at the same moment: the
 * parent copies one page, the child another, and reuses the third. */
static void cow_copies_are_counted_per_space(void)
{
	struct sim_space *p = setup(32, 16), *c;

	for (int i = 0; i < 3; i++)
		wr(p, ZERO + i * PG, i);
	c = fork_of(p);
	CHECK(vm_space_copies(&c->vs) == 0 && vm_space_copies(&p->vs) == 0);
	wr(p, ZERO, 10);      /* parent copies page 0 */
	wr(c, ZERO + PG, 11); /* child copies page 1 */
	wr(c, ZERO, 12);      /* child is page 0's last sharer: reuse */
	CHECK(vm_space_copies(&p->vs) == 1 && vm_space_copies(&c->vs) == 1);
	CHECK(stats().copies == 2 && stats().reuses == 1);
	CHECK(rd(p, ZERO) == 10 && rd(c, ZERO) == 12 && rd(p, ZERO + PG) == 1);
}

struct racer {
	struct sim_space *ss;
	uint64_t va;
	uint64_t value;
	atomic_int *go;
};

/* Thread body: wait for the start signal, then write one word. */
static void *racer_write(void *arg)
{
	struct racer *r = arg;

	while (!atomic_load(r->go))
		;
	wr(r->ss, r->va, r->value);
	return NULL;
}

/* Two threads of the child write-fault one COW page at once while the
 * parent copies a page of its own: the child's count is exactly one copy
 * every round (the loser of the race finds the page private), whatever the
 * parent's copy adds to the system-wide count. */
static void cow_two_threads_one_page_one_copy_per_space(void)
{
	for (int round = 0; round < 200; round++) {
		struct sim_space *p = setup(32, 16), *c;
		atomic_int go = 0;
		pthread_t t[3];
		struct racer r[3];

		wr(p, ZERO, 1);
		wr(p, ZERO + PG, 2);
		c = fork_of(p);
		r[0] = (struct racer){c, ZERO + 8, 100, &go};
		r[1] = (struct racer){c, ZERO + 3200, 200, &go};
		r[2] = (struct racer){p, ZERO + PG, 300, &go};
		for (int i = 0; i < 3; i++)
			if (pthread_create(&t[i], NULL, racer_write, &r[i]) != 0)
				exit(2);
		atomic_store(&go, 1);
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		CHECK(vm_space_copies(&c->vs) == 1 && vm_space_copies(&p->vs) == 1);
		CHECK(stats().copies == 2);
		CHECK(rd(c, ZERO + 8) == 100 && rd(c, ZERO + 3200) == 200 && rd(c, ZERO) == 1);
		CHECK(rd(p, ZERO) == 1 && rd(p, ZERO + PG) == 300 && rd(c, ZERO + PG) == 2);
		if (round + 1 < 200) {
			while (nspaces)
				drop_space(spaces[0]);
			sim_delete(sim);
			sim = NULL;
		}
	}
}

static void cow_nobody_writes_nothing_copied(void)
{
	struct sim_space *p = setup(32, 16), *c;

	for (int i = 0; i < 3; i++)
		wr(p, ZERO + i * PG, i);
	c = fork_of(p);
	for (int i = 0; i < 3; i++)
		CHECK(rd(p, ZERO + i * PG) == (uint64_t)i && rd(c, ZERO + i * PG) == (uint64_t)i);
	drop_space(c);
	CHECK(stats().copies == 0 && stats().frames_user == 3 && stats().frames_cow_shared == 0);
	CHECK(frame_of(p, ZERO)->refcount == 1);
}

static void cow_pinned_frame_is_copied_not_reused(void)
{
	struct sim_space *p = setup(32, 16), *c;
	struct vm_frame *fe;

	wr(p, ZERO, 5);
	c = fork_of(p);
	drop_space(c); /* refcount 1, but still marked COW in the parent */
	fe = frame_of(p, ZERO);
	fe->pins++; /* as an in-flight user of the frame would */
	wr(p, ZERO, 6);
	CHECK(stats().copies == 1 && stats().reuses == 0 && frame_of(p, ZERO) != fe);
	vm_unpin_frame(&sim->vm, (vm_frame_t)(fe - sim->ft) + SIM_FRAME_BASE);
	CHECK(rd(p, ZERO) == 6 && stats().frames_user == 1);
}

static void fork_chain_refcounts(void)
{
	struct sim_space *p = setup(32, 16), *c, *g;

	wr(p, ZERO, 1);
	c = fork_of(p);
	g = fork_of(c);
	CHECK(frame_of(p, ZERO)->refcount == 3 && stats().frames_cow_shared == 1);
	wr(g, ZERO, 3);
	CHECK(frame_of(p, ZERO)->refcount == 2 && rd(g, ZERO) == 3);
	wr(c, ZERO, 2);
	CHECK(frame_of(p, ZERO)->refcount == 1 && stats().copies == 2);
	CHECK(rd(p, ZERO) == 1 && rd(c, ZERO) == 2 && rd(g, ZERO) == 3);
}

/* Does the invariant checker pass on every live space now (the SPT's chunk
 * counters among the rest)? */
static bool invariants_hold(void)
{
	struct vm_space *vs[8];
	char err[160];

	for (size_t i = 0; i < nspaces; i++)
		vs[i] = &spaces[i]->vs;
	if (!vm_check_quiescent(&sim->vm, vs, nspaces, err, sizeof(err)))
		return true;
	fprintf(stderr, "invariant: %s\n", err);
	return false;
}

/* Regions of the chunk tests: SPARSE starts 3 pages into a 64-page chunk of
 * the SPT's summary and ends 11 pages into its fourth; FAR lies 64 MiB above
 * SPARSE's third chunk, so both share one summary counter. */
#define CHUNK      (VM_SPT_CHUNK_PAGES * PG)
#define SPARSE     (SIM_VA_BASE + 0x400000 + 3 * PG)
#define SPARSE_END (SIM_VA_BASE + 0x400000 + 3 * CHUNK + 11 * PG)
#define FAR        (SIM_VA_BASE + 0x400000 + 2 * CHUNK + (64ULL << 20))
#define FAR_END    (FAR + 16 * PG)

/* Touched pages of the chunk tests: SPARSE's first page, the last of its
 * first chunk, the first of its second, one alone in its third (with FAR's
 * page in the same counter), SPARSE's last page. */
static const uint64_t sparse_pages[] = {SPARSE,
                                        SIM_VA_BASE + 0x400000 + CHUNK - PG,
                                        SIM_VA_BASE + 0x400000 + CHUNK,
                                        SIM_VA_BASE + 0x400000 + 2 * CHUNK + 22 * PG,
                                        SPARSE_END - PG,
                                        FAR + 5 * PG};
#define NSPARSE (sizeof(sparse_pages) / sizeof(sparse_pages[0]))
/* Their untouched neighbours, which must stay unmaterialised. */
static const uint64_t sparse_gaps[] = {SPARSE + PG,
                                       SIM_VA_BASE + 0x400000 + CHUNK - 2 * PG,
                                       SIM_VA_BASE + 0x400000 + CHUNK + PG,
                                       SIM_VA_BASE + 0x400000 + 2 * CHUNK + 21 * PG,
                                       SIM_VA_BASE + 0x400000 + 2 * CHUNK + 23 * PG,
                                       SPARSE_END - 2 * PG,
                                       FAR + 4 * PG,
                                       FAR + 6 * PG};

/* Do ss's pages hold the values base + i, its gaps nothing? */
static bool sparse_values(struct sim_space *ss, uint64_t base)
{
	for (size_t i = 0; i < NSPARSE; i++)
		if (rd(ss, sparse_pages[i]) != base + i)
			return false;
	for (size_t i = 0; i < sizeof(sparse_gaps) / sizeof(sparse_gaps[0]); i++)
		if (vm_page_state(&ss->vs, sparse_gaps[i]) != VM_PAGE_ZERO)
			return false;
	return true;
}

/* Are ss's pages, but the one at index except, in state st? */
static bool sparse_states(struct sim_space *ss, enum vm_page_state st, size_t except)
{
	for (size_t i = 0; i < NSPARSE; i++)
		if (i != except && vm_page_state(&ss->vs, sparse_pages[i]) != st)
			return false;
	return true;
}

/* Fork and exit skip chunks of the SPT with no entry, and only those: pages
 * at a region's first and last page, at both sides of a chunk boundary and
 * alone in a chunk (whose counter another region's page shares) are all
 * cloned, shared and released; a fork of a fork, a copy in the grandchild,
 * and the parent exiting before its children. */
static void fork_and_exit_skip_only_empty_chunks(void)
{
	struct sim_space *p = setup(32, 16), *c, *g;

	add(p, VM_REGION_ZERO, SPARSE, SPARSE_END, VM_R | VM_W, 0, 0, 0);
	add(p, VM_REGION_ZERO, FAR, FAR_END, VM_R | VM_W, 0, 0, 0);
	CHECK(vm_spt_chunk_of(sparse_pages[3]) == vm_spt_chunk_of(sparse_pages[5]));
	for (size_t i = 0; i < NSPARSE; i++)
		wr(p, sparse_pages[i], 100 + i);
	c = fork_of(p);
	CHECK(c->vs.resident == NSPARSE && stats().frames_cow_shared == NSPARSE);
	CHECK(sparse_values(c, 100) && sparse_states(c, VM_PAGE_COW_SHARED, NSPARSE));
	g = fork_of(c);
	CHECK(g->vs.resident == NSPARSE && frame_of(p, sparse_pages[3])->refcount == 3);
	CHECK(invariants_hold());
	wr(g, sparse_pages[3], 103); /* a copy in the grandchild, same value */
	CHECK(frame_of(p, sparse_pages[3])->refcount == 2 && stats().copies == 1);
	CHECK(vm_page_state(&g->vs, sparse_pages[3]) == VM_PAGE_FRAME);
	CHECK(sparse_values(g, 100) && sparse_states(g, VM_PAGE_COW_SHARED, 3));
	drop_space(p); /* the parent exits first */
	CHECK(invariants_hold() && frame_of(c, sparse_pages[0])->refcount == 2);
	CHECK(vm_page_state(&c->vs, sparse_pages[3]) == VM_PAGE_FRAME);
	CHECK(sparse_values(c, 100) && sparse_states(c, VM_PAGE_COW_SHARED, 3));
	drop_space(c);
	CHECK(sparse_values(g, 100) && sparse_states(g, VM_PAGE_FRAME, NSPARSE));
	CHECK(stats().frames_user == NSPARSE && stats().frames_cow_shared == 0);
}

/* A space with only a heap of 200 pages starting at a chunk boundary. */
static struct sim_space *heap_only_space(void)
{
	struct sim_space *ss = sim_space_new(sim, (uint32_t)(nspaces + 1));
	uint64_t old;

	spaces[nspaces++] = ss;
	add(ss, VM_REGION_HEAP, SIM_VA_BASE + 0x400000, SIM_VA_BASE + 0x400000, VM_R | VM_W, 0, 0,
	    0);
	if (vm_sbrk(&ss->vs, 200 * PG, &old) != VM_OK)
		exit(2);
	return ss;
}

/* Heap shrink and exit: a run of mapped pages leaves in one ranged unmap
 * (the walk goes down; the run grows at its start), only the pages above
 * the new break go (a break mid-chunk and at a chunk boundary), and no frame
 * goes back to the platform while a mapping of it is left. */
static void release_unmaps_runs_before_freeing_frames(void)
{
	struct sim_space *p;
	const uint64_t h = SIM_VA_BASE + 0x400000;
	uint64_t old;
	size_t unmaps;

	setup(60, 16);
	p = heap_only_space();
	sim_watch_frees(sim, p);
	for (unsigned i = 100; i < 140; i++) /* 40 pages in two chunks */
		wr(p, h + i * PG, i);
	wr(p, h + 5 * PG, 5);
	wr(p, h + 63 * PG, 63);
	wr(p, h + 64 * PG, 64);
	CHECK(stats().frames_user == 43);
	unmaps = atomic_load(&sim->n_unmap);
	CHECK(vm_sbrk(&p->vs, -(int64_t)(200 - 110) * PG, &old) == VM_OK); /* break at page 110 */
	CHECK(atomic_load(&sim->n_unmap) == unmaps + 1 && stats().frames_user == 13);
	CHECK(vm_page_state(&p->vs, h + 109 * PG) == VM_PAGE_FRAME && rd(p, h + 109 * PG) == 109);
	CHECK(!sim_mapping(p, h + 110 * PG, NULL, NULL) && invariants_hold());
	CHECK(vm_sbrk(&p->vs, -(int64_t)(110 - 64) * PG, &old) == VM_OK); /* a chunk boundary */
	CHECK(stats().frames_user == 2 && rd(p, h + 63 * PG) == 63);
	CHECK(vm_page_state(&p->vs, h + 64 * PG) == VM_PAGE_NOT_PRESENT);
	CHECK(vm_sbrk(&p->vs, -(int64_t)(64 - 6) * PG, &old) == VM_OK); /* mid-chunk */
	CHECK(stats().frames_user == 1 && rd(p, h + 5 * PG) == 5 && p->vs.resident == 1);
	CHECK(invariants_hold());
	drop_space(p);
	CHECK(atomic_load(&sim->n_freed_mapped) == 0 && stats().frames_user == 0);
}

static void evict_moves_frame_to_slot(void)
{
	struct sim_space *p = setup(32, 16);

	wr(p, ZERO, 77);
	evict_page(p, ZERO);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_SWAPPED);
	CHECK(!sim_mapping(p, ZERO, NULL, NULL));
	CHECK(p->vs.resident == 0 && p->vs.swapped == 1);
	CHECK(stats().frames_user == 0 && stats().slots_in_use == 1 && stats().evictions == 1);
	CHECK(sim->slot_refs[vm_page_lookup(&p->vs, ZERO)->slot] == 1);
	CHECK(rd(p, ZERO) == 77); /* swap-in */
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_FRAME);
	CHECK(stats().slots_in_use == 0 && sim_slots_in_use(sim) == 0);
}

static void evict_shared_frame_unmaps_every_sharer(void)
{
	struct sim_space *p = setup(32, 16), *c;
	vm_slot_t slot;

	wr(p, ZERO, 11);
	c = fork_of(p);
	CHECK(rd(c, ZERO) == 11); /* the child maps it too */
	evict_page(p, ZERO);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_SWAPPED);
	CHECK(vm_page_state(&c->vs, ZERO) == VM_PAGE_SWAPPED);
	CHECK(!sim_mapping(p, ZERO, NULL, NULL) && !sim_mapping(c, ZERO, NULL, NULL));
	slot = vm_page_lookup(&p->vs, ZERO)->slot;
	CHECK(vm_page_lookup(&c->vs, ZERO)->slot == slot && sim->slot_refs[slot] == 2);
	CHECK(stats().frames_user == 0 && stats().frames_cow_shared == 0);
	/* One sharer brings it in: its own frame; the other keeps the slot. */
	wr(c, ZERO, 12);
	CHECK(vm_page_state(&c->vs, ZERO) == VM_PAGE_FRAME && sim->slot_refs[slot] == 1);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_SWAPPED);
	CHECK(rd(p, ZERO) == 11 && rd(c, ZERO) == 12);
	CHECK(stats().slots_in_use == 0);
}

static void fork_clones_swapped_page_by_sharing_slot(void)
{
	struct sim_space *p = setup(32, 16), *c;
	vm_slot_t slot;
	size_t frames;

	wr(p, ZERO, 21);
	evict_page(p, ZERO);
	slot = vm_page_lookup(&p->vs, ZERO)->slot;
	frames = sim_frames_in_use(sim);
	c = fork_of(p);
	CHECK(sim_frames_in_use(sim) == frames); /* no frame allocated by fork */
	CHECK(vm_page_state(&c->vs, ZERO) == VM_PAGE_SWAPPED);
	CHECK(vm_page_lookup(&c->vs, ZERO)->slot == slot && sim->slot_refs[slot] == 2);
	wr(p, ZERO, 22);
	CHECK(rd(c, ZERO) == 21 && rd(p, ZERO) == 22 && stats().slots_in_use == 0);
}

static void pinned_frame_is_never_evicted(void)
{
	struct sim_space *p = setup(32, 16);
	vm_frame_t f;

	wr(p, ZERO, 3);
	CHECK(vm_pin_page(&p->vs, ZERO, &f) == VM_OK);
	CHECK(vm_frame_entry(&sim->vm, f)->pins == 1);
	for (int i = 0; i < 4; i++)
		CHECK(vm_evict_one(&sim->vm) == VM_E_NOENT);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_FRAME);
	vm_unpin_frame(&sim->vm, f);
	evict_page(p, ZERO);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_SWAPPED);
}

static void pin_breaks_cow_first(void)
{
	struct sim_space *p = setup(32, 16), *c;
	vm_frame_t f;

	wr(p, ZERO, 3);
	c = fork_of(p);
	CHECK(vm_pin_page(&c->vs, ZERO, &f) == VM_OK);
	CHECK(vm_frame_entry(&sim->vm, f)->refcount == 1 && frame_of(p, ZERO)->refcount == 1);
	CHECK(stats().frames_cow_shared == 0);
	vm_unpin_frame(&sim->vm, f);
}

static void pager_owned_frame_is_never_evicted(void)
{
	vm_frame_t f;

	setup(32, 16);
	CHECK(vm_frame_alloc_owned(&sim->vm, VM_OWNER_PAGER, &f) == VM_OK);
	CHECK(stats().frames_owned == 1 && stats().frames_user == 0);
	CHECK(vm_evict_one(&sim->vm) == VM_E_NOENT);
	vm_frame_free_owned(&sim->vm, f);
	CHECK(stats().frames_owned == 0 && sim_frames_in_use(sim) == 0);
}

static void clock_gives_accessed_pages_a_second_chance(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t a = ZERO, b = ZERO + PG, c = ZERO + 2 * PG, kept, other;

	wr(p, a, 1);
	wr(p, b, 2);
	wr(p, c, 3);
	CHECK(vm_evict_one(&sim->vm) == VM_OK); /* first sweep clears every bit */
	if (vm_page_state(&p->vs, a) == VM_PAGE_SWAPPED) {
		kept = b;
		other = c;
	} else {
		kept = a;
		other = vm_page_state(&p->vs, b) == VM_PAGE_SWAPPED ? c : b;
	}
	rd(p, kept); /* mapped: no fault, only the MMU's accessed bit */
	CHECK(vm_evict_one(&sim->vm) == VM_OK);
	CHECK(vm_page_state(&p->vs, kept) == VM_PAGE_FRAME);
	CHECK(vm_page_state(&p->vs, other) == VM_PAGE_SWAPPED);
}

static void out_of_memory_when_swap_is_full(void)
{
	struct sim_space *p = setup(2, 16);
	uint64_t v = 1;
	struct vm_verdict vd;

	sim_set_slot_limit(sim, 0);
	wr(p, ZERO, 1);
	wr(p, ZERO + PG, 2);
	vd = sim_write(p, ZERO + 2 * PG, 0, 1, &v, STACK_TOP);
	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_OOM && strstr(vd.msg, "out of memory"));
	CHECK(vm_page_state(&p->vs, ZERO + 2 * PG) == VM_PAGE_ZERO);
	CHECK(stats().frames_user == 2 && sim_frames_in_use(sim) == 2 && stats().slots_in_use == 0);
	/* The failed eviction left its victim in memory; it maps again. */
	CHECK(rd(p, ZERO) == 1 && rd(p, ZERO + PG) == 2);
}

static void out_of_memory_when_nothing_is_evictable(void)
{
	struct sim_space *p = setup(1, 16);
	uint64_t v = 1;
	vm_frame_t f;
	struct vm_verdict vd;

	wr(p, ZERO, 1);
	CHECK(vm_pin_page(&p->vs, ZERO, &f) == VM_OK);
	vd = sim_write(p, ZERO + PG, 0, 1, &v, STACK_TOP);
	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_OOM);
	vm_unpin_frame(&sim->vm, f);
	CHECK(stats().frames_user == 1 && stats().slots_in_use == 0);
}

static void out_of_memory_during_cow_kills_only_the_writer(void)
{
	struct sim_space *p = setup(1, 0), *c;
	uint64_t v = 2;
	struct vm_verdict vd;

	wr(p, ZERO, 1);
	c = fork_of(p);
	vd = sim_write(c, ZERO, 0, 1, &v, STACK_TOP);
	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_OOM);
	drop_space(c); /* the pager kills the child */
	CHECK(frame_of(p, ZERO)->refcount == 1 && frame_of(p, ZERO)->copying == 0);
	wr(p, ZERO, 3); /* the parent goes on: last sharer, no copy */
	CHECK(rd(p, ZERO) == 3 && stats().reuses == 1 && stats().frames_user == 1);
}

static void swap_io_error_kills_and_keeps_the_slot(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t v;
	struct vm_verdict vd;

	wr(p, ZERO, 5);
	evict_page(p, ZERO);
	sim_set_fail_swap_io(sim, true);
	vd = sim_read(p, ZERO, 0, 1, &v, STACK_TOP);
	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_IO);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_SWAPPED && stats().frames_user == 0);
	sim_set_fail_swap_io(sim, false);
	CHECK(rd(p, ZERO) == 5);
}

/* ---- heap ---- */

static void sbrk_zero_grow_shrink(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t old;
	struct vm_verdict vd;

	CHECK(vm_sbrk(&p->vs, 0, &old) == VM_OK && old == HEAP);
	CHECK(vm_sbrk(&p->vs, 3 * PG + 10, &old) == VM_OK && old == HEAP);
	CHECK(vm_page_state(&p->vs, HEAP + 3 * PG) == VM_PAGE_ZERO);
	for (int i = 0; i < 4; i++)
		wr(p, HEAP + i * PG, 50 + i);
	evict_page(p, HEAP + 3 * PG);
	CHECK(vm_page_state(&p->vs, HEAP + 3 * PG) == VM_PAGE_SWAPPED);
	CHECK(vm_sbrk(&p->vs, 0, &old) == VM_OK && old == HEAP + 3 * PG + 10);
	/* Shrink to 1 page + 1 byte: pages 2 and 3 go, frame and slot freed. */
	CHECK(vm_sbrk(&p->vs, -(int64_t)(2 * PG + 9), &old) == VM_OK);
	CHECK(p->vs.resident + p->vs.swapped == 2);
	CHECK(stats().slots_in_use == p->vs.swapped && stats().frames_user == p->vs.resident);
	CHECK(sim_slots_in_use(sim) == p->vs.swapped);
	CHECK(rd(p, HEAP + PG) == 51);
	vd = vm_fault(&p->vs, HEAP + 2 * PG, VM_ACCESS_READ, STACK_TOP);
	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_NO_REGION);
	/* Growing again gives zeroed pages. */
	CHECK(vm_sbrk(&p->vs, 2 * PG, &old) == VM_OK);
	CHECK(rd(p, HEAP + 2 * PG) == 0);
}

static void sbrk_growth_into_another_region_fails_unchanged(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t old, brk;

	CHECK(vm_sbrk(&p->vs, 2 * PG, &old) == VM_OK);
	wr(p, HEAP, 1);
	CHECK(vm_sbrk(&p->vs, (int64_t)(BLOCK - HEAP), &old) == VM_E_OVERLAP);
	CHECK(vm_sbrk(&p->vs, 0, &brk) == VM_OK && brk == HEAP + 2 * PG);
	CHECK(vm_region_find(&p->vs, HEAP)->end == HEAP + 2 * PG);
	CHECK(rd(p, HEAP) == 1);
	CHECK(vm_sbrk(&p->vs, (int64_t)(BLOCK - HEAP - 2 * PG), &old) ==
	      VM_OK); /* exactly up to it */
	CHECK(vm_sbrk(&p->vs, -(int64_t)(BLOCK - HEAP) - 1, &old) == VM_E_INVAL); /* below start */
}

/* ---- stack ---- */

static void stack_grows_on_writes_within_its_limit(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t sp = STACK_TOP - 64, v = 9;
	struct vm_verdict vd;

	vd = sim_write(p, sp - 16, 0, 1, &v, sp); /* a push just below SP */
	CHECK(vd.kind == VM_RESUME);
	vd = sim_write(p, STACK_TOP - STACK_LIMIT + 8, 0, 1, &v, sp); /* deep, within the limit */
	CHECK(vd.kind == VM_RESUME);
	vd = sim_read(p, sp - 100, 0, 1, &v, sp); /* a read near SP */
	CHECK(vd.kind == VM_RESUME);
	CHECK(p->vs.resident == 2);
}

static void stack_access_beyond_limit_kills(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t addr = STACK_TOP - STACK_LIMIT - 8;
	struct vm_verdict vd = vm_fault(&p->vs, addr, VM_ACCESS_WRITE, addr);

	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_STACK_LIMIT);
	CHECK(strstr(vd.msg, "beyond the stack limit at 0x107ffff8"));
}

static void stack_read_far_below_sp_kills(void)
{
	struct sim_space *p = setup(32, 16);
	uint64_t sp = STACK_TOP - 64;
	struct vm_verdict vd = vm_fault(&p->vs, sp - 3 * PG, VM_ACCESS_READ, sp);

	CHECK(vd.kind == VM_KILL && vd.reason == VM_KILL_STACK_FAR_BELOW_SP);
	CHECK(stats().frames_user == 0);
	wr(p, sp - 3 * PG, 4); /* once written, reading it is fine */
	vd = vm_fault(&p->vs, sp - 3 * PG, VM_ACCESS_READ, sp);
	CHECK(vd.kind == VM_RESUME);
}

/* ---- exit, setup errors, lock order ---- */

static void exit_frees_every_frame_and_slot(void)
{
	struct sim_space *p = setup(32, 16), *c;
	vm_frame_t f;

	for (int i = 0; i < 6; i++)
		wr(p, ZERO + i * PG, i);
	rd(p, CODE);
	evict_page(p, ZERO + PG);
	c = fork_of(p);
	wr(c, ZERO + 2 * PG, 99);
	evict_page(c, ZERO + 2 * PG);
	CHECK(vm_frame_alloc_owned(&sim->vm, VM_OWNER_SWAPD, &f) == VM_OK);
	rd(p, ZERO + 3 * PG);
	wr(c, ZERO + 4 * PG, 98);
	CHECK(stats().frames_user > 0 && stats().slots_in_use >= 2);
	drop_space(c);
	drop_space(p);
	vm_frame_free_owned(&sim->vm, f);
	CHECK(stats().frames_user == 0 && stats().frames_owned == 0);
	CHECK(stats().frames_cow_shared == 0 && stats().slots_in_use == 0);
	CHECK(sim_frames_in_use(sim) == 0 && sim_slots_in_use(sim) == 0);
	CHECK(sim->vm.pages.used == 0 && sim->vm.rmaps.used == 0 && sim->vm.regions.used == 0);
}

/* ---- faults that need I/O (vm_fault_noio) ---- */

/* A worker's fault of a swapped page: VM_NEED_IO, no store call, nothing
 * changed; the I/O thread's vm_fault then brings it in. */
static void noio_swapped_page_needs_io_and_changes_nothing(void)
{
	struct sim_space *p = setup(32, 16);
	struct vm_verdict vd;
	vm_slot_t slot;
	uint64_t gen;

	wr(p, ZERO, 41);
	evict_page(p, ZERO);
	slot = vm_page_lookup(&p->vs, ZERO)->slot;
	gen = vm_page_lookup(&p->vs, ZERO)->gen;
	size_t ins = atomic_load(&sim->n_swap_in);
	vd = vm_fault_noio(&p->vs, ZERO, VM_ACCESS_READ, STACK_TOP);
	CHECK(vd.kind == VM_NEED_IO);
	CHECK(atomic_load(&sim->n_swap_in) == ins && stats().frames_user == 0);
	CHECK(vm_page_state(&p->vs, ZERO) == VM_PAGE_SWAPPED);
	CHECK(vm_page_lookup(&p->vs, ZERO)->gen == gen && sim->slot_refs[slot] == 1);
	vd = vm_fault(&p->vs, ZERO, VM_ACCESS_READ, STACK_TOP);
	CHECK(vd.kind == VM_RESUME && rd(p, ZERO) == 41);
	CHECK(atomic_load(&sim->n_swap_in) == ins + 1 && stats().slots_in_use == 0);
}

/* With a free frame, zero-fill, file pages and COW breaks complete without
 * I/O; with none, each answers VM_NEED_IO instead of evicting, and no page,
 * frame, copy count or slot changed. */
static void noio_needs_io_only_when_no_frame_is_free(void)
{
	struct sim_space *p = setup(3, 16), *c;
	struct vm_verdict vd;
	uint64_t v = 9;

	CHECK(vm_fault_noio(&p->vs, ZERO, VM_ACCESS_WRITE, STACK_TOP).kind == VM_RESUME);
	CHECK(vm_fault_noio(&p->vs, DATA, VM_ACCESS_READ, STACK_TOP).kind == VM_RESUME);
	wr(p, ZERO, 1);
	c = fork_of(p);
	CHECK(vm_fault_noio(&c->vs, ZERO, VM_ACCESS_WRITE, STACK_TOP).kind == VM_RESUME);
	CHECK(stats().copies == 1 && stats().frames_user == 3); /* the budget */
	/* No frame free now. */
	size_t outs = atomic_load(&sim->n_swap_out);
	vd = vm_fault_noio(&p->vs, ZERO + PG, VM_ACCESS_WRITE, STACK_TOP);
	CHECK(vd.kind == VM_NEED_IO && vm_page_state(&p->vs, ZERO + PG) == VM_PAGE_ZERO);
	vd = vm_fault_noio(&p->vs, CODE, VM_ACCESS_READ, STACK_TOP);
	CHECK(vd.kind == VM_NEED_IO && vm_page_state(&p->vs, CODE) == VM_PAGE_FILE);
	c = fork_of(c); /* the child's copy becomes shared again */
	vd = vm_fault_noio(&c->vs, ZERO, VM_ACCESS_WRITE, STACK_TOP);
	CHECK(vd.kind == VM_NEED_IO && vm_page_state(&c->vs, ZERO) == VM_PAGE_COW_SHARED);
	CHECK(frame_of(c, ZERO)->copying == 0 && frame_of(c, ZERO)->refcount == 2);
	CHECK(atomic_load(&sim->n_swap_out) == outs && stats().frames_user == 3);
	CHECK(stats().evictions == 0 && stats().copies == 1);
	/* The thread that may wait gets its frame by eviction. */
	CHECK(sim_write(c, ZERO, 0, 1, &v, STACK_TOP).kind != VM_KILL);
	CHECK(rd(c, ZERO) == 9 && stats().evictions >= 1 && stats().copies == 2);
}

/* Slots go back to the store only with no vmcore lock held: on swap-in,
 * heap shrink, exit and an eviction whose sharer exited meanwhile. */
static void slot_free_runs_with_no_vmcore_lock(void)
{
	struct sim_space *p = setup(32, 16), *c;
	uint64_t old;

	wr(p, ZERO, 1);
	evict_page(p, ZERO);
	CHECK(rd(p, ZERO) == 1); /* swap-in: the slot's last reference goes */
	CHECK(atomic_load(&sim->n_slot_free) == 1 && sim_slots_in_use(sim) == 0);
	CHECK(vm_sbrk(&p->vs, 4 * PG, &old) == VM_OK);
	wr(p, HEAP, 2);
	wr(p, HEAP + PG, 3);
	evict_page(p, HEAP);
	evict_page(p, HEAP + PG);
	CHECK(vm_sbrk(&p->vs, -4 * (int64_t)PG, &old) == VM_OK); /* shrink */
	CHECK(atomic_load(&sim->n_slot_free) == 3 && sim_slots_in_use(sim) == 0);
	wr(p, ZERO + PG, 4);
	c = fork_of(p);
	evict_page(p, ZERO + PG); /* shared by both: one slot, refcount 2 */
	drop_space(c);
	size_t left = stats().slots_in_use; /* the clock may have taken others too */
	CHECK(left >= 1 && sim_slots_in_use(sim) == left);
	drop_space(p); /* exit */
	CHECK(atomic_load(&sim->n_slot_free) == 3 + left && sim_slots_in_use(sim) == 0);
	CHECK(stats().slots_in_use == 0 && sim->vm.slots_to_free == 0);
	CHECK(atomic_load(&sim->n_store_calls_locked) == 0);
}

static void bad_setup_is_refused(void)
{
	struct sim_space *p = setup(32, 16);
	struct vm_region_desc d = {.kind = VM_REGION_ZERO,
	                           .start = ZERO + PG,
	                           .end = ZERO + 20 * PG,
	                           .rights = VM_R | VM_W};
	struct vm_platform plat = sim->vm.plat;
	struct vm_config cfg = {0};
	struct vm vm;

	CHECK(vm_region_add(&p->vs, &d) == VM_E_OVERLAP);
	d.start = ZERO + 100 * PG + 1;
	CHECK(vm_region_add(&p->vs, &d) == VM_E_INVAL);
	d.start = BLOCK + 32 * PG;
	d.end = d.start + PG;
	d.rights = VM_W;
	CHECK(vm_region_add(&p->vs, &d) == VM_E_INVAL);
	plat.swap_out = NULL;
	CHECK(vm_init(&vm, &plat, &cfg) == VM_E_INVAL);
}

static void lock_order_checker_fires_out_of_order(void)
{
	struct sim_space *p = setup(32, 16);
	int fds[2], status;
	char buf[256] = {0};
	pid_t pid;

	CHECK(pipe(fds) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* Frame lock, then an SPT lock: against the documented order. */
		dup2(fds[1], 2);
		vm_lock_take(&sim->vm, &sim->ft[0].lock);
		vm_lock_take(&sim->vm, &p->vs.lock);
		_exit(0);
	}
	close(fds[1]);
	CHECK(read(fds[0], buf, sizeof(buf) - 1) > 0);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(buf, "lock order violation: acquiring rank 2 while holding rank 4"));
}

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
#define T(n)                                                                                       \
	{                                                                                          \
#n, n                                                                              \
	}
    T(zero_fill_on_first_touch),
    T(file_page_loads_on_first_touch),
    T(spurious_fault_adds_no_frame),
    T(write_to_readonly_region_kills),
    T(exec_needs_exec_right),
    T(access_outside_every_region_kills),
    T(fork_shares_frames_copy_on_write),
    T(cow_write_by_non_last_sharer_copies),
    T(cow_write_by_last_sharer_reuses_frame),
    T(cow_nobody_writes_nothing_copied),
    T(cow_copies_are_counted_per_space),
    T(cow_two_threads_one_page_one_copy_per_space),
    T(cow_pinned_frame_is_copied_not_reused),
    T(fork_chain_refcounts),
    T(fork_and_exit_skip_only_empty_chunks),
    T(release_unmaps_runs_before_freeing_frames),
    T(evict_moves_frame_to_slot),
    T(evict_shared_frame_unmaps_every_sharer),
    T(fork_clones_swapped_page_by_sharing_slot),
    T(pinned_frame_is_never_evicted),
    T(pin_breaks_cow_first),
    T(pager_owned_frame_is_never_evicted),
    T(clock_gives_accessed_pages_a_second_chance),
    T(out_of_memory_when_swap_is_full),
    T(out_of_memory_when_nothing_is_evictable),
    T(out_of_memory_during_cow_kills_only_the_writer),
    T(swap_io_error_kills_and_keeps_the_slot),
    T(sbrk_zero_grow_shrink),
    T(sbrk_growth_into_another_region_fails_unchanged),
    T(stack_grows_on_writes_within_its_limit),
    T(stack_access_beyond_limit_kills),
    T(stack_read_far_below_sp_kills),
    T(exit_frees_every_frame_and_slot),
    T(noio_swapped_page_needs_io_and_changes_nothing),
    T(noio_needs_io_only_when_no_frame_is_free),
    T(slot_free_runs_with_no_vmcore_lock),
    T(bad_setup_is_refused),
    T(lock_order_checker_fires_out_of_order),
#undef T
};

/* Run one test, then check every invariant and that destroying every space
 * brings the accounting back to zero. */
static void run(const struct test *t)
{
	char err[160];
	struct vm_space *vs[8];
	int before = failures;

	sim = NULL;
	nspaces = 0;
	t->fn();
	if (sim && failures == before) {
		for (size_t i = 0; i < nspaces; i++)
			vs[i] = &spaces[i]->vs;
		if (vm_check_quiescent(&sim->vm, vs, nspaces, err, sizeof(err))) {
			fprintf(stderr, "%s: invariant: %s\n", t->name, err);
			failures++;
		}
		while (nspaces)
			drop_space(spaces[0]);
		if (atomic_load(&sim->n_store_calls_locked)) {
			fprintf(stderr, "%s: a backing-store call with a vmcore lock held\n",
			        t->name);
			failures++;
		}
		if (vm_check_quiescent(&sim->vm, vs, 0, err, sizeof(err)) ||
		    sim_frames_in_use(sim) || sim_slots_in_use(sim)) {
			fprintf(stderr, "%s: leak after exit: %s\n", t->name, err);
			failures++;
		}
	}
	if (sim)
		sim_delete(sim);
	printf("%s %s\n", failures == before ? "PASS" : "FAIL", t->name);
}

int main(int argc, char **argv)
{
	size_t n = sizeof(tests) / sizeof(tests[0]);
	bool found = argc < 2;

	for (size_t i = 0; i < n; i++) {
		if (argc < 2 || strcmp(argv[1], tests[i].name) == 0) {
			run(&tests[i]);
			found = true;
		}
	}
	if (!found) {
		fprintf(stderr, "no test named %s\n", argv[1]);
		return 2;
	}
	return failures ? 1 : 0;
}
