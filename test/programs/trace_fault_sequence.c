/*
 * The pager's fault handling, read back through the IPC log that
 * pager.trace_map maps read-only into this process: a zero-fill fault and
 * a copy-on-write copy each appear as this thread's FAULT (address, access,
 * ESR class), received by a pager worker that maps a frame at the page and
 * then answers with a FAULT_REPLY that resumes this thread, in that order
 * (or whose FAULT_REPLY maps the page itself: FL_FAULT_REPLY_MAP).
 * A forked child (not a process the init process started) may neither map
 * the log nor switch recording.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include <faultline/abi.h>
#include <faultline/ipc.h>

#include "pager.h"
#include "testlib.h"
#include "tracelog.h"

extern _Thread_local fl_cptr_t fl_pager_cap; /* the runtime's pager cap */

/* The child's part of the COW step: keep the shared page shared until killed. */
static void hold_forever(void)
{
	for (;;)
		t_pause(10000);
}

int main(void)
{
	struct tl_log log;

	tl_open(&log);

	/* Zero-fill: the first write to a fresh heap page (nothing mapped). */
	volatile uint64_t *z = t_pages(1);
	tl_mark(&log);
	z[0] = 1;
	tl_fault(&log, &(struct tl_expect){.addr = (uint64_t)z, .access = FL_ACCESS_WRITE},
	         "zero-fill fault");

	/* A child that is not init's own may not read or switch the log. */
	pid_t pid = t_fork();
	if (pid == 0) {
		uint64_t va;
		uint32_t ncpus, tid;
		bool was;
		T_ASSERT(pager_trace_map(fl_pager_cap, &va, &ncpus, &tid) == PAGER_E_NOT_PERMITTED);
		T_ASSERT(pager_trace_enable(fl_pager_cap, false, &was) == PAGER_E_NOT_PERMITTED);
		exit(0);
	}
	t_wait_ok(pid);
	T_ASSERTF(log.rings[0].enabled == 1, "a refused trace_enable changed the recording");

	/* Copy-on-write copy: a page shared with a live child, written here. */
	volatile uint64_t *c = t_pages(1);
	c[0] = 7;
	pid = t_fork();
	if (pid == 0)
		hold_forever();
	uint64_t copies0 = t_stats().cow_copies;
	tl_mark(&log);
	c[0] = 8;
	struct tl_found f = tl_fault(
	    &log,
	    &(struct tl_expect){.addr = (uint64_t)c, .access = FL_ACCESS_WRITE, .permission = true},
	    "copy-on-write fault");
	T_ASSERTF(t_stats().cow_copies > copies0,
	          "the write to a page shared with a live child made no copy");
	T_ASSERT(c[0] == 8);
	T_ASSERT(kill(pid, SIGKILL) == 0);
	int status;
	T_ASSERT(waitpid(pid, &status, 0) == pid);
	T_ASSERTF(WIFSIGNALED(status), "the child ended with status %#x, not killed", status);

	/* Calling trace_map again gives the same view. */
	uint64_t va;
	uint32_t ncpus, tid;
	T_ASSERT(pager_trace_map(fl_pager_cap, &va, &ncpus, &tid) == 0);
	T_ASSERT(va == (uint64_t)(uintptr_t)log.rings && ncpus == log.ncpus && tid == log.self);

	printf("trace: COW fault handled by thread %u in %llu counter ticks over %u records\n",
	       (unsigned)f.handler, (unsigned long long)(f.t_resumed - f.t_fault), f.records);
	tl_close(&log);
	return 0;
}
