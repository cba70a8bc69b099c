/*
 * Helpers for in-system test programs (test/programs, EXTRA_TEST_DIRS): a
 * test is a program whose exit status is its verdict (0 = pass). These
 * helpers print what went wrong, with file and line, and exit 1; run a
 * dangerous step in a child and check that the pager killed it; make page
 * patterns and check them; read the pager's counters.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <faultline/process.h>

#include "tsclient.h"

#define T_PAGE 4096UL

/* The stack region's growth limit (docs/pager.md). */
#define T_STACK_LIMIT (8UL << 20)

/* Print "file:line: message" and end the test with status 1. */
void t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

/* Fail the test unless cond holds; the message names the condition. */
#define T_ASSERT(cond)                                                                             \
	do {                                                                                       \
		if (!(cond))                                                                       \
			t_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);                 \
	} while (0)

/* Fail the test unless cond holds, with a printf-style message. */
#define T_ASSERTF(cond, ...)                                                                       \
	do {                                                                                       \
		if (!(cond))                                                                       \
			t_fail(__FILE__, __LINE__, __VA_ARGS__);                                   \
	} while (0)

/* fork, failing the test if it cannot. */
pid_t t_fork(void);

/* Wait for child pid; fail unless it exited by itself with status 0. */
void t_wait_ok(pid_t pid);

/* Wait for child pid; fail unless the pager killed it. what says what the
 * child did, for the message. */
void t_wait_killed(pid_t pid, const char *what);

/* Run fn(arg) in a child process and fail unless the pager kills the child
 * (fn returning means it was not killed). */
void t_expect_killed(void (*fn)(void *arg), void *arg, const char *what);

/* The pager's whole-system counters; fails the test if they cannot be read. */
struct fl_pager_stats t_stats(void);

/* Frames of the calling process, and how many of them are COW-shared. */
void t_my_frames(uint64_t *frames, uint64_t *cow_shared);

/* COW copies the pager made for the calling process since it began (not
 * moved by other processes' copies, unlike t_stats().cow_copies). */
uint64_t t_my_copies(void);

/* npages fresh pages from the heap, page-aligned (sbrk; never malloc'd). */
void *t_pages(size_t npages);

/* The word the pattern seed puts at word w of page p. */
static inline uint64_t t_word(uint64_t seed, size_t p, size_t w)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + p * 0x100000001b3ULL + w;

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL;
}

/* Fill npages pages at base with the pattern of seed (every word). */
void t_fill(void *base, size_t npages, uint64_t seed);

/* Fill only the first word of pages first..first+npages-1 counted from base
 * (cheap: one write fault per page). */
void t_fill_first(void *base, size_t first, size_t npages, uint64_t seed);

/* Check the pattern of t_fill; fail the test with the first wrong word. */
void t_check(const void *base, size_t npages, uint64_t seed, const char *what);

/* Check the pattern of t_fill_first over pages first..first+npages-1. */
void t_check_first(const void *base, size_t first, size_t npages, uint64_t seed, const char *what);

/* The generic counter (CNTVCT_EL0, readable at EL0: the kernel sets
 * CNTKCTL_EL1.EL0VCTEN) and its frequency (CNTFRQ_EL0, as firmware set it). */
uint64_t t_now(void);
uint64_t t_hz(void);

/*
 * Let others run for about us microseconds: sched_yield until the counter
 * has moved that far. The kernel has no timed sleep; pausing between polls
 * of the pager keeps a waiting process from flooding the pager with calls
 * (on a CPU of its own, sched_yield returns at once).
 */
void t_pause(unsigned us);

/*
 * Yield until the pager's cow_copies counter reaches at least target, or
 * seconds pass; returns whether it did. A process uses it to wait until
 * another process has done its writes (processes share no memory after a
 * COW fork, but they share the pager's counters).
 */
bool t_wait_copies(uint64_t target, unsigned seconds);

/* The value of bootarg key=value among argv (as the test server passes the
 * bootargs on), or NULL. */
const char *t_arg(int argc, char **argv, const char *key);

#endif
