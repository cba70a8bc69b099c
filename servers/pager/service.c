/*
 * The pager's services to processes (idl/pager.idl): heap, fork, exit,
 * waitpid, spawn, threads, accounting, power-off. The badge of the caller's
 * pager cap names its process and thread.
 */
#include <faultline/process.h>

#include "core.h"
#include "custompager.h"
#include "extregion.h"
#include "swap.h"
#include "swapio.h"
#include "trace.h"
#include "pager.h"

/* Map vmcore's sbrk errors to the IDL's: growth that cannot be had is
 * overlap or no memory (ENOMEM); a shrink below the heap's start is a bad
 * value (EINVAL). */
static int sbrk_error(int err, int64_t delta)
{
	switch (err) {
	case VM_E_OVERLAP:
		return PAGER_E_OVERLAP;
	case VM_E_NOMEM:
		return PAGER_E_NO_MEMORY;
	default:
		return delta > 0 ? PAGER_E_NO_MEMORY : PAGER_E_BAD_VALUE;
	}
}

static int on_sbrk(void *ctx, uint64_t badge, int64_t delta, uint64_t *old_break)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	int err = vm_sbrk(&p->space, delta, old_break);
	proc_put(p);
	return err ? sbrk_error(err, delta) : 0;
}

static int on_fork(void *ctx, uint64_t badge, uint64_t pc, uint64_t sp, uint32_t *pid)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	int err = proc_fork(p, tid, pc, sp, pid);
	proc_put(p);
	return err;
}

static void on_exit(void *ctx, uint64_t badge, int32_t status)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return;
	proc_terminate(p, (status & 0xff) << 8);
	proc_put(p);
}

static int on_waitpid(void *ctx, uint64_t badge, uint32_t pid, enum pager_wait_options options,
                      uint32_t *child, int32_t *status)
{
	struct worker *w = ctx;
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	if (!p)
		return FL_IDL_DEFER;
	int ret =
	    proc_waitpid(p, pid, options == PAGER_WAIT_OPTIONS_NOHANG, &w->reply, child, status);
	proc_put(p);
	return ret;
}

static int on_getpid(void *ctx, uint64_t badge, uint32_t *pid)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	*pid = p->pid;
	proc_put(p);
	return 0;
}

static int on_spawn(void *ctx, uint64_t badge, const char *name, const uint8_t *argv,
                    size_t argv_len, uint32_t *pid)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	int err = proc_spawn(name, argv, argv_len, p->pid, false, 0, pid);
	proc_put(p);
	return err;
}

static int on_thread_create(void *ctx, uint64_t badge, uint64_t entry, uint64_t sp, uint64_t arg,
                            uint64_t tls, uint32_t *tid_out)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	int err = proc_thread_create(p, entry, sp, arg, tls, tid_out);
	proc_put(p);
	return err;
}

static void on_thread_exit(void *ctx, uint64_t badge, uint64_t value)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return;
	if (proc_thread_exit(p, tid, value))
		proc_terminate(p, 0);
	proc_put(p);
}

static int on_thread_join(void *ctx, uint64_t badge, uint32_t tid, uint64_t *value)
{
	struct worker *w = ctx;
	unsigned self;
	struct process *p = proc_get(badge, &self);

	if (!p)
		return FL_IDL_DEFER;
	int ret = proc_thread_join(p, self, tid, &w->reply, value);
	proc_put(p);
	return ret;
}

static int on_frame_stats(void *ctx, uint64_t badge, struct pager_frame_stats *out)
{
	struct vm_stats s;

	(void)ctx;
	(void)badge;
	vm_stats(&pager_vm, &s);
	out->free = frames_free();
	out->in_use = s.frames_user;
	out->cow_shared = s.frames_cow_shared;
	out->pinned = s.frames_owned;
	return 0;
}

/* The pid a stats request names: *pid itself, or for 0 the caller's (the
 * process behind badge). false: the caller is gone (defer the answer).
 * Caller: a dispatch handler. */
