/*
 * Faults that wait on swap I/O, and the threads that wait for them
 * (docs/swap.md, "Faults that need I/O").
 *
 * A worker never waits on swapd for a fault: it asks vmcore with
 * vm_fault_noio, and a fault that needs a swap-in, or a frame when none is
 * free (getting one evicts: a swap-out), comes back VM_NEED_IO with nothing
 * changed. The worker then hands the fault over here as extregion.c hands
 * an external page: the request keeps the faulting thread's Reply object,
 * the worker takes a fresh one from the pool and goes back to the endpoint.
 * One of SWAPIO_THREADS I/O threads takes the request, does the whole fault
 * with vm_fault (which may make several blocking Calls to swapd), and
 * answers the thread with that Reply object (or kills the process, as a
 * worker would). swapd defers its replies and keeps 8 transfers in flight,
 * so 8 I/O threads give 8 faults on the disk at once.
 *
 * Why the I/O thread completes the mapping rather than answering "retry":
 * the fault is then done once, by one thread; a retry would make the worker
 * look the page up again and, under pressure, find it needs I/O again.
 *
 * io_lock protects the queue and the free list. It is a leaf: nothing is
 * called while it is held.
 */
#include <string.h>

#include <faultline/invocations.h>

#include "core.h"
#include "fault.h"
#include "swapio.h"

#define SWAPIO_THREADS  8
#define SWAPIO_REQUESTS 128

/* A fault waiting for an I/O thread. */
struct io_request {
	struct io_request *next;
	uint64_t badge;  /* the faulting thread's (process record and thread) */
	uint32_t pid;    /* the process it was, in case the record is reused */
	fl_cptr_t reply; /* the Reply object holding the faulting thread */
	uint64_t addr, ip, sp;
	enum vm_access access;
};

static struct ulock io_lock;
static struct io_request requests[SWAPIO_REQUESTS];
static struct io_request *free_list, *head, *tail;
static fl_cptr_t io_ntfn, io_signal;
static uint64_t deferred; /* faults handed over since boot (atomic) */

/* Take a free request record, or NULL. Caller holds io_lock. */
static struct io_request *request_take(void)
{
	struct io_request *q = free_list;

	if (q)
		free_list = q->next;
	return q;
}

bool swapio_defer(struct process *p, uint64_t badge, uint64_t addr, enum vm_access access,
                  uint64_t sp, uint64_t ip)
{
	struct worker *w = worker_self();
	fl_cptr_t fresh = reply_alloc();
	struct io_request *q;

	if (!fresh)
		return false;
	ulock_take(&io_lock);
	q = request_take();
	if (q) {
		*q = (struct io_request){.badge = badge,
		                         .pid = p->pid,
		                         .reply = w->reply, /* it holds the faulting thread */
		                         .addr = addr,
		                         .ip = ip,
		                         .sp = sp,
		                         .access = access};
		if (tail)
			tail->next = q;
		else
			head = q;
		tail = q;
	}
	ulock_drop(&io_lock);
	if (!q) {
		reply_free(fresh);
		return false;
	}
	w->reply = fresh;
	__atomic_fetch_add(&deferred, 1, __ATOMIC_RELAXED);
	fl_signal(io_signal);
	return true;
}

/* The oldest queued request, or NULL. */
static struct io_request *queue_pop(void)
{
	struct io_request *q;

	ulock_take(&io_lock);
	q = head;
	if (q) {
		head = q->next;
		if (!head)
			tail = NULL;
	}
	ulock_drop(&io_lock);
	return q;
}

/* Do the fault of request q and answer (or kill) the faulting thread. */
static void serve(struct io_request *q)
{
	unsigned tid;
	struct process *p = proc_get(q->badge, &tid);

	/* A process that ended meanwhile took its thread with it: the Reply
	 * object holds nobody and goes back to the pool as it is. */
	if (p && p->pid == q->pid) {
		struct vm_verdict v = vm_fault(&p->space, q->addr, q->access, q->sp);
		if (fault_verdict(p, tid, q->addr, q->ip, v) == FAULT_REPLY_RETRY)
			fault_resume(q->reply, FAULT_REPLY_RETRY);
	}
	if (p)
		proc_put(p);
	reply_free(q->reply);
	ulock_take(&io_lock);
	q->next = free_list;
	free_list = q;
	ulock_drop(&io_lock);
}

/* An I/O thread: serves queued faults, sleeping on the notification when
 * there are none. A request is always looked for before waiting, and a
 * signal that finds no waiter stays pending in the notification, so no
 * request is left behind. */
static void io_main(struct worker *w)
{
	(void)w;
	for (;;) {
		struct io_request *q = queue_pop();
		if (q)
			serve(q);
		else
			fl_wait(io_ntfn);
	}
}

uint64_t swapio_deferred(void)
{
	return __atomic_load_n(&deferred, __ATOMIC_RELAXED);
}

void swapio_init(unsigned ncpus)
{
	fl_cptr_t root = FL_CAP_ROOT_CNODE;

	ulock_init(&io_lock);
	for (unsigned i = 0; i < SWAPIO_REQUESTS; i++) {
		requests[i].next = free_list;
		free_list = &requests[i];
	}
	io_ntfn = slot_alloc();
	io_signal = slot_alloc();
	ut_retype_root(FL_OBJ_NOTIFICATION, 0, io_ntfn, 1);
	uint64_t mw[4] = {io_signal, io_ntfn, FL_RIGHT_WRITE, 1};
	if (!io_signal || kcall(root, FL_CNODE_MINT, 4, mw, 1, &root, NULL))
		pager_panic("swapio: cannot mint the I/O threads' notification");
	/* Worker priority: they take the same vmcore locks as the workers,
	 * and spinning on one must not starve its holder (docs/swap.md). */
	for (unsigned i = 0; i < SWAPIO_THREADS; i++)
		pager_helper_start(SWAPIO_HELPER_FIRST + i, io_main, WORKER_PRIORITY,
		                   ncpus ? i % ncpus : 0);
	plog("%u swap I/O threads", SWAPIO_THREADS);
}
