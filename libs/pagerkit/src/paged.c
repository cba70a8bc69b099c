/*
 * Mode 1 calls on the default pager: spawn a process under a custom pager,
 * resolve one of its faults the default way, place a page's contents
 * (pager.spawn_paged, fault_resolve, fault_place), errors as errno values.
 */
#include <errno.h>

#include <faultline/process.h>

#include "pagerkit/pagerkit.h"

extern _Thread_local fl_cptr_t fl_pager_cap;

/* errno for a pager.idl error of these calls; returns -1. */
static int fail(int err)
{
	switch (err) {
	case PAGER_E_NOT_LISTENING:
	case PAGER_E_BAD_PID:
		errno = ESRCH;
		break;
	case PAGER_E_NO_SUCH_PROGRAM:
		errno = ENOENT;
		break;
	case PAGER_E_BAD_VALUE:
	case PAGER_E_BAD_TID:
		errno = EINVAL;
		break;
	case PAGER_E_PAGE_PRESENT:
		errno = EEXIST;
		break;
	case PAGER_E_TOO_MANY:
		errno = EAGAIN;
		break;
	default:
		errno = ENOMEM;
		break;
	}
	return -1;
}

/* Spawn name under pager as the caller's child. pid or -1 with errno. */
pid_t pk_spawn_paged(pid_t pager, const char *name, char *const argv[])
{
	uint8_t args[PAGER_ARGV_MAX];
	size_t n;
	uint32_t pid;

	if (fl_spawn_args(name, argv, args, sizeof args, &n) < 0)
		return -1;
	int err = pager_spawn_paged(fl_pager_cap, (uint32_t)pager, name, args, n, &pid);
	return err ? fail(err) : (pid_t)pid;
}

/* Resolve f the default way: PK_RETRY, or PK_NO_REPLY if it was killed. */
enum pk_verdict pk_resolve(const struct pk_fault *f)
{
	bool killed = true;
	/* For an unknown syscall, addr carries the syscall number (pager.idl). */
	uint64_t addr = f->kind == PAGER_FAULT_KIND_UNKNOWN_SYSCALL ? f->sysno : f->addr;
	int err = pager_fault_resolve(fl_pager_cap, (uint32_t)f->pid, f->tid, f->kind, f->ip, addr,
	                              f->esr, f->access, f->sp, &killed);

	return err || killed ? PK_NO_REPLY : PK_RETRY;
}

/* Fill the untouched page at addr of pid from transfer buffer buffer. */
int pk_place(pid_t pid, uint64_t addr, uint32_t buffer)
{
	int err = pager_fault_place(fl_pager_cap, (uint32_t)pid, addr, buffer);

	return err ? fail(err) : 0;
}
