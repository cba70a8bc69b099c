/*
 * The IPC log offered to processes (pager.trace_map, pager.trace_enable):
 * the kernel's rings mapped read-only into the caller, and recording turned
 * on and off through the trace capability only the pager holds.
 *
 * The kernel gives the root task read-only frame caps of the rings
 * (BootInfo trace_frames_*). At boot they are copied, still read-only,
 * into slots of the frame CNode, so that pspace_map maps them like pool
 * frames: each mapping is a further copy, recorded in the process's pspace
 * and deleted with it when the process ends. A read-only cap cannot be
 * mapped writable (the kernel refuses), so no process can ever write the
 * log. The region is reserved in the SPT (read-only, never forked), so
 * nothing else grows over it and a write there kills the writer.
 *
 * Who may: the init process and the processes it spawned itself (the test
 * server and the test programs it runs). The log shows every process's
 * messages (badges, labels, first words) and recording slows every IPC,
 * so it is not for any process; init is already trusted with power-off.
 */
#include <faultline/invocations.h>
#include <faultline/ipclog.h>

#include "core.h"
#include "pager.h"
#include "trace.h"

/* Where the rings go in a process: the pager's part of the address space,
 * above the info page, IPC buffers and external-pager buffers. */
#define TRACE_VA (FL_PROCINFO_VADDR + 0x400000ULL)

#define RING_PAGES      (sizeof(struct fl_ipclog_ring) / VM_PAGE_SIZE)
#define TRACE_MAX_PAGES (MAX_WORKERS * RING_PAGES)

static vm_frame_t log_frames[TRACE_MAX_PAGES];          /* frame-CNode slots of the rings */
static unsigned log_cpus;                               /* rings offered (0: none) */
static const volatile struct fl_ipclog_ring *log_rings; /* the pager's own view */

/* Copy the read-only frame caps of the rings of ncpus CPUs into the frame
 * CNode. Caller: main, at boot (the slots count from then on, so the test
 * server's accounting never sees them come or go). */
void trace_init(const struct fl_bootinfo *bi)
{
	fl_cptr_t root = FL_CAP_ROOT_CNODE;
	unsigned cpus = bi->ncpus < MAX_WORKERS ? (unsigned)bi->ncpus : MAX_WORKERS;

	log_rings = (const volatile struct fl_ipclog_ring *)bi->trace_vaddr;
	if (bi->trace_frames_count < cpus * RING_PAGES) {
		plog("IPC log: the kernel gave %lu frames, %u CPUs need %u: not offered",
		     (unsigned long)bi->trace_frames_count, cpus, (unsigned)(cpus * RING_PAGES));
		return;
	}
	for (unsigned i = 0; i < cpus * RING_PAGES; i++) {
		uint64_t slot;
		if (fslot_alloc(&slot) < 0)
			pager_panic("IPC log: no frame-CNode slot");
		uint64_t w[3] = {slot, bi->trace_frames_first + i, FL_RIGHT_READ};
		if (kcall(frame_cnode, FL_CNODE_COPY, 3, w, 1, &root, NULL))
			pager_panic("IPC log: copying frame cap %u failed", i);
		log_frames[i] = slot;
	}
	log_cpus = cpus;
}

/* Whether p may read the log and switch it: init, or a process init spawned.
 * Caller holds a busy reference on p. */
static bool may_trace(struct process *p)
{
	if (p->is_init)
		return true;
	struct process *parent = proc_find(p->ppid);
	bool ok = parent && parent->is_init;
	if (parent)
		proc_put(parent);
	return ok;
}

/* The log's id of thread tid of p (what the records' from/to say), or 0. */
static uint32_t thread_log_id(struct process *p, unsigned tid)
{
	uint64_t out[6] = {0};
	fl_cptr_t tcb = 0;

	ulock_take(&p->thread_lock);
	if (tid < FL_PROCINFO_THREADS_MAX && p->threads[tid].used)
		tcb = p->threads[tid].tcb.obj;
	ulock_drop(&p->thread_lock);
	if (!tcb || kcall(tcb, FL_TCB_GET_ID, 0, NULL, 0, NULL, out))
		return 0;
	return (uint32_t)out[0];
}

int trace_on_map(void *ctx, uint64_t badge, uint64_t *vaddr, uint32_t *ncpus, uint32_t *thread)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);
	size_t pages = log_cpus * RING_PAGES;
	struct vm_region_desc d = {.kind = VM_REGION_ZERO,
	                           .start = TRACE_VA,
	                           .end = TRACE_VA + pages * VM_PAGE_SIZE,
	                           .rights = VM_R,
	                           .flags = VM_RF_NOFORK};
	int err = 0;

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	if (!may_trace(p)) {
		err = PAGER_E_NOT_PERMITTED;
	} else if (!log_cpus) {
		err = PAGER_E_NO_MEMORY;
	} else {
		/* A second call finds the region there and maps the same frames
		 * over the same pages: same result, nothing more held. */
		int r = vm_region_add(&p->space, &d);
		if (r && r != VM_E_OVERLAP) {
			err = PAGER_E_NO_MEMORY;
		} else if (pspace_map(&p->ps, TRACE_VA, log_frames, pages, VM_R)) {
			pspace_unmap(&p->ps, TRACE_VA, pages);
			err = PAGER_E_NO_MEMORY;
		}
	}
	if (!err) {
		*vaddr = TRACE_VA;
		*ncpus = log_cpus;
		*thread = thread_log_id(p, tid);
	}
	proc_put(p);
	return err;
}

int trace_on_enable(void *ctx, uint64_t badge, bool on, bool *was_on)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);
	uint64_t w[1] = {on ? 1 : 0};
	int err = 0;

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	if (!may_trace(p)) {
		err = PAGER_E_NOT_PERMITTED;
	} else {
		*was_on = log_rings[0].enabled != 0;
		if (kcall(FL_CAP_TRACE, FL_TRACE_ENABLE, 1, w, 0, NULL, NULL))
			err = PAGER_E_NOT_PERMITTED;
	}
	proc_put(p);
	return err;
}
