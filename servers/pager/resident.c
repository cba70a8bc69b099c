/*
 * Resident processes: the init process (the test server) keeps every page
 * it touches in a frame, so eviction never takes one of its pages.
 *
 * Why: the test server's leak check compares the pager's counters exactly
 * before and after each test (free and user frames, cap slots, swap
 * slots). If the clock could evict the test server's own pages during a
 * test, its frames would come back free and its mapping caps go, and the
 * check would see that as a test "leaking in reverse"; comparing looser
 * counters instead would let a real leak of a frame or slot pass. With the
 * test server resident, everything the counters can move by during a test
 * belongs to the test's processes, which are all gone when it is checked.
 *
 * How: after each fault of a resident process that does not kill it, the
 * page is pinned (vm_pin_page: pinned frames are never eviction
 * candidates) and the pin recorded here; the process's end drops them.
 * A page is pinned at most once per fault, and a pinned page never faults
 * again (it stays mapped), so a page holds one pin, or two after a race of
 * two threads faulting it at once; every recorded pin is dropped once.
 * The cost: the init process's pages (a few dozen) are never swapped.
 *
 * Lock: resident_lock protects pins[] and npins; it is a leaf (nothing is
 * taken under it, and vm_pin_page is called without it).
 */
#include "core.h"

/* Most pins recorded: 16 MiB of resident memory. */
#define RESIDENT_PINS_MAX 4096

static struct ulock resident_lock;
static vm_frame_t pins[RESIDENT_PINS_MAX];
static size_t npins;
static bool full_logged;

/* Record the pin of frame f; false if the table is full. */
static bool record(vm_frame_t f)
{
	bool ok;

	ulock_take(&resident_lock);
	ok = npins < RESIDENT_PINS_MAX;
	if (ok)
		pins[npins++] = f;
	ulock_drop(&resident_lock);
	return ok;
}

/*
 * Keep the page at va of resident process p in a frame from now on. Called
 * after each fault of p that did not kill it; a no-op for other processes.
 * Caller holds a busy reference on p and no vmcore lock.
 */
void resident_fault(struct process *p, uint64_t va)
{
	vm_frame_t f;

	if (!p->is_init)
		return;
	if (vm_pin_page(&p->space, va, &f) != VM_OK)
		return; /* no frame now: the next fault of the page tries again */
	if (record(f))
		return;
	vm_unpin_frame(&pager_vm, f);
	if (!full_logged) {
		full_logged = true;
		plog("%s (pid %u) touched more than %u pages: the rest may be evicted", p->name,
		     p->pid, RESIDENT_PINS_MAX);
	}
}

/* Drop every pin resident_fault took for p. Caller: p's teardown, after its
 * threads are gone (no fault of p can record a pin any more). */
void resident_release(struct process *p)
{
	if (!p->is_init)
		return;
	ulock_take(&resident_lock);
	size_t n = npins;
	npins = 0;
	ulock_drop(&resident_lock);
	for (size_t i = 0; i < n; i++)
		vm_unpin_frame(&pager_vm, pins[i]);
}
