/*
 * The test server's protocol (idl/testserver.idl), every method through the
 * generated stubs, as a test program sees it: count, name, current, result,
 * check (from this process, a forked child and a spawned child, all counted
 * for this test), expect, option; the errors (no_such_test, bad_value,
 * no_such_option); and malformed messages sent raw (an over-long string, an
 * unused method id, a short message), which the generated dispatch answers
 * with its own error without reaching a handler: the check count does not
 * move. If testserver_expect_killed ran before it, its record must say it
 * passed by the kill it declared.
 */
#include <string.h>

#include <faultline/ipc.h>

#include "testlib.h"
#include "testserver.h"

static fl_cptr_t ts;

/* This test's record, failing the test if it cannot be read. */
static struct testserver_result mine(uint32_t me)
{
	struct testserver_result r;
	int err = testserver_result(ts, me, &r);

	T_ASSERTF(err == 0, "result(%u) answered %d", me, err);
	return r;
}

/* Send a raw request: label, words words (word 0 = w0, the rest 0). Returns
 * the reply label; *mr0 gets the reply's first word. */
static uint64_t raw_call(uint64_t label, unsigned words, uint64_t w0, uint64_t *mr0)
{
	struct fl_msg m = {0};

	m.info = fl_msginfo(label, words, 0);
	for (unsigned k = 0; k < words; k++)
		fl_idl_set(&m, fl_ipc_buffer(), k, k == 0 ? w0 : 0);
	fl_call(ts, &m);
	T_ASSERTF(!fl_msginfo_is_error(m.info), "the kernel refused the raw call: %llu",
	          (unsigned long long)fl_msginfo_label(m.info));
	*mr0 = m.mr[0];
	return fl_msginfo_label(m.info);
}

/* Names, indexes, results of the other tests. */
static void test_list(uint32_t n, uint32_t me)
{
	char name[TESTSERVER_NAME_MAX + 1], other[TESTSERVER_NAME_MAX + 1];
	struct testserver_result r;

	for (uint32_t i = 0; i < n; i++) {
		T_ASSERT(testserver_name(ts, i, name) == 0);
		T_ASSERTF(name[0] != '\0', "test %u has an empty name", i);
		for (uint32_t j = 0; j < i; j++) {
			T_ASSERT(testserver_name(ts, j, other) == 0);
			T_ASSERTF(strcmp(name, other) != 0, "tests %u and %u are both %s", j, i,
			          name);
		}
		T_ASSERT(testserver_result(ts, i, &r) == 0);
		if (i == me)
			continue;
		/* Tests run in index order, one at a time. */
		if (i < me)
			T_ASSERTF(r.outcome != TESTSERVER_OUTCOME_PENDING &&
			              r.outcome != TESTSERVER_OUTCOME_RUNNING,
			          "%s, before this test, is %d", name, (int)r.outcome);
		else
			T_ASSERTF(r.outcome == TESTSERVER_OUTCOME_PENDING ||
			              r.outcome == TESTSERVER_OUTCOME_SKIPPED,
			          "%s, after this test, is %d", name, (int)r.outcome);
		if (r.outcome == TESTSERVER_OUTCOME_PASSED ||
		    r.outcome == TESTSERVER_OUTCOME_FAILED)
			T_ASSERTF(r.ticks > 0, "%s ended but took 0 ticks", name);
		if (strcmp(name, "testserver_expect_killed") == 0 &&
		    r.outcome != TESTSERVER_OUTCOME_SKIPPED)
			T_ASSERTF(
			    r.outcome == TESTSERVER_OUTCOME_PASSED && r.signal == 11 &&
			        r.exit_status == 0 && r.checks_passed == 1 && r.checks_failed == 0,
			    "testserver_expect_killed: outcome %d signal %u status %d checks %u/%u",
			    (int)r.outcome, r.signal, r.exit_status, r.checks_passed,
			    r.checks_failed);
	}
	T_ASSERT(testserver_name(ts, n, name) == TESTSERVER_E_NO_SUCH_TEST);
	T_ASSERT(testserver_name(ts, 0xffffffffu, name) == TESTSERVER_E_NO_SUCH_TEST);
	T_ASSERT(testserver_result(ts, n, &r) == TESTSERVER_E_NO_SUCH_TEST);
}

