/*
 * Processes: creation from the boot archive (spawn) or by COW fork, threads,
 * termination (exit or kill), and waitpid. docs/pager.md has the lifecycle.
 *
 * Locks, in order: proc_lock (the process table: state, pid, ppid,
 * wait_status, wait_reply of every process) before a process's thread_lock
 * (its threads[]). Neither is held across a vmcore call. A worker uses a
 * process only between proc_get and proc_put (busy); termination marks the
 * process DYING (no new proc_get succeeds), stops its threads, then waits
 * until it is the only user before it frees anything.
 *
 * A freed record (PROC_FREE) is reused only once its busy count is zero:
 * the terminator still holds its reference after proc_terminate has made
 * the process a zombie and the waiting parent reaped it, and on a busy
 * host the parent can fork (and reuse the record) before that proc_put;
 * a put landing on the new process would leave its count one short and
 * its own termination would wait for busy == 1 forever.
 */
#include <string.h>

#include <faultline/invocations.h>
#include <faultline/process.h>

#include "core.h"
#include "extregion.h"
#include "pager.h"

struct ulock proc_lock;
static struct process procs[MAX_PROCS];
/*
 * Busy counts, by record index (outside struct process: allocation clears a
 * record whole, and a count must never be cleared under a proc_get that is
 * just backing out). Changed only by atomic adds, so proc_get and proc_put
 * take no lock: proc_get adds one, then reads the state again and backs out
 * unless it is still LIVE; proc_terminate stores DYING, then waits for its
 * own count alone. Both sides are sequentially consistent, so either the
 * getter sees DYING or the terminator sees the getter's count.
 */
static unsigned proc_busy[MAX_PROCS];

static void busy_add(const struct process *p, int delta)
{
	__atomic_fetch_add(&proc_busy[p->index], (unsigned)delta, __ATOMIC_SEQ_CST);
}

static unsigned busy_of(unsigned index)
{
	return __atomic_load_n(&proc_busy[index], __ATOMIC_SEQ_CST);
}
static uint32_t next_pid = 1;
static unsigned next_cpu, ncpus_online = 1;
static size_t nlive;

void proc_init(void)
{
	ulock_init(&proc_lock);
}

void proc_set_cpus(unsigned n)
{
	ncpus_online = n ? n : 1;
}

static uint64_t badge_of(const struct process *p, unsigned tid)
{
	return ((uint64_t)(p->index + 1) << 8) | tid;
}

/* The live process a badge names (busy + 1), and the thread in *tid; NULL if
 * it is gone or going. */
struct process *proc_get(uint64_t badge, unsigned *tid)
{
	uint64_t idx = (badge >> 8) - 1;
	struct process *p = NULL;

	if (!(badge >> 8) || idx >= MAX_PROCS || (badge & 0xff) >= FL_PROCINFO_THREADS_MAX)
		return NULL;
	p = &procs[idx];
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROC_LIVE)
		return NULL;
	busy_add(p, 1);
	if (__atomic_load_n(&p->state, __ATOMIC_SEQ_CST) != PROC_LIVE) {
		busy_add(p, -1); /* ending: proc_terminate waits for us to back out */
		return NULL;
	}
	*tid = (unsigned)(badge & 0xff);
	return p;
}

void proc_put(struct process *p)
{
	busy_add(p, -1);
}

size_t proc_count(void)
{
	return nlive;
}

/* A free record, DYING (invisible to proc_get) until it is built. */
static struct process *record_alloc(uint32_t ppid)
{
	struct process *p = NULL;

