/*
 * The logging pager's log as a reader sees it: attach a region (read-only)
 * served by the logging pager; its bytes are struct faultlog, then zeros.
 */
#ifndef EXAMPLES_FAULTLOG_H
#define EXAMPLES_FAULTLOG_H

#include <stdint.h>

#define FAULTLOG_MAX 4000

/* One fault, in the order the logging pager received it. */
struct faultlog_entry {
	uint32_t pid, tid;
	uint8_t kind;   /* pager_fault_kind: vm, unknown_syscall, user_exception */
	uint8_t access; /* fault_access: read, write, exec (vm) */
	uint8_t killed; /* the default pager killed the process for it */
	uint8_t pad[5];
	uint64_t addr, ip;
};

struct faultlog {
	uint64_t count;   /* faults received (may exceed FAULTLOG_MAX) */
	uint64_t dropped; /* faults not recorded: the log was full */
	struct faultlog_entry e[FAULTLOG_MAX];
};

#endif
