/*
 * Snapshots of the pager's accounting (pager.stats over idl/pager.idl) in
 * the form the leak check compares (leak.c). The generated stub is called
 * directly: the runtime's fl_pager_stats predates the swap slot count.
 */
#include <string.h>

#include <faultline/ipc.h>

#include "pager.h"
#include "runner.h"

extern _Thread_local fl_cptr_t fl_pager_cap; /* the runtime's pager cap */

/* Take a snapshot into *a. Returns 0, or -1 if the pager did not answer. */
int ts_accounting_take(struct ts_accounting *a)
{
	struct pager_system_stats s;

	if (pager_stats(fl_pager_cap, &s) != 0)
		return -1;
	memset(a, 0, sizeof *a);
	a->frames_free = s.frames_free;
	a->frames_user = s.frames_user;
	a->frames_pager = s.frames_pager;
	a->slots_used = s.slots_used;
	a->kobj_blocks_used = s.kobj_blocks_used;
	a->processes = s.processes;
	a->swap_slots_used = s.swap_slots_used;
	return 0;
}
