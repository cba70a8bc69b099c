/*
 * External-pager regions (docs/custom-pagers.md, mode 2). A process that
 * called pager.extpager_listen is a *listener*: the pager made it an
 * endpoint, a Reply object and transfer buffers. A process that called
 * pager.region_attach has an *entry* in its SPT: a vmcore FILE region whose
 * file id is EXTREGION_FILE_BASE + the entry's index, so frames, COW, fork,
 * eviction and accounting of its pages are vmcore's, as for an ELF segment.
 *
 * Only the first fill of a page differs. A worker never calls an external
 * pager (it may be hung, dead, or itself faulting and waiting for a worker):
 * it queues a *request*, keeps the faulting thread's Reply object with it
 * and goes back to the endpoint. The caller thread sends the requests one
 * at a time (extpager.supply_page); the answer is copied out of the
 * listener's transfer buffer into a *stage* frame and the faulting thread is
 * resumed; it faults again, and vmcore's file_read (extregion_read) copies
 * the stage into the page's own frame. The watchdog and reaper threads
 * enforce the time limit: a listener that has not answered in
 * EXT_TIMEOUT_MS is killed, which destroys its Reply object and endpoint and
 * so ends the caller's Call.
 *
 * Written pages: when a supplied page is installed its hash is recorded
 * (supplied[]); when a process holding a writable region ends, each of its
 * pages there whose contents no longer match is copied and queued as a
 * dirty_page request before region_closed (dirty_report).
 *
 * ext_lock protects every table here (listeners, entries, attachments,
 * stages, supplied, the request queue, inflight). It is a platform-level lock: no
 * vmcore or process-table call is made while it is held. Only threads of
 * worker priority take it (see watchdog_main).
 */
#include <stdio.h>
#include <string.h>

#include <faultline/invocations.h>
#include <faultline/process.h>

#include "core.h"
#include "extpager.h"
#include "extregion.h"
#include "fault.h"
#include "pager.h"

#define EXT_LISTENERS    16
#define EXT_ENTRIES      64
#define EXT_ATTACH       4 /* per process */
#define EXT_STAGES       32
#define EXT_REQUESTS     128
#define EXT_SUPPLIED     4096
#define EXT_WALK_MAX     4096 /* pages: the largest region walked page by page */
#define EXT_TIMEOUT_MS   5000
#define EXT_CAP_ENDPOINT 48 /* slots in a listener's CSpace */
#define EXT_CAP_REPLY    49
#define EXT_BUFFERS_VA   (FL_PROCINFO_VADDR + 0x100000ULL)

/* A process that serves external regions. */
struct listener {
	bool used;
	bool dead;    /* its process ended (or was killed): every entry fails */
	bool busy;    /* the caller thread is in a Call to it: it frees ep and buffers */
	uint32_t gen; /* changes on reuse, so queued requests can tell */
	uint32_t index, pid;
	struct kobj ep, reply;
	vm_frame_t buf[EXTPAGER_BUFFERS];
	bool has_buf;
};

/* One attached region, shared by the attaching process and its fork children. */
struct entry {
	bool used;
	bool failed;    /* every later fault in it kills */
	bool writable;  /* its processes may write it: written pages are reported */
	bool untracked; /* a supplied page found no room in supplied[] */
	uint64_t id;
	uint64_t size;
	struct listener *l;
	unsigned users; /* attachments (processes) and queued requests holding it */
	char why[64];
};

/* Where an entry sits in one process. */
struct attach {
	bool used;
	uint64_t start, end;
	struct entry *e;
};

/* A supplied page waiting for the faulting thread's retry. */
struct stage {
	bool used;
	struct entry *e;
	uint64_t offset;
	vm_frame_t frame;
	unsigned users; /* workers inside vm_fault for it */
};

/* What the external pager supplied for a page of an entry, as a hash of
 * its contents: a page whose contents differ when a process holding the
 * region ends was written, and is reported with dirty_page. */
struct supplied {
	struct entry *e; /* NULL: free */
	uint64_t offset, hash;
};

enum req_kind { REQ_SUPPLY, REQ_CLOSE, REQ_DIRTY };

/* A deferred fault (or a close) waiting for the caller thread. */
struct request {
	struct request *next;
	enum req_kind kind;
	struct entry *e; /* supply: holds a user reference */
	struct listener *l;
	uint32_t lgen;
	uint64_t region, offset;
	enum vm_access access;
	fl_cptr_t reply;  /* supply: the faulting thread's Reply object */
	vm_frame_t stage; /* dirty: a copy of the written page */
	uint32_t index, pid, tid;
	uint64_t addr, ip;
};

static struct ulock ext_lock;
static struct listener listeners[EXT_LISTENERS];
static struct entry entries[EXT_ENTRIES];
static struct attach attached[MAX_PROCS][EXT_ATTACH];
/* Per process record: how many of attached[i] are used; read without
 * ext_lock by extregion_fault, so a process with none (nearly every fault)
 * does not take ext_lock. Written under ext_lock (attach_recount). */
static unsigned attached_used[MAX_PROCS];

