/*
 * The process side of the runtime: POSIX-named process and thread calls and
 * Faultline's accounting calls, each a generated pager.idl stub on the
 * calling thread's own pager cap (fl_pager_cap, from x1 at thread start).
 * The root task (the pager itself) has no pager: these fail there with ENOSYS.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/process.h>
#include <faultline/procinfo.h>
#include <faultline/runtime.h>

#include "pager.h"

_Thread_local fl_cptr_t fl_pager_cap;
const struct fl_procinfo *fl_procinfo;

void fl_fork_child_trampoline(void);
void _init_tls(void *tls);
void _set_tls(void *tls);
extern char __tls_size[];

/* errno for a pager error; returns -1. */
static int fail(int err)
{
	switch (err) {
	case PAGER_E_NO_MEMORY:
		errno = ENOMEM;
		break;
	case PAGER_E_TOO_MANY:
		errno = EAGAIN;
		break;
	case PAGER_E_NO_CHILD:
	case PAGER_E_BAD_PID:
		errno = ECHILD;
		break;
	case PAGER_E_NO_SUCH_PROGRAM:
		errno = ENOENT;
		break;
	case PAGER_E_BAD_TID:
		errno = ESRCH;
		break;
	case PAGER_E_NOT_PERMITTED:
		errno = EPERM;
		break;
	default:
		errno = EINVAL;
	}
	return -1;
}

static bool have_pager(void)
{
	if (fl_procinfo)
		return true;
	errno = ENOSYS;
	return false;
}

pid_t fork(void)
{
	jmp_buf jb;
	uint64_t resume[2] __attribute__((aligned(16)));
	uint32_t pid;

	if (!have_pager())
		return -1;
	fflush(stdout);
	if (setjmp(jb))
		return 0; /* the child, resumed by the trampoline's longjmp */
	/* The child starts in fl_fork_child_trampoline with sp = resume, where
	 * (in its copy of this stack) it finds the address of jb. */
	resume[0] = (uint64_t)(uintptr_t)&jb;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	int err = pager_fork(fl_pager_cap, (uint64_t)(uintptr_t)fl_fork_child_trampoline,
	                     (uint64_t)(uintptr_t)resume, &pid);
	return err ? fail(err) : (pid_t)pid;
}

/* Called from the trampoline in the child: back into fork's setjmp. */
void fl_fork_child_resume(jmp_buf *jb)
{
	longjmp(*jb, 1);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	uint32_t child;
	int32_t st;

	if (!have_pager())
		return -1;
	int err = pager_waitpid(fl_pager_cap, pid > 0 ? (uint32_t)pid : 0,
	                        (options & WNOHANG) ? PAGER_WAIT_OPTIONS_NOHANG
	                                            : PAGER_WAIT_OPTIONS_BLOCK,
	                        &child, &st);
	if (err == PAGER_E_NO_CHILD_EXITED)
		return 0;
	if (err)
		return fail(err);
	if (status)
		*status = st;
	return (pid_t)child;
}

