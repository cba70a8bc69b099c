/*
 * The IPC log helpers of tracelog.h. Records are copied out of the mapped
 * rings (the kernel keeps writing while we read: a ring that moved more
 * than its size since the mark fails the test instead of giving torn
 * records) and merged by timestamp: the generic counter is common to all
 * CPUs, so a fault delivered on one CPU and handled on another reads in
 * the order it happened.
 */
#include <stdio.h>
#include <stdlib.h>

#include <faultline/abi.h>
#include <faultline/invocations.h>
#include <faultline/ipc.h>

#include "pager.h"
#include "testlib.h"
#include "tracelog.h"

extern _Thread_local fl_cptr_t fl_pager_cap; /* the runtime's pager cap */

/* One record of the merged log: the record, and its ring and place there. */
struct tl_rec {
	struct fl_ipclog_record r;
	unsigned cpu;
	uint64_t seq;
};

void tl_open(struct tl_log *log)
{
	uint64_t va = 0;
	uint32_t ncpus = 0, self = 0;
	bool was = false;
	int err = pager_trace_map(fl_pager_cap, &va, &ncpus, &self);

	T_ASSERTF(err == 0, "pager.trace_map failed: error %d", err);
	T_ASSERTF(ncpus >= 1 && ncpus <= sizeof log->mark / sizeof log->mark[0],
	          "pager.trace_map says %u CPUs", ncpus);
	T_ASSERTF(self != 0, "pager.trace_map gave no thread id");
	log->rings = (const volatile struct fl_ipclog_ring *)(uintptr_t)va;
	log->ncpus = ncpus;
	log->self = self;
	for (unsigned c = 0; c < ncpus; c++) {
		T_ASSERTF(log->rings[c].cpu == c && log->rings[c].nrecords == FL_IPCLOG_RECORDS,
		          "ring %u at %p says cpu %u, %u records", c, (void *)&log->rings[c],
		          (unsigned)log->rings[c].cpu, (unsigned)log->rings[c].nrecords);
	}
	err = pager_trace_enable(fl_pager_cap, true, &was);
	T_ASSERTF(err == 0, "pager.trace_enable(on) failed: error %d", err);
	T_ASSERTF(log->rings[0].enabled == 1, "recording is not on after pager.trace_enable(on)");
	log->was_on = was;
	tl_mark(log);
}

void tl_record(bool on)
{
	bool was;
	int err = pager_trace_enable(fl_pager_cap, on, &was);

	T_ASSERTF(err == 0, "pager.trace_enable(%d) failed: error %d", on, err);
}

void tl_close(struct tl_log *log)
{
	tl_record(log->was_on);
}

void tl_mark(struct tl_log *log)
{
	for (unsigned c = 0; c < log->ncpus; c++)
		log->mark[c] = __atomic_load_n(&log->rings[c].head, __ATOMIC_ACQUIRE);
}

/* Order of the merged log: time, then CPU, then place in the ring. */
static int rec_cmp(const void *a, const void *b)
{
	const struct tl_rec *x = a, *y = b;

	if (x->r.timestamp != y->r.timestamp)
		return x->r.timestamp < y->r.timestamp ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The merged copy. Static, not malloc'd: the heap stays the test's own, so a
 * test can give back exactly what it took with sbrk (only the pages the
 * records fill are ever touched).
 */
static struct tl_rec merged[16 * FL_IPCLOG_RECORDS];

/* Every record since the mark, merged into merged[]; *n gets the count. */
static struct tl_rec *collect(struct tl_log *log, unsigned *n)
{
	uint64_t head[16], total = 0;

	for (unsigned c = 0; c < log->ncpus; c++) {
		head[c] = __atomic_load_n(&log->rings[c].head, __ATOMIC_ACQUIRE);
		T_ASSERTF(head[c] - log->mark[c] <= FL_IPCLOG_RECORDS,
		          "the ring of CPU %u took %llu records since the mark: it wrapped", c,
		          (unsigned long long)(head[c] - log->mark[c]));
		total += head[c] - log->mark[c];
	}
	struct tl_rec *out = merged;
	unsigned k = 0;
	for (unsigned c = 0; c < log->ncpus; c++)
		for (uint64_t s = log->mark[c]; s < head[c]; s++) {
			const volatile struct fl_ipclog_record *src =
			    &log->rings[c].rec[s % FL_IPCLOG_RECORDS];
			struct tl_rec *d = &out[k++];
			d->r.timestamp = src->timestamp;
			d->r.kind = src->kind;
			d->r.cpu = src->cpu;
			d->r.nwords = src->nwords;
			d->r.flags = src->flags;
			d->r.from = src->from;
			d->r.to = src->to;
			d->r.length = src->length;
			d->r.badge = src->badge;
			d->r.label = src->label;
			for (unsigned i = 0; i < 3; i++)
				d->r.words[i] = src->words[i];
			d->cpu = c;
			d->seq = s;
		}
	/* Copied while the kernel went on writing: none of it may have been
	 * overwritten meanwhile. */
	for (unsigned c = 0; c < log->ncpus; c++) {
		uint64_t now = __atomic_load_n(&log->rings[c].head, __ATOMIC_ACQUIRE);
		T_ASSERTF(now - log->mark[c] <= FL_IPCLOG_RECORDS,
		          "the ring of CPU %u wrapped while the test read it", c);
	}
	qsort(out, k, sizeof *out, rec_cmp);
	*n = k;
	return out;
}

/* Print records [from, to) of the merged log (a failing test's evidence). */
static void print_recs(const struct tl_rec *v, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++) {
		const struct fl_ipclog_record *r = &v[i].r;
		printf(
		    "  [%u] t=%llu cpu%u kind=%u %u->%u label=%#llx w=%#llx,%#llx,%#llx flags=%u\n",
		    i, (unsigned long long)r->timestamp, v[i].cpu, r->kind, (unsigned)r->from,
		    (unsigned)r->to, (unsigned long long)r->label, (unsigned long long)r->words[0],
		    (unsigned long long)r->words[1], (unsigned long long)r->words[2], r->flags);
	}
}