/* Recount attached[idx] after a change. Caller holds ext_lock. */
static void attach_recount(unsigned idx)
{
	unsigned n = 0;

	for (unsigned k = 0; k < EXT_ATTACH; k++)
		n += attached[idx][k].used;
	__atomic_store_n(&attached_used[idx], n, __ATOMIC_RELEASE);
}
static struct stage stages[EXT_STAGES];
static struct request requests[EXT_REQUESTS];
static struct supplied supplied[EXT_SUPPLIED];
static struct request *free_requests, *queue_head, *queue_tail;
static uint64_t next_region_id = 1;
static fl_cptr_t call_ntfn, call_signal, wd_ntfn, wd_signal, reap_ntfn, reap_signal;

/* The caller thread's current Call. Written under ext_lock; the watchdog
 * reads active, seq and deadline without it (atomically), see watchdog_main. */
static struct {
	bool active;
	uint64_t seq; /* one per Call */
	struct listener *l;
	uint64_t deadline;
} inflight;
static uint64_t expired_seq; /* the Call the watchdog found late (atomic) */

static uint64_t now(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

static uint64_t ticks_per_ms(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f / 1000 ? f / 1000 : 1;
}

/* The live process with this record index and pid, with a busy reference
 * (proc_put it), or NULL. */
static struct process *proc_by_pid(uint32_t index, uint32_t pid)
{
	unsigned tid;
	struct process *p = proc_get(((uint64_t)index + 1) << 8, &tid);

	if (p && p->pid != pid) {
		proc_put(p);
		return NULL;
	}
	return p;
}

/* Kill p (busy reference held) for a fault in an external region. */
static void kill_for(struct process *p, unsigned tid, const char *why, uint64_t addr, uint64_t ip)
{
	plog("killed pid %u (%s) thread %u: external region: %s at 0x%lx (ip 0x%lx)", p->pid,
	     p->name, tid, why, (unsigned long)addr, (unsigned long)ip);
	proc_terminate(p, FL_KILLED_SIGNAL);
}

/* A badged copy of notification n, so that a signal is never lost. */
static fl_cptr_t badged_copy(fl_cptr_t n)
{
	fl_cptr_t c = slot_alloc(), root = FL_CAP_ROOT_CNODE;
	uint64_t w[4] = {c, n, FL_RIGHTS_ALL, 1};

	if (!c || kcall(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, 4, w, 1, &root, NULL))
		pager_panic("extregion: cannot mint a notification cap");
	return c;
}

/* ---- stages (ext_lock held) ---- */

static struct stage *stage_find(struct entry *e, uint64_t offset)
{
	for (unsigned i = 0; i < EXT_STAGES; i++)
		if (stages[i].used && stages[i].e == e && stages[i].offset == offset)
			return &stages[i];
	return NULL;
}

/* Forget every stage of e; their frames go to out[] (count returned) for the
 * caller to free after dropping ext_lock. */
static unsigned stages_drop(struct entry *e, vm_frame_t *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < EXT_STAGES; i++)
		if (stages[i].used && stages[i].e == e) {
			stages[i].used = false;
			out[n++] = stages[i].frame;
		}
	return n;
}

/* ---- supplied pages (ext_lock held) ---- */

/* FNV-1a over a page: equal contents, equal hash; a write almost surely
 * changes it (a collision would lose the report of that one write). */
static uint64_t page_hash(const void *page)
{
	const uint64_t *w = page;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < VM_PAGE_SIZE / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	return h;
}

static struct supplied *supplied_find(const struct entry *e, uint64_t offset)
{
	for (unsigned i = 0; i < EXT_SUPPLIED; i++)
		if (supplied[i].e == e && supplied[i].offset == offset)
			return &supplied[i];
	return NULL;
}

/* Remember what was supplied for offset of e (the first supply counts: a
 * page asked for again, by a fork relative, had the same contents). */
static void supplied_note(struct entry *e, uint64_t offset, uint64_t hash)
{
	if (supplied_find(e, offset))
		return;
	for (unsigned i = 0; i < EXT_SUPPLIED; i++)
		if (!supplied[i].e) {
			supplied[i] = (struct supplied){.e = e, .offset = offset, .hash = hash};
			return;
		}
	e->untracked = true; /* its filled pages are all reported */
}

static void supplied_drop(const struct entry *e)
{
	for (unsigned i = 0; i < EXT_SUPPLIED; i++)
		if (supplied[i].e == e)
			supplied[i].e = NULL;
}

/* ---- requests (ext_lock held) ---- */

static void queue_push(struct request *q)
{
	q->next = NULL;
	if (queue_tail)
		queue_tail->next = q;
	else
		queue_head = q;
	queue_tail = q;
}

static struct request *queue_pop(void)
{
	struct request *q = queue_head;

	if (q) {
		queue_head = q->next;
		if (!queue_head)
			queue_tail = NULL;
	}
	return q;
}

static struct request *request_alloc(void)
{
	struct request *q = free_requests;

	if (q) {
		free_requests = q->next;
		memset(q, 0, sizeof *q);
	}
	return q;
}

static void request_free(struct request *q)
{
	q->next = free_requests;
	free_requests = q;
}