	ulock_take(&proc_lock);
	/* A parent that kill_tree is ending gets no new child: it would
	 * escape the tree as an orphan. */
	for (unsigned i = 0; i < MAX_PROCS && ppid; i++)
		if (procs[i].state != PROC_FREE && procs[i].pid == ppid && procs[i].doomed) {
			ulock_drop(&proc_lock);
			return NULL;
		}
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		/* busy: a worker's reference to the process that ended here
		 * is not dropped yet (see the comment at the top). */
		if (procs[i].state == PROC_FREE && busy_of(i) == 0) {
			p = &procs[i];
			memset(p, 0, sizeof *p);
			p->index = i;
			p->state = PROC_DYING;
			p->pid = next_pid++;
			p->ppid = ppid;
			busy_add(p, 1);
			nlive++;
			break;
		}
	}
	ulock_drop(&proc_lock);
	if (p)
		ulock_init(&p->thread_lock);
	return p;
}

/* VSpace, CNode and an empty SPT. 0 or -1 (out of kernel memory). */
static int space_create(struct process *p)
{
	if (kobj_alloc(FL_OBJ_VSPACE, 0, &p->vspace) < 0 ||
	    kobj_alloc(FL_OBJ_CNODE, 6, &p->cnode) < 0)
		return -1;
	ulock_init(&p->ps.lock);
	p->ps.vspace = p->vspace.obj;
	return vm_space_init(&pager_vm, &p->space, &p->ps, p->index) ? -1 : 0;
}

/* The regions outside vmcore's paging (info page, IPC buffers) reserved so
 * that nothing else (the heap) can grow over them; never forked. */
static int reserve_fixed(struct process *p)
{
	struct vm_region_desc info = {.kind = VM_REGION_ZERO,
	                              .start = FL_PROCINFO_VADDR,
	                              .end = FL_PROCINFO_VADDR + VM_PAGE_SIZE,
	                              .rights = VM_R,
	                              .flags = VM_RF_NOFORK};
	struct vm_region_desc ipc = {.kind = VM_REGION_ZERO,
	                             .start = USER_IPC_BUFFER_VA(0),
	                             .end = USER_IPC_BUFFER_VA(FL_PROCINFO_THREADS_MAX),
	                             .rights = VM_R,
	                             .flags = VM_RF_NOFORK};
	struct vm_region_desc stack = {.kind = VM_REGION_STACK,
	                               .start = USER_STACK_TOP - USER_STACK_LIMIT,
	                               .end = USER_STACK_TOP,
	                               .rights = VM_R | VM_W};

	if (vm_region_add(&p->space, &info) || vm_region_add(&p->space, &ipc))
		return -1;
	return vm_page_state(&p->space, USER_STACK_TOP - 1) == VM_PAGE_NOT_PRESENT &&
	               vm_region_add(&p->space, &stack)
	           ? -1
	           : 0;
}

/* Map the info page (already filled). 0 or -1. */
static int info_map(struct process *p)
{
	return pspace_map(&p->ps, FL_PROCINFO_VADDR, &p->info, 1, VM_R) ? -1 : 0;
}

/* Give back thread t's kernel objects, IPC buffer and pager cap. Stops it. */
static void thread_release(struct process *p, unsigned tid)
{
	struct thread *t = &p->threads[tid];

	kobj_free(&t->tcb);
	if (p->cnode.obj) {
		uint64_t w[1] = {FL_PROC_CAP_PAGER + tid};
		kcall(p->cnode.obj, FL_CNODE_DELETE, 1, w, 0, NULL, NULL);
	}
	if (t->ipcbuf_cap) {
		uint64_t w[1] = {t->ipcbuf_cap};
		kcall(FL_CAP_ROOT_CNODE, FL_CNODE_DELETE, 1, w, 0, NULL, NULL);
		slot_free(t->ipcbuf_cap);
		t->ipcbuf_cap = 0;
	}
	if (t->has_ipcbuf) {
		pspace_unmap(&p->ps, USER_IPC_BUFFER_VA(tid), 1);
		vm_frame_free_owned(&pager_vm, t->ipcbuf);
		t->has_ipcbuf = false;
	}
}

/* Set up thread tid of p at pc with sp, x0, x1 and TPIDR_EL0 = tls, and let
 * it run if run is set (else publish starts it). 0 or -1. */
