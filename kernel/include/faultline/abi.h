/*
 * The user/kernel binary interface of Faultline: syscall numbers, the message
 * info word, message registers, the IPC buffer, error codes and the fault
 * message. Shared by the kernel and every user program; it must stay
 * freestanding (no libc) and must not change without updating docs/kernel-api.md.
 */
#ifndef FAULTLINE_ABI_H
#define FAULTLINE_ABI_H

#include <stdint.h>

/*
 * Syscall convention (svc #0):
 *   x8       syscall number (FL_SYS_*)
 *   x0       capability pointer: destination (send side) or source (receive side)
 *   x1       message info word (FL_MSGINFO_*)
 *   x2..x7   message registers MR0..MR5
 *   x9       reply object capability pointer (Recv, NBRecv, ReplyRecv, Reply)
 * On return:
 *   x0       badge of the capability the message arrived through
 *   x1       message info word
 *   x2..x7   MR0..MR5
 * Message registers MR6 and above live in the thread's IPC buffer, msg[6..].
 */
enum fl_syscall {
	FL_SYS_CALL = 1,       /* send, then wait for the reply (endpoint or object invocation) */
	FL_SYS_REPLY_RECV = 2, /* reply through x9's reply object, then Recv on x0 */
	FL_SYS_SEND = 3,       /* blocking send; on a notification: signal */
	FL_SYS_NBSEND = 4,     /* send only if a receiver waits; otherwise dropped */
	FL_SYS_RECV = 5,       /* blocking receive; on a notification: wait */
	FL_SYS_NBRECV = 6,     /* receive only if a sender waits; on a notification: poll */
	FL_SYS_REPLY = 7,      /* reply through x9's reply object */
	FL_SYS_YIELD = 8,      /* give up the rest of the time slice */
	/* x0 = byte count (<= FL_DEBUG_WRITE_MAX) read from the IPC buffer's msg[] */
	FL_SYS_DEBUG_WRITE = 16,
	/* x0 = the IRQ control cap: power the machine off (test runs) */
	FL_SYS_DEBUG_POWEROFF = 17,
};

#define FL_MSG_REG_COUNT   6   /* message registers passed in x2..x7 */
#define FL_MSG_MAX_WORDS   120 /* total message length limit, registers included */
#define FL_MSG_MAX_CAPS    3   /* capabilities per message */
#define FL_DEBUG_WRITE_MAX (FL_MSG_MAX_WORDS * 8)

/*
 * Message info word:
 *   bits  0..6   length in words (0..FL_MSG_MAX_WORDS)
 *   bits  7..8   number of capabilities sent/received (0..FL_MSG_MAX_CAPS)
 *   bits  9..11  unwrapped mask: cap i was not transferred, its badge is in caps[i]
 *   bit  12      the kernel reports an error instead of a message: label = fl_error
 *   bits 16..63  label: method id, invocation label, fault kind or error code
 */
#define FL_MSGINFO_LENGTH_MASK     0x7fULL
#define FL_MSGINFO_CAPS_SHIFT      7
#define FL_MSGINFO_CAPS_MASK       0x3ULL
#define FL_MSGINFO_UNWRAPPED_SHIFT 9
#define FL_MSGINFO_UNWRAPPED_MASK  0x7ULL
#define FL_MSGINFO_ERROR           (1ULL << 12)
#define FL_MSGINFO_LABEL_SHIFT     16

static inline uint64_t fl_msginfo(uint64_t label, unsigned length, unsigned ncaps)
{
	return (label << FL_MSGINFO_LABEL_SHIFT) |
	       ((uint64_t)(ncaps & FL_MSGINFO_CAPS_MASK) << FL_MSGINFO_CAPS_SHIFT) |
	       (length & FL_MSGINFO_LENGTH_MASK);
}
static inline uint64_t fl_msginfo_label(uint64_t info)
{
	return info >> FL_MSGINFO_LABEL_SHIFT;
}
static inline unsigned fl_msginfo_length(uint64_t info)
{
	return (unsigned)(info & FL_MSGINFO_LENGTH_MASK);
}
static inline unsigned fl_msginfo_caps(uint64_t info)
{
	return (unsigned)((info >> FL_MSGINFO_CAPS_SHIFT) & FL_MSGINFO_CAPS_MASK);
}
static inline unsigned fl_msginfo_unwrapped(uint64_t info)
{
	return (unsigned)((info >> FL_MSGINFO_UNWRAPPED_SHIFT) & FL_MSGINFO_UNWRAPPED_MASK);
}
static inline int fl_msginfo_is_error(uint64_t info)
{
	return (info & FL_MSGINFO_ERROR) != 0;
}

