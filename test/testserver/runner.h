/*
 * The target-side half of the test server: running one test program as a
 * process of its own under a time limit (kept by a watchdog thread on the
 * generic counter, t_now/t_hz of the test helpers), and snapshots of the
 * pager's accounting.
 */
#ifndef TESTSERVER_RUNNER_H
#define TESTSERVER_RUNNER_H

#include <stdint.h>

#include "testserver.h"

/* accounting.c */
int ts_accounting_take(struct ts_accounting *a);

/* runner.c */
int ts_watchdog_start(void);
bool ts_run_test(const char *name, char *const argv[], unsigned limit_s, char *reason, size_t len);

#endif
