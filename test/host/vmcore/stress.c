/*
 * vmcore stress harness: many pthreads drive vmcore through the protocols
 * the pager uses, under memory pressure, while evictor threads run the
 * clock. Built with ThreadSanitizer (vmcore.stress.tsan), with the lock-order
 * checker (vmcore.stress.lockcheck), and without the delayed decrement
 * (vmcore.stress.mutation, which must report corruption).
 *
 * Families: a parent space (two threads) forks a child (two threads) each
 * round; all four write-fault the same COW-shared pages at once (concurrent
 * COW breaks, also two threads of one space on one page), then the child
 * exits. Fork, faults and exit all race the evictors. Registration: several
 * threads of one fresh space read-fault the same pages at once.
 *
 * Every page holds 8 groups of 64 words; thread t of a space owns group t;
 * groups 2..7 keep the parent's initial pattern forever. Each word encodes
 * (writer space, page, group, version, word): a read that finds another
 * space's writer, a stale version or a torn group is reported as CORRUPTION.
 * At the end refcounts, pins, reverse maps, slots and accounting must be
 * consistent and back to zero.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUPS      8
#define GWORDS      ((int)(SIM_WORDS / GROUPS))
#define REGION_BASE (SIM_VA_BASE + 0x100000)
#define MAX_PAGES   64

struct expect {
	uint32_t writer, version;
};

struct pspace {
	struct sim_space *ss;
	uint32_t id;
	struct expect e[MAX_PAGES][GROUPS];
};

struct family {
	int index;
	pthread_barrier_t barrier;
	struct pspace parent, child;
	uint64_t seed;
};

static struct sim *sim;
static int npages = 12, nrounds = 30, nfamilies = 3, reg_threads = 4, reg_rounds = 20;
static atomic_int next_id = 1;
static atomic_bool stop_evictors;
static atomic_size_t faults_checked;

/* The content of one word; writer 0 means never written (zero-filled). */
static uint64_t pattern(uint32_t writer, int page, int group, uint32_t version, int word)
{
	if (!writer)
		return 0;
	return ((uint64_t)writer << 48) ^ ((uint64_t)page << 40) ^ ((uint64_t)group << 32) ^
	       ((uint64_t)version << 8) ^ (uint64_t)word;
}

static void corruption(const struct pspace *ps, int page, int group, uint64_t got, uint64_t want)
{
	fprintf(stderr,
	        "CORRUPTION: space %u page %d group %d reads %#llx, expected %#llx "
	        "(writer %u version %u)\n",
	        ps->id, page, group, (unsigned long long)got, (unsigned long long)want,
	        ps->e[page][group].writer, ps->e[page][group].version);
	exit(1);
}

static void killed(const struct pspace *ps, const struct vm_verdict *v)
{
	fprintf(stderr, "FAIL: space %u killed: %s\n", ps->id, v->msg);
	exit(1);
}

/* Check one group of one page against the space's expectation. */
static void verify_group(struct pspace *ps, int page, int group)
{
	uint64_t buf[GWORDS];
	uint64_t va = REGION_BASE + (uint64_t)page * VM_PAGE_SIZE;
	struct vm_verdict v = sim_read(ps->ss, va, (size_t)group * GWORDS, GWORDS, buf, 0);
	struct expect e = ps->e[page][group];

	if (v.kind == VM_KILL)
		killed(ps, &v);
	for (int w = 0; w < GWORDS; w++) {
		uint64_t want = pattern(e.writer, page, group, e.version, w);

		if (buf[w] != want)
			corruption(ps, page, group, buf[w], want);
	}
	atomic_fetch_add(&faults_checked, 1);
}

/* Write a new version of one group and remember it. */
static void write_group(struct pspace *ps, int page, int group, uint32_t version)
{
	uint64_t buf[GWORDS];
	uint64_t va = REGION_BASE + (uint64_t)page * VM_PAGE_SIZE;
	struct vm_verdict v;

	for (int w = 0; w < GWORDS; w++)
		buf[w] = pattern(ps->id, page, group, version, w);
	v = sim_write(ps->ss, va, (size_t)group * GWORDS, GWORDS, buf, 0);
	if (v.kind == VM_KILL)
		killed(ps, &v);
	ps->e[page][group] = (struct expect){ps->id, version};
}