static int thread_start(struct process *p, unsigned tid, uint64_t pc, uint64_t sp, uint64_t x0,
                        uint64_t tls, bool run)
{
	struct thread *t = &p->threads[tid];
	uint64_t err;

	t->used = true;
	t->exited = false;
	if (kobj_alloc(FL_OBJ_TCB, 0, &t->tcb) < 0)
		return -1;
	if (vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, &t->ipcbuf))
		return -1;
	t->has_ipcbuf = true;
	memset(frame_addr(t->ipcbuf), 0, VM_PAGE_SIZE);
	if (pspace_map(&p->ps, USER_IPC_BUFFER_VA(tid), &t->ipcbuf, 1, VM_R | VM_W))
		return -1;
	/* The thread's pager cap: send right only, badge names process and thread. */
	fl_cptr_t root = FL_CAP_ROOT_CNODE;
	uint64_t mw[4] = {FL_PROC_CAP_PAGER + tid, pager_ep, FL_RIGHT_WRITE, badge_of(p, tid)};
	if ((err = kcall(p->cnode.obj, FL_CNODE_MINT, 4, mw, 1, &root, NULL)))
		pager_panic("minting a pager cap failed: %lu", (unsigned long)err);
	/* Configure takes the IPC buffer's cap from the pager's root CNode. */
	t->ipcbuf_cap = slot_alloc();
	if (!t->ipcbuf_cap)
		return -1;
	uint64_t cw[3] = {t->ipcbuf_cap, t->ipcbuf, FL_RIGHTS_ALL};
	if ((err = kcall(FL_CAP_ROOT_CNODE, FL_CNODE_COPY, 3, cw, 1, &frame_cnode, NULL)))
		pager_panic("copying an IPC buffer cap failed: %lu", (unsigned long)err);
	uint64_t tw[3] = {pager_ep, badge_of(p, tid), USER_IPC_BUFFER_VA(tid)};
	fl_cptr_t tc[3] = {p->cnode.obj, p->vspace.obj, t->ipcbuf_cap};
	if (p->custom_pager) {
		/* Mode 1: faults go to the custom pager, badged pid << 8 | tid. It
		 * may have ended meanwhile: then the thread cannot start. */
		if (extregion_tcb_configure(p->custom_pager, t->tcb.obj,
		                            ((uint64_t)p->pid << 8) | tid, USER_IPC_BUFFER_VA(tid),
		                            tc))
			return -1;
	} else if ((err = kcall(t->tcb.obj, FL_TCB_CONFIGURE, 3, tw, 3, tc, NULL))) {
		pager_panic("TCB configure failed: %lu", (unsigned long)err);
	}
	uint64_t pw[1] = {USER_PRIORITY};
	kcall(t->tcb.obj, FL_TCB_SET_PRIORITY, 1, pw, 0, NULL, NULL);
	ulock_take(&proc_lock);
	uint64_t aw[1] = {next_cpu++ % ncpus_online};
	ulock_drop(&proc_lock);
	kcall(t->tcb.obj, FL_TCB_SET_AFFINITY, 1, aw, 0, NULL, NULL);
	uint64_t rw[6] = {pc, sp, x0, FL_PROC_CAP_PAGER + tid, tls, run};
	if ((err = kcall(t->tcb.obj, FL_TCB_WRITE_REGISTERS, 6, rw, 0, NULL, NULL)))
		pager_panic("TCB write registers failed: %lu", (unsigned long)err);
	return 0;
}

/* Free everything of p but its record: threads first (so nothing of it
 * runs), then its pages, mappings, page tables, VSpace and CNode. Caller
 * holds p's only busy reference and p is DYING. */
