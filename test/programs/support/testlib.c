/*
 * The test helpers of testlib.h. Every failure goes to the console as one
 * line "file:line: what" (the test server prints the test's FAIL line after
 * it) and ends the process with status 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	const char *base = strrchr(file, '/');

	printf("%s:%d: ", base ? base + 1 : file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

pid_t t_fork(void)
{
	pid_t pid = fork();

	T_ASSERTF(pid >= 0, "fork failed: %s", strerror(errno));
	return pid;
}

/* waitpid for pid, failing the test if the pager says no. */
static int wait_status(pid_t pid)
{
	int status = 0;
	pid_t r = waitpid(pid, &status, 0);

	T_ASSERTF(r == pid, "waitpid(%d) returned %d: %s", (int)pid, (int)r, strerror(errno));
	return status;
}

void t_wait_ok(pid_t pid)
{
	int status = wait_status(pid);

	T_ASSERTF(!WIFSIGNALED(status), "child %d was killed (signal %d)", (int)pid,
	          WTERMSIG(status));
	T_ASSERTF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d exited with status %d",
	          (int)pid, WEXITSTATUS(status));
}

void t_wait_killed(pid_t pid, const char *what)
{
	int status = wait_status(pid);

	T_ASSERTF(WIFSIGNALED(status) && WTERMSIG(status) == FL_KILLED_SIGNAL,
	          "a child that %s should be killed by the pager, but it %s %d", what,
	          WIFSIGNALED(status) ? "got signal" : "exited with status",
	          WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

void t_expect_killed(void (*fn)(void *arg), void *arg, const char *what)
{
	pid_t pid = t_fork();

	if (pid == 0) {
		fn(arg);
		printf("child that %s was not stopped\n", what);
		exit(0);
	}
	t_wait_killed(pid, what);
}

struct fl_pager_stats t_stats(void)
{
	struct fl_pager_stats s;

	T_ASSERTF(fl_pager_stats(&s) == 0, "fl_pager_stats failed");
	return s;
}

void t_my_frames(uint64_t *frames, uint64_t *cow_shared)
{
	T_ASSERTF(fl_process_frames(0, frames, cow_shared) == 0, "fl_process_frames(0) failed: %s",
	          strerror(errno));
}

uint64_t t_my_copies(void)
{
	uint64_t n = 0;

	T_ASSERTF(fl_process_copies(0, &n) == 0, "fl_process_copies(0) failed: %s",
	          strerror(errno));
	return n;
}

void *t_pages(size_t npages)
{
	uintptr_t brk = (uintptr_t)sbrk(0);
	size_t pad = (T_PAGE - (brk & (T_PAGE - 1))) & (T_PAGE - 1);
	void *p;

	T_ASSERTF(brk != (uintptr_t)-1, "sbrk(0) failed");
	p = sbrk((intptr_t)(pad + npages * T_PAGE));
	T_ASSERTF(p != (void *)-1, "sbrk for %zu pages failed: %s", npages, strerror(errno));
	return (char *)p + pad;
}

void t_fill(void *base, size_t npages, uint64_t seed)
{
	uint64_t *w = base;

	for (size_t p = 0; p < npages; p++)
		for (size_t i = 0; i < T_PAGE / 8; i++)
			w[p * (T_PAGE / 8) + i] = t_word(seed, p, i);
}

void t_fill_first(void *base, size_t first, size_t npages, uint64_t seed)
{
	volatile uint64_t *w = base;

	for (size_t p = first; p < first + npages; p++)
		w[p * (T_PAGE / 8)] = t_word(seed, p, 0);
}

void t_check(const void *base, size_t npages, uint64_t seed, const char *what)
{
	const uint64_t *w = base;

	for (size_t p = 0; p < npages; p++)
		for (size_t i = 0; i < T_PAGE / 8; i++) {
			uint64_t want = t_word(seed, p, i);
			uint64_t got = w[p * (T_PAGE / 8) + i];

			T_ASSERTF(got == want, "%s: page %zu word %zu is %#llx, want %#llx", what,
			          p, i, (unsigned long long)got, (unsigned long long)want);
		}
}

void t_check_first(const void *base, size_t first, size_t npages, uint64_t seed, const char *what)
{
	const volatile uint64_t *w = base;

	for (size_t p = first; p < first + npages; p++) {
		uint64_t want = t_word(seed, p, 0);
		uint64_t got = w[p * (T_PAGE / 8)];

		T_ASSERTF(got == want, "%s: page %zu is %#llx, want %#llx", what, p,
		          (unsigned long long)got, (unsigned long long)want);
	}
}

uint64_t t_now(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

uint64_t t_hz(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

void t_pause(unsigned us)
{
	uint64_t end = t_now() + t_hz() * us / 1000000;

	while (t_now() < end)
		sched_yield();
}

bool t_wait_copies(uint64_t target, unsigned seconds)
{
	uint64_t end = t_now() + (uint64_t)seconds * t_hz();

	while (t_stats().cow_copies < target) {
		if (t_now() >= end)
			return false;
		t_pause(1000);
	}
	return true;
}

const char *t_arg(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}
