/*
 * Field offsets and constants the assembly IPC fast path
 * (arch/aarch64/fastpath.S) uses, written out by hand because the assembler
 * cannot see C structs. Every value is checked against the C definitions
 * when kernel/fastpath.c compiles (the _Static_asserts below), so a layout
 * change that forgets this file does not build.
 */
#ifndef FAULTLINE_KERNEL_ASM_OFFSETS_H
#define FAULTLINE_KERNEL_ASM_OFFSETS_H

/* struct tcb (its frame, struct user_context, is at offset 0) */
#define T_STATE      288
#define T_PRIORITY   292
#define T_AFFINITY   294
#define T_RUNNING_ON 300
#define T_Q_NEXT     328 /* q_prev follows */
#define T_Q_PREV     336
#define T_BLOCKED_ON 344 /* reply follows */
#define T_REPLY      352 /* bound_ntfn follows */
#define T_SEND_FLAGS 384
#define T_IPCBUF_VA  400
#define T_FAST_CNODE 464 /* fast_nslots follows */
#define T_TTBR0      480

/* struct percpu */
#define PC_KSTACK_TOP 0
#define PC_ID         8
#define PC_CURRENT    24
#define PC_FPU_OWNER  32
#define PC_RESCHED    56
#define PC_CPACR      72 /* ttbr0 follows */
#define PC_TTBR0      80
#define PC_RQ         88

/* struct runqueue: bitmap[] at 0 */
#define RQ_WORDS 32

/* struct cap (the first field of struct cte, 1 << CTE_SIZE_BITS bytes) */
#define CAP_TYPE       0
#define CAP_RIGHTS     1
#define CAP_OBJ        8 /* data (the badge) follows */
#define CTE_SIZE_SHIFT 6

/* struct endpoint, struct reply */
#define EP_HEAD      0
#define EP_TAIL      8
#define EP_STATE     16
#define REPLY_CALLER 0 /* receiver follows */

/* Values */
#define K_OBJ_ENDPOINT      3
#define K_OBJ_REPLY         5
#define K_RIGHT_READ_BIT    0
#define K_RIGHT_WRITE_BIT   1
#define K_RIGHT_GRANTS      0xc /* FL_RIGHT_GRANT | FL_RIGHT_GRANT_REPLY */
#define K_SENDF_CALL        1
#define K_SENDF_FAULT_BIT   1
#define K_TS_RUNNABLE       1
#define K_TS_BLOCKED_RECV   3
#define K_TS_BLOCKED_REPLY  4
#define K_EP_SEND           1
#define K_EP_RECV           2
#define K_MSG_CAPS          0x180 /* FL_MSGINFO_CAPS_MASK << FL_MSGINFO_CAPS_SHIFT */
#define K_MSG_LENGTH        0x7f
#define K_MSG_REG_COUNT     6
#define K_MSG_LABEL_SHIFT   16
#define K_MSG_DELIVERED     0xffffffffffff007f /* label and length: fl_msginfo(l, n, 0) */
#define K_FAULT_REPLY_SKIP  1
#define K_CPACR_FP_TRAP_EL0 0x100000
#define K_CPACR_FP_ON       0x300000

#ifndef __ASSEMBLER__
#include <stddef.h>
#include "kernel/object.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"