static void teardown(struct process *p)
{
	for (unsigned i = 0; i < FL_PROCINFO_THREADS_MAX; i++)
		kobj_free(&p->threads[i].tcb);
	extregion_exit(p);
	childep_release(p);
	for (unsigned i = 0; i < FL_PROCINFO_THREADS_MAX; i++) {
		thread_release(p, i);
		if (p->threads[i].join_reply)
			reply_free(p->threads[i].join_reply);
		p->threads[i].join_reply = 0;
	}
	resident_release(p);
	if (p->space.vm) {
		vm_space_destroy(&p->space);
		p->space.vm = NULL;
	}
	pspace_release(&p->ps);
	if (p->has_info) {
		vm_frame_free_owned(&pager_vm, p->info);
		p->has_info = false;
	}
	kobj_free(&p->vspace);
	kobj_free(&p->cnode);
}

/* Forget a zombie or a never-started record. Caller holds proc_lock. */
static void record_free_locked(struct process *p)
{
	p->state = PROC_FREE;
	nlive--;
}

/* If p's parent waits for it, hand it the status and free p. Caller holds proc_lock; p is a ZOMBIE.
 */
static void notify_parent_locked(struct process *p)
{
	if (!p->ppid) {
		record_free_locked(p);
		return;
	}
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct process *q = &procs[i];
		if (q->state != PROC_LIVE || q->pid != p->ppid)
			continue;
		if (q->wait_reply && (q->wait_pid == 0 || q->wait_pid == p->pid)) {
			pager_waitpid_reply(q->wait_reply, p->pid, p->wait_status);
			reply_free(q->wait_reply);
			q->wait_reply = 0;
			record_free_locked(p);
		}
		return;
	}
	record_free_locked(p); /* the parent is gone: nobody will wait */
}

/*
 * End p with wait_status (<sys/wait.h> encoding): stop its threads, free
 * everything, then become a zombie for the parent (or vanish). Caller holds
 * one busy reference on p (from proc_get) and keeps it until proc_put.
 */
void proc_terminate(struct process *p, int32_t wait_status)
{
	uint32_t pid = p->pid;

	ulock_take(&proc_lock);
	if (p->state != PROC_LIVE) {
		ulock_drop(&proc_lock);
		return; /* another worker ends it */
	}
	__atomic_store_n(&p->state, PROC_DYING, __ATOMIC_SEQ_CST);
	ulock_drop(&proc_lock);
	for (unsigned i = 0; i < FL_PROCINFO_THREADS_MAX; i++)
		kobj_free(&p->threads[i].tcb);
	/* Other workers may still be serving its threads; they finish first. */
	for (;;) {
		if (busy_of(p->index) == 1)
			break;
		fl_yield();
	}
	teardown(p);
	if (p->is_init)
		plog("init process %s (pid %u) ended with wait status %d", p->name, p->pid,
		     wait_status);
	ulock_take(&proc_lock);
	if (p->wait_reply) {
		reply_free(p->wait_reply);
		p->wait_reply = 0;
	}
	p->wait_status = wait_status;
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct process *c = &procs[i];
		if (c->state == PROC_FREE || c == p || c->ppid != p->pid)
			continue;
		c->ppid = 0;
		if (c->state == PROC_ZOMBIE)
			record_free_locked(c);
	}
	p->state = PROC_ZOMBIE;
	notify_parent_locked(p);
	ulock_drop(&proc_lock);
	/* Processes it paged (mode 1) would wait for it forever. */
	proc_kill_paged_by(pid);
}

/*
 * Kill every live process whose custom pager is pager_pid (it ended): their
 * faults would never be answered. Caller holds no lock. A process of it
 * still being built is caught by paged_recheck after its publish.
 */
void proc_kill_paged_by(uint32_t pager_pid)
{
	struct process *victims[MAX_PROCS];
	unsigned n = 0;

	ulock_take(&proc_lock);
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i].state == PROC_LIVE && procs[i].custom_pager == pager_pid) {
			busy_add(&procs[i], 1);
			victims[n++] = &procs[i];
		}
	ulock_drop(&proc_lock);
	for (unsigned i = 0; i < n; i++) {
		plog("killed pid %u (%s): its custom pager (pid %u) ended", victims[i]->pid,
		     victims[i]->name, pager_pid);
		proc_terminate(victims[i], FL_KILLED_SIGNAL);
		proc_put(victims[i]);
	}
}

