/*
 * Helpers for the external-pager tests (exttest.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <pagerkit/pagerkit.h>

#include "exttest.h"
#include "pattern.h"

pid_t x_spawn_pager(const char *name, const char *arg)
{
	char *argv[3] = {(char *)name, (char *)arg, NULL};
	pid_t pid = spawn(name, argv);

	T_ASSERTF(pid > 0, "spawn(%s): %s", name, strerror(errno));
	return pid;
}

uint64_t x_attach(pid_t server, char *va, size_t pages, bool writable)
{
	uint64_t region = 0, end = t_now() + 10 * t_hz();

	while (pk_attach(server, va, pages * T_PAGE, writable, &region) < 0) {
		T_ASSERTF(errno == ESRCH, "attach to pid %d: %s", (int)server, strerror(errno));
		T_ASSERTF(t_now() < end, "pid %d never started listening", (int)server);
		sched_yield();
	}
	return region;
}

pid_t x_spawn_paged(pid_t pager, char *const argv[])
{
	uint64_t end = t_now() + 10 * t_hz();
	pid_t pid;

	while ((pid = pk_spawn_paged(pager, argv[0], argv)) < 0) {
		T_ASSERTF(errno == ESRCH, "spawn_paged(%s) under pid %d: %s", argv[0], (int)pager,
		          strerror(errno));
		T_ASSERTF(t_now() < end, "pid %d never started listening", (int)pager);
		sched_yield();
	}
	return pid;
}

void x_wait_status(pid_t pid, int status, const char *what)
{
	int st;

	T_ASSERTF(waitpid(pid, &st, 0) == pid, "waitpid(%d): %s", (int)pid, strerror(errno));
	T_ASSERTF(st == status, "%s: wait status 0x%x, not 0x%x", what, st, status);
}

void x_check_pattern(const char *va, size_t first_page, size_t pages, const char *what)
{
	for (size_t o = first_page * T_PAGE; o < (first_page + pages) * T_PAGE; o++)
		T_ASSERTF((uint8_t)va[o] == pattern_byte(o),
		          "%s: byte at offset 0x%zx is 0x%02x, not 0x%02x", what, o, (uint8_t)va[o],
		          pattern_byte(o));
}

/* Child body of x_expect_toucher_killed. */
static void touch(pid_t server)
{
	x_attach(server, X_REGION_VA, 4, false);
	(void)*(volatile char *)X_REGION_VA;
	exit(0);
}

void x_expect_toucher_killed(pid_t server, const char *what)
{
	pid_t c = t_fork();

	if (c == 0)
		touch(server);
	t_wait_killed(c, what);
}

void x_stop_pager(pid_t pid)
{
	int status;

	T_ASSERTF(kill(pid, SIGKILL) == 0, "kill(%d): %s", (int)pid, strerror(errno));
	T_ASSERT(waitpid(pid, &status, 0) == pid);
}

/* Child body: attach a fresh pattern region and read it all. */
static void healthy_child(pid_t server)
{
	x_attach(server, X_REGION_VA + (64UL << 20), 8, false);
	x_check_pattern(X_REGION_VA + (64UL << 20), 0, 8, "fresh pattern region after the failure");
	exit(0);
}

void x_pager_still_healthy(void)
{
	pid_t server = x_spawn_pager("pattern_pager", NULL);
	pid_t c = t_fork();

	if (c == 0)
		healthy_child(server);
	t_wait_ok(c);
	x_stop_pager(server);
}