#define ASM_OFFSET(c, s, f) _Static_assert(offsetof(s, f) == (c), #c " is offsetof(" #s ", " #f ")")
ASM_OFFSET(0, struct tcb, ctx);
ASM_OFFSET(T_STATE, struct tcb, state);
ASM_OFFSET(T_PRIORITY, struct tcb, priority);
ASM_OFFSET(T_AFFINITY, struct tcb, affinity);
ASM_OFFSET(T_RUNNING_ON, struct tcb, running_on);
ASM_OFFSET(T_Q_NEXT, struct tcb, q_next);
ASM_OFFSET(T_Q_PREV, struct tcb, q_prev);
_Static_assert(T_Q_PREV == T_Q_NEXT + 8, "q_prev follows q_next");
ASM_OFFSET(T_BLOCKED_ON, struct tcb, blocked_on);
ASM_OFFSET(T_BLOCKED_ON + 8, struct tcb, reply);
ASM_OFFSET(T_REPLY, struct tcb, reply);
ASM_OFFSET(T_REPLY + 8, struct tcb, bound_ntfn);
ASM_OFFSET(T_SEND_FLAGS, struct tcb, send_flags);
ASM_OFFSET(T_IPCBUF_VA, struct tcb, ipcbuf_va);
ASM_OFFSET(T_FAST_CNODE, struct tcb, fast_cnode);
ASM_OFFSET(T_FAST_CNODE + 8, struct tcb, fast_nslots);
ASM_OFFSET(T_TTBR0, struct tcb, ttbr0);
ASM_OFFSET(PC_KSTACK_TOP, struct percpu, kstack_top);
ASM_OFFSET(PC_ID, struct percpu, id);
ASM_OFFSET(PC_CURRENT, struct percpu, current);
ASM_OFFSET(PC_FPU_OWNER, struct percpu, fpu_owner);
ASM_OFFSET(PC_RESCHED, struct percpu, resched);
ASM_OFFSET(PC_CPACR, struct percpu, cpacr);
ASM_OFFSET(PC_TTBR0, struct percpu, ttbr0);
ASM_OFFSET(PC_RQ, struct percpu, rq);
ASM_OFFSET(0, struct runqueue, bitmap);
ASM_OFFSET(RQ_WORDS, struct runqueue, words);
ASM_OFFSET(0, struct cte, cap);
ASM_OFFSET(CAP_TYPE, struct cap, type);
ASM_OFFSET(CAP_RIGHTS, struct cap, rights);
ASM_OFFSET(CAP_OBJ, struct cap, obj);
ASM_OFFSET(CAP_OBJ + 8, struct cap, data);
ASM_OFFSET(EP_HEAD, struct endpoint, q.head);
ASM_OFFSET(EP_TAIL, struct endpoint, q.tail);
ASM_OFFSET(EP_STATE, struct endpoint, state);
ASM_OFFSET(REPLY_CALLER, struct reply, caller);
ASM_OFFSET(REPLY_CALLER + 8, struct reply, receiver);
#undef ASM_OFFSET

_Static_assert(sizeof(struct cte) == 1 << CTE_SIZE_SHIFT && CTE_SIZE_SHIFT == CTE_SIZE_BITS,
               "cte size");
_Static_assert(sizeof(((struct tcb *)0)->state) == 4 && sizeof(((struct tcb *)0)->priority) == 1 &&
                   sizeof(((struct tcb *)0)->affinity) == 1 &&
                   sizeof(((struct tcb *)0)->running_on) == 4 &&
                   sizeof(((struct tcb *)0)->send_flags) == 4,
               "tcb field widths");
_Static_assert(sizeof(((struct percpu *)0)->id) == 4 && sizeof(((struct percpu *)0)->resched) == 4,
               "percpu field widths");
_Static_assert(sizeof(((struct runqueue *)0)->words) == 4 &&
                   sizeof(((struct endpoint *)0)->state) == 8,
               "runqueue/endpoint field widths");
_Static_assert(T_FAST_CNODE + 8 <= 504, "the paired TCB fields are within an ldp's reach");
_Static_assert(K_OBJ_ENDPOINT == FL_OBJ_ENDPOINT && K_OBJ_REPLY == FL_OBJ_REPLY, "object types");
_Static_assert((1u << K_RIGHT_READ_BIT) == FL_RIGHT_READ &&
                   (1u << K_RIGHT_WRITE_BIT) == FL_RIGHT_WRITE &&
                   K_RIGHT_GRANTS == (FL_RIGHT_GRANT | FL_RIGHT_GRANT_REPLY),
               "rights");
_Static_assert(K_SENDF_CALL == SENDF_CALL && (1u << K_SENDF_FAULT_BIT) == SENDF_FAULT &&
                   SENDF_GRANT == FL_RIGHT_GRANT && SENDF_GRANT_REPLY == FL_RIGHT_GRANT_REPLY,
               "send flags");
_Static_assert(K_TS_RUNNABLE == TS_RUNNABLE && K_TS_BLOCKED_RECV == TS_BLOCKED_RECV &&
                   K_TS_BLOCKED_REPLY == TS_BLOCKED_REPLY,
               "thread states");
_Static_assert(EP_IDLE == 0 && K_EP_SEND == EP_SEND && K_EP_RECV == EP_RECV, "endpoint states");
_Static_assert(K_MSG_CAPS == (FL_MSGINFO_CAPS_MASK << FL_MSGINFO_CAPS_SHIFT) &&
                   K_MSG_LENGTH == FL_MSGINFO_LENGTH_MASK && K_MSG_REG_COUNT == FL_MSG_REG_COUNT &&
                   K_MSG_LABEL_SHIFT == FL_MSGINFO_LABEL_SHIFT &&
                   K_MSG_DELIVERED == (~0ULL << FL_MSGINFO_LABEL_SHIFT | FL_MSGINFO_LENGTH_MASK),
               "message info");
_Static_assert(K_FAULT_REPLY_SKIP == FL_FAULT_REPLY_SKIP, "fault reply labels");
_Static_assert(K_CPACR_FP_TRAP_EL0 == CPACR_FP_TRAP_EL0 && K_CPACR_FP_ON == CPACR_FP_ON, "CPACR");
#endif

#endif