/* After publishing paged process pid: if its custom pager ended while it
 * was built (proc_kill_paged_by did not see it yet), end it now. */
static void paged_recheck(uint32_t pid, uint32_t pager_pid)
{
	if (!pager_pid || extregion_listening(pager_pid))
		return;
	struct process *p = proc_find(pid);
	if (p) {
		plog("killed pid %u (%s): its custom pager (pid %u) ended", p->pid, p->name,
		     pager_pid);
		proc_terminate(p, FL_KILLED_SIGNAL);
		proc_put(p);
	}
}

/* Undo a half-built process. Caller holds its only busy reference, which
 * this drops. */
static void abandon(struct process *p)
{
	teardown(p);
	ulock_take(&proc_lock);
	busy_add(p, -1);
	record_free_locked(p);
	ulock_drop(&proc_lock);
}

/*
 * Make p visible, then start its first thread tid. Only now: a fault of a
 * thread that ran before would reach a worker while p is not yet LIVE,
 * proc_get would refuse it and the fault would never be answered (on
 * -smp 4 the new thread runs on another CPU at once).
 */
static void publish(struct process *p, unsigned tid)
{
	ulock_take(&proc_lock);
	__atomic_store_n(&p->state, PROC_LIVE, __ATOMIC_RELEASE);
	busy_add(p, -1); /* the builder's reference */
	ulock_drop(&proc_lock);
	kcall(p->threads[tid].tcb.obj, FL_TCB_RESUME, 0, NULL, 0, NULL, NULL);
}

/*
 * Start program name from the archive as a child of ppid (0: nobody waits)
 * with NUL-separated args (argv[0] included; empty = just the name); init
 * makes it the init process (from its first fault on: resident.c); a
 * nonzero custom_pager is the pid of the listener its faults go to (mode 1;
 * the caller checked it listens). Returns 0 or a PAGER_E_* code.
 */
int proc_spawn(const char *name, const uint8_t *args, size_t args_len, uint32_t ppid, bool init,
               uint32_t custom_pager, uint32_t *pid)
{
	uint32_t file;
	uint64_t entry, heap;

	if (archive_find(name, &file) < 0)
		return PAGER_E_NO_SUCH_PROGRAM;
	if (args_len > FL_PROCINFO_ARGS_MAX || (args_len && args[args_len - 1] != 0))
		return PAGER_E_BAD_VALUE;
	struct process *p = record_alloc(ppid);
	if (!p)
		return PAGER_E_TOO_MANY;
	strncpy(p->name, name, sizeof p->name - 1);
	p->is_init = init;
	p->custom_pager = custom_pager;
	if (space_create(p) < 0 || reserve_fixed(p) < 0) {
		abandon(p);
		return PAGER_E_NO_MEMORY;
	}
	if (elf_load(p, file, &entry, &heap) < 0) {
		abandon(p);
		return PAGER_E_BAD_VALUE;
	}
	if (childep_give(p, ppid) < 0) {
		abandon(p);
		return PAGER_E_NO_MEMORY;
	}
	if (vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, &p->info)) {
		abandon(p);
		return PAGER_E_NO_MEMORY;
	}
	p->has_info = true;
	struct fl_procinfo *pi = frame_addr(p->info);
	memset(pi, 0, VM_PAGE_SIZE);
	pi->magic = FL_PROCINFO_MAGIC;
	pi->pid = p->pid;
	pi->ppid = ppid;
	pi->heap_start = heap;
	pi->stack_top = USER_STACK_TOP;
	pi->stack_limit = USER_STACK_LIMIT;
	strncpy(pi->name, name, sizeof pi->name - 1);
	if (!args_len) {
		args = (const uint8_t *)name;
		args_len = strlen(name) + 1;
	}
	memcpy(pi->args, args, args_len);
	for (size_t off = 0; off < args_len && pi->argc < FL_PROCINFO_ARGC_MAX;) {
		pi->argv_offset[pi->argc++] = (uint32_t)off;
		off += strlen(pi->args + off) + 1;
	}
	if (info_map(p) < 0 ||
	    thread_start(p, 0, entry, USER_STACK_TOP, FL_PROCINFO_VADDR, 0, false) < 0) {
		abandon(p);
		return custom_pager && !extregion_listening(custom_pager) ? PAGER_E_NOT_LISTENING
		                                                          : PAGER_E_NO_MEMORY;
	}
	*pid = p->pid;
	publish(p, 0);
	paged_recheck(*pid, custom_pager);
	return 0;
}