/* Every key=value word of argv (the bootargs) reads back through option. */
static void test_options(int argc, char **argv)
{
	char value[TESTSERVER_VALUE_MAX + 1], key[TESTSERVER_KEY_MAX + 1];
	int seen = 0;

	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq || strchr(argv[i], ' ') || (size_t)(eq - argv[i]) > TESTSERVER_KEY_MAX)
			continue;
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		/* The last word with this key counts. */
		const char *want = t_arg(argc, argv, key);
		for (int j = i + 1; j < argc; j++)
			if (strncmp(argv[j], key, strlen(key)) == 0 && argv[j][strlen(key)] == '=')
				want = argv[j] + strlen(key) + 1;
		if (strlen(want) > TESTSERVER_VALUE_MAX)
			continue;
		int err = testserver_option(ts, key, value);
		T_ASSERTF(err == 0 && strcmp(value, want) == 0, "option(%s): %d '%s', want '%s'",
		          key, err, err ? "" : value, want);
		seen++;
	}
	t_report("option reads every key=value bootarg", true, "%d words", seen);
	T_ASSERT(testserver_option(ts, "no.such.option.here", value) ==
	         TESTSERVER_E_NO_SUCH_OPTION);
	T_ASSERT(testserver_option(ts, "", value) == TESTSERVER_E_NO_SUCH_OPTION);
	T_ASSERT(t_option("no.such.option.here") == NULL);
}

/* Malformed requests: the dispatch answers, no handler runs. */
static void test_malformed(uint32_t me)
{
	uint32_t before = mine(me).checks_passed;
	char long_name[TESTSERVER_NAME_MAX + 2];
	uint64_t mr0;

	/* The stub refuses an over-long string without sending it... */
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	T_ASSERT(testserver_check(ts, long_name, true, "") == FL_IDL_E_BAD_ARGUMENT);
	/* ...and so does the dispatch when one arrives anyway: parameter 0
	 * (name) says its length is NAME_MAX + 1. */
	T_ASSERT(raw_call(TESTSERVER_CHECK_LABEL, TESTSERVER_CHECK_REQUEST_WORDS,
	                  TESTSERVER_NAME_MAX + 1, &mr0) == FL_IDL_E_BAD_ARGUMENT);
	T_ASSERTF(mr0 == 0, "bad argument index %llu, want 0 (name)", (unsigned long long)mr0);
	/* A short message. */
	T_ASSERT(raw_call(TESTSERVER_CHECK_LABEL, TESTSERVER_CHECK_REQUEST_WORDS - 1, 1, &mr0) ==
	         FL_IDL_E_BAD_LENGTH);
	/* Ordinal 3 is unused (the draft's run), 9 not yet given out. */
	T_ASSERT(raw_call((TESTSERVER_INTERFACE_ID << 16) | 3, 0, 0, &mr0) == FL_IDL_E_BAD_METHOD);
	T_ASSERT(raw_call((TESTSERVER_INTERFACE_ID << 16) | 9, 0, 0, &mr0) == FL_IDL_E_BAD_METHOD);
	/* An enum value out of range: expect's expectation. */
	T_ASSERT(raw_call(TESTSERVER_EXPECT_LABEL, TESTSERVER_EXPECT_REQUEST_WORDS, 7, &mr0) ==
	         FL_IDL_E_BAD_ARGUMENT);
	struct testserver_result r = mine(me);
	T_ASSERTF(r.checks_passed == before && r.checks_failed == 0,
	          "a malformed check reached the handler: %u passed (was %u), %u failed",
	          r.checks_passed, before, r.checks_failed);
	t_pass("malformed requests get the dispatch's errors");
}

