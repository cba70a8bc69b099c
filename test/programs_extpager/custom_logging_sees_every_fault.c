/*
 * Mode 1, the logging pager: a child run under it touches TOUCH_PAGES
 * stack pages in a known order, and its fork child makes one COW write and
 * one read there; the log (read back as an external region of the logging pager) lists
 * exactly those faults in that order, with pid, thread and access, and
 * nothing of any other process; the child's memory checks out byte by
 * byte. A child's unknown syscall is logged and kills it, as the default
 * pager would.
 */
#include <errno.h>
#include <string.h>

#include <pagerkit/pagerkit.h>

#include "exttest.h"
#include "faultlog.h"
#include "paged_child.h"

#define LOG_PAGES ((sizeof(struct faultlog) + T_PAGE - 1) / T_PAGE)

/* Read the log through a fresh region at va. */
static const struct faultlog *read_log(pid_t logger, char *va)
{
	x_attach(logger, va, LOG_PAGES, false);
	return (const struct faultlog *)va;
}

int main(void)
{
	pid_t logger = x_spawn_pager("logging_pager", NULL);
	char *touch_argv[] = {"paged_child", "touch", NULL};
	pid_t child = x_spawn_paged(logger, touch_argv);

	x_wait_status(child, 0, "paged_child touch under logging_pager");
	const struct faultlog *log = read_log(logger, X_REGION_VA);
	T_ASSERTF(log->count > TOUCH_PAGES && log->count <= FAULTLOG_MAX && !log->dropped,
	          "%llu faults logged", (unsigned long long)log->count);
	/* In the touched pages: the child's TOUCH_PAGES writes in order, then
	 * its fork child's COW write of the first and read of the second. */
	unsigned seen = 0, theirs = 0;
	pid_t grandchild = 0;
	for (uint64_t i = 0; i < log->count; i++) {
		const struct faultlog_entry *e = &log->e[i];
		T_ASSERTF(e->kind == 0 && !e->killed, "fault %llu: kind %u killed %u",
		          (unsigned long long)i, e->kind, e->killed);
		if (e->pid != (uint32_t)child) {
			/* Only the fork child's faults besides the child's. */
			T_ASSERTF(!grandchild || e->pid == (uint32_t)grandchild,
			          "fault %llu from pid %u", (unsigned long long)i, e->pid);
			grandchild = (pid_t)e->pid;
		}
		if (e->addr < TOUCH_BASE || e->addr >= TOUCH_BASE + TOUCH_PAGES * T_PAGE)
			continue;
		uint64_t want;
		unsigned access;
		if (e->pid == (uint32_t)child) {
			T_ASSERTF(seen < TOUCH_PAGES,
			          "more than %u faults of the child in its pages", TOUCH_PAGES);
			want = TOUCH_BASE + touch_order(seen++) * T_PAGE;
			access = 1;
		} else {
			T_ASSERTF(seen == TOUCH_PAGES && theirs < 2,
			          "fork child's fault %u in the pages (after %u of the child's)",
			          theirs, seen);
			want = TOUCH_BASE + touch_order(theirs) * T_PAGE;
			access = theirs++ == 0 ? 1 : 0;
		}
		T_ASSERTF(e->addr == want && e->access == access && e->tid == 0,
		          "pid %u: logged access %u at 0x%llx thread %u, expected %u at 0x%llx",
		          e->pid, e->access, (unsigned long long)e->addr, e->tid, access,
		          (unsigned long long)want);
	}
	T_ASSERTF(seen == TOUCH_PAGES && theirs == 2,
	          "%u faults of the child and %u of its fork child in the pages", seen, theirs);

	/* An unknown syscall: logged, and the child killed the default way. */
	char *sys_argv[] = {"paged_child", "syscall", NULL};
	child = x_spawn_paged(logger, sys_argv);
	t_wait_killed(child, "an unknown syscall under the logging pager");
	log = read_log(logger, X_REGION_VA + (128UL << 20));
	const struct faultlog_entry *last = &log->e[log->count - 1];
	T_ASSERTF(last->pid == (uint32_t)child && last->kind == 1 && last->killed,
	          "last fault: pid %u kind %u killed %u", last->pid, last->kind, last->killed);

	/* Nobody else may spawn under a process that does not listen. */
	T_ASSERT(pk_spawn_paged(getpid(), "paged_child", touch_argv) < 0 && errno == ESRCH);
	x_stop_pager(logger);
	x_pager_still_healthy();
	return 0;
}
