/*
 * The pager: the root task. Shared declarations of its parts: kernel
 * resources (root slots, untyped, kernel-object blocks, reply objects), the
 * user frame pool, the vmcore platform, processes, and the request loop.
 * docs/pager.md describes the design: layout, lock order, protocols.
 */
#ifndef PAGER_CORE_H
#define PAGER_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <faultline/bootinfo.h>
#include <faultline/ipc.h>
#include <faultline/procinfo.h>
#include <vmcore/vmcore.h>

#include "lock.h"

/* ---- the pager's own address space (see docs/pager.md) ---- */
#define PAGER_HEAP_VA   0x0000000100000000ULL /* eagerly mapped metadata */
#define PAGER_WINDOW_VA 0x0000008000000000ULL /* every pool frame, linearly */

/* ---- user address-space layout ---- */
#define USER_IMAGE_MIN          0x0000000000400000ULL /* below: never mapped (NULL guard) */
#define USER_STACK_TOP          0x00006fff00000000ULL
#define USER_STACK_LIMIT        (8ULL << 20)
#define USER_IPC_BUFFER_VA(tid) (FL_PROCINFO_VADDR + 0x10000ULL + (uint64_t)(tid)*0x2000ULL)
#define USER_PRIORITY           100
#define WORKER_PRIORITY         200
/* swapd runs above the workers and the pager's I/O threads, which wait for
 * it: they spin on pager and vmcore locks with fl_yield, which never lets a
 * lower priority run, so below them swapd could starve on its CPU while a
 * lock holder waits for it (docs/swap.md, "Priorities"). */
#define SWAPD_PRIORITY 220

#define MAX_PROCS   128
#define MAX_WORKERS 8

/* ---- log.c ---- */
void plog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pager_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- kobj.c: root slots, untyped, kernel-object blocks, reply objects ---- */
void kobj_init(const struct fl_bootinfo *bi);
fl_cptr_t slot_alloc(void);
void slot_free(fl_cptr_t s);
/* Retype count objects straight from boot untyped into the root CNode at dest
 * (never given back: the pager's own objects). */
void ut_retype_root(unsigned type, unsigned bits, fl_cptr_t dest, unsigned count);
/* Retype count objects from boot untyped into cnode (a root cptr) at index. */
void ut_retype_into(unsigned type, unsigned bits, fl_cptr_t cnode, uint64_t index, unsigned count);
/* A block is a 4 KiB untyped with one object retyped from it; freeing
 * revokes the block, which deletes the object and every copy of its cap. */
struct kobj {
	fl_cptr_t block; /* 0 = none */
	fl_cptr_t obj;
};
int kobj_alloc(unsigned type, unsigned bits, struct kobj *out);
void kobj_free(struct kobj *k);
size_t kobj_blocks_used(void);
size_t slots_used(void);
fl_cptr_t reply_alloc(void);
void reply_free(fl_cptr_t r);
uint64_t kcall(fl_cptr_t cap, uint64_t label, unsigned nwords, const uint64_t *w, unsigned ncaps,
               const fl_cptr_t *caps, uint64_t *out);

/* ---- frames.c: the user frame pool ---- */
extern fl_cptr_t frame_cnode;   /* root cptr of the big CNode of frame caps */
extern size_t frame_cnode_size; /* its slots */
void frames_init(const struct fl_bootinfo *bi, size_t budget);
size_t frames_total(void);
size_t frames_free(void);
int frame_take(vm_frame_t *out);
void frame_give(vm_frame_t f);
void *frame_addr(vm_frame_t f);
/* Slots of the big CNode above the frame caps, for mapping caps. */
uint64_t fslot_reserve(size_t n);
int fslot_alloc(uint64_t *out);
void fslot_free(uint64_t s);
size_t fslots_used(void);
void *heap_alloc(size_t bytes); /* eagerly mapped pager memory, never freed */
void pager_map(uint64_t va, fl_cptr_t cnode, uint64_t first, uint64_t count, unsigned rights);