/* Drop one user of e; the last one frees it and queues region_closed to its
 * listener. Frames of its stages go to out[] (count returned). */
static unsigned entry_unref(struct entry *e, vm_frame_t *out)
{
	if (--e->users)
		return 0;
	unsigned n = stages_drop(e, out);
	supplied_drop(e);
	struct listener *l = e->l;
	if (l && !l->dead) {
		struct request *q = request_alloc();
		if (q) {
			q->kind = REQ_CLOSE;
			q->l = l;
			q->lgen = l->gen;
			q->region = e->id;
			queue_push(q);
		}
	}
	e->used = false;
	return n;
}

static void give_frames(const vm_frame_t *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		vm_frame_free_owned(&pager_vm, f[i]);
}

/* Free what a dead listener still holds: its endpoint, Reply object and
 * buffers. Caller: not holding ext_lock; l is dead and not busy. */
static void listener_release(struct listener *l)
{
	struct kobj ep, reply;
	vm_frame_t buf[EXTPAGER_BUFFERS];
	bool has_buf;

	ulock_take(&ext_lock);
	ep = l->ep;
	reply = l->reply;
	has_buf = l->has_buf;
	memcpy(buf, l->buf, sizeof buf);
	l->ep = (struct kobj){0};
	l->reply = (struct kobj){0};
	l->has_buf = false;
	l->used = false;
	ulock_drop(&ext_lock);
	kobj_free(&reply);
	kobj_free(&ep);
	if (has_buf)
		give_frames(buf, EXTPAGER_BUFFERS);
}

/* ---- the worker side ---- */

bool extregion_fault(struct process *p, unsigned tid, uint64_t addr, enum vm_access access,
                     uint64_t sp, uint64_t ip, int *ret)
{
	uint64_t va = addr & ~VM_PAGE_MASK;
	struct entry *e = NULL;
	uint64_t off = 0;
	char why[64];

	/* No attachment (changed only by p's own requests, or fork and
	 * teardown while no thread of p runs): nothing to look up. */
	if (!__atomic_load_n(&attached_used[p->index], __ATOMIC_ACQUIRE))
		return false;
	ulock_take(&ext_lock);
	for (unsigned k = 0; k < EXT_ATTACH; k++) {
		struct attach *a = &attached[p->index][k];
		if (a->used && va >= a->start && va < a->end) {
			e = a->e;
			off = va - a->start;
		}
	}
	ulock_drop(&ext_lock);
	/* A page that was ever filled is vmcore's (frame, COW, swap). */
	if (!e || vm_page_state(&p->space, va) != VM_PAGE_FILE)
		return false;

	*ret = FL_IDL_DEFER;
	ulock_take(&ext_lock);
	if (e->failed) {
		snprintf(why, sizeof why, "%s", e->why);
		ulock_drop(&ext_lock);
		kill_for(p, tid, why, addr, ip);
		return true;
	}
	struct stage *s = stage_find(e, off);
	if (s) {
		/* Fill from the stage; it stays while any worker is in here. */
		s->users++;
		ulock_drop(&ext_lock);
		struct vm_verdict v = vm_fault(&p->space, addr, access, sp);
		bool filled = vm_page_state(&p->space, va) != VM_PAGE_FILE;
		vm_frame_t done = 0;
		bool free_it = false;
		ulock_take(&ext_lock);
		if (--s->users == 0 && filled) {
			s->used = false;
			done = s->frame;
			free_it = true;
		}
		ulock_drop(&ext_lock);
		if (free_it)
			give_frames(&done, 1);
		if (v.kind == VM_KILL)
			kill_for(p, tid, v.msg, addr, ip);
		else
			*ret = FAULT_REPLY_RETRY;
		return true;
	}
	struct worker *w = worker_self();
	struct request *q = request_alloc();
	fl_cptr_t fresh = q ? reply_alloc() : 0;
	if (!fresh) {
		/* Every request slot or Reply object is taken: let it fault again. */
		if (q)
			request_free(q);
		ulock_drop(&ext_lock);
		fl_yield();
		*ret = FAULT_REPLY_RETRY;
		return true;
	}
	q->kind = REQ_SUPPLY;
	q->e = e;
	e->users++;
	q->l = e->l;
	q->lgen = e->l->gen;
	q->region = e->id;
	q->offset = off;
	q->access = access;
	q->reply = w->reply; /* it holds the faulting thread */
	w->reply = fresh;
	q->index = p->index;
	q->pid = p->pid;
	q->tid = tid;
	q->addr = addr;
	q->ip = ip;
	queue_push(q);
	ulock_drop(&ext_lock);
	fl_signal(call_signal);
	return true;
}

