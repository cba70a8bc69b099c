/*
 * The background evictor (the idea of Linux's kswapd): when the free frames
 * of the pool fall below a low watermark, one pager thread evicts (clock,
 * write-out through swapd) until they are back at a high watermark, so that
 * most faults find a free frame and need no swap-out on their path; only a
 * swap-in then waits on the disk, and a fault that finds nothing free is
 * handed to an I/O thread (swapio.c) rather than evicting on a worker.
 *
 * The watermarks follow the budget: low = budget / 32 (at least 2), high =
 * twice that (16 and 32 frames for the swap suite's 512). It stops at the
 * first eviction that fails (nothing evictable now, swap full, an I/O
 * error) and waits for the next poke: a fault that then finds no frame
 * evicts itself on an I/O thread and gets the kill line if that fails too.
 *
 * Pinning, pin-if-present and the lock order are vmcore's (vm_evict_one
 * takes the same path as an eviction inside a fault).
 */
#include <faultline/invocations.h>

#include "core.h"
#include "swapio.h"

static size_t low, high;
static fl_cptr_t ev_ntfn, ev_signal;
static bool poked;         /* a round is asked for or running (atomic) */
static uint64_t evictions; /* since boot (atomic) */

void evictor_poke(void)
{
	if (!ev_signal || frames_free() >= low)
		return;
	if (!__atomic_exchange_n(&poked, true, __ATOMIC_ACQ_REL))
		fl_signal(ev_signal);
}

/* The evictor thread: one round per poke. */
static void evictor_main(struct worker *w)
{
	(void)w;
	for (;;) {
		fl_wait(ev_ntfn);
		while (frames_free() < high && vm_evict_one(&pager_vm) == VM_OK)
			__atomic_fetch_add(&evictions, 1, __ATOMIC_RELAXED);
		/* A poke that came during the round was absorbed by it; one
		 * that comes after this store starts the next. */
		__atomic_store_n(&poked, false, __ATOMIC_RELEASE);
	}
}

uint64_t evictor_evictions(void)
{
	return __atomic_load_n(&evictions, __ATOMIC_RELAXED);
}

void evictor_init(unsigned ncpus)
{
	fl_cptr_t root = FL_CAP_ROOT_CNODE, sig = slot_alloc();

	low = frames_total() / 32;
	if (low < 2)
		low = 2;
	high = 2 * low;
	ev_ntfn = slot_alloc();
	ut_retype_root(FL_OBJ_NOTIFICATION, 0, ev_ntfn, 1);
	uint64_t mw[4] = {sig, ev_ntfn, FL_RIGHT_WRITE, 1};
	if (!sig || kcall(root, FL_CNODE_MINT, 4, mw, 1, &root, NULL))
		pager_panic("evictor: cannot mint its notification");
	/* Worker priority, for the same reason as the I/O threads. */
	pager_helper_start(EVICTOR_HELPER, evictor_main, WORKER_PRIORITY, ncpus ? ncpus - 1 : 0);
	ev_signal = sig;
	plog("background evictor: watermarks %lu/%lu free frames", (unsigned long)low,
	     (unsigned long)high);
}
