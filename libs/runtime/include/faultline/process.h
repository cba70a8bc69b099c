/*
 * Processes, threads and memory accounting for Faultline user programs: the
 * calls a process makes of its pager (servers/pager, idl/pager.idl). The
 * POSIX-named calls keep POSIX semantics and are declared where picolibc
 * declares them (<unistd.h>: fork, getpid, sbrk, _exit; <sys/wait.h>: wait,
 * waitpid and the W* macros; <sched.h>: sched_yield; <stdlib.h>: exit); this
 * header includes those and adds Faultline's own calls. <pthread.h> (also in
 * libs/runtime) has the pthread_create/pthread_join subset.
 *
 * Exit status encoding (what waitpid stores, picolibc's <sys/wait.h> macros):
 * a normal exit(n) reads WIFEXITED with WEXITSTATUS == n & 0xff; a process
 * the pager kills (bad access, out of memory) reads WIFSIGNALED with
 * WTERMSIG == FL_KILLED_SIGNAL.
 */
#ifndef FAULTLINE_PROCESS_H
#define FAULTLINE_PROCESS_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* picolibc hides these under strict C11; the same prototypes as its own. */
void *sbrk(ptrdiff_t incr);
int sched_yield(void);

/* End child pid as if by signal sig (it reads WIFSIGNALED, WTERMSIG == sig);
 * sig 0 checks that it exists. Only the parent may. 0, or -1 (ESRCH, EINVAL). */
int kill(pid_t pid, int sig);

/* WTERMSIG of a process killed by the pager (the number of SIGSEGV). */
#define FL_KILLED_SIGNAL 11

/* Most arguments (including argv[0]) spawn passes; their bytes with NULs
 * must fit PAGER_ARGV_MAX (512). */
#define FL_SPAWN_ARGC_MAX 16

/*
 * Start program name from the boot archive as a child of the caller, with
 * argv (NULL-terminated; NULL means { name, NULL }). Returns the child's pid,
 * or -1 with errno set: ENOENT no such program, ENOMEM out of memory,
 * EAGAIN too many processes, E2BIG/EINVAL bad arguments. Wait for it with
 * waitpid like a forked child.
 */
pid_t spawn(const char *name, char *const argv[]);

/*
 * Check name and pack argv (NUL-separated, as pager.spawn takes it) into
 * buf of size bytes; *len gets the bytes used. 0, or -1 with errno EINVAL
 * (no name, or too long) or E2BIG (more than FL_SPAWN_ARGC_MAX arguments, or
 * more than size bytes). Shared by spawn and pagerkit's pk_spawn_paged.
 */
int fl_spawn_args(const char *name, char *const argv[], uint8_t *buf, size_t size, size_t *len);

/* Whole-system memory and capability accounting (all counts exact). */
struct fl_pager_stats {
	uint64_t frames_total;      /* frames in the pager's user frame pool (budget) */
	uint64_t frames_free;       /* of those, free */
	uint64_t frames_user;       /* held for user pages (each frame once) */
	uint64_t frames_pager;      /* held by the pager for processes: IPC buffers, info pages */
	uint64_t frames_cow_shared; /* user frames shared copy-on-write by >= 2 mappings */
	uint64_t cow_copies;        /* COW breaks that copied a page, since boot */
	uint64_t cow_reuses;        /* COW breaks by the last sharer (no copy), since boot */
	uint64_t slots_used;        /* pager CNode slots in use (caps) */
	uint64_t
	    kobj_blocks_used; /* 4 KiB kernel-object blocks in use (TCBs, CNodes, page tables...) */
	uint64_t processes;   /* live processes (not counting the pager) */
};

/* Fill *out from the pager. Returns 0, or -1 on an IPC error. */
int fl_pager_stats(struct fl_pager_stats *out);

/*
 * Frames mapped into process pid (0 = the caller), counting a COW-shared
 * frame once per sharer, and how many of those are COW-shared. Returns 0, or
 * -1 (ESRCH: no such process).
 */
int fl_process_frames(pid_t pid, uint64_t *frames, uint64_t *cow_shared);

/*
 * COW breaks that copied a page for process pid (0 = the caller) since it
 * began; the per-process part of fl_pager_stats' cow_copies. Returns 0, or
 * -1 (ESRCH: no such process).
 */
int fl_process_copies(pid_t pid, uint64_t *copies);

/* Turn the machine off (only the test server should); returns -1 if refused. */
int fl_poweroff(void);

#endif
