/*
 * The test server's side of idl/testserver.idl: a service thread that
 * answers the test programs while they run, and the table of results it
 * answers from.
 *
 * The endpoint comes from pager.children_listen, so every test the test
 * server spawns (and every process a test forks) holds a send cap to it,
 * badged with the test's pid. The main thread blocks in waitpid while a test
 * runs and the watchdog keeps the time limit (runner.c); this third thread
 * blocks in Recv on the endpoint and serves each message through the
 * generated dispatch, which answers a malformed one itself: a handler here
 * only ever sees well-formed arguments.
 *
 * ts_lock protects records[], running and running_pid. The main thread
 * sets running before spawn and running_pid after it; a message from the
 * new test can arrive in between (it runs as soon as the pager starts it),
 * so a handler that must know who is calling waits, lock dropped, until the
 * pid is known. A test's Call returns only after its handler ran, so
 * everything a test reported before it exited is in its record when the
 * main thread reaps it; a message from a process of an earlier test
 * (an orphan it did not wait for) is refused with not_running.
 *
 * Like the rest of the test server, this thread touches no new memory while
 * a test runs (the accounting check would count it as the test's): the
 * table is static and written whole at start, and the thread's stack is
 * touched before the first test.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <faultline/ipc.h>
#include <faultline/process.h>

#include "pager.h"
#include "runner.h"
#include "testserver.h"

extern _Thread_local fl_cptr_t fl_pager_cap; /* the runtime's pager cap */

/* The outcome values are the IDL's. */
_Static_assert((int)TS_OUTCOME_PASSED == (int)TESTSERVER_OUTCOME_PASSED &&
                   (int)TS_OUTCOME_FAILED == (int)TESTSERVER_OUTCOME_FAILED &&
                   (int)TS_OUTCOME_TIMED_OUT == (int)TESTSERVER_OUTCOME_TIMED_OUT &&
                   (int)TS_OUTCOME_LEAKED == (int)TESTSERVER_OUTCOME_LEAKED &&
                   (int)TS_OUTCOME_PENDING == (int)TESTSERVER_OUTCOME_PENDING &&
                   (int)TS_OUTCOME_RUNNING == (int)TESTSERVER_OUTCOME_RUNNING &&
                   (int)TS_OUTCOME_SKIPPED == (int)TESTSERVER_OUTCOME_SKIPPED,
               "core.h's ts_outcome must match testserver.idl's outcome");

#define FAILURE_MAX (TESTSERVER_NAME_MAX + 2 + TESTSERVER_REASON_MAX + 1)

/* What the test server knows of one test (testserver.result, and expect). */
struct record {
	enum ts_outcome outcome;
	int32_t exit_status;
	uint32_t signal;
	uint64_t ticks;
	uint32_t checks_passed, checks_failed;
	int64_t frames_leaked, swap_slots_leaked;
	enum ts_expect_how expect;
	int expect_value;
	char first_failure[FAILURE_MAX]; /* "name: reason" of the first failed check */
};

static atomic_flag ts_lock = ATOMIC_FLAG_INIT;
static struct record records[TS_TESTS_MAX];
static int running = -1;               /* index of the test under way, -1: none */
static int64_t running_pid;            /* its pid; 0 while spawn is under way, -1 if it failed */
static char stop_failure[FAILURE_MAX]; /* ts_serve_stop's copy for the verdict */

static fl_cptr_t endpoint, reply_obj;
static int opt_argc;
static char *const *opt_argv;
static atomic_bool serving;

static void lock(void)
{
	while (atomic_flag_test_and_set_explicit(&ts_lock, memory_order_acquire))
		sched_yield();
}

static void unlock(void)
{
	atomic_flag_clear_explicit(&ts_lock, memory_order_release);
}

/*
 * The index of the running test if badge is its pid, else -1. While its
 * spawn is under way (pid not yet known) wait for it. Caller holds ts_lock;
 * it is held again on return.
 */
static int caller_test(uint64_t badge)
{
	while (running >= 0 && running_pid == 0) {
		unlock();
		sched_yield();
		lock();
	}
	if (running < 0 || running_pid <= 0 || badge != (uint64_t)running_pid)
		return -1;
	return running;
}