/*
 * The IPC buffer: one 4 KiB page per thread, registered with the TCB. The
 * kernel copies msg[FL_MSG_REG_COUNT..length) between sender's and receiver's
 * buffers; it never writes any other user memory.
 */
struct fl_ipc_buffer {
	uint64_t
	    msg[FL_MSG_MAX_WORDS]; /* msg[0..5] mirror x2..x7 only when the runtime spills them */
	uint64_t send_caps[FL_MSG_MAX_CAPS];   /* sender: cptrs of caps to transfer */
	uint64_t recv_slots[FL_MSG_MAX_CAPS];  /* receiver: empty slots (cptrs) for arriving caps; 0
	                                          = none */
	uint64_t recv_badges[FL_MSG_MAX_CAPS]; /* receiver: badge of each arriving cap (or unwrapped
	                                          badge) */
	uint64_t recv_capinfo[FL_MSG_MAX_CAPS]; /* receiver: fl_capinfo(type, rights) of each
	                                           arriving cap */
	uint64_t user_data;                     /* free for the runtime (thread pointer) */
	uint64_t reserved[512 - FL_MSG_MAX_WORDS - 4 * FL_MSG_MAX_CAPS - 1];
};
_Static_assert(sizeof(struct fl_ipc_buffer) == 4096, "IPC buffer is one page");

/*
 * While a thread runs, TPIDRRO_EL0 holds the user address of its IPC buffer
 * (0 if it has none), so the runtime finds it without a syscall.
 */

/* Object types, as reported in recv_capinfo and used by Untyped retype. */
enum fl_object_type {
	FL_OBJ_NULL = 0,
	FL_OBJ_UNTYPED = 1,
	FL_OBJ_TCB = 2,
	FL_OBJ_ENDPOINT = 3,
	FL_OBJ_NOTIFICATION = 4,
	FL_OBJ_REPLY = 5,
	FL_OBJ_CNODE = 6,
	FL_OBJ_VSPACE = 7,
	FL_OBJ_PAGE_TABLE = 8,
	FL_OBJ_FRAME = 9,     /* 4 KiB */
	FL_OBJ_FRAME_2M = 10, /* 2 MiB */
	FL_OBJ_IRQ_CONTROL = 11,
	FL_OBJ_IRQ_HANDLER = 12,
	FL_OBJ_DEVICE_UNTYPED = 13,
	FL_OBJ_TRACE = 14, /* control of the IPC log */
	FL_OBJ_COUNT
};

/* Capability rights. */
#define FL_RIGHT_READ        0x1ULL
#define FL_RIGHT_WRITE       0x2ULL
#define FL_RIGHT_GRANT       0x4ULL /* may send capabilities through it */
#define FL_RIGHT_GRANT_REPLY 0x8ULL /* callers through it may receive caps in the reply */
#define FL_RIGHTS_ALL        0xfULL

static inline uint64_t fl_capinfo(unsigned type, uint64_t rights)
{
	return ((uint64_t)type << 8) | rights;
}
static inline unsigned fl_capinfo_type(uint64_t ci)
{
	return (unsigned)(ci >> 8) & 0xff;
}
static inline uint64_t fl_capinfo_rights(uint64_t ci)
{
	return ci & 0xff;
}

/* Error codes: the label of a reply with FL_MSGINFO_ERROR set (kernel), or the
 * label of an invocation reply. 0 is success. */
