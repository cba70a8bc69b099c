/*
 * The test side of idl/testserver.idl: what a test program asks of the test
 * server that runs it (docs/testing.md), over the generated client stubs.
 * Every test process, and every process it forks, holds a send cap to the
 * test server at FL_PROC_CAP_PARENT, badged with the test's pid, so a
 * forked child's reports count for its test too.
 *
 * Run without a test server (a program started by hand), the calls still
 * work: sub-checks are printed here, and a failed one ends the process with
 * status 1; expectations are ignored; no option is found.
 */
#ifndef TSCLIENT_H
#define TSCLIENT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Report sub-check name of this test: passed if ok, else failed with the
 * printf-style reason. The test server prints it under the test's RUN line
 * and counts it; a failed check fails the test however it then ends, but
 * the test goes on (so one run shows every check). Returns ok.
 */
bool t_report(const char *name, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report sub-check name as passed. */
void t_pass(const char *name);

/* Report sub-check name, passed if cond holds, else failed naming the
 * condition, the file and the line. */
#define T_CHECK(name, cond) t_report((name), (cond), "%s:%d: %s", __FILE__, __LINE__, #cond)

/* Declare that this test ends by exiting with status (0..255), not 0. */
void t_expect_exit(int status);

/* Declare that the pager kills this test's process with signal (1..126;
 * 0: any), and that this is its pass. */
void t_expect_signal(int signal);

/* The value of bootarg key (key=value; "" for a bare word), from the test
 * server; NULL if there is none (or no test server). The value stays until
 * the next call. */
const char *t_option(const char *key);

/* The cptr of this process's cap to the test server (FL_PROC_CAP_PARENT). */
uint64_t t_server(void);

#endif
