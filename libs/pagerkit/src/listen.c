/*
 * Becoming an external pager: ask the default pager for an endpoint, a
 * Reply object and the transfer buffers (pager.extpager_listen).
 */
#include <errno.h>

#include "pager.h"
#include "pagerkit/pagerkit.h"

extern _Thread_local fl_cptr_t fl_pager_cap;

/* Fill l from pager.extpager_listen. 0, or -1 with errno. */
int pk_listen(struct pk_listener *l)
{
	uint64_t ep, reply, buffers;
	int err = pager_extpager_listen(fl_pager_cap, &ep, &reply, &buffers);

	if (err) {
		errno = err == PAGER_E_TOO_MANY ? EAGAIN : ENOMEM;
		return -1;
	}
	l->endpoint = ep;
	l->reply = reply;
	l->buffers = (uint8_t *)(uintptr_t)buffers;
	return 0;
}

/* Transfer buffer i, or NULL when i names none. */
void *pk_buffer(const struct pk_listener *l, uint32_t i)
{
	return i < EXTPAGER_BUFFERS ? l->buffers + (size_t)i * PK_PAGE_SIZE : NULL;
}
