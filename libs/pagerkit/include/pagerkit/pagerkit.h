/*
 * pagerkit: what an external pager needs besides its own page logic
 * (docs/custom-pagers.md). A pager calls pk_listen once, hands out its pid
 * to clients (which call pk_attach), then runs pk_serve with its
 * extpager.idl handlers; supply_page writes the page into pk_buffer(buffer).
 */
#ifndef PAGERKIT_PAGERKIT_H
#define PAGERKIT_PAGERKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <faultline/ipc.h>

#include "extpager.h"

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

#endif