/* The live process pid with a busy reference (proc_put it), or NULL. */
struct process *proc_find(uint32_t pid)
{
	struct process *p = NULL;

	ulock_take(&proc_lock);
	for (unsigned i = 0; i < MAX_PROCS && !p; i++)
		if (procs[i].state == PROC_LIVE && procs[i].pid == pid) {
			p = &procs[i];
			busy_add(p, 1);
		}
	ulock_drop(&proc_lock);
	return p;
}

/*
 * Fork parent: a child whose only thread is a copy of thread tid, started at
 * pc with sp, x0 = 0 and the caller's TPIDR_EL0; memory shared copy-on-write
 * by vm_fork (IPC buffer and info page are not forked: the child gets its
 * own). Caller holds a busy reference on parent. 0 or a PAGER_E_* code.
 */
int proc_fork(struct process *parent, unsigned tid, uint64_t pc, uint64_t sp, uint32_t *pid)
{
	uint64_t regs[6];
	struct process *c = record_alloc(parent->pid);

	if (!c)
		return PAGER_E_TOO_MANY;
	memcpy(c->name, parent->name, sizeof c->name);
	c->custom_pager = parent->custom_pager; /* mode 1 holds for fork children too */
	if (kcall(parent->threads[tid].tcb.obj, FL_TCB_READ_REGISTERS, 0, NULL, 0, NULL, regs)) {
		abandon(c);
		return PAGER_E_NO_MEMORY;
	}
	if (space_create(c) < 0 || vm_fork(&parent->space, &c->space) || reserve_fixed(c) < 0 ||
	    vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, &c->info)) {
		abandon(c);
		return PAGER_E_NO_MEMORY;
	}
	c->has_info = true;
	extregion_fork(parent, c);
	childep_fork(parent, c);
	memcpy(frame_addr(c->info), frame_addr(parent->info), VM_PAGE_SIZE);
	struct fl_procinfo *pi = frame_addr(c->info);
	pi->pid = c->pid;
	pi->ppid = parent->pid;
	if (info_map(c) < 0 || thread_start(c, tid, pc, sp, 0, regs[4], false) < 0) {
		abandon(c);
		return PAGER_E_NO_MEMORY;
	}
	*pid = c->pid;
	publish(c, tid);
	paged_recheck(*pid, c->custom_pager);
	return 0;
}

/*
 * waitpid for p: a zombie child matching pid (0 = any) is reaped at once;
 * otherwise p waits: *reply (the worker's reply object, holding p's caller)
 * is kept and the worker gets a fresh one. Returns 0, FL_IDL_DEFER or a
 * PAGER_E_* code.
 */