static int on_count(void *ctx, uint64_t badge, uint32_t *count)
{
	(void)ctx;
	(void)badge;
	*count = ts_ntests;
	return 0;
}

static int on_name(void *ctx, uint64_t badge, uint32_t index, char name[TESTSERVER_NAME_MAX + 1])
{
	(void)ctx;
	(void)badge;
	if (index >= ts_ntests)
		return TESTSERVER_E_NO_SUCH_TEST;
	/* Test names are at most 31 characters (test/programs/CMakeLists.txt). */
	strncpy(name, ts_tests[index], TESTSERVER_NAME_MAX);
	name[TESTSERVER_NAME_MAX] = '\0';
	return 0;
}

static int on_result(void *ctx, uint64_t badge, uint32_t index, struct testserver_result *r)
{
	(void)ctx;
	(void)badge;
	if (index >= ts_ntests)
		return TESTSERVER_E_NO_SUCH_TEST;
	lock();
	const struct record *rec = &records[index];
	r->outcome = (enum testserver_outcome)rec->outcome;
	r->exit_status = rec->exit_status;
	r->signal = rec->signal;
	r->ticks = rec->ticks;
	r->checks_passed = rec->checks_passed;
	r->checks_failed = rec->checks_failed;
	r->frames_leaked = rec->frames_leaked;
	r->swap_slots_leaked = rec->swap_slots_leaked;
	unlock();
	return 0;
}

/* testserver.check: count it and print it under the running test. */
static int on_check(void *ctx, uint64_t badge, const char *name, bool ok, const char *reason)
{
	(void)ctx;
	lock();
	int i = caller_test(badge);
	if (i < 0) {
		unlock();
		return TESTSERVER_E_NOT_RUNNING;
	}
	struct record *rec = &records[i];
	if (ok) {
		rec->checks_passed++;
	} else if (rec->checks_failed++ == 0) {
		snprintf(rec->first_failure, sizeof rec->first_failure, "%s: %s", name, reason);
	}
	unlock();
	/* Indented: not a RUN/PASS/FAIL line of the console contract. */
	if (ok)
		printf("  check %s: ok\n", name);
	else
		printf("  check %s: FAILED: %s\n", name, reason);
	fflush(stdout);
	return 0;
}

static int on_expect(void *ctx, uint64_t badge, enum testserver_expectation how, int32_t value)
{
	(void)ctx;
	if (how == TESTSERVER_EXPECTATION_EXIT_STATUS ? value < 0 || value > 255
	                                              : value < 0 || value > 126)
		return TESTSERVER_E_BAD_VALUE;
	lock();
	int i = caller_test(badge);
	if (i >= 0) {
		records[i].expect =
		    how == TESTSERVER_EXPECTATION_KILLED ? TS_EXPECT_KILLED : TS_EXPECT_EXIT;
		records[i].expect_value = value;
	}
	unlock();
	return i < 0 ? TESTSERVER_E_NOT_RUNNING : 0;
}

static int on_option(void *ctx, uint64_t badge, const char *key,
                     char value[TESTSERVER_VALUE_MAX + 1])
{
	(void)ctx;
	(void)badge;
	int r = ts_bootarg(opt_argc, opt_argv, key, value, TESTSERVER_VALUE_MAX + 1);
	if (r == -1)
		return TESTSERVER_E_NO_SUCH_OPTION;
	return r == -2 ? TESTSERVER_E_BAD_VALUE : 0;
}

static int on_current(void *ctx, uint64_t badge, uint32_t *index)
{
	(void)ctx;
	lock();
	int i = caller_test(badge);
	unlock();
	if (i < 0)
		return TESTSERVER_E_NOT_RUNNING;
	*index = (uint32_t)i;
	return 0;
}

static const struct testserver_handlers handlers = {
    .count = on_count,
    .name = on_name,
    .result = on_result,
    .check = on_check,
    .expect = on_expect,
    .option = on_option,
    .current = on_current,
};

/* Touch the stack this thread will use, before the first test. */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char pad[16384];

	for (size_t i = 0; i < sizeof pad; i += 512)
		pad[i] = 0;
}

