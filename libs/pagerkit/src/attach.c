/*
 * The client side of an external region: pager.region_attach with errors
 * turned into errno values.
 */
#include <errno.h>

#include "pager.h"
#include "pagerkit/pagerkit.h"

extern _Thread_local fl_cptr_t fl_pager_cap;

/* Attach [start, start + size) to server. 0, or -1 with errno. */
int pk_attach(pid_t server, void *start, size_t size, bool writable, uint64_t *region)
{
	int err = pager_region_attach(fl_pager_cap, (uint32_t)server, (uint64_t)(uintptr_t)start,
	                              size, writable, region);

	switch (err) {
	case 0:
		return 0;
	case PAGER_E_BAD_VALUE:
		errno = EINVAL;
		break;
	case PAGER_E_OVERLAP:
		errno = EEXIST;
		break;
	case PAGER_E_NOT_LISTENING:
	case PAGER_E_BAD_PID:
		errno = ESRCH;
		break;
	case PAGER_E_TOO_MANY:
		errno = EAGAIN;
		break;
	case PAGER_E_NOT_PERMITTED:
		errno = EPERM;
		break;
	default:
		errno = ENOMEM;
		break;
	}
	return -1;
}
