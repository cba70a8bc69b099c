/*
 * Kernel objects and capabilities.
 *
 * A capability slot (struct cte) holds a cap and its place in the derivation
 * tree (MDB): all slots form one doubly linked list in which every cap's
 * descendants follow it directly with a greater depth, so revoke deletes the
 * run of deeper entries after a cap, and a cap is the last reference to its
 * object exactly when neither list neighbour names the same object.
 *
 * Every object lives in memory retyped from an Untyped capability and is
 * reached through the physmap. All fields of all objects are protected by
 * the big kernel lock.
 */
#ifndef FAULTLINE_KERNEL_OBJECT_H
#define FAULTLINE_KERNEL_OBJECT_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/context.h"
#include "faultline/abi.h"
#include "faultline/invocations.h"

struct cap {
	uint8_t type;   /* enum fl_object_type */
	uint8_t rights; /* FL_RIGHT_* */
	uint16_t flags; /* per type, see CAPF_* */
	uint32_t extra; /* per type: CNode radix/guard bits, untyped size bits, frame map rights */
	uint64_t obj;  /* kernel address (physmap) of the object; untyped/frame: physical address */
	uint64_t data; /* badge (endpoint, notification), guard (CNode), watermark (untyped),
	                  mapping (frame, page table: asid << 48 | va) */
};

struct cte {
	struct cap cap;
	struct cte *mdb_prev, *mdb_next;
	uint32_t depth; /* derivation depth in the MDB */
	uint32_t pad;   /* CNode destruction worklist: slot count (slot 0 only) */
	uint64_t pad2;  /* CNode destruction worklist: next CNode (slot 0 only) */
	uint64_t pad3;
};
_Static_assert(sizeof(struct cte) == 64, "a CNode slot is 64 bytes");

#define CTE_SIZE_BITS 6

/* cap.flags */
#define CAPF_DEVICE    0x1 /* untyped/frame: device memory */
#define CAPF_MAPPED    0x2 /* frame/page table: data holds the mapping */
#define CAPF_NO_MEMORY 0x4 /* frame made by the kernel at boot over kernel-image memory */
#define CAPF_TCB_IPCBUF                                                                            \
	0x8                /* the copy in a TCB's TCB_SLOT_IPCBUF: deleting it forgets tcb.ipcbuf */
#define CAPF_TCB_SLOT 0x10 /* a copy in one of a TCB's own slots: deleting it updates the TCB */

/* CNode cap: extra = radix | guard_bits << 8; data = guard value */
static inline unsigned cnode_radix(const struct cap *c)
{
	return c->extra & 0xff;
}
static inline unsigned cnode_guard_bits(const struct cap *c)
{
	return (c->extra >> 8) & 0xff;
}

/* Untyped cap: extra = size bits; data = free index (bytes used from the start) */

/* Frame / page table mapping record */
#define MAPPING(asid, va) (((uint64_t)(asid) << 48) | ((va)&0xffffffffffffULL))
static inline uint16_t mapping_asid(uint64_t m)
{
	return (uint16_t)(m >> 48);
}
static inline uint64_t mapping_va(uint64_t m)
{
	return m & 0xffffffffffffULL;
}

/* Object sizes (log2 bytes). */
#define TCB_SIZE_BITS          11
#define ENDPOINT_SIZE_BITS     5
#define NOTIFICATION_SIZE_BITS 5
#define REPLY_SIZE_BITS        5
#define VSPACE_SIZE_BITS       12
#define PAGE_TABLE_SIZE_BITS   12
#define FRAME_SIZE_BITS        12
#define FRAME_2M_SIZE_BITS     21
#define UNTYPED_MIN_BITS       4
#define UNTYPED_MAX_BITS       47
#define CNODE_MAX_RADIX        20

enum thread_state {
	TS_INACTIVE = 0,  /* not started or suspended */
	TS_RUNNABLE,      /* in a run queue or running */
	TS_BLOCKED_SEND,  /* on an endpoint's send queue */
	TS_BLOCKED_RECV,  /* on an endpoint's receive queue */
	TS_BLOCKED_REPLY, /* called; waits on its reply object */
	TS_BLOCKED_NTFN,  /* waits on a notification */
	TS_BLOCKED_FAULT, /* faulted; the handler has not replied */
};

struct tcb;

/* Thread queue (endpoint or notification waiters), FIFO. */
struct tqueue {
	struct tcb *head, *tail;
};

enum ep_state { EP_IDLE = 0, EP_SEND, EP_RECV };

struct endpoint {
	struct tqueue q; /* senders or receivers, as state says */
	uint64_t state;
	uint64_t pad;
};

