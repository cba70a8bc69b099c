/*
 * The test-side client of idl/testserver.idl (tsclient.h): thin wrappers
 * over the generated stubs that turn the protocol's answers into what a
 * test program wants, and fall back to local output without a test server.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/procinfo.h>

#include "testserver.h"
#include "tsclient.h"

uint64_t t_server(void)
{
	return FL_PROC_CAP_PARENT;
}

/* Is err the answer of a process with no test server to talk to (no cap
 * in the slot, or a process left over from a test that has ended)? */
static bool no_server(int err)
{
	return err == TESTSERVER_E_NOT_RUNNING || err >= FL_IDL_E_KERNEL_BASE;
}

bool t_report(const char *name, bool ok, const char *fmt, ...)
{
	char short_name[TESTSERVER_NAME_MAX + 1];
	char reason[TESTSERVER_REASON_MAX + 1];
	va_list ap;

	/* Longer texts are cut to the protocol's bounds (the stub would refuse them). */
	snprintf(short_name, sizeof short_name, "%s", name);
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	/* Whatever the test printed so far comes out before the check's line. */
	fflush(stdout);
	int err = testserver_check(t_server(), short_name, ok, ok ? "" : reason);
	if (err == 0)
		return ok;
	if (!no_server(err))
		printf("t_report: testserver.check answered %d\n", err);
	printf("  check %s: %s%s\n", short_name, ok ? "ok" : "FAILED: ", ok ? "" : reason);
	if (!ok)
		exit(1);
	return ok;
}

void t_pass(const char *name)
{
	t_report(name, true, "%s", "");
}

/* Send an expectation; complain (but go on) if the test server refuses it. */
static void expect(enum testserver_expectation how, int value)
{
	int err = testserver_expect(t_server(), how, value);

	if (err && !no_server(err))
		printf("t_expect: testserver.expect(%d, %d) answered %d\n", (int)how, value, err);
}

void t_expect_exit(int status)
{
	expect(TESTSERVER_EXPECTATION_EXIT_STATUS, status);
}

void t_expect_signal(int signal)
{
	expect(TESTSERVER_EXPECTATION_KILLED, signal);
}

const char *t_option(const char *key)
{
	static char value[TESTSERVER_VALUE_MAX + 1];

	if (strlen(key) > TESTSERVER_KEY_MAX)
		return NULL;
	return testserver_option(t_server(), key, value) == 0 ? value : NULL;
}
