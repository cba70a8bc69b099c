/*
 * The target-side half of the test server: running one test program as a
 * process of its own under a time limit (kept by a watchdog thread on the
 * generic counter, t_now/t_hz of the test helpers), and snapshots of the
 * pager's accounting.
 */
#ifndef TESTSERVER_RUNNER_H
#define TESTSERVER_RUNNER_H

#include <stdint.h>
#include <sys/types.h>

#include "core.h"

/* accounting.c */
int ts_accounting_take(struct ts_accounting *a);

/* runner.c */
int ts_watchdog_start(void);
bool ts_run_test(unsigned index, char *const argv[], unsigned limit_s, char *reason, size_t len);

/* serve.c: idl/testserver.idl, served to the tests while they run */
int ts_serve_start(int argc, char *const argv[], const struct ts_options *o, char *err,
                   size_t errlen);
void ts_serve_begin(unsigned index);
void ts_serve_spawned(pid_t pid);
void ts_serve_stop(struct ts_end *e);
void ts_serve_record(unsigned index, const struct ts_end *e, bool passed, uint64_t ticks,
                     const struct ts_accounting *before, const struct ts_accounting *after);

#endif
