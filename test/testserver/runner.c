/*
 * Run one test program: spawn it as a child of the test server, wait for it
 * with a time limit, end its whole process tree if the limit runs out, then
 * compare the pager's accounting with the snapshot taken before it started.
 *
 * The kernel has no timed wait, so the limit is kept by a second thread,
 * the watchdog: the main thread blocks in waitpid (no calls to the pager
 * while a test runs, so it costs the test nothing), and the watchdog
 * watches the generic counter, which EL0 reads without a kernel call,
 * giving up the CPU with sched_yield between looks (on -smp 1 the test
 * gets the processor). When the deadline passes it asks the pager to kill
 * the test and every process descended from it (pager.kill_tree): a test's
 * forked children must not run on into the next test and its accounting.
 * The waitpid then returns, and the main thread reads the end as a timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <faultline/ipc.h>
#include <faultline/process.h>

#include "pager.h"
#include "runner.h"
#include "testlib.h"

extern _Thread_local fl_cptr_t fl_pager_cap; /* the runtime's pager cap */

static char leak_text[TS_REASON_MAX];
static char detail_text[TS_REASON_MAX];

/* Shared with the watchdog: the test running (0: none), its deadline in
 * counter ticks, and whether the watchdog ended it. */
static atomic_int watched;
static atomic_uint_fast64_t deadline;
static atomic_bool fired;
static atomic_int kill_error; /* the pager's answer to kill_tree, if not 0 */

/* The watchdog thread: end the watched test's tree once its deadline passes. */
static void *watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		int pid = atomic_load(&watched);

		if (pid && !atomic_load(&fired) && t_now() >= atomic_load(&deadline)) {
			atomic_store(&fired, true);
			int err = pager_kill_tree(fl_pager_cap, (uint32_t)pid, SIGKILL);
			/* bad_pid: it ended on its own just now (pids are never reused). */
			if (err && err != PAGER_E_BAD_PID)
				atomic_store(&kill_error, err);
		}
		sched_yield();
	}
	return NULL;
}

/* Start the watchdog thread. Caller: main, before the first test (its stack
 * and thread come from memory the accounting then already counts). */
int ts_watchdog_start(void)
{
	pthread_t t;

	return pthread_create(&t, NULL, watchdog, NULL) ? -1 : 0;
}

/*
 * Wait for child pid, whose deadline the watchdog keeps; fill e with how it
 * ended.
 */
static void wait_with_limit(pid_t pid, struct ts_end *e)
{
	int status = 0;
	pid_t r;

	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	atomic_store(&watched, 0);
	if (r != pid) {
		snprintf(detail_text, sizeof detail_text, "waitpid(%d): %s", (int)pid,
		         strerror(errno));
		e->how = TS_END_LOST;
		e->detail = detail_text;
		return;
	}
	if (atomic_load(&fired)) {
		e->how = TS_END_TIMED_OUT;
		return;
	}
	if (WIFSIGNALED(status)) {
		e->how = TS_END_KILLED;
		e->code = WTERMSIG(status);
	} else {
		e->how = TS_END_EXITED;
		e->code = WEXITSTATUS(status);
	}
}

/*
 * Run test program index (ts_tests[index]) with argv and limit_s seconds,
 * serving it testserver.idl meanwhile (serve.c); returns whether it passed,
 * and if not, the reason in reason[len]. The caller must not touch memory it
 * has not touched before while a test runs (the accounting snapshots would
 * count it as the test's).
 */
bool ts_run_test(unsigned index, char *const argv[], unsigned limit_s, char *reason, size_t len)
{
	struct ts_accounting before, after;
	struct ts_end e = {.limit_s = limit_s};
	uint64_t start;
	pid_t pid;
	bool passed;

	if (ts_accounting_take(&before) < 0) {
		snprintf(reason, len, "the pager gave no accounting before the test");
		e.how = TS_END_LOST;
		ts_serve_begin(index);
		ts_serve_stop(&e);
		ts_serve_record(index, &e, false, 0, &before, NULL);
		return false;
	}
	atomic_store(&fired, false);
	atomic_store(&kill_error, 0);
	ts_serve_begin(index);
	start = t_now();
	pid = spawn(ts_tests[index], argv);
	ts_serve_spawned(pid);
	if (pid < 0) {
		snprintf(detail_text, sizeof detail_text, "spawn: %s", strerror(errno));
		e.how = TS_END_SPAWN_FAILED;
		e.detail = detail_text;
	} else {
		atomic_store(&deadline, t_now() + (uint64_t)limit_s * t_hz());
		atomic_store(&watched, (int)pid);
		wait_with_limit(pid, &e);
	}
	/* Its processes are gone (or lost); what it reported is final. */
	ts_serve_stop(&e);
	uint64_t ticks = t_now() - start;
	if (atomic_load(&kill_error)) {
		snprintf(detail_text, sizeof detail_text,
		         "timed out and the pager refused to end its processes (error %d)",
		         atomic_load(&kill_error));
		e.how = TS_END_LOST;
		e.detail = detail_text;
	}
	if (e.how != TS_END_LOST) {
		if (ts_accounting_take(&after) < 0) {
			snprintf(reason, len, "the pager gave no accounting after the test");
			e.how = TS_END_LOST;
			ts_serve_record(index, &e, false, ticks, &before, NULL);
			return false;
		}
		e.leaked = !ts_accounting_same(&before, &after, leak_text, sizeof leak_text);
		/* On several CPUs the pager may still be tearing down a process that
		 * was just reaped (its objects go back from another worker), and
		 * the end of a process that held external regions includes calls to
		 * their pager (dirty pages, region_closed), each allowed the
		 * extregion time limit (5 s) on a loaded host: give the numbers up
		 * to 10 s to settle. A real leak never does; a test without one
		 * pays nothing for the wait. */
		for (uint64_t until = t_now() + 10 * t_hz(); e.leaked && t_now() < until;) {
			sched_yield();
			if (ts_accounting_take(&after) < 0)
				break;
			e.leaked =
			    !ts_accounting_same(&before, &after, leak_text, sizeof leak_text);
		}
		e.leak = leak_text;
	}
	passed = ts_verdict(&e, reason, len);
	ts_serve_record(index, &e, passed, ticks, &before, e.how == TS_END_LOST ? NULL : &after);
	return passed;
}