int extregion_read(uint32_t file, uint64_t offset, vm_frame_t frame, size_t frame_off, size_t len)
{
	uint32_t i = file - EXTREGION_FILE_BASE;
	uint64_t page = offset & ~VM_PAGE_MASK;
	int err = VM_E_IO;

	if (i >= EXT_ENTRIES || (offset & VM_PAGE_MASK) + len > VM_PAGE_SIZE)
		return VM_E_IO;
	/* The copy is made under ext_lock so the stage cannot go meanwhile. */
	ulock_take(&ext_lock);
	struct stage *s = entries[i].used ? stage_find(&entries[i], page) : NULL;
	if (s) {
		memcpy((char *)frame_addr(frame) + frame_off,
		       (const char *)frame_addr(s->frame) + (offset & VM_PAGE_MASK), len);
		err = VM_OK;
	}
	ulock_drop(&ext_lock);
	return err;
}

void extregion_fork(struct process *parent, struct process *child)
{
	ulock_take(&ext_lock);
	for (unsigned k = 0; k < EXT_ATTACH; k++) {
		attached[child->index][k] = attached[parent->index][k];
		if (attached[child->index][k].used)
			attached[child->index][k].e->users++;
	}
	attach_recount(child->index);
	ulock_drop(&ext_lock);
}

/* Queue dirty_page(offset) of e to listener l (generation lgen) with a
 * copy of frame f. Waits (yielding) for a free request: the caller thread
 * frees one within the time limit. false: no frame for the copy. */
static bool dirty_queue(struct entry *e, uint64_t offset, vm_frame_t f)
{
	vm_frame_t stage;

	if (vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, &stage) != VM_OK)
		return false;
	memcpy(frame_addr(stage), frame_addr(f), VM_PAGE_SIZE);
	for (;;) {
		ulock_take(&ext_lock);
		struct request *q = request_alloc();
		if (q) {
			q->kind = REQ_DIRTY;
			q->l = e->l;
			q->lgen = e->l ? e->l->gen : 0;
			q->region = e->id;
			q->offset = offset;
			q->stage = stage;
			queue_push(q);
			ulock_drop(&ext_lock);
			fl_signal(call_signal);
			return true;
		}
		ulock_drop(&ext_lock);
		fl_signal(call_signal);
		fl_yield();
	}
}

/* If p holds the page at va (offset of e) and its contents are not what
 * the external pager supplied (have: a hash was recorded), report it. The
 * page is pinned while it is read (a swapped page comes back in first; a
 * COW-shared one is copied, as for any write on the process's behalf). */
static void dirty_check(struct process *p, struct entry *e, uint64_t va, uint64_t offset, bool have,
                        uint64_t hash)
{
	enum vm_page_state st = vm_page_state(&p->space, va);
	vm_frame_t f;

	if (st != VM_PAGE_FRAME && st != VM_PAGE_COW_SHARED && st != VM_PAGE_SWAPPED)
		return; /* never filled: nothing written */
	if (vm_pin_page(&p->space, va, &f) != VM_OK) {
		plog("external region %lu: written page at 0x%lx of pid %u not reported: no memory",
		     (unsigned long)e->id, (unsigned long)va, p->pid);
		return;
	}
	if ((!have || page_hash(frame_addr(f)) != hash) && !dirty_queue(e, offset, f))
		plog("external region %lu: written page at 0x%lx of pid %u not reported: no memory",
		     (unsigned long)e->id, (unsigned long)va, p->pid);
	vm_unpin_frame(&pager_vm, f);
}

/*
 * p (being torn down, its threads gone, its space intact) holds the
 * writable region e at [start, end): report every page of it whose
 * contents differ from what the external pager supplied (dirty_page),
 * before region_closed. Nothing is reported to a dead or failed listener.
 * Caller holds no lock; e is held by p's attachment.
 */
static void dirty_report(struct process *p, struct entry *e, uint64_t start, uint64_t end)
{
	ulock_take(&ext_lock);
	bool live = e->writable && !e->failed && e->l && !e->l->dead;
	bool untracked = e->untracked;
	ulock_drop(&ext_lock);
	if (!live)
		return;
	/* ext_lock is a leaf (docs/pager.md): each record is read under it and
	 * it is dropped before dirty_check, which pins the page through vmcore
	 * (maybe a swap-in). A record changed meanwhile is harmless: the page
	 * is judged by its contents, and e cannot go away (p's attachment). */
	for (unsigned i = 0; i < EXT_SUPPLIED; i++) {
		ulock_take(&ext_lock);
		bool mine = supplied[i].e == e;
		uint64_t offset = supplied[i].offset, hash = supplied[i].hash;
		ulock_drop(&ext_lock);
		if (mine)
			dirty_check(p, e, start + offset, offset, true, hash);
	}
	if (!untracked)
		return;
	/* Some supplied page found no record: look at every page without
	 * one, if the region is small enough to walk. */
	if (end - start > EXT_WALK_MAX * VM_PAGE_SIZE) {
		plog("external region %lu: written pages of pid %u not all reported: too many "
		     "pages supplied",
		     (unsigned long)e->id, p->pid);
		return;
	}
	for (uint64_t va = start; va < end; va += VM_PAGE_SIZE) {
		ulock_take(&ext_lock);
		bool recorded = supplied_find(e, va - start) != NULL;
		ulock_drop(&ext_lock);
		if (!recorded)
			dirty_check(p, e, va, va - start, false, 0);
	}
}