/* Whether INVOKE record r maps something over the page of addr. */
static bool maps_page(const struct fl_ipclog_record *r, uint64_t addr)
{
	uint64_t page = addr & ~(T_PAGE - 1);

	if (r->label == FL_VSPACE_MAP_RANGE && r->nwords >= 3)
		return r->words[0] <= page && page - r->words[0] < r->words[2] * T_PAGE;
	if ((r->label == FL_FRAME_MAP || r->label == FL_VSPACE_MAP_COPY) && r->nwords >= 1)
		return r->words[0] == page;
	return false;
}

/* The ESR's data fault status code class: translation (0b0001xx) or
 * permission (0b0011xx) fault, any level. */
static bool esr_is(uint64_t esr, bool permission)
{
	return (esr & 0x3c) == (permission ? 0x0c : 0x04);
}

/* Outcomes of match(). */
enum { TL_FOUND, TL_NO_FAULT, TL_INCOMPLETE };

/* tl_fault's search; a record that contradicts the expectation fails the
 * test, a missing fault or step is returned (*out filled when TL_FOUND; its
 * records always). quiet: print nothing when returning a miss. */
static int match(struct tl_log *log, const struct tl_expect *e, const char *what,
                 struct tl_found *out, bool quiet)
{
	unsigned n, retries = 0;
	struct tl_rec *v = collect(log, &n);
	struct tl_found f = {.records = n};

