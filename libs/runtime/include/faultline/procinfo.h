/*
 * The process-info page: what the pager tells a new process. The first
 * thread starts with x0 = its user address (FL_PROCINFO_VADDR, mapped
 * read-only) and x1 = the cptr of that thread's pager endpoint cap; every
 * later thread starts with x1 = its own pager cap (see docs/pager.md for the
 * address-space layout and the process CSpace).
 */
#ifndef FAULTLINE_PROCINFO_H
#define FAULTLINE_PROCINFO_H

#include <stdint.h>

#define FL_PROCINFO_MAGIC    0x464c50524f433031ULL /* "FLPROC01" */
#define FL_PROCINFO_VADDR    0x0000700000000000ULL
#define FL_PROCINFO_ARGC_MAX 16
#define FL_PROCINFO_ARGS_MAX 512

/* Process CSpace: slot FL_PROC_CAP_PAGER + tid holds thread tid's badged
 * pager endpoint cap (send right only). Slot 0 is empty. Slot
 * FL_PROC_CAP_PARENT holds a send cap to the endpoint of the parent's
 * pager.children_listen, badged with the pid the parent spawned; a process
 * whose parent does not listen has a copy of its parent's (empty if no
 * ancestor listens). */
#define FL_PROC_CAP_PARENT      1
#define FL_PROC_CAP_PAGER       2
#define FL_PROCINFO_THREADS_MAX 32

struct fl_procinfo {
	uint64_t magic;
	uint32_t pid;
	uint32_t ppid;
	uint64_t heap_start;  /* the initial break */
	uint64_t stack_top;   /* top of the first thread's stack */
	uint64_t stack_limit; /* bytes the stack may grow to */
	uint32_t argc;
	uint32_t argv_offset[FL_PROCINFO_ARGC_MAX]; /* offsets of NUL-terminated strings in args */
	char name[48];                              /* the program's name in the boot archive */
	char args[FL_PROCINFO_ARGS_MAX];
};

#endif
