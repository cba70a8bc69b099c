/*
 * Helpers for the external-pager tests: start an external pager, attach a
 * region to it once it listens, check a region byte by byte, end the pager.
 */
#ifndef EXTTEST_H
#define EXTTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testlib.h"

/* Where the tests put external regions: far from image, heap and stack. */
#define X_REGION_VA ((char *)0x0000001000000000ULL)

/* Spawn external pager program name with one argument (or none); fails the test if it cannot. */
pid_t x_spawn_pager(const char *name, const char *arg);

/* Attach [va, va + pages * 4K) to server, retrying while it has not yet
 * called extpager_listen (up to 10 s); fails the test otherwise. */
uint64_t x_attach(pid_t server, char *va, size_t pages, bool writable);

/* Fail unless every byte of pages pages at va is pattern_byte(offset). */
void x_check_pattern(const char *va, size_t first_page, size_t pages, const char *what);

/* Fork a child that attaches 4 pages served by server and touches the
 * first; fail unless the default pager kills that child. what describes
 * the server's misbehaviour, for the message. */
void x_expect_toucher_killed(pid_t server, const char *what);

/* Kill external pager pid and reap it (it never ends by itself). */
void x_stop_pager(pid_t pid);

/* A check that the default pager still serves external regions: a fresh
 * pattern pager's region reads correctly, and every process ends. */
void x_pager_still_healthy(void);

/* Spawn argv[0] (argv NULL-terminated) as the caller's child under custom
 * pager process pager, retrying while it has not yet called pk_listen (up
 * to 10 s); fails the test otherwise. */
pid_t x_spawn_paged(pid_t pager, char *const argv[]);

/* Wait for child pid; fail unless it ended with wait status `status`
 * exactly (e.g. W_EXITCODE(0, 0) or a signal number). */
void x_wait_status(pid_t pid, int status, const char *what);

#endif