enum fl_error {
	FL_OK = 0,
	FL_E_INVALID_ARGUMENT = 1, /* an argument is out of range; MR0 = index of the argument */
	/* a cap has the wrong type or lacks a right; MR0 = which cap */
	FL_E_INVALID_CAPABILITY = 2,
	FL_E_ILLEGAL_OPERATION = 3,  /* the object cannot do this now (e.g. frame already mapped) */
	FL_E_RANGE = 4,              /* a size or count is outside what the object allows */
	FL_E_ALIGNMENT = 5,          /* an address is not aligned to the page/object size */
	FL_E_FAILED_LOOKUP = 6,      /* a cptr does not name a slot */
	FL_E_TRUNCATED = 7,          /* message longer than allowed */
	FL_E_DELETE_FIRST = 8,       /* destination slot is not empty */
	FL_E_REVOKE_FIRST = 9,       /* object still has derived caps */
	FL_E_NOT_ENOUGH_MEMORY = 10, /* untyped has too little space left */
	FL_E_WOULD_BLOCK = 11,       /* NBRecv/NBSend found no partner */
	FL_E_NO_REPLY = 12,          /* reply object has no caller waiting */
	FL_E_MAPPING = 13,           /* a page table is missing or the slot is already mapped */
};

/*
 * Faults arrive as a message on the thread's fault endpoint. The badge is the
 * badge of the fault endpoint cap the TCB was configured with. The label is
 * one of fl_fault_kind; the words are:
 *   MR0 ip (ELR), MR1 fault address (FAR, or 0), MR2 ESR_EL1, MR3 access
 *   (fl_fault_access), MR4 user SP, MR5 syscall number (unknown syscall) or 0.
 * A reply with label 0 resumes the thread at ip (the faulting instruction is
 * retried); a reply label FL_FAULT_REPLY_SKIP resumes it after the faulting
 * instruction (used for emulated syscalls). Not replying leaves it blocked.
 */
#define FL_KERNEL_LABEL_BASE 0xfff000000000ULL
enum fl_fault_kind {
	FL_FAULT_VM = 0xfff000000001ULL, /* data or instruction abort */
	FL_FAULT_UNKNOWN_SYSCALL = 0xfff000000002ULL,
	/* undefined instr, alignment, PC/SP alignment, ... */
	FL_FAULT_USER_EXCEPTION = 0xfff000000003ULL,
};
enum fl_fault_access {
	FL_ACCESS_READ = 0,
	FL_ACCESS_WRITE = 1,
	FL_ACCESS_EXEC = 2,
};
#define FL_FAULT_REPLY_SKIP 1

/*
 * Fault replies that change the faulter's address space and then resume it
 * at ip, in the one Reply or ReplyRecv (docs/kernel-api.md, "Faults"):
 *   FL_FAULT_REPLY_MAP: MR0 va (the fault address's page), MR1 dest slot
 *     index, MR2 source frame slot index (both in the CNode of MR5), MR3
 *     rights, MR4 the faulter's VSpace (cptr), MR5 a CNode (cptr): copy the
 *     frame cap into the empty dest and map it at va (VSpace_MapCopy's work;
 *     nothing may be mapped at va).
 *   FL_FAULT_REPLY_PROTECT: MR0 va, MR1 rights, MR2 the faulter's VSpace
 *     (cptr): new rights for the mapping at va (VSpace_Protect's work).
 * Only to a thread waiting on a VM fault. On any error nothing changes, the
 * faulter still waits, and the replier gets the error at once (ReplyRecv
 * does not receive): MR0 = the index of the word refused (0..5) or
 * FL_FAULT_REPLY_BAD_TARGET (no caller armed, or not a VM faulter), MR1 =
 * the missing table level (1..3) for FL_E_MAPPING, else 0.
 */
#define FL_FAULT_REPLY_MAP        0xfff000000101ULL
#define FL_FAULT_REPLY_PROTECT    0xfff000000102ULL
#define FL_FAULT_REPLY_BAD_TARGET 6

/* Label of a message that is a bound notification's badge word, delivered to
 * a thread waiting in Recv on an endpoint (x0 = the word, length 0). */
#define FL_NOTIFICATION_LABEL 0xfff000000010ULL

#endif
