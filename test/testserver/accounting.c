/*
 * Snapshots of the pager's accounting (fl_pager_stats over pager.idl) in
 * the form the leak check compares (leak.c).
 */
#include <string.h>

#include <faultline/process.h>

#include "runner.h"

/* Take a snapshot into *a. Returns 0, or -1 if the pager did not answer. */
int ts_accounting_take(struct ts_accounting *a)
{
	struct fl_pager_stats s;

	if (fl_pager_stats(&s) < 0)
		return -1;
	memset(a, 0, sizeof *a);
	a->frames_free = s.frames_free;
	a->frames_user = s.frames_user;
	a->frames_pager = s.frames_pager;
	a->slots_used = s.slots_used;
	a->kobj_blocks_used = s.kobj_blocks_used;
	a->processes = s.processes;
	return 0;
}