void extregion_exit(struct process *p)
{
	vm_frame_t freed[EXT_STAGES];
	unsigned nfreed = 0;
	struct listener *dead = NULL;
	struct kobj reply = {0};
	bool release = false;

	/* Only p changes its attachments, and p is being torn down: they can
	 * be read without ext_lock. */
	for (unsigned k = 0; k < EXT_ATTACH; k++) {
		struct attach *a = &attached[p->index][k];
		if (a->used)
			dirty_report(p, a->e, a->start, a->end);
	}
	ulock_take(&ext_lock);
	for (unsigned k = 0; k < EXT_ATTACH; k++) {
		struct attach *a = &attached[p->index][k];
		if (a->used) {
			a->used = false;
			nfreed += entry_unref(a->e, freed + nfreed);
		}
	}
	attach_recount(p->index);
	for (unsigned i = 0; i < EXT_LISTENERS; i++) {
		struct listener *l = &listeners[i];
		if (!l->used || l->dead || l->index != p->index || l->pid != p->pid)
			continue;
		dead = l;
		l->dead = true;
		for (unsigned j = 0; j < EXT_ENTRIES; j++)
			if (entries[j].used && entries[j].l == l && !entries[j].failed) {
				entries[j].failed = true;
				snprintf(entries[j].why, sizeof entries[j].why,
				         "its external pager (pid %u) ended", p->pid);
			}
		/* Destroying the Reply object ends a Call waiting for the answer. */
		reply = l->reply;
		l->reply = (struct kobj){0};
		release = !l->busy;
	}
	ulock_drop(&ext_lock);
	fl_signal(call_signal); /* a region_closed may be queued */
	kobj_free(&reply);
	if (dead) {
		pspace_unmap(&p->ps, EXT_BUFFERS_VA, EXTPAGER_BUFFERS);
		if (release)
			listener_release(dead);
	}
	give_frames(freed, nfreed);
}

/* ---- custom pagers (mode 1, custompager.c) ---- */

/* The live listener of process pid, or NULL. Caller holds ext_lock. */
static struct listener *listener_of_pid(uint32_t pid)
{
	for (unsigned i = 0; i < EXT_LISTENERS; i++)
		if (listeners[i].used && !listeners[i].dead && listeners[i].pid == pid &&
		    listeners[i].ep.obj)
			return &listeners[i];
	return NULL;
}

bool extregion_listening(uint32_t pid)
{
	ulock_take(&ext_lock);
	bool yes = listener_of_pid(pid) != NULL;
	ulock_drop(&ext_lock);
	return yes;
}

int extregion_tcb_configure(uint32_t pager_pid, fl_cptr_t tcb, uint64_t badge, uint64_t ipcbuf_va,
                            const fl_cptr_t caps[3])
{
	uint64_t err = 1;

	/* Under ext_lock, so that the endpoint cannot be freed (and its slot
	 * reused) between the lookup and the copy the TCB takes. */
	ulock_take(&ext_lock);
	struct listener *l = listener_of_pid(pager_pid);
	if (l) {
		uint64_t w[3] = {l->ep.obj, badge, ipcbuf_va};
		err = kcall(tcb, FL_TCB_CONFIGURE, 3, w, 3, caps, NULL);
	}
	ulock_drop(&ext_lock);
	return err ? -1 : 0;
}

int extregion_buffer_copy(uint32_t pid, uint32_t buffer, vm_frame_t dst)
{
	int err = PAGER_E_NOT_LISTENING;

	if (buffer >= EXTPAGER_BUFFERS)
		return PAGER_E_BAD_VALUE;
	ulock_take(&ext_lock);
	struct listener *l = listener_of_pid(pid);
	if (l && l->has_buf) {
		memcpy(frame_addr(dst), frame_addr(l->buf[buffer]), VM_PAGE_SIZE);
		err = 0;
	}
	ulock_drop(&ext_lock);
	return err;
}

/* ---- service handlers ---- */

/* Make p a listener: endpoint, Reply object, buffers. Caller holds a busy
 * reference on p; l is reserved (used) for it. 0 or a PAGER_E_* code. */
static int listener_build(struct process *p, struct listener *l)
{
	fl_cptr_t root = FL_CAP_ROOT_CNODE;
	struct vm_region_desc d = {.kind = VM_REGION_ZERO,
	                           .start = EXT_BUFFERS_VA,
	                           .end = EXT_BUFFERS_VA + EXTPAGER_BUFFERS * VM_PAGE_SIZE,
	                           .rights = VM_R,
	                           .flags = VM_RF_NOFORK};
	unsigned n = 0;

	if (kobj_alloc(FL_OBJ_ENDPOINT, 0, &l->ep) < 0 ||
	    kobj_alloc(FL_OBJ_REPLY, 0, &l->reply) < 0)
		return PAGER_E_NO_MEMORY;
	uint64_t mw[4] = {EXT_CAP_ENDPOINT, l->ep.obj, FL_RIGHT_READ, 0};
	uint64_t cw[3] = {EXT_CAP_REPLY, l->reply.obj, FL_RIGHTS_ALL};
	if (kcall(p->cnode.obj, FL_CNODE_MINT, 4, mw, 1, &root, NULL) ||
	    kcall(p->cnode.obj, FL_CNODE_COPY, 3, cw, 1, &root, NULL))
		return PAGER_E_NO_MEMORY;
	for (; n < EXTPAGER_BUFFERS; n++)
		if (vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, &l->buf[n]))
			break;
	if (n < EXTPAGER_BUFFERS) {
		give_frames(l->buf, n);
		return PAGER_E_NO_MEMORY;
	}
	l->has_buf = true;
	for (n = 0; n < EXTPAGER_BUFFERS; n++)
		memset(frame_addr(l->buf[n]), 0, VM_PAGE_SIZE);
	if (vm_region_add(&p->space, &d))
		return PAGER_E_NO_MEMORY;
	if (pspace_map(&p->ps, EXT_BUFFERS_VA, l->buf, EXTPAGER_BUFFERS, VM_R | VM_W))
		return PAGER_E_NO_MEMORY;
	return 0;
}