/* The service thread: receive, dispatch, reply, forever. */
static void *serve(void *arg)
{
	struct fl_msg m = {0};

	(void)arg;
	warm_stack();
	atomic_store(&serving, true);
	fl_recv(endpoint, reply_obj, &m);
	for (;;) {
		int r = FL_IDL_NO_REPLY;

		if (!fl_msginfo_is_error(m.info))
			r = testserver_dispatch(&handlers, NULL, &m);
		if (r == FL_IDL_REPLY)
			fl_reply_recv(endpoint, reply_obj, &m);
		else
			fl_recv(endpoint, reply_obj, &m);
	}
	return NULL;
}

/*
 * Get the endpoint from the pager, fill the table (every test pending if
 * wanted by o, else skipped) and start the service thread; option reads
 * argv[1..argc), which must stay. Caller: main, before the first test.
 * 0, or -1 with a message in err.
 */
int ts_serve_start(int argc, char *const argv[], const struct ts_options *o, char *err,
                   size_t errlen)
{
	uint64_t ep, reply;
	pthread_t t;
	int e;

	if (ts_ntests > TS_TESTS_MAX) {
		snprintf(err, errlen, "%u tests, the test server holds at most %d", ts_ntests,
		         TS_TESTS_MAX);
		return -1;
	}
	if ((e = pager_children_listen(fl_pager_cap, &ep, &reply)) != 0) {
		snprintf(err, errlen, "pager.children_listen failed (error %d)", e);
		return -1;
	}
	endpoint = ep;
	reply_obj = reply;
	opt_argc = argc;
	opt_argv = argv;
	memset(records, 0, sizeof records);
	memset(stop_failure, 0, sizeof stop_failure);
	for (unsigned i = 0; i < ts_ntests; i++)
		records[i].outcome =
		    ts_wanted(o, ts_tests[i]) ? TS_OUTCOME_PENDING : TS_OUTCOME_SKIPPED;
	if (pthread_create(&t, NULL, serve, NULL)) {
		snprintf(err, errlen, "cannot start the service thread");
		return -1;
	}
	while (!atomic_load(&serving))
		sched_yield();
	return 0;
}

/* Test index is about to be spawned: its record starts afresh. */
void ts_serve_begin(unsigned index)
{
	lock();
	struct record *rec = &records[index];
	memset(rec, 0, sizeof *rec);
	rec->outcome = TS_OUTCOME_RUNNING;
	running = (int)index;
	running_pid = 0;
	unlock();
}

/* The spawn of the running test returned pid (< 0: it failed). */
void ts_serve_spawned(pid_t pid)
{
	lock();
	running_pid = pid > 0 ? pid : -1;
	unlock();
}

/*
 * The running test has been reaped: from now on its processes are refused.
 * Its expectation and failed checks go into e (first_failure points to a
 * copy that stays until the next stop).
 */
void ts_serve_stop(struct ts_end *e)
{
	lock();
	if (running >= 0) {
		const struct record *rec = &records[running];
		e->expect = rec->expect;
		e->expect_value = rec->expect_value;
		e->checks_failed = rec->checks_failed;
		memcpy(stop_failure, rec->first_failure, sizeof stop_failure);
		e->first_failure = stop_failure;
	}
	running = -1;
	running_pid = 0;
	unlock();
}

/* Record how test index ended (e, its verdict passed, ticks from spawn to
 * reap, the accounting before and after; after may be NULL if not taken). */
void ts_serve_record(unsigned index, const struct ts_end *e, bool passed, uint64_t ticks,
                     const struct ts_accounting *before, const struct ts_accounting *after)
{
	lock();
	struct record *rec = &records[index];
	rec->outcome = ts_outcome_of(e, passed);
	rec->exit_status = e->how == TS_END_EXITED ? e->code : 0;
	rec->signal = e->how == TS_END_KILLED ? (uint32_t)e->code : 0;
	rec->ticks = ticks;
	if (after && e->leaked) {
		rec->frames_leaked = (int64_t)(before->frames_free - after->frames_free);
		rec->swap_slots_leaked =
		    (int64_t)(after->swap_slots_used - before->swap_slots_used);
	}
	unlock();
}