int proc_waitpid(struct process *p, uint32_t pid, bool nohang, fl_cptr_t *reply, uint32_t *child,
                 int32_t *status)
{
	bool any = false;
	int ret;

	ulock_take(&proc_lock);
	for (unsigned i = 0; i < MAX_PROCS; i++) {
		struct process *c = &procs[i];
		if (c->state == PROC_FREE || c->ppid != p->pid || (pid && c->pid != pid))
			continue;
		any = true;
		if (c->state == PROC_ZOMBIE) {
			*child = c->pid;
			*status = c->wait_status;
			record_free_locked(c);
			ulock_drop(&proc_lock);
			return 0;
		}
	}
	if (!any) {
		ret = pid ? PAGER_E_BAD_PID : PAGER_E_NO_CHILD;
	} else if (nohang) {
		ret = PAGER_E_NO_CHILD_EXITED;
	} else {
		fl_cptr_t fresh = reply_alloc();
		if (!fresh) {
			ret = PAGER_E_TOO_MANY;
		} else {
			p->wait_reply = *reply;
			p->wait_pid = pid;
			*reply = fresh;
			ret = FL_IDL_DEFER;
		}
	}
	ulock_drop(&proc_lock);
	return ret;
}

/* A new thread of p. 0 or a PAGER_E_* code. Caller holds a busy reference. */
int proc_thread_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg, uint64_t tls,
                       uint32_t *tid)
{
	unsigned t;

	ulock_take(&p->thread_lock);
	for (t = 0; t < FL_PROCINFO_THREADS_MAX && p->threads[t].used; t++)
		;
	if (t == FL_PROCINFO_THREADS_MAX) {
		ulock_drop(&p->thread_lock);
		return PAGER_E_TOO_MANY;
	}
	p->threads[t].used = true;
	ulock_drop(&p->thread_lock);
	if (thread_start(p, t, entry, sp, arg, tls, true) < 0) {
		thread_release(p, t);
		ulock_take(&p->thread_lock);
		p->threads[t].used = false;
		ulock_drop(&p->thread_lock);
		return PAGER_E_NO_MEMORY;
	}
	*tid = t;
	return 0;
}

/* Thread tid of p ends with value. Returns true if it was p's last thread
 * (the caller then terminates p). Caller holds a busy reference. */
bool proc_thread_exit(struct process *p, unsigned tid, uint64_t value)
{
	bool last = true;

	thread_release(p, tid);
	ulock_take(&p->thread_lock);
	struct thread *t = &p->threads[tid];
	t->exited = true;
	t->exit_value = value;
	if (t->join_reply) {
		pager_thread_join_reply(t->join_reply, value);
		reply_free(t->join_reply);
		t->join_reply = 0;
		t->used = false;
	}
	for (unsigned i = 0; i < FL_PROCINFO_THREADS_MAX; i++)
		if (p->threads[i].used && !p->threads[i].exited)
			last = false;
	ulock_drop(&p->thread_lock);
	return last;
}

/* Join thread tid of p from thread self: 0 (value set), FL_IDL_DEFER or a PAGER_E_* code. */
int proc_thread_join(struct process *p, unsigned self, uint32_t tid, fl_cptr_t *reply,
                     uint64_t *value)
{
	int ret;

	if (tid >= FL_PROCINFO_THREADS_MAX || tid == self)
		return PAGER_E_BAD_TID;
	ulock_take(&p->thread_lock);
	struct thread *t = &p->threads[tid];
	if (!t->used || t->join_reply) {
		ret = PAGER_E_BAD_TID;
	} else if (t->exited) {
		*value = t->exit_value;
		t->used = false;
		ret = 0;
	} else {
		fl_cptr_t fresh = reply_alloc();
		if (!fresh) {
			ret = PAGER_E_TOO_MANY;
		} else {
			t->join_reply = *reply;
			*reply = fresh;
			ret = FL_IDL_DEFER;
		}
	}
	ulock_drop(&p->thread_lock);
	return ret;
}

/* Pages mapped into process pid and how many are COW-shared. -1 if no such process. */
int proc_frames(uint32_t pid, uint64_t *frames, uint64_t *cow)
{
	struct process *p = NULL;

	ulock_take(&proc_lock);
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i].state == PROC_LIVE && procs[i].pid == pid) {
			p = &procs[i];
			busy_add(p, 1);
		}
	ulock_drop(&proc_lock);
	if (!p)
		return -1;
	size_t resident, swapped;
	vm_space_counts(&p->space, &resident, &swapped);
	*frames = resident;
	*cow = vm_space_cow_shared(&p->space);
	proc_put(p);
	return 0;
}