int kill(pid_t pid, int sig)
{
	if (!have_pager())
		return -1;
	if (pid <= 0 || sig < 0) {
		errno = EINVAL;
		return -1;
	}
	int err = pager_kill(fl_pager_cap, (uint32_t)pid, (uint32_t)sig);
	if (err == PAGER_E_BAD_PID) {
		errno = ESRCH;
		return -1;
	}
	return err ? fail(err) : 0;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

pid_t getpid(void)
{
	return fl_procinfo ? (pid_t)fl_procinfo->pid : 1;
}

int sched_yield(void)
{
	fl_yield();
	return 0;
}

int fl_spawn_args(const char *name, char *const argv[], uint8_t *buf, size_t size, size_t *len)
{
	size_t n = 0;

	if (!name || strlen(name) > PAGER_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (unsigned i = 0; argv && argv[i]; i++) {
		size_t arglen = strlen(argv[i]) + 1;
		if (i >= FL_SPAWN_ARGC_MAX || n + arglen > size) {
			errno = E2BIG;
			return -1;
		}
		memcpy(buf + n, argv[i], arglen);
		n += arglen;
	}
	*len = n;
	return 0;
}

pid_t spawn(const char *name, char *const argv[])
{
	uint8_t args[PAGER_ARGV_MAX];
	size_t n;
	uint32_t pid;

	if (!have_pager())
		return -1;
	if (fl_spawn_args(name, argv, args, sizeof args, &n) < 0)
		return -1;
	int err = pager_spawn(fl_pager_cap, name, args, n, &pid);
	return err ? fail(err) : (pid_t)pid;
}

int fl_pager_stats(struct fl_pager_stats *out)
{
	struct pager_system_stats s;

	if (!have_pager())
		return -1;
	int err = pager_stats(fl_pager_cap, &s);
	if (err)
		return fail(err);
	*out = (struct fl_pager_stats){
	    s.frames_total, s.frames_free, s.frames_user, s.frames_pager,     s.frames_cow_shared,
	    s.cow_copies,   s.cow_reuses,  s.slots_used,  s.kobj_blocks_used, s.processes};
	return 0;
}

int fl_process_frames(pid_t pid, uint64_t *frames, uint64_t *cow_shared)
{
	if (!have_pager())
		return -1;
	int err = pager_process_frames(fl_pager_cap, (uint32_t)pid, frames, cow_shared);
	if (err) {
		fail(err);
		errno = ESRCH;
		return -1;
	}
	return 0;
}

int fl_process_copies(pid_t pid, uint64_t *copies)
{
	if (!have_pager())
		return -1;
	int err = pager_process_copies(fl_pager_cap, (uint32_t)pid, copies);
	if (err) {
		fail(err);
		errno = ESRCH;
		return -1;
	}
	return 0;
}

int fl_poweroff(void)
{
	if (!have_pager())
		return -1;
	int err = pager_poweroff(fl_pager_cap);
	return err ? fail(err) : 0;
}

/* ---- threads ---- */

#define DEFAULT_STACK (64u << 10)

struct thread_start {
	void *(*fn)(void *);
	void *arg;
	void *tls;
	void *stack;
};
static struct thread_start *threads[FL_PROCINFO_THREADS_MAX];

/* First code of a new thread: x0 = its start block, x1 = its pager cap. */
static void thread_entry(struct thread_start *s, fl_cptr_t cap)
{
	_set_tls(s->tls);
	fl_pager_cap = cap;
	pthread_exit(s->fn(s->arg));
}

int pthread_attr_init(pthread_attr_t *attr)
{
	attr->stacksize = 0;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (size < 4096)
		return EINVAL;
	attr->stacksize = size;
	return 0;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	size_t size = attr && attr->stacksize ? attr->stacksize : DEFAULT_STACK;
	struct thread_start *s = malloc(sizeof *s);
	uint32_t tid;

	if (!fl_procinfo)
		return ENOSYS;
	if (!s)
		return EAGAIN;
	s->fn = fn;
	s->arg = arg;
	s->stack = malloc(size);
	s->tls = aligned_alloc(64, ((size_t)(uintptr_t)__tls_size + 63) & ~(size_t)63);
	if (!s->stack || !s->tls) {
		free(s->stack);
		free(s->tls);
		free(s);
		return EAGAIN;
	}
	_init_tls(s->tls);
	uint64_t sp = ((uint64_t)(uintptr_t)s->stack + size) & ~15ULL;
	int err = pager_thread_create(fl_pager_cap, (uint64_t)(uintptr_t)thread_entry, sp,
	                              (uint64_t)(uintptr_t)s, 0, &tid);
	if (err) {
		free(s->stack);
		free(s->tls);
		free(s);
		return err == PAGER_E_NO_MEMORY ? ENOMEM : EAGAIN;
	}
	threads[tid] = s;
	*thread = tid;
	return 0;
}

int pthread_join(pthread_t thread, void **retval)
{
	uint64_t v;

	if (thread >= FL_PROCINFO_THREADS_MAX)
		return ESRCH;
	int err = pager_thread_join(fl_pager_cap, thread, &v);
	if (err)
		return err == PAGER_E_BAD_TID ? ESRCH : EAGAIN;
	if (retval)
		*retval = (void *)(uintptr_t)v;
	struct thread_start *s = threads[thread];
	threads[thread] = NULL;
	if (s) {
		free(s->stack);
		free(s->tls);
		free(s);
	}
	return 0;
}

void pthread_exit(void *retval)
{
	fflush(stdout);
	pager_thread_exit(fl_pager_cap, (uint64_t)(uintptr_t)retval);
	for (;;)
		fl_yield(); /* the pager ends this thread */
}

pthread_t pthread_self(void)
{
	return (pthread_t)(fl_pager_cap - FL_PROC_CAP_PAGER);
}