int extregion_on_listen(void *ctx, uint64_t badge, uint64_t *endpoint, uint64_t *reply,
                        uint64_t *buffers)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);
	struct listener *l = NULL;
	int err = 0;

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	*endpoint = EXT_CAP_ENDPOINT;
	*reply = EXT_CAP_REPLY;
	*buffers = EXT_BUFFERS_VA;
	ulock_take(&ext_lock);
	for (unsigned i = 0; i < EXT_LISTENERS; i++)
		if (listeners[i].used && !listeners[i].dead && listeners[i].index == p->index &&
		    listeners[i].pid == p->pid) {
			ulock_drop(&ext_lock);
			proc_put(p);
			return 0; /* already listening */
		}
	for (unsigned i = 0; i < EXT_LISTENERS && !l; i++)
		if (!listeners[i].used) {
			l = &listeners[i];
			uint32_t gen = l->gen + 1;
			memset(l, 0, sizeof *l);
			l->used = true;
			l->dead = true; /* not served until built */
			l->gen = gen;
			l->index = p->index;
			l->pid = p->pid;
		}
	ulock_drop(&ext_lock);
	if (!l) {
		proc_put(p);
		return PAGER_E_TOO_MANY;
	}
	err = listener_build(p, l);
	if (err) {
		pspace_unmap(&p->ps, EXT_BUFFERS_VA, EXTPAGER_BUFFERS);
		listener_release(l);
	} else {
		ulock_take(&ext_lock);
		l->dead = false;
		ulock_drop(&ext_lock);
	}
	proc_put(p);
	return err;
}

int extregion_on_attach(void *ctx, uint64_t badge, uint32_t server, uint64_t start, uint64_t size,
                        bool writable, uint64_t *region)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);
	struct listener *l = NULL;
	struct entry *e = NULL;
	struct attach *a = NULL;
	int err = 0;

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	if (p->custom_pager) {
		/* Its faults go to its custom pager, which resolves them with
		 * fault_resolve; an external page needs a deferred reply that
		 * path does not have. */
		proc_put(p);
		return PAGER_E_NOT_PERMITTED;
	}
	if (!size || (start | size) & VM_PAGE_MASK || start < USER_IMAGE_MIN ||
	    size > FL_PROCINFO_VADDR || start > FL_PROCINFO_VADDR - size) {
		proc_put(p);
		return PAGER_E_BAD_VALUE;
	}
	ulock_take(&ext_lock);
	for (unsigned i = 0; i < EXT_LISTENERS; i++)
		if (listeners[i].used && !listeners[i].dead && listeners[i].pid == server)
			l = &listeners[i];
	for (unsigned k = 0; k < EXT_ATTACH && !a; k++)
		if (!attached[p->index][k].used)
			a = &attached[p->index][k];
	for (unsigned i = 0; i < EXT_ENTRIES && !e; i++)
		if (!entries[i].used)
			e = &entries[i];
	if (!l)
		err = PAGER_E_NOT_LISTENING;
	else if (!a || !e)
		err = PAGER_E_TOO_MANY;
	else {
		memset(e, 0, sizeof *e);
		e->used = true;
		e->id = next_region_id++;
		e->size = size;
		e->l = l;
		e->users = 1;
		e->writable = writable;
		*a = (struct attach){.used = true, .start = start, .end = start + size, .e = e};
		attach_recount(p->index);
	}
	ulock_drop(&ext_lock);
	if (err) {
		proc_put(p);
		return err;
	}
	struct vm_region_desc d = {.kind = VM_REGION_FILE,
	                           .start = start,
	                           .end = start + size,
	                           .rights = VM_R | (writable ? VM_W : 0),
	                           .file = EXTREGION_FILE_BASE + (uint32_t)(e - entries),
	                           .file_vaddr = start,
	                           .file_offset = 0,
	                           .file_size = size};
	int verr = vm_region_add(&p->space, &d);
	if (verr) {
		vm_frame_t freed[EXT_STAGES];
		ulock_take(&ext_lock);
		a->used = false;
		attach_recount(p->index);
		e->l = NULL; /* never served: no region_closed */
		unsigned n = entry_unref(e, freed);
		ulock_drop(&ext_lock);
		give_frames(freed, n);
		proc_put(p);
		return verr == VM_E_OVERLAP ? PAGER_E_OVERLAP : PAGER_E_NO_MEMORY;
	}
	*region = e->id;
	proc_put(p);
	return 0;
}