/* The spawned child's part: it holds the test's cap too (its parent does not
 * listen), so current names the test and its check counts. */
static int spawned_child(void)
{
	uint32_t me;
	char name[TESTSERVER_NAME_MAX + 1];

	T_ASSERT(testserver_current(ts, &me) == 0);
	T_ASSERT(testserver_name(ts, me, name) == 0);
	T_ASSERTF(strcmp(name, "testserver_protocol") == 0, "current names %s", name);
	T_ASSERT(testserver_check(ts, "a spawned child reports", true, "") == 0);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t n, me;
	char name[TESTSERVER_NAME_MAX + 1];

	ts = t_server();
	if (argc == 2 && strcmp(argv[1], "spawned-child") == 0)
		return spawned_child();
	T_ASSERT(testserver_count(ts, &n) == 0);
	T_ASSERTF(n >= 1 && n <= 64, "count says %u tests", n);
	T_ASSERT(testserver_current(ts, &me) == 0);
	T_ASSERTF(me < n, "current %u of %u", me, n);
	T_ASSERT(testserver_name(ts, me, name) == 0);
	T_ASSERTF(strcmp(name, "testserver_protocol") == 0, "current names %s", name);

	struct testserver_result r = mine(me);
	T_ASSERTF(r.outcome == TESTSERVER_OUTCOME_RUNNING && r.checks_passed == 0 &&
	              r.checks_failed == 0 && r.ticks == 0,
	          "own record at start: outcome %d, checks %u/%u, ticks %llu", (int)r.outcome,
	          r.checks_passed, r.checks_failed, (unsigned long long)r.ticks);
	t_pass("current names this test");
	T_ASSERT(mine(me).checks_passed == 1);

	test_list(n, me);
	t_pass("count, name and result agree");

	/* A forked child speaks for the test too. */
	pid_t pid = t_fork();
	if (pid == 0) {
		T_ASSERT(testserver_check(ts, "a forked child reports", true, "") == 0);
		exit(0);
	}
	t_wait_ok(pid);
	T_ASSERTF(mine(me).checks_passed == 3, "%u checks passed, want 3 (the child's counted)",
	          mine(me).checks_passed);
	/* So does a spawned one. */
	char *child_argv[] = {"testserver_protocol", "spawned-child", NULL};
	pid = spawn("testserver_protocol", child_argv);
	T_ASSERTF(pid > 0, "spawn of the child failed");
	t_wait_ok(pid);
	T_ASSERTF(mine(me).checks_passed == 4, "%u checks passed, want 4 (the spawned child's)",
	          mine(me).checks_passed);

	/* expect: out-of-range values are refused; a valid one is kept (and
	 * exit status 0, the default, restored last). */
	T_ASSERT(testserver_expect(ts, TESTSERVER_EXPECTATION_EXIT_STATUS, 256) ==
	         TESTSERVER_E_BAD_VALUE);
	T_ASSERT(testserver_expect(ts, TESTSERVER_EXPECTATION_EXIT_STATUS, -1) ==
	         TESTSERVER_E_BAD_VALUE);
	T_ASSERT(testserver_expect(ts, TESTSERVER_EXPECTATION_KILLED, 127) ==
	         TESTSERVER_E_BAD_VALUE);
	T_ASSERT(testserver_expect(ts, TESTSERVER_EXPECTATION_KILLED, 11) == 0);
	T_ASSERT(testserver_expect(ts, TESTSERVER_EXPECTATION_EXIT_STATUS, 0) == 0);
	t_pass("expect refuses values out of range");

	test_options(argc, argv);
	test_malformed(me);

	r = mine(me);
	T_ASSERTF(r.checks_passed == 7 && r.checks_failed == 0, "checks %u passed, %u failed",
	          r.checks_passed, r.checks_failed);
	return 0;
}