struct notification {
	struct tqueue q;   /* waiters */
	uint64_t word;     /* pending badge bits */
	struct tcb *bound; /* TCB that receives it through Recv on an endpoint */
};

struct reply {
	struct tcb *caller;   /* blocked in TS_BLOCKED_REPLY on this object, or NULL */
	struct tcb *receiver; /* thread that received the call through it, or NULL */
	uint64_t pad[2];
};

/* Saved FP/SIMD state (lazily switched, see arch/aarch64/fpu.c). */
struct fpu_state {
	__uint128_t q[32];
	uint64_t fpsr, fpcr;
};

/* The caps a TCB keeps for itself (copies, so they stay valid while used). */
enum tcb_slot {
	TCB_SLOT_CSPACE = 0,
	TCB_SLOT_VSPACE,
	TCB_SLOT_IPCBUF,
	TCB_SLOT_FAULT_EP,
	TCB_SLOT_COUNT
};

struct tcb {
	struct user_context ctx; /* user registers; SP_EL1 points past it while at EL0 */
	/* The fields from here to ttbr0 are within an ldp's reach of the TCB's
	 * start: the assembly IPC fast path (arch/aarch64/fastpath.S) pairs them. */
	enum thread_state state;
	uint8_t priority;
	uint8_t max_priority;
	uint8_t affinity;   /* CPU whose run queue it uses */
	uint8_t fpu_used;   /* has FP state worth saving */
	uint32_t id;        /* small number for logs and the IPC log */
	int32_t running_on; /* CPU executing it now, -1 if none */
	uint32_t pad0;
	struct tcb *rq_next, *rq_prev; /* run queue */
	struct tcb *q_next, *q_prev;   /* endpoint / notification queue */
	void *blocked_on;              /* endpoint, notification or reply it waits on */
	struct reply *reply;           /* reply object: as caller (BLOCKED_REPLY) or as receiver */
	struct notification *bound_ntfn;
	uint64_t send_badge; /* badge of the cap a blocked sender used */
	uint64_t send_info;  /* msginfo a blocked sender or faulter will deliver */
	uint32_t send_flags; /* SENDF_* */
	uint32_t pad1;
	uint64_t fault_badge;
	uint64_t ipcbuf_va;
	struct fl_ipc_buffer *ipcbuf; /* kernel address of the IPC buffer frame, or NULL */
	uint64_t fault_words[FL_MSG_REG_COUNT]; /* fault message, built when the fault happened */
	/* Derived from the slots, for the IPC fast path and the address-space
	 * switch (tcb_refresh_cached); kept current when a slot changes. */
	struct cte *fast_cnode; /* root CNode slots if cptrs are plain indexes, else NULL */
	uint64_t fast_nslots;   /* slots in fast_cnode */
	uint64_t ttbr0;         /* TTBR0_EL1 value for this thread's address space */
	struct cte slots[TCB_SLOT_COUNT];
	struct fpu_state fpu;
};

/* The TCB whose saved user frame ctx is (the vectors save into t->ctx). */
static inline struct tcb *ctx_tcb(struct user_context *ctx)
{
	return (struct tcb *)((char *)ctx - __builtin_offsetof(struct tcb, ctx));
}

_Static_assert(sizeof(struct tcb) <= (1 << TCB_SIZE_BITS), "TCB fits its object size");

/* SENDF_GRANT and SENDF_GRANT_REPLY are the cap's FL_RIGHT_GRANT and
 * FL_RIGHT_GRANT_REPLY bits, so the fast path takes them with one mask. */
#define SENDF_CALL        0x1 /* the send is a Call: receiver gets a reply capability */
#define SENDF_FAULT       0x2 /* the message is a fault built by the kernel */
#define SENDF_GRANT       0x4 /* sender may transfer caps */
#define SENDF_GRANT_REPLY 0x8
_Static_assert(SENDF_GRANT == FL_RIGHT_GRANT && SENDF_GRANT_REPLY == FL_RIGHT_GRANT_REPLY,
               "send flags mirror the rights");

static inline struct tcb *cap_tcb(const struct cap *c)
{
	return (struct tcb *)c->obj;
}
static inline struct endpoint *cap_ep(const struct cap *c)
{
	return (struct endpoint *)c->obj;
}
static inline struct notification *cap_ntfn(const struct cap *c)
{
	return (struct notification *)c->obj;
}
static inline struct reply *cap_reply(const struct cap *c)
{
	return (struct reply *)c->obj;
}
static inline struct cte *cap_cnode(const struct cap *c)
{
	return (struct cte *)c->obj;
}