/* COW copies made for process pid since it began. -1 if no such process. */
int proc_copies(uint32_t pid, uint64_t *copies)
{
	struct process *p = proc_find(pid);

	if (!p)
		return -1;
	*copies = vm_space_copies(&p->space);
	proc_put(p);
	return 0;
}

/* Kill child pid of parent with signal (0: just check it lives). 0 or a PAGER_E_* code. */
int proc_kill(struct process *parent, uint32_t pid, uint32_t signal)
{
	struct process *c = NULL;

	if (signal > 126)
		return PAGER_E_BAD_VALUE;
	ulock_take(&proc_lock);
	for (unsigned i = 0; i < MAX_PROCS; i++)
		if (procs[i].state == PROC_LIVE && procs[i].pid == pid &&
		    procs[i].ppid == parent->pid) {
			c = &procs[i];
			busy_add(c, 1);
		}
	ulock_drop(&proc_lock);
	if (!c)
		return PAGER_E_BAD_PID;
	if (signal) {
		plog("killed pid %u (%s): signal %u from its parent", c->pid, c->name, signal);
		proc_terminate(c, (int32_t)signal);
	}
	proc_put(c);
	return 0;
}

/*
 * Mark q and every live or dying process descended from it doomed; put a
 * busy reference on each live one into out (q first). Returns how many.
 * Caller holds proc_lock.
 */
static unsigned doom_tree_locked(struct process *q, struct process **out)
{
	unsigned n = 0;
	bool grew = true;

	q->doomed = true;
	busy_add(q, 1);
	out[n++] = q;
	/* Descendants, level by level: a process whose parent is doomed. */
	while (grew) {
		grew = false;
		for (unsigned i = 0; i < MAX_PROCS; i++) {
			struct process *c = &procs[i];
			if (c->doomed || (c->state != PROC_LIVE && c->state != PROC_DYING) ||
			    !c->ppid)
				continue;
			for (unsigned j = 0; j < MAX_PROCS; j++) {
				struct process *a = &procs[j];
				if (a->doomed && a->state != PROC_FREE && a->pid == c->ppid) {
					c->doomed = grew = true;
					if (c->state == PROC_LIVE) {
						busy_add(c, 1);
						out[n++] = c;
					}
					break;
				}
			}
		}
	}
	return n;
}

/*
 * Kill child pid of parent and all its descendants with signal; pid ends
 * last. Marking the whole tree doomed under proc_lock first means no member
 * can add a child afterwards (record_alloc refuses), so nothing escapes as
 * an orphan. No lock is held while the members end: another kill_tree over
 * part of the tree at once only finds its members already ending.
 * 0 or a PAGER_E_* code.
 */
int proc_kill_tree(struct process *parent, uint32_t pid, uint32_t signal)
{
	struct process *tree[MAX_PROCS], *c = NULL;
	unsigned n = 0;

	if (signal < 1 || signal > 126)
		return PAGER_E_BAD_VALUE;
	ulock_take(&proc_lock);
	for (unsigned i = 0; i < MAX_PROCS && !c; i++)
		if (procs[i].state == PROC_LIVE && procs[i].pid == pid &&
		    procs[i].ppid == parent->pid)
			c = &procs[i];
	if (c)
		n = doom_tree_locked(c, tree);
	ulock_drop(&proc_lock);
	if (!c)
		return PAGER_E_BAD_PID;
	plog("killed pid %u (%s) and %u descendants: signal %u from its parent", c->pid, c->name,
	     n - 1, signal);
	for (unsigned i = n; i-- > 0;) {
		proc_terminate(tree[i], (int32_t)signal);
		proc_put(tree[i]);
	}
	return 0;
}