/* ---- space.c: a process's kernel address space, as the platform's cookie ---- */
struct mapping;
#define PSPACE_BUCKETS     1024
#define PSPACE_MAX_TABLES  512
#define PSPACE_TABLE_CACHE 16
struct pspace {
	struct ulock lock; /* protects buckets, tables, ntables, tables_seen, reply maps */
	fl_cptr_t vspace;  /* root cptr of the VSpace cap */
	struct mapping *buckets[PSPACE_BUCKETS];
	struct kobj tables[PSPACE_MAX_TABLES];
	unsigned ntables;
	/* 2 MiB spans (index + 1) known to have their last-level table */
	uint64_t tables_seen[PSPACE_TABLE_CACHE];
};
void mappings_init(size_t count);
int pspace_map(struct pspace *ps, uint64_t va, const vm_frame_t *frames, size_t n, unsigned rights);
int pspace_protect(struct pspace *ps, uint64_t va, size_t n, unsigned rights);
int pspace_unmap(struct pspace *ps, uint64_t va, size_t n);
bool pspace_test_clear_accessed(struct pspace *ps, uint64_t va);
void pspace_release(struct pspace *ps); /* every mapping cap and page table */
/* Mappings answered by the reply (space.c; docs/pager.md): a worker's fault's
 * one map or protect travels in its fault reply. A worker's record: the
 * reply (label FL_FAULT_REPLY_MAP/PROTECT, six words) and whether it is
 * open (names its space) or closed (NULL); space.c has the protocol. */
struct reply_map {
	struct pspace *open;
	fl_cptr_t reply; /* the worker's Reply object, armed with the faulter */
	struct fl_msg msg;
};
size_t mappings_used(void);

/* ---- platform.c ---- */
extern struct vm pager_vm;
void platform_init(const struct fl_bootinfo *bi, size_t nframes);
const struct fl_boot_file *archive_file(uint32_t id);
/* Pages swapped out and in since boot (platform.c). */
void swap_io_counts(uint64_t *outs, uint64_t *ins);
int archive_find(const char *name, uint32_t *id);

/* ---- process.c ---- */
enum proc_state { PROC_FREE = 0, PROC_LIVE, PROC_DYING, PROC_ZOMBIE };

struct thread {
	bool used;
	bool exited;
	bool has_ipcbuf;
	struct kobj tcb;
	vm_frame_t ipcbuf;
	fl_cptr_t ipcbuf_cap; /* root slot: the copy TCB_Configure takes */
	uint64_t exit_value;
	fl_cptr_t join_reply; /* a reply object holding the joiner, or 0 */
	uint32_t joined_by;   /* tid of the waiting joiner + 1, or 0 */
};

struct process {
	enum proc_state state; /* protected by proc_lock */
	uint32_t index, pid, ppid;
	/* its busy count (workers using it now) is proc_busy[index], process.c */
	char name[48];
	struct vm_space space;
	struct pspace ps;
	struct kobj vspace, cnode;
	vm_frame_t info;
	bool has_info;
	struct ulock thread_lock; /* protects threads[] */
	struct thread threads[FL_PROCINFO_THREADS_MAX];
	int32_t wait_status;  /* zombie: what waitpid returns */
	fl_cptr_t wait_reply; /* blocked in waitpid: the reply object holding it */
	uint32_t wait_pid;
	bool is_init; /* the init process: powers off, resident (resident.c) */
	bool doomed;  /* kill_tree ends it: may not fork or spawn; protected by proc_lock */
	struct kobj child_ep,
	    child_reply; /* children_listen's objects; protected by childep_lock */
	/* pid of its custom pager (docs/custom-pagers.md, mode 1), 0 = none:
	 * its threads' fault endpoint is that pager's listener endpoint. Set
	 * before the process is published, never changed. */
	uint32_t custom_pager;
};

extern struct ulock proc_lock;
struct process *proc_get(uint64_t badge, unsigned *tid);
void proc_put(struct process *p);
int proc_spawn(const char *name, const uint8_t *args, size_t args_len, uint32_t ppid, bool init,
               uint32_t custom_pager, uint32_t *pid);
struct process *proc_find(uint32_t pid);
int proc_fork(struct process *parent, unsigned tid, uint64_t pc, uint64_t sp, uint32_t *pid);
void proc_terminate(struct process *p, int32_t wait_status);
int proc_waitpid(struct process *p, uint32_t pid, bool nohang, fl_cptr_t *reply, uint32_t *child,
                 int32_t *status);
int proc_thread_create(struct process *p, uint64_t entry, uint64_t sp, uint64_t arg, uint64_t tls,
                       uint32_t *tid);
bool proc_thread_exit(struct process *p, unsigned tid, uint64_t value);
int proc_thread_join(struct process *p, unsigned self, uint32_t tid, fl_cptr_t *reply,
                     uint64_t *value);
