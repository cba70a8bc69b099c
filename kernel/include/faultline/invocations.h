/*
 * Object invocations: a Call on an object capability whose message label is
 * one of these. Arguments are message registers (MR0..); capability
 * arguments are sent as the message's capabilities (send_caps[] in the IPC
 * buffer). The reply's label is an fl_error (0 = success) and its words the
 * results. docs/kernel-api.md documents every invocation.
 */
#ifndef FAULTLINE_INVOCATIONS_H
#define FAULTLINE_INVOCATIONS_H

enum fl_invocation {
	/* Untyped */
	/* MR0 type, MR1 size_bits, MR2 dest index, MR3 count; cap0 dest CNode */
	FL_UNTYPED_RETYPE = 1,

	/* CNode: the invoked CNode is the destination root; cap0 (optional) the source root */
	FL_CNODE_COPY = 10, /* MR0 dest cptr, MR1 src cptr, MR2 rights mask */
	FL_CNODE_MINT = 11, /* MR0 dest, MR1 src, MR2 rights mask, MR3 badge */
	FL_CNODE_MOVE = 12, /* MR0 dest, MR1 src */
	/* MR0 dest, MR1 src, MR2 badge (move, setting the badge of an unbadged cap) */
	FL_CNODE_MUTATE = 13,
	FL_CNODE_DELETE = 14,       /* MR0 cptr */
	FL_CNODE_REVOKE = 15,       /* MR0 cptr: delete every cap derived from it */
	FL_CNODE_IDENTIFY = 16,     /* MR0 cptr -> MR0 fl_capinfo, MR1 badge */
	FL_CNODE_COPY_RANGE = 17,   /* MR0 dest first, MR1 src first, MR2 count, MR3 rights mask */
	FL_CNODE_DELETE_RANGE = 18, /* MR0 first, MR1 count */

	/* TCB */
	/* MR0 fault ep cptr (in the invoker's CSpace, 0 = none), MR1 fault badge,
	   MR2 ipc buffer va; cap0 CSpace root, cap1 VSpace, cap2 IPC buffer frame */
	FL_TCB_CONFIGURE = 20,
	/* MR0 pc, MR1 sp, MR2 x0, MR3 x1, MR4 tpidr, MR5 resume (0/1) */
	FL_TCB_WRITE_REGISTERS = 21,
	FL_TCB_READ_REGISTERS = 22, /* -> MR0 pc, MR1 sp, MR2 x0, MR3 x1, MR4 tpidr, MR5 state */
	FL_TCB_RESUME = 23,
	FL_TCB_SUSPEND = 24,
	FL_TCB_SET_PRIORITY = 25, /* MR0 priority 0..255 (not above the invoker's) */
	FL_TCB_SET_AFFINITY = 26, /* MR0 cpu */
	FL_TCB_SET_FAULT_EP = 27, /* cap0 endpoint (or none), MR0 badge delivered with faults */
	/* cap0 source TCB: copy its whole user context (fork); MR0 x0 value */
	FL_TCB_COPY_REGISTERS = 28,
	FL_TCB_GET_ID = 29, /* -> MR0 thread id (as in the IPC log) */

	/* Endpoint / notification control */
	FL_NOTIFICATION_BIND = 30, /* cap0 TCB: bound notifications are delivered to its Recv */

	/* VSpace (the L0 table of an address space) */
	FL_VSPACE_MAP_RANGE = 40, /* MR0 va, MR1 first frame slot, MR2 count, MR3 rights (FL_MAP_*);
	                             cap0 CNode holding the frame caps in consecutive slots */
	FL_VSPACE_UNMAP_RANGE = 41, /* MR0 va, MR1 pages */
	/* MR0 va, MR1 pages, MR2 rights: change rights of present mappings */
	FL_VSPACE_PROTECT = 42,
	FL_VSPACE_GET_CLEAR_ACCESSED = 43, /* MR0 va, MR1 pages (<= 64) -> MR0 bitmap of accessed
	                                      pages; accessed state is cleared */
	FL_VSPACE_LOOKUP = 44,   /* MR0 va -> MR0 physical address, MR1 rights (or FL_E_MAPPING) */
	FL_VSPACE_MAP_COPY = 45, /* MR0 va, MR1 dest slot, MR2 src frame slot, MR3 rights; cap0
	                            CNode holding both: copy src into dest (replacing a frame cap
	                            there) and map the copy at va */

	/* PageTable */
	FL_PAGE_TABLE_MAP = 50, /* MR0 va; cap0 VSpace: installed at the first missing level */
	FL_PAGE_TABLE_UNMAP = 51,

	/* Frame */
	FL_FRAME_MAP = 60, /* MR0 va, MR1 rights; cap0 VSpace */
	FL_FRAME_UNMAP = 61,
	FL_FRAME_REMAP = 62,       /* MR0 rights */
	FL_FRAME_GET_ADDRESS = 63, /* -> MR0 physical address */

	/* IRQ */
	FL_IRQ_CONTROL_GET = 70, /* MR0 intid, MR1 dest cptr (in the invoker's CSpace) */
	FL_IRQ_HANDLER_SET_NOTIFICATION = 71, /* cap0 notification (badge bits are signalled) */
	FL_IRQ_HANDLER_ACK = 72,              /* MR0 (optional) flags: FL_IRQ_ACK_* */
	FL_IRQ_HANDLER_CLEAR = 73,

	/* Trace (IPC log) */
	FL_TRACE_ENABLE = 80, /* MR0 0/1 */
	FL_TRACE_DUMP = 81,
};

/* Mapping rights for Frame_Map / VSpace_MapRange / Protect. Execute-never unless FL_MAP_EXEC. */
#define FL_MAP_READ  0x1
#define FL_MAP_WRITE 0x2
#define FL_MAP_EXEC  0x4
#define FL_MAP_RW    (FL_MAP_READ | FL_MAP_WRITE)
#define FL_MAP_RX    (FL_MAP_READ | FL_MAP_EXEC)

/* IRQHandler_Ack flags. ON_WAIT: keep the line masked (mask it if it is
 * not) until a thread next blocks waiting on the handler's notification
 * (Recv on it, or Recv on an endpoint with it bound and no signal pending),
 * and unmask it then, in the same kernel entry: the interrupt can then only
 * be taken once its driver waits for it (docs/kernel-api.md). */
#define FL_IRQ_ACK_ON_WAIT 0x1

#define FL_PRIORITY_MAX 255

#endif