/*
 * One object invocation being decoded. Handlers check every argument and
 * capability first and return an fl_error without side effects on failure;
 * on success they may put results in mr[] and set reply_len.
 */
struct invocation {
	struct tcb *caller;
	struct cte *slot; /* the invoked capability */
	uint64_t label;
	uint64_t *mr; /* message words, FL_MSG_MAX_WORDS long; results go here too */
	unsigned len; /* words sent */
	unsigned ncaps;
	struct cte *caps[FL_MSG_MAX_CAPS]; /* extra caps, already looked up */
	unsigned reply_len;                /* words in the reply */
};

/* --- capability space (object/cnode.c) --- */
/* Resolve cptr in the CSpace whose root cap is root; NULL and *err on failure. */
struct cte *cspace_lookup(const struct cap *root, uint64_t cptr, int *err);
/* The calling thread's slot for cptr. */
struct cte *lookup_slot(struct tcb *t, uint64_t cptr, int *err);
bool same_object(const struct cap *a, const struct cap *b);
/* Insert new_slot (empty) with cap c as a child of parent in the MDB. */
void cte_insert_child(struct cte *parent, struct cte *slot, const struct cap *c);
/* Insert slot with cap c right after sibling, at the same depth (copies owned by the kernel). */
void cte_insert_sibling(struct cte *sibling, struct cte *slot, const struct cap *c);
/* Delete the cap in slot, destroying the object if it was the last reference. */
void cte_delete(struct cte *slot);
/* Delete every descendant of slot's cap. */
void cte_revoke(struct cte *slot);
bool cte_has_children(const struct cte *slot);
int cnode_invoke(struct invocation *inv);

/* --- untyped (object/untyped.c) --- */
int untyped_invoke(struct invocation *inv);

/* --- threads (object/tcb.c) --- */
int tcb_invoke(struct invocation *inv);
void tcb_destroy(struct tcb *t);
void tcb_suspend(struct tcb *t);
/* The IPC buffer cap copy in slot (a TCB's TCB_SLOT_IPCBUF) is being deleted. */
void tcb_ipcbuf_deleted(struct cte *slot);
/* A TCB's own copy of a cap (CAPF_TCB_SLOT) is being deleted. */
void tcb_slot_deleted(struct cte *slot);
void tcb_refresh_cached(struct tcb *t);
uint64_t vspace_ttbr0(const struct cap *vs);
struct tcb *tcb_by_id(uint32_t id);

/* --- IPC (object/endpoint.c, object/notification.c) --- */
void ep_destroy(struct endpoint *ep);
void ntfn_destroy(struct notification *n);
void reply_destroy(struct reply *r);
void ntfn_signal(struct notification *n, uint64_t badge);
int ntfn_invoke(struct invocation *inv);

/* --- address spaces (object/vspace.c) --- */
int vspace_invoke(struct invocation *inv);
int page_table_invoke(struct invocation *inv);
int frame_invoke(struct invocation *inv);
int vspace_create(struct cap *c, void *table);
void vspace_destroy(struct cap *c);
void frame_unmap_cap(struct cap *c);
void page_table_unmap_cap(struct cap *c);
/* Make t's address space current on this CPU (TTBR0 with its ASID). */
void vspace_activate(struct tcb *t);
/* An access-flag fault the kernel resolves itself; true if handled. */
bool vspace_handle_access_flag(struct tcb *t, uint64_t far);
/* A checked FL_FAULT_REPLY_MAP/PROTECT, ready to apply (object/vspace.c). */
struct vm_fault_reply {
	uint64_t label, va, rights;
	struct cte *dest, *src; /* MAP: the empty slot and the frame cap copied into it */
	uint64_t *pte;
	unsigned asid;
	uint64_t word[2]; /* on an error: MR0, MR1 of the error reply */
};
/* Check the fault reply label (MAP or PROTECT) with words mr[0..len) from
 * replier t for the thread c waiting on the reply; fills *op. Returns FL_OK or
 * the error (op->word says what failed). Changes nothing. */
int vspace_fault_reply_check(struct tcb *t, const struct tcb *c, uint64_t label, const uint64_t *mr,
                             unsigned len, struct vm_fault_reply *op);
/* Apply a reply vspace_fault_reply_check accepted (the big lock held since). */
void vspace_fault_reply_apply(struct vm_fault_reply *op);

/* --- interrupts (object/irq.c) --- */
int irq_control_invoke(struct invocation *inv);
int irq_handler_invoke(struct invocation *inv);
void irq_handler_destroy(struct cap *c);

#endif