static struct sim_space *new_space(uint32_t id)
{
	struct sim_space *ss = sim_space_new(sim, id);
	struct vm_region_desc d = {.kind = VM_REGION_ZERO,
	                           .start = REGION_BASE,
	                           .end = REGION_BASE + (uint64_t)npages * VM_PAGE_SIZE,
	                           .rights = VM_R | VM_W};

	if (vm_region_add(&ss->vs, &d) != VM_OK) {
		fprintf(stderr, "FAIL: region_add\n");
		exit(1);
	}
	return ss;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct worker {
	struct family *fam;
	int role; /* 0, 1: parent threads; 2, 3: child threads */
};

/* One thread of a family: see the file comment. */
static void *family_thread(void *arg)
{
	struct worker *wk = arg;
	struct family *fam = wk->fam;
	int group = wk->role & 1;
	uint64_t rnd = fam->seed * 4 + (uint64_t)wk->role + 1;

	if (wk->role == 0) {
		for (int p = 0; p < npages; p++)
			for (int g = 0; g < GROUPS; g++)
				if (g != 1)
					write_group(&fam->parent, p, g, 0);
	} else if (wk->role == 1) {
		for (int p = 0; p < npages; p++)
			write_group(&fam->parent, p, 1, 0);
	}
	for (int round = 1; round <= nrounds; round++) {
		struct pspace *me;

		pthread_barrier_wait(&fam->barrier);
		if (wk->role == 0) {
			fam->child.id = (uint32_t)atomic_fetch_add(&next_id, 1);
			fam->child.ss = sim_space_new(sim, fam->child.id);
			if (vm_fork(&fam->parent.ss->vs, &fam->child.ss->vs) != VM_OK) {
				fprintf(stderr, "FAIL: fork\n");
				exit(1);
			}
			memcpy(fam->child.e, fam->parent.e, sizeof(fam->child.e));
		}
		pthread_barrier_wait(&fam->barrier);
		me = wk->role < 2 ? &fam->parent : &fam->child;
		for (int i = 0; i < npages; i++) {
			int p = (int)(next_rand(&rnd) % (uint64_t)npages);

			verify_group(me, p, group);
			write_group(me, p, group, (uint32_t)round * 4 + (uint32_t)wk->role);
			verify_group(me, p, group);
			verify_group(me, p, 2 + (int)(next_rand(&rnd) % (GROUPS - 2)));
		}
		pthread_barrier_wait(&fam->barrier);
		if (wk->role == 2) {
			for (int p = 0; p < npages; p++)
				for (int g = 0; g < GROUPS; g++)
					verify_group(&fam->child, p, g);
			vm_space_destroy(&fam->child.ss->vs); /* exit, racing the evictors */
			sim_space_delete(fam->child.ss);
		}
		if (wk->role == 0)
			for (int p = 0; p < npages; p++)
				for (int g = 2; g < GROUPS; g++)
					verify_group(&fam->parent, p, g);
	}
	return NULL;
}

struct reg_state {
	pthread_barrier_t barrier;
	struct pspace ps;
};

/* Registration race: every thread read-faults the same fresh pages at once. */
static void *reg_thread(void *arg)
{
	struct reg_state *rs = arg;

	for (int round = 0; round < reg_rounds; round++) {
		pthread_barrier_wait(&rs->barrier);
		for (int p = 0; p < npages; p++)
			verify_group(&rs->ps, p, p % GROUPS); /* all zero: writer 0, version 0 */
		pthread_barrier_wait(&rs->barrier);
	}
	return NULL;
}

static void *reg_driver(void *arg)
{
	struct reg_state *rs = arg;
	pthread_t t[16];

	(void)arg;
	pthread_barrier_init(&rs->barrier, NULL, (unsigned)reg_threads + 1);
	for (int i = 0; i < reg_threads; i++)
		pthread_create(&t[i], NULL, reg_thread, rs);
	for (int round = 0; round < reg_rounds; round++) {
		size_t resident, swapped;

		rs->ps.ss = new_space((uint32_t)atomic_fetch_add(&next_id, 1));
		rs->ps.id = rs->ps.ss->vs.id;
		memset(rs->ps.e, 0, sizeof(rs->ps.e));
		pthread_barrier_wait(&rs->barrier);
		pthread_barrier_wait(&rs->barrier);
		vm_space_counts(&rs->ps.ss->vs, &resident, &swapped);
		if (resident + swapped != (size_t)npages) {
			fprintf(stderr, "CORRUPTION: registration race left %zu+%zu pages for %d\n",
			        resident, swapped, npages);
			exit(1);
		}
		vm_space_destroy(&rs->ps.ss->vs);
		sim_space_delete(rs->ps.ss);
	}
	for (int i = 0; i < reg_threads; i++)
		pthread_join(t[i], NULL);
	return NULL;
}

static void *evictor(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_evictors))
		if (vm_evict_one(&sim->vm) != VM_OK)
			sched_yield();
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: vmcore_stress [--rounds N] [--families N] [--pages N] [--seed N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sim_config cfg = {
	    .nframes = 512, .nslots = 2048, .nrecords = 8192, .slow_copy = true};
	struct family fams[8];
	struct worker wks[8][4];
	pthread_t th[8][4], ev[2], reg;
	struct reg_state rs;
	struct vm_space *parents[8];
	struct vm_stats st;
	uint64_t seed = 1;
	char err[200];

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--rounds"))
			nrounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--families"))
			nfamilies = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pages"))
			npages = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[++i], NULL, 0);
		else
			usage();
	}
	if (nrounds < 1 || nfamilies < 1 || nfamilies > 8 || npages < 1 || npages > MAX_PAGES)
		usage();
	/* Frames for about half of what the spaces touch: constant eviction. */
	cfg.budget = (size_t)(nfamilies * 2 * npages + npages) / 2;
	sim = sim_new(&cfg);

	for (int f = 0; f < nfamilies; f++) {
		fams[f].index = f;
		fams[f].seed = seed * 1000 + (uint64_t)f;
		pthread_barrier_init(&fams[f].barrier, NULL, 4);
		fams[f].parent.id = (uint32_t)atomic_fetch_add(&next_id, 1);
		fams[f].parent.ss = new_space(fams[f].parent.id);
		parents[f] = &fams[f].parent.ss->vs;
	}
	for (int i = 0; i < 2; i++)
		pthread_create(&ev[i], NULL, evictor, NULL);
	pthread_create(&reg, NULL, reg_driver, &rs);
	for (int f = 0; f < nfamilies; f++) {
		for (int r = 0; r < 4; r++) {
			wks[f][r] = (struct worker){&fams[f], r};
			pthread_create(&th[f][r], NULL, family_thread, &wks[f][r]);
		}
	}
	for (int f = 0; f < nfamilies; f++)
		for (int r = 0; r < 4; r++)
			pthread_join(th[f][r], NULL);
	pthread_join(reg, NULL);
	atomic_store(&stop_evictors, true);
	for (int i = 0; i < 2; i++)
		pthread_join(ev[i], NULL);

	if (vm_check_quiescent(&sim->vm, parents, (size_t)nfamilies, err, sizeof(err))) {
		fprintf(stderr, "CORRUPTION: invariant: %s\n", err);
		return 1;
	}
	for (int f = 0; f < nfamilies; f++) {
		vm_space_destroy(parents[f]);
		sim_space_delete(fams[f].parent.ss);
	}
	vm_stats(&sim->vm, &st);
	if (vm_check_quiescent(&sim->vm, NULL, 0, err, sizeof(err)) || st.frames_user ||
	    st.frames_cow_shared || st.slots_in_use || sim_frames_in_use(sim) ||
	    sim_slots_in_use(sim) || sim->vm.pages.used || sim->vm.rmaps.used ||
	    sim->vm.regions.used) {
		fprintf(stderr, "FAIL: leak after exit: %s frames %zu slots %zu\n", err,
		        st.frames_user, st.slots_in_use);
		return 1;
	}
	printf("vmcore stress: %d families x %d rounds x %d pages, %zu checks, %zu copies, "
	       "%zu reuses, %zu evictions, %zu swap-ins: OK\n",
	       nfamilies, nrounds, npages, atomic_load(&faults_checked), st.copies, st.reuses,
	       st.evictions, atomic_load(&sim->n_swap_in));
	sim_delete(sim);
	return 0;
}
