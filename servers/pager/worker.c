/*
 * The pager's workers: one thread per CPU (pinned there), all receiving on
 * the one pager endpoint, each with its own Reply object and IPC buffer, so
 * faults and requests from different CPUs are handled at the same time.
 * The main thread becomes worker 0 on CPU 0. A handler that keeps its caller
 * waiting (waitpid, thread_join) takes the worker's reply object with it and
 * gives the worker a fresh one from the pool.
 */
#include <string.h>

#include <faultline/invocations.h>

#include "fault.h"
#include "core.h"
#include "pager.h"

extern const struct fault_handlers fault_handlers;
extern const struct pager_handlers pager_handlers;
extern char __tls_size[];
void _init_tls(void *tls);
void _set_tls(void *tls);

fl_cptr_t pager_ep;
static struct worker workers[MAX_WORKERS];
_Thread_local struct worker *pager_self;

#define WORKER_STACK (64u << 10)

struct worker *worker_self(void)
{
	return pager_self;
}

/*
 * Answer a fault whose map or protect travels in the reply (space.c): one
 * ReplyRecv maps, resumes the faulter and receives the next message into m.
 * If the kernel refused the reply it answered at once and nothing changed;
 * space.c closes the record, and the faulter, if it still waits, gets a
 * plain resume.
 */
static void reply_map_recv(struct worker *w, const struct fl_msg *reply, struct fl_msg *m)
{
	/* Sent from the record itself, which stays as it is (space.c may need
	 * its words again); the next message arrives in m. */
	fl_syscall_io(FL_SYS_REPLY_RECV, pager_ep, w->reply, reply, m);
	uint64_t err = fl_msginfo_is_error(m->info) ? fl_msginfo_label(m->info) : FL_OK;
	bool resume = pspace_reply_sent(w, err);
	if (err == FL_OK)
		return;
	*m = (struct fl_msg){.info = fl_msginfo(FAULT_REPLY_RETRY, 0, 0)};
	if (resume)
		fl_reply_recv(pager_ep, w->reply, m);
	else
		fl_recv(pager_ep, w->reply, m);
}

/* Serve the pager endpoint forever. Caller: a worker thread, TLS set up. */
void worker_loop(struct worker *w)
{
	struct fl_msg m = {0};

	pager_self = w;
	fl_recv(pager_ep, w->reply, &m);
	for (;;) {
		int r = FL_IDL_NO_REPLY;

		if (!fl_msginfo_is_error(m.info)) {
			if (fault_owns_label(fl_msginfo_label(m.info)))
				r = fault_dispatch(&fault_handlers, w, &m);
			else
				r = pager_dispatch(&pager_handlers, w, &m);
		}
		const struct fl_msg *rm = pspace_reply_pending(w);
		if (r == FL_IDL_REPLY && rm) {
			reply_map_recv(w, rm, &m);
			continue;
		}
		pspace_reply_flush(w); /* no reply map outlives its fault */
		if (r == FL_IDL_REPLY)
			fl_reply_recv(pager_ep, w->reply, &m);
		else
			fl_recv(pager_ep, w->reply, &m);
	}
}

/* First code of a new worker thread: its own TLS block, then the loop. */
static void worker_entry(struct worker *w, void *tls)
{
	_init_tls(tls);
	_set_tls(tls);
	worker_loop(w);
}

/* Create a pager thread with id i (its IPC buffer at PAGER_IPC_VA + i * 8K)
 * at priority prio on cpu, starting at entry(x0, x1) on a fresh stack. */
static void thread_create(unsigned i, void *entry, uint64_t x0, uint64_t x1, unsigned prio,
                          unsigned cpu)
{
	fl_cptr_t tcb = slot_alloc(), ipc = slot_alloc();
	uint64_t va = PAGER_IPC_VA + i * 0x2000;
	ut_retype_root(FL_OBJ_TCB, 0, tcb, 1);
	ut_retype_root(FL_OBJ_FRAME, 0, ipc, 1);
	pager_map(va, FL_CAP_ROOT_CNODE, ipc, 1, FL_MAP_RW);
	uint64_t cw[3] = {0, 0, va};
	fl_cptr_t cc[3] = {FL_CAP_ROOT_CNODE, FL_CAP_ROOT_VSPACE, ipc};
	if (kcall(tcb, FL_TCB_CONFIGURE, 3, cw, 3, cc, NULL))
		pager_panic("pager thread %u: configure failed", i);
	uint64_t pw[1] = {prio};
	kcall(tcb, FL_TCB_SET_PRIORITY, 1, pw, 0, NULL, NULL);
	uint64_t aw[1] = {cpu};
	kcall(tcb, FL_TCB_SET_AFFINITY, 1, aw, 0, NULL, NULL);
	char *stack = heap_alloc(WORKER_STACK);
	uint64_t rw[6] = {
	    (uint64_t)(uintptr_t)entry, (uint64_t)(uintptr_t)(stack + WORKER_STACK), x0, x1, 0, 1};
	if (kcall(tcb, FL_TCB_WRITE_REGISTERS, 6, rw, 0, NULL, NULL))
		pager_panic("pager thread %u: start failed", i);
}

/* What a helper thread (not a worker) runs, with its own TLS block. */
struct helper {
	struct worker w;
	void (*fn)(struct worker *);
	void *tls;
};

/* First code of a helper thread: TLS, worker_self() = its record, then fn. */
static void helper_entry(struct helper *h)
{
	_init_tls(h->tls);
	_set_tls(h->tls);
	pager_self = &h->w;
	h->fn(&h->w);
	pager_panic("pager helper thread %u returned", h->w.id);
}

/* Start helper thread k (0..PAGER_HELPERS-1) running fn at priority prio on
 * cpu. It may use vmcore and the process table (worker_self() is its own
 * record, with a Reply object) but does not serve the pager endpoint. */
void pager_helper_start(unsigned k, void (*fn)(struct worker *), unsigned prio, unsigned cpu)
{
	struct helper *h = heap_alloc(sizeof *h);

	if (k >= PAGER_HELPERS)
		pager_panic("pager helper %u: only %u helpers", k, PAGER_HELPERS);
	memset(h, 0, sizeof *h);
	h->w.id = MAX_WORKERS + k;
	h->w.reply = reply_alloc();
	h->fn = fn;
	h->tls = heap_alloc((size_t)(uintptr_t)__tls_size + 64);
	thread_create(MAX_WORKERS + k, (void *)helper_entry, (uint64_t)(uintptr_t)h, 0, prio, cpu);
}

/* Make the endpoint and one worker per CPU; CPU 0's worker is the caller,
 * which calls worker_loop(&workers[0]) once boot is done. */
void workers_start(unsigned ncpus)
{
	if (ncpus > MAX_WORKERS)
		ncpus = MAX_WORKERS;
	pager_ep = slot_alloc();
	ut_retype_root(FL_OBJ_ENDPOINT, 0, pager_ep, 1);
	for (unsigned i = 0; i < ncpus; i++) {
		struct worker *w = &workers[i];
		w->id = i;
		w->reply = reply_alloc();
		pspace_reply_init(w);
	}
	pager_self = &workers[0];
	for (unsigned i = 1; i < ncpus; i++) {
		void *tls = heap_alloc((size_t)(uintptr_t)__tls_size + 64);
		/* x0 = worker, x1 = TLS block: worker_entry's arguments. */
		thread_create(i, (void *)worker_entry, (uint64_t)(uintptr_t)&workers[i],
		              (uint64_t)(uintptr_t)tls, WORKER_PRIORITY, i);
	}
	plog("%u workers on the pager endpoint", ncpus);
}