/* ---- the caller thread ---- */

/* Why an answer (a client stub's status) fails a request, and whether it
 * breaks the whole region (the listener cannot be trusted any more) or only
 * refuses this page. */
static bool describe_failure(int err, char *why, size_t len)
{
	switch (err) {
	case EXTPAGER_E_BAD_REGION:
	case EXTPAGER_E_BAD_OFFSET:
	case EXTPAGER_E_UNAVAILABLE:
	case EXTPAGER_E_DENIED:
		snprintf(why, len, "the external pager refused the page (error %d)", err);
		return false;
	case FL_IDL_E_BAD_REPLY:
		snprintf(why, len, "the external pager sent a malformed reply");
		return true;
	default:
		if (err >= FL_IDL_E_KERNEL_BASE)
			snprintf(why, len, "the external pager died or did not answer in time");
		else
			snprintf(why, len, "the external pager answered error %d", err);
		return true;
	}
}

/* Send one request to its listener with the watchdog armed. Returns the
 * client stub's status; on success of a supply, *stage holds a frame with
 * the page. */
static int call_listener(struct request *q, vm_frame_t *stage, bool *have_stage)
{
	struct listener *l = q->l;
	fl_cptr_t ep;
	int err;

	*have_stage = false;
	ulock_take(&ext_lock);
	if (!l || !l->used || l->dead || l->gen != q->lgen || !l->ep.obj) {
		ulock_drop(&ext_lock);
		return FL_IDL_E_KERNEL_BASE + FL_E_INVALID_CAPABILITY;
	}
	l->busy = true;
	ep = l->ep.obj;
	inflight.l = l;
	__atomic_store_n(&inflight.deadline, now() + EXT_TIMEOUT_MS * ticks_per_ms(),
	                 __ATOMIC_RELAXED);
	__atomic_store_n(&inflight.seq, inflight.seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&inflight.active, true, __ATOMIC_RELEASE);
	ulock_drop(&ext_lock);
	fl_signal(wd_signal);

	if (q->kind == REQ_CLOSE) {
		err = extpager_region_closed(ep, q->region);
	} else if (q->kind == REQ_DIRTY) {
		memcpy(frame_addr(l->buf[0]), frame_addr(q->stage), VM_PAGE_SIZE);
		err = extpager_dirty_page(ep, q->region, q->offset, 0);
	} else
		err = extpager_supply_page(ep, q->region, q->offset,
		                           (enum extpager_access)q->access, 0);
	/* Copy the answer out while the buffers are still ours (busy). */
	if (!err && q->kind == REQ_SUPPLY) {
		if (vm_frame_alloc_owned(&pager_vm, VM_OWNER_PAGER, stage) == VM_OK) {
			memcpy(frame_addr(*stage), frame_addr(l->buf[0]), VM_PAGE_SIZE);
			*have_stage = true;
		} else {
			err = EXTPAGER_E_UNAVAILABLE;
		}
	}

	ulock_take(&ext_lock);
	__atomic_store_n(&inflight.active, false, __ATOMIC_RELEASE);
	l->busy = false;
	bool release = l->dead;
	ulock_drop(&ext_lock);
	if (release)
		listener_release(l);
	return err;
}

/* Finish a supply request: install the stage and resume the thread, or kill
 * the faulting process. */
static void finish_supply(struct request *q, int err, vm_frame_t stage, bool have_stage)
{
	vm_frame_t freed[EXT_STAGES + 1];
	unsigned nfreed = 0;
	char why[64];
	bool broken = false;

	uint64_t hash = 0;

	if (err)
		broken = describe_failure(err, why, sizeof why);
	else
		hash = page_hash(frame_addr(stage));
	ulock_take(&ext_lock);
	struct entry *e = q->e;
	if (!err) {
		if (e->used)
			supplied_note(e, q->offset, hash);
		struct stage *s = NULL;
		if (e->used && !stage_find(e, q->offset))
			for (unsigned i = 0; i < EXT_STAGES && !s; i++)
				if (!stages[i].used)
					s = &stages[i];
		if (s) {
			*s = (struct stage){
			    .used = true, .e = e, .offset = q->offset, .frame = stage};
		} else {
			freed[nfreed++] = stage; /* already staged, or no room: it faults again */
		}
		have_stage = false;
	} else if (broken && !e->failed) {
		e->failed = true;
		snprintf(e->why, sizeof e->why, "%s", why);
	}
	nfreed += entry_unref(e, freed + nfreed);
	ulock_drop(&ext_lock);
	if (have_stage)
		freed[nfreed++] = stage;
	give_frames(freed, nfreed);

	if (!err) {
		fault_resume(q->reply, FAULT_REPLY_RETRY);
	} else {
		struct process *p = proc_by_pid(q->index, q->pid);
		if (p) {
			kill_for(p, q->tid, why, q->addr, q->ip);
			proc_put(p);
		}
	}
	reply_free(q->reply);
}

