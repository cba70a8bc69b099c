/*
 * pagerkit: what an external pager needs besides its own page logic
 * (docs/custom-pagers.md). A pager calls pk_listen once, hands out its pid
 * to clients (which call pk_attach), then runs pk_serve with its
 * extpager.idl handlers; supply_page writes the page into pk_buffer(buffer).
 * A custom pager of whole processes (mode 1) starts them with
 * pk_spawn_paged and runs pk_fault_serve, answering each fault with
 * pk_resolve (the default pager's way) or pk_place (its own contents).
 */
#ifndef PAGERKIT_PAGERKIT_H
#define PAGERKIT_PAGERKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <faultline/ipc.h>

#include "extpager.h"
#include "fault.h"
#include "pager.h"

#define PK_PAGE_SIZE 4096u

/* What the default pager gave this process to serve with. */
struct pk_listener {
	fl_cptr_t endpoint; /* receive right: the default pager's requests arrive here */
	fl_cptr_t reply;    /* the Reply object to receive with */
	uint8_t *buffers;   /* EXTPAGER_BUFFERS transfer buffers of PK_PAGE_SIZE bytes */
};

/* Become an external pager (pager.extpager_listen). 0, or -1 with errno
 * (ENOMEM, EAGAIN). */
int pk_listen(struct pk_listener *l);

/* Transfer buffer i (what supply_page's buffer argument names), or NULL if
 * i is out of range. */
void *pk_buffer(const struct pk_listener *l, uint32_t i);

/* Serve extpager.idl with h (ctx passed to each handler) forever: receive,
 * dispatch (every request validated by the generated code), reply. */
void pk_serve(const struct pk_listener *l, const struct extpager_handlers *h, void *ctx)
    __attribute__((noreturn));

/* Client side: attach [start, start + size) of the caller's address space
 * to external pager process server (pager.region_attach). *region gets the
 * id the pager will be asked with. 0, or -1 with errno: EINVAL bad range,
 * EEXIST overlap, ESRCH server is not listening, ENOMEM, EAGAIN. */
int pk_attach(pid_t server, void *start, size_t size, bool writable, uint64_t *region);

/* ---- mode 1: whole processes under this pager ---- */

/* One kernel fault of a process this pager pages, as fault.idl delivers it
 * (the badge is pid << 8 | tid). */
struct pk_fault {
	pid_t pid;
	unsigned tid;
	enum pager_fault_kind kind; /* vm, unknown_syscall, user_exception */
	enum fault_access access;   /* vm: read, write or exec */
	uint64_t ip, addr, esr, sp;
	uint64_t sysno; /* unknown_syscall: the syscall number */
};

/* How a fault handler wants the faulting thread answered. */
enum pk_verdict {
	PK_RETRY,    /* resume it at the faulting instruction (fault.retry) */
	PK_SKIP,     /* resume it after the faulting instruction (fault.skip) */
	PK_NO_REPLY, /* do not answer: it was killed, or stays blocked */
};

/* A custom pager's fault handler. */
typedef enum pk_verdict (*pk_fault_fn)(void *ctx, const struct pk_fault *f);

/* Start program name (argv as for spawn) as the caller's child under
 * custom pager process pager (0: the caller itself), which must have called
 * pk_listen (pager.spawn_paged). The child's pid, or -1 with errno: ESRCH
 * pager does not listen, ENOENT no such program, E2BIG, EAGAIN, ENOMEM. */
pid_t pk_spawn_paged(pid_t pager, const char *name, char *const argv[]);

/* Serve the listener endpoint forever: kernel fault messages (checked by
 * the generated fault.idl dispatch) go to fn; extpager.idl requests, if
 * ext is not NULL, to its handlers (a pager may do both). */
void pk_fault_serve(const struct pk_listener *l, pk_fault_fn fn,
                    const struct extpager_handlers *ext, void *ctx) __attribute__((noreturn));

/* Resolve f as the default pager would (pager.fault_resolve): PK_RETRY once
 * the page is there, PK_NO_REPLY if the default pager killed the process
 * for it (a bad access) or the process is gone. */
enum pk_verdict pk_resolve(const struct pk_fault *f);

/* Fill the untouched heap or stack page at addr of process pid (which this
 * pager pages) with transfer buffer `buffer` (pager.fault_place). 0, or -1
 * with errno: EEXIST the page already has contents, EINVAL not an untouched
 * heap or stack page (or no such buffer), ESRCH pid is not paged by the
 * caller, ENOMEM. */
int pk_place(pid_t pid, uint64_t addr, uint32_t buffer);

#endif
