/*
 * The IPC log: per-CPU rings of fixed-size records of every IPC event, in
 * kernel memory that the holder of the trace capability can map read-only
 * (BootInfo: trace_frames_*) and that FL_TRACE_DUMP writes to the console.
 * tools/trace decodes both. Changing this layout changes the decoder.
 */
#ifndef FAULTLINE_IPCLOG_H
#define FAULTLINE_IPCLOG_H

#include <stdint.h>

enum fl_ipclog_kind {
	FL_LOG_SEND = 1,  /* a Send delivered: from -> to */
	FL_LOG_CALL = 2,  /* a Call delivered: from (caller) -> to (receiver) */
	FL_LOG_REPLY = 3, /* a reply delivered: from (replier) -> to (caller) */
	FL_LOG_FAULT = 4, /* a fault message delivered: from (faulter) -> to (handler);
	                     words = MR0..2 (ip, address, ESR), flags = access (MR3) */
	/* the handler answered a fault: words[0] = 0 resumed, 1 skipped, 2 stays stopped,
	   3 mapped (FL_FAULT_REPLY_MAP) and resumed, 4 protected (..._PROTECT) and resumed */
	FL_LOG_FAULT_REPLY = 5,
	FL_LOG_BLOCK_SEND = 6, /* from waits to send (no receiver yet); a fault: flags = access */
	FL_LOG_BLOCK_RECV = 7, /* from waits to receive */
	FL_LOG_SIGNAL = 8,     /* notification signalled: badge; to = woken thread or 0 */
	/* object invocation by from: label, words = MR0..2 as sent, flags = error */
	FL_LOG_INVOKE = 9,
	FL_LOG_RESUME = 10,  /* thread to made runnable by TCB_Resume/WriteRegisters */
	FL_LOG_SUSPEND = 11, /* thread to suspended (by from, or by the kernel when from = 0) */
	FL_LOG_DESTROY = 12, /* thread to's TCB destroyed */
};

struct fl_ipclog_record {
	uint64_t timestamp; /* CNTVCT_EL0 */
	uint8_t kind;       /* fl_ipclog_kind */
	uint8_t cpu;
	uint8_t nwords;    /* words[] valid */
	uint8_t flags;     /* per kind (INVOKE: error code) */
	uint32_t from, to; /* thread ids (0 = none/kernel) */
	uint32_t length;   /* message length in words */
	uint64_t badge;
	uint64_t label;
	uint64_t words[3];
};
_Static_assert(sizeof(struct fl_ipclog_record) == 64, "IPC log records are 64 bytes");

#define FL_IPCLOG_RECORDS 1023 /* per CPU; the header takes the first slot */

/* One CPU's ring: the header, then FL_IPCLOG_RECORDS records. head counts
 * every record ever written on this CPU; record i lives in slot i % RECORDS. */
struct fl_ipclog_ring {
	uint64_t head;
	uint64_t dropped; /* records overwritten before anyone dumped them */
	uint32_t cpu;
	uint32_t nrecords;
	uint64_t enabled;
	uint64_t pad[4];
	struct fl_ipclog_record rec[FL_IPCLOG_RECORDS];
};
_Static_assert(sizeof(struct fl_ipclog_ring) == 65536, "a ring is 64 KiB");

#endif