static bool named_pid(uint64_t badge, uint32_t *pid)
{
	unsigned tid;

	if (*pid)
		return true;
	struct process *p = proc_get(badge, &tid);
	if (!p)
		return false;
	*pid = p->pid;
	proc_put(p);
	return true;
}

static int on_process_frames(void *ctx, uint64_t badge, uint32_t pid, uint64_t *frames,
                             uint64_t *cow)
{
	(void)ctx;
	if (!named_pid(badge, &pid))
		return FL_IDL_DEFER;
	return proc_frames(pid, frames, cow) < 0 ? PAGER_E_BAD_PID : 0;
}

/* process_copies: the COW copies of pid (0: the caller). Caller: the dispatch. */
static int on_process_copies(void *ctx, uint64_t badge, uint32_t pid, uint64_t *copies)
{
	(void)ctx;
	if (!named_pid(badge, &pid))
		return FL_IDL_DEFER;
	return proc_copies(pid, copies) < 0 ? PAGER_E_BAD_PID : 0;
}

static int on_swap_stats(void *ctx, uint64_t badge, struct pager_swap_stats *out)
{
	(void)ctx;
	(void)badge;
	swap_counts(&out->slots_total, &out->slots_used);
	swap_in_counts(&out->ins_started, &out->ins_done);
	out->faults_deferred = swapio_deferred();
	swap_io_counts(&out->swap_outs, &out->swap_ins);
	return 0;
}

static int on_stats(void *ctx, uint64_t badge, struct pager_system_stats *out)
{
	struct vm_stats s;
	uint64_t swap_total;

	(void)ctx;
	(void)badge;
	vm_stats(&pager_vm, &s);
	swap_counts(&swap_total, &out->swap_slots_used);
	out->frames_total = frames_total();
	out->frames_free = frames_free();
	out->frames_user = s.frames_user;
	out->frames_pager = s.frames_owned;
	out->frames_cow_shared = s.frames_cow_shared;
	out->cow_copies = s.copies;
	out->cow_reuses = s.reuses;
	out->slots_used = slots_used();
	out->kobj_blocks_used = kobj_blocks_used();
	out->processes = proc_count();
	return 0;
}

static int on_poweroff(void *ctx, uint64_t badge)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	bool init = p->is_init;
	proc_put(p);
	if (!init)
		return PAGER_E_NOT_PERMITTED;
	return pager_poweroff_machine() ? PAGER_E_NOT_PERMITTED : 0;
}

static int on_kill(void *ctx, uint64_t badge, uint32_t pid, uint32_t signal)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	int err = proc_kill(p, pid, signal);
	proc_put(p);
	return err;
}

static int on_kill_tree(void *ctx, uint64_t badge, uint32_t pid, uint32_t signal)
{
	unsigned tid;
	struct process *p = proc_get(badge, &tid);

	(void)ctx;
	if (!p)
		return FL_IDL_DEFER;
	int err = proc_kill_tree(p, pid, signal);
	proc_put(p);
	return err;
}

const struct pager_handlers pager_handlers = {
    .kill = on_kill,
    .kill_tree = on_kill_tree,
    .sbrk = on_sbrk,
    .fork = on_fork,
    .exit = on_exit,
    .waitpid = on_waitpid,
    .getpid = on_getpid,
    .spawn = on_spawn,
    .thread_create = on_thread_create,
    .thread_exit = on_thread_exit,
    .thread_join = on_thread_join,
    .frame_stats = on_frame_stats,
    .process_frames = on_process_frames,
    .process_copies = on_process_copies,
    .swap_stats = on_swap_stats,
    .stats = on_stats,
    .poweroff = on_poweroff,
    .extpager_listen = extregion_on_listen,
    .region_attach = extregion_on_attach,
    .trace_map = trace_on_map,
    .trace_enable = trace_on_enable,
    .children_listen = childep_on_listen,
    .spawn_paged = custompager_on_spawn,
    .fault_resolve = custompager_on_resolve,
    .fault_place = custompager_on_place,
};