/* The caller thread: sends queued requests one at a time, forever. */
static void caller_main(struct worker *w)
{
	(void)w;
	for (;;) {
		ulock_take(&ext_lock);
		struct request *q = queue_pop();
		ulock_drop(&ext_lock);
		if (!q) {
			fl_wait(call_ntfn);
			continue;
		}
		vm_frame_t stage = 0;
		bool have_stage = false;
		int err = call_listener(q, &stage, &have_stage);
		if (q->kind == REQ_SUPPLY)
			finish_supply(q, err, stage, have_stage);
		if (q->kind == REQ_DIRTY) {
			/* FL_IDL_E_BAD_METHOD: it has no dirty_page handler (it does
			 * not keep written pages), not a failure. */
			if (err && err != FL_IDL_E_BAD_METHOD)
				plog("external region %lu: dirty page at offset 0x%lx not taken "
				     "(error %d)",
				     (unsigned long)q->region, (unsigned long)q->offset, err);
			give_frames(&q->stage, 1);
		}
		ulock_take(&ext_lock);
		request_free(q);
		ulock_drop(&ext_lock);
	}
}

/* ---- the watchdog ---- */

/* Kill a listener that did not answer in time, and make sure the caller's
 * Call ends even if it never got through to the listener's Recv. */
static void time_out(struct listener *l, uint32_t lgen)
{
	ulock_take(&ext_lock);
	uint32_t index = l->index, pid = l->pid;
	bool same = l->gen == lgen;
	ulock_drop(&ext_lock);
	if (!same)
		return;
	struct process *p = proc_by_pid(index, pid);
	if (p) {
		plog("killed pid %u (%s): external pager did not answer within %u ms", p->pid,
		     p->name, EXT_TIMEOUT_MS);
		proc_terminate(p, FL_KILLED_SIGNAL);
		proc_put(p);
	}
	/* Its teardown destroyed the Reply object (a Call waiting for the answer
	 * has ended); a Call still waiting to be received ends with the endpoint. */
	ulock_take(&ext_lock);
	struct kobj ep = {0};
	if (l->gen == lgen && l->dead && l->busy) {
		ep = l->ep;
		l->ep = (struct kobj){0};
	}
	ulock_drop(&ext_lock);
	kobj_free(&ep);
}

/*
 * The watchdog: sleeps while no Call is out; while one is, looks at the
 * generic counter between yields (the kernel has no timed wait). It runs at
 * user priority so that its yields let processes run, and for that reason
 * takes no lock: a thread of worker priority spinning on a lock it held
 * would never let it run again on its CPU. It reads inflight atomically and
 * hands a late Call to the reaper.
 */
static void watchdog_main(struct worker *w)
{
	uint64_t reported = 0;

	(void)w;
	for (;;) {
		fl_wait(wd_ntfn);
		while (__atomic_load_n(&inflight.active, __ATOMIC_ACQUIRE)) {
			uint64_t seq = __atomic_load_n(&inflight.seq, __ATOMIC_RELAXED);
			uint64_t deadline = __atomic_load_n(&inflight.deadline, __ATOMIC_RELAXED);
			if (seq != reported && now() >= deadline) {
				reported = seq;
				__atomic_store_n(&expired_seq, seq, __ATOMIC_RELEASE);
				fl_signal(reap_signal);
			}
			fl_yield();
		}
	}
}

/* The reaper (worker priority): ends the Call the watchdog found late, if
 * it is still the one out and still late. */
static void reaper_main(struct worker *w)
{
	(void)w;
	for (;;) {
		fl_wait(reap_ntfn);
		uint64_t seq = __atomic_load_n(&expired_seq, __ATOMIC_ACQUIRE);
		ulock_take(&ext_lock);
		bool late = inflight.active && inflight.seq == seq && now() >= inflight.deadline;
		struct listener *l = inflight.l;
		uint32_t lgen = l ? l->gen : 0;
		ulock_drop(&ext_lock);
		if (late)
			time_out(l, lgen);
	}
}

void extregion_init(void)
{
	ulock_init(&ext_lock);
	for (unsigned i = 0; i < EXT_REQUESTS; i++)
		request_free(&requests[i]);
	call_ntfn = slot_alloc();
	wd_ntfn = slot_alloc();
	ut_retype_root(FL_OBJ_NOTIFICATION, 0, call_ntfn, 1);
	ut_retype_root(FL_OBJ_NOTIFICATION, 0, wd_ntfn, 1);
	call_signal = badged_copy(call_ntfn);
	wd_signal = badged_copy(wd_ntfn);
	reap_ntfn = slot_alloc();
	ut_retype_root(FL_OBJ_NOTIFICATION, 0, reap_ntfn, 1);
	reap_signal = badged_copy(reap_ntfn);
	pager_helper_start(0, caller_main, WORKER_PRIORITY, 0);
	pager_helper_start(1, watchdog_main, USER_PRIORITY, 0);
	pager_helper_start(2, reaper_main, WORKER_PRIORITY, 0);
}
