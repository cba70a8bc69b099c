/*
 * testserver: the in-system test server. The pager starts it at boot with
 * the bootargs as arguments; it runs every selected test program of the
 * boot archive, one process each, prints
 *
 *     RUN name
 *     PASS name | FAIL name: reason
 *     ...
 *     N passed, N failed
 *
 * and asks the pager to power the machine off. docs/testing.md has the
 * whole contract; tools/qemu/console.py reads these lines.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/process.h>

#include "runner.h"

static char reason[TS_REASON_MAX];
static char *test_argv[FL_SPAWN_ARGC_MAX + 1];

/*
 * Touch the stack the run loop will use, so that its first use during a
 * test does not count as frames the test took (the accounting check sees
 * every frame of the system, the test server's too).
 */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char pad[16384];

	for (size_t i = 0; i < sizeof pad; i += 512)
		pad[i] = 0;
}

/* Print the summary line, power off, and return the exit status. */
static int finish(unsigned passed, unsigned failed)
{
	printf("%u passed, %u failed\n", passed, failed);
	fflush(stdout);
	if (fl_poweroff() < 0)
		printf("testserver: the pager refused to power off\n");
	fflush(stdout);
	return failed ? 1 : 0;
}

/*
 * Build the argv every test gets: its name, then the test server's own
 * arguments (the bootargs), as many as spawn takes.
 */
static void build_argv(const char *name, int argc, char **argv)
{
	int n = 0;

	test_argv[n++] = (char *)name;
	for (int i = 1; i < argc && n < FL_SPAWN_ARGC_MAX; i++)
		test_argv[n++] = argv[i];
	test_argv[n] = NULL;
}

int main(int argc, char **argv)
{
	struct ts_options o;
	unsigned selected = 0, passed = 0, failed = 0;

	if (ts_options_parse(argc, argv, &o, reason, sizeof reason) < 0) {
		printf("FAIL options: %s\n", reason);
		return finish(0, 1);
	}
	for (unsigned i = 0; i < ts_ntests; i++)
		selected += ts_wanted(&o, ts_tests[i]);
	if (selected == 0) {
		printf("FAIL tests: no test matches '%s'%s%s%s (%u tests in the image)\n", o.tests,
		       o.skip[0] ? " but not '" : "", o.skip, o.skip[0] ? "'" : "", ts_ntests);
		return finish(0, 1);
	}
	printf("testserver: %u of %u tests, time limit %us each\n", selected, ts_ntests,
	       ts_time_limit(&o));
	if (ts_serve_start(argc, argv, &o, reason, sizeof reason) < 0) {
		printf("FAIL tests: the test server cannot serve testserver.idl: %s\n", reason);
		return finish(0, 1);
	}
	if (ts_watchdog_start() < 0) {
		printf("FAIL tests: the test server cannot start its watchdog thread\n");
		return finish(0, 1);
	}
	warm_stack();
	for (unsigned i = 0; i < ts_ntests; i++) {
		const char *name = ts_tests[i];

		if (!ts_wanted(&o, name))
			continue;
		printf("RUN %s\n", name);
		fflush(stdout);
		build_argv(name, argc, argv);
		if (ts_run_test(i, test_argv, ts_time_limit(&o), reason, sizeof reason)) {
			printf("PASS %s\n", name);
			passed++;
		} else {
			printf("FAIL %s: %s\n", name, reason);
			failed++;
		}
		fflush(stdout);
	}
	return finish(passed, failed);
}