size_t proc_count(void);
void proc_kill_paged_by(uint32_t pager_pid);
void proc_set_cpus(unsigned n);
int proc_frames(uint32_t pid, uint64_t *frames, uint64_t *cow);
int proc_copies(uint32_t pid, uint64_t *copies);
int proc_kill(struct process *parent, uint32_t pid, uint32_t signal);
int proc_kill_tree(struct process *parent, uint32_t pid, uint32_t signal);
void proc_init(void);
int elf_load(struct process *p, uint32_t file, uint64_t *entry, uint64_t *heap_start);

/* ---- childep.c: an endpoint a process serves to its children ---- */
void childep_init(void);
int childep_on_listen(void *ctx, uint64_t badge, uint64_t *endpoint, uint64_t *reply);
int childep_give(struct process *child, uint32_t ppid);
void childep_fork(struct process *parent, struct process *child);
void childep_release(struct process *p);
/* ---- fault.c: the default handling, also for custom pagers (custompager.c) ---- */
bool fault_vm_default(struct process *p, unsigned tid, uint64_t ip, uint64_t addr,
                      enum vm_access access, uint64_t sp);
void fault_exception_default(struct process *p, unsigned tid, bool syscall, uint64_t ip,
                             uint64_t addr, uint64_t esr, uint64_t sysno);
/* Turn vmcore's verdict on p's fault at addr (thread tid, at ip) into the
 * answer: kill p with its log line (FL_IDL_DEFER: no reply) or keep the
 * page resident if p is init and resume (FAULT_REPLY_RETRY). Caller holds a
 * busy reference on p. */
int fault_verdict(struct process *p, unsigned tid, uint64_t addr, uint64_t ip, struct vm_verdict v);

/* ---- resident.c: the init process's pages are never evicted ---- */
void resident_fault(struct process *p, uint64_t va);
void resident_release(struct process *p);

/* ---- worker.c ---- */
struct worker {
	unsigned id;
	fl_cptr_t reply; /* the reply object this worker receives with */
	struct vm_lockrec lockrec;
	struct reply_map *rmap; /* its reply-map record; NULL: a helper thread */
	/* The fault whose page may be answered by a reply map, or NULL. */
	struct pspace *reply_ps;
	uint64_t reply_va;
};
extern fl_cptr_t pager_ep;
/* The calling pager thread's record (worker_self()), set before it runs anything. */
extern _Thread_local struct worker *pager_self;
void workers_start(unsigned ncpus);
void worker_loop(struct worker *w) __attribute__((noreturn));
struct worker *worker_self(void);

/* ---- space.c: mappings answered by the reply (docs/pager.md) ---- */
void pspace_reply_init(struct worker *w);
bool pspace_reply_sent(struct worker *w, uint64_t err);
void pspace_reply_flush_slow(struct worker *w);

/* Worker w's fault at addr of ps may be answered with a reply map until
 * pspace_reply_disallow. */
static inline void pspace_reply_allow(struct worker *w, struct pspace *ps, uint64_t addr)
{
	w->reply_ps = ps;
	w->reply_va = addr & ~(uint64_t)VM_PAGE_MASK;
}

static inline void pspace_reply_disallow(struct worker *w)
{
	w->reply_ps = NULL;
}

/* Worker w's open reply map (the reply to send for its fault), or NULL. */
static inline const struct fl_msg *pspace_reply_pending(const struct worker *w)
{
	return w->rmap && w->rmap->open ? &w->rmap->msg : NULL;
}

/* Before w answers anything else: resolve a reply map it will not send. */
static inline void pspace_reply_flush(struct worker *w)
{
	if (w->rmap && w->rmap->open)
		pspace_reply_flush_slow(w);
}
/* Helper threads beside the workers (extregion.c's external-pager caller,
 * watchdog and reaper: 0..2; the evictor and the swap I/O threads, swapio.h:
 * 3..11): ids MAX_WORKERS.., IPC buffers after the workers'. */
#define PAGER_HELPERS 16
void pager_helper_start(unsigned k, void (*fn)(struct worker *), unsigned prio, unsigned cpu);
/* ---- poweroff.c ---- */
void poweroff_init(bool dump_trace);
int pager_poweroff_machine(void);
#define PAGER_IPC_VA 0x0000000080000000ULL /* workers' IPC buffers */

#endif
