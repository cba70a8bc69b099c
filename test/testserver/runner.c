/*
 * Run one test program: spawn it as a child of the test server, wait for it
 * with a time limit, kill it if the limit runs out, then compare the pager's
 * accounting with the snapshot taken before it started.
 *
 * The kernel has no timed wait, so the test server polls: waitpid with
 * WNOHANG every POLL_US, and in between sched_yield (so that the test, on
 * -smp 1 on this very CPU, gets the processor) while watching the generic
 * counter, which EL0 reads without a kernel call. Polling the pager in a
 * tight loop instead would keep a pager worker busy with the test server's
 * calls and slow the very test it waits for.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <faultline/process.h>

#include "runner.h"
#include "testlib.h"

/* Microseconds between two looks at the child. */
#define POLL_US 5000

static char leak_text[TS_REASON_MAX];
static char detail_text[TS_REASON_MAX];

/*
 * Wait for child pid until deadline (counter ticks); fill e with how it
 * ended. A child still running at the deadline is killed and reaped.
 */
static void wait_with_limit(pid_t pid, uint64_t deadline, struct ts_end *e)
{
	int status = 0;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0) {
			snprintf(detail_text, sizeof detail_text, "waitpid(%d): %s", (int)pid,
			         strerror(errno));
			e->how = TS_END_LOST;
			e->detail = detail_text;
			return;
		}
		if (t_now() >= deadline) {
			e->how = TS_END_TIMED_OUT;
			if (kill(pid, SIGKILL) < 0 || waitpid(pid, &status, 0) != pid) {
				snprintf(detail_text, sizeof detail_text,
				         "timed out and could not be killed: %s", strerror(errno));
				e->how = TS_END_LOST;
				e->detail = detail_text;
			}
			return;
		}
		t_pause(POLL_US);
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
 * Run test program name with argv and limit_s seconds; returns whether it
 * passed, and if not, the reason in reason[len]. The caller must not touch
 * memory it has not touched before while a test runs (the accounting
 * snapshots would count it as the test's).
 */
bool ts_run_test(const char *name, char *const argv[], unsigned limit_s, char *reason, size_t len)
{
	struct ts_accounting before, after;
	struct ts_end e = {.limit_s = limit_s};
	pid_t pid;

	if (ts_accounting_take(&before) < 0) {
		snprintf(reason, len, "the pager gave no accounting before the test");
		return false;
	}
	pid = spawn(name, argv);
	if (pid < 0) {
		snprintf(detail_text, sizeof detail_text, "spawn: %s", strerror(errno));
		e.how = TS_END_SPAWN_FAILED;
		e.detail = detail_text;
	} else {
		wait_with_limit(pid, t_now() + (uint64_t)limit_s * t_hz(), &e);
	}
	if (e.how != TS_END_LOST) {
		if (ts_accounting_take(&after) < 0) {
			snprintf(reason, len, "the pager gave no accounting after the test");
			return false;
		}
		e.leaked = !ts_accounting_same(&before, &after, leak_text, sizeof leak_text);
		e.leak = leak_text;
	}
	return ts_verdict(&e, reason, len);
}