	for (unsigned i = 0; i < n; i++) {
		const struct fl_ipclog_record *r = &v[i].r;
		if (r->kind != FL_LOG_FAULT || r->from != log->self || r->label != FL_FAULT_VM ||
		    r->words[1] != e->addr)
			continue;
		if (r->flags != e->access || !esr_is(r->words[2], e->permission)) {
			print_recs(v, i, i + 1);
			t_fail(
			    __FILE__, __LINE__,
			    "%s: the fault at %#llx has access %u, ESR %#llx; expected access %u, "
			    "a %s fault",
			    what, (unsigned long long)e->addr, r->flags,
			    (unsigned long long)r->words[2], e->access,
			    e->permission ? "permission" : "translation");
		}
		f.handler = r->to;
		f.t_received = r->timestamp;
		f.t_fault = r->timestamp;
		/* Raised earlier if no handler was waiting: the thread's BLOCK_SEND. */
		for (unsigned j = i; j-- > 0;)
			if (v[j].r.from == log->self) {
				if (v[j].r.kind == FL_LOG_BLOCK_SEND &&
				    v[j].r.label == FL_FAULT_VM && v[j].r.words[1] == e->addr)
					f.t_fault = v[j].r.timestamp;
				break;
			}
		/* Who does the work: the handler, or the pager thread it hands
		 * a fault needing swap I/O to (docs/swap.md); that thread
		 * answers the fault. */
		f.doer = f.handler;
		for (unsigned k = i + 1; k < n; k++)
			if (v[k].r.kind == FL_LOG_FAULT_REPLY && v[k].r.to == log->self) {
				f.doer = v[k].r.from;
				break;
			}
		bool called = false, replied = false, mapped = false, handed = false;
		unsigned j = i + 1;
		for (; j < n; j++) {
			const struct fl_ipclog_record *q = &v[j].r;
			/* The hand-off wakes the pager's I/O threads. */
			if (q->kind == FL_LOG_SIGNAL && !called && !mapped)
				handed = true;
			if (e->swapd_label && !called && q->kind == FL_LOG_CALL &&
			    q->from == f.doer && q->label == e->swapd_label) {
				called = true;
				f.server = q->to;
				f.t_called = q->timestamp;
			} else if (called && !replied && q->kind == FL_LOG_REPLY &&
			           q->from == f.server && q->to == f.doer) {
				T_ASSERTF(q->label == 0, "%s: swapd answered with error %llu", what,
				          (unsigned long long)q->label);
				replied = true;
				f.t_replied = q->timestamp;
			} else if (!mapped && (!e->swapd_label || replied) &&
			           q->kind == FL_LOG_INVOKE && q->from == f.doer && q->flags == 0 &&
			           maps_page(q, e->addr)) {
				mapped = true;
				f.t_mapped = q->timestamp;
			} else if (q->kind == FL_LOG_FAULT_REPLY && q->to == log->self) {
				/* A reply that maps (3) or protects (4) the page
				 * (FL_FAULT_REPLY_MAP/PROTECT) is the map and the resume
				 * at once. */
				if (!mapped && (!e->swapd_label || replied) &&
				    (q->words[0] == 3 || q->words[0] == 4)) {
					mapped = true;
					f.t_mapped = q->timestamp;
				}
				if (q->from != f.handler && !handed) {
					print_recs(v, i, j + 1);
					t_fail(__FILE__, __LINE__,
					       "%s: thread %u took the fault but thread %u "
					       "answered it, with no hand-off between",
					       what, (unsigned)f.handler, (unsigned)q->from);
				}
				T_ASSERTF(q->words[0] == 0 || q->words[0] == 3 || q->words[0] == 4,
				          "%s: the fault reply says %llu, not resumed", what,
				          (unsigned long long)q->words[0]);
				f.t_resumed = q->timestamp;
				break;
			}
		}
		if (j == n) {
			print_recs(v, i, n < i + 40 ? n : i + 40);
			t_fail(__FILE__, __LINE__,
			       "%s: no FAULT_REPLY to thread %u after its fault at %#llx", what,
			       (unsigned)log->self, (unsigned long long)e->addr);
		}
		if (mapped && (!e->swapd_label || replied)) {
			T_ASSERTF(f.t_fault <= f.t_received && f.t_received <= f.t_mapped &&
			              f.t_mapped <= f.t_resumed &&
			              (!e->swapd_label ||
			               (f.t_received <= f.t_called && f.t_called <= f.t_replied &&
			                f.t_replied <= f.t_mapped)),
			          "%s: the steps' times go back", what);
			*out = f;
			return TL_FOUND;
		}
		/* Answered without the whole sequence: the pager made the thread
		 * retry (another fault at the address must follow). */
		if (++retries > 8) {
			print_recs(v, i, j + 1);
			t_fail(__FILE__, __LINE__,
			       "%s: %u faults at %#llx, none handled as expected", what, retries,
			       (unsigned long long)e->addr);
		}
		i = j;
	}
	if (n && !quiet)
		print_recs(v, n > 40 ? n - 40 : 0, n);
	out->records = n;
	return retries ? TL_INCOMPLETE : TL_NO_FAULT;
}

struct tl_found tl_fault(struct tl_log *log, const struct tl_expect *e, const char *what)
{
	struct tl_found f = {0};
	int r = match(log, e, what, &f, false);

	if (r != TL_FOUND)
		t_fail(__FILE__, __LINE__,
		       "%s: %s in the %u records since the mark (thread %u, address %#llx)", what,
		       r == TL_INCOMPLETE ? "no fault handled as expected"
		                          : "no FAULT of this thread",
		       f.records, (unsigned)log->self, (unsigned long long)e->addr);
	return f;
}

bool tl_probe(struct tl_log *log, const struct tl_expect *e, const char *what,
              struct tl_found *found, bool *faulted)
{
	struct tl_found f = {0};
	int r = match(log, e, what, &f, true);

	*faulted = r != TL_NO_FAULT;
	if (r == TL_FOUND)
		*found = f;
	return r == TL_FOUND;
}
