/*
 * Reading the kernel's IPC log from a test program (the trace_* and
 * swap_trace_* tests): the rings mapped read-only by pager.trace_map,
 * recording switched by pager.trace_enable, and a matcher for the records
 * of one fault from its delivery to the reply that resumes the thread.
 * docs/tracing.md describes the records.
 */
#ifndef TRACELOG_H
#define TRACELOG_H

#include <stdbool.h>
#include <stdint.h>

#include <faultline/ipclog.h>

/* The mapped log, and where each ring stood at the last mark. */
struct tl_log {
	const volatile struct fl_ipclog_ring *rings;
	unsigned ncpus;
	uint32_t self;     /* the calling thread's id in the log */
	bool was_on;       /* recording was on before tl_open */
	uint64_t mark[16]; /* head of each ring at tl_mark */
};

/* Map the log (pager.trace_map), check that it is read-only-looking sane,
 * and turn recording on (pager.trace_enable); fails the test if it cannot. */
void tl_open(struct tl_log *log);

/* Turn recording on or off (pager.trace_enable). */
void tl_record(bool on);

/* Put recording back as tl_open found it. */
void tl_close(struct tl_log *log);

/* Remember every ring's head: tl_fault looks at records after this. */
void tl_mark(struct tl_log *log);

/* What a fault's handling must show. */
struct tl_expect {
	uint64_t addr;        /* the faulting address */
	unsigned access;      /* FL_ACCESS_* */
	bool permission;      /* ESR says permission fault (else translation fault) */
	uint64_t swapd_label; /* a Call with this label and its reply inside the
	                         handling, before the mapping (0: none expected) */
};

/* What was found (for the test's own further checks and messages). */
struct tl_found {
	uint32_t handler; /* the pager thread that took the fault */
	uint32_t doer;    /* the pager thread that did it and answered: the handler,
	                   * or the swap I/O thread it handed the fault to */
	uint32_t server;  /* the thread the doer called (swapd), or 0 */
	uint64_t t_fault, t_received, t_called, t_replied, t_mapped, t_resumed;
	unsigned records; /* records of all CPUs since the mark */
};

/*
 * Check, in the records logged since tl_mark (all CPUs merged in time
 * order), the sequence of this thread's fault at e->addr: FAULT (from this
 * thread, VM fault at the address, access, ESR class) -> the pager thread
 * that received it, or the thread it handed the fault to (a notification
 * signal in between: the swap I/O threads, docs/swap.md), invokes a mapping
 * that covers the page (after a Call with e->swapd_label and that server's
 * REPLY, if asked) -> FAULT_REPLY from that pager thread to this thread,
 * resumed; timestamps never go back. A
 * fault the pager answered without the whole sequence (a retry) is skipped
 * for the next fault at the address. Fails the test with what is missing.
 */
struct tl_found tl_fault(struct tl_log *log, const struct tl_expect *e, const char *what);

/*
 * tl_fault without failing on what may legitimately be absent: true (and
 * *found) if the whole sequence is there; *faulted says whether the thread
 * faulted at the address at all. A record that contradicts the expectation
 * (wrong access, another thread answering, not resumed) still fails.
 */
bool tl_probe(struct tl_log *log, const struct tl_expect *e, const char *what,
              struct tl_found *found, bool *faulted);

#endif
