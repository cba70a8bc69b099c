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
static _Thread_local struct worker *self;

#define WORKER_STACK (64u << 10)

struct worker *worker_self(void)
{
	return self;
}

/* Serve the pager endpoint forever. Caller: a worker thread, TLS set up. */
void worker_loop(struct worker *w)
{
	struct fl_msg m = {0};

	self = w;
	fl_recv(pager_ep, w->reply, &m);
	for (;;) {
		int r = FL_IDL_NO_REPLY;

		if (!fl_msginfo_is_error(m.info)) {
			if (fault_owns_label(fl_msginfo_label(m.info)))
				r = fault_dispatch(&fault_handlers, w, &m);
			else
				r = pager_dispatch(&pager_handlers, w, &m);
		}
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
	}
	self = &workers[0];
	for (unsigned i = 1; i < ncpus; i++) {
		struct worker *w = &workers[i];
		fl_cptr_t tcb = slot_alloc(), ipc = slot_alloc();
		uint64_t va = PAGER_IPC_VA + i * 0x2000;
		ut_retype_root(FL_OBJ_TCB, 0, tcb, 1);
		ut_retype_root(FL_OBJ_FRAME, 0, ipc, 1);
		pager_map(va, FL_CAP_ROOT_CNODE, ipc, 1, FL_MAP_RW);
		uint64_t cw[3] = {0, 0, va};
		fl_cptr_t cc[3] = {FL_CAP_ROOT_CNODE, FL_CAP_ROOT_VSPACE, ipc};
		if (kcall(tcb, FL_TCB_CONFIGURE, 3, cw, 3, cc, NULL))
			pager_panic("worker %u: configure failed", i);
		uint64_t pw[1] = {WORKER_PRIORITY};
		kcall(tcb, FL_TCB_SET_PRIORITY, 1, pw, 0, NULL, NULL);
		uint64_t aw[1] = {i};
		kcall(tcb, FL_TCB_SET_AFFINITY, 1, aw, 0, NULL, NULL);
		char *stack = heap_alloc(WORKER_STACK);
		void *tls = heap_alloc((size_t)(uintptr_t)__tls_size + 64);
		/* x0 = worker, x1 = TLS block: worker_entry's arguments. */
		uint64_t rw[6] = {(uint64_t)(uintptr_t)worker_entry,
		                  (uint64_t)(uintptr_t)(stack + WORKER_STACK),
		                  (uint64_t)(uintptr_t)w,
		                  (uint64_t)(uintptr_t)tls,
		                  0,
		                  1};
		if (kcall(tcb, FL_TCB_WRITE_REGISTERS, 6, rw, 0, NULL, NULL))
			pager_panic("worker %u: start failed", i);
	}
	plog("%u workers on the pager endpoint", ncpus);
}
