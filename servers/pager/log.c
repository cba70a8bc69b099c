/*
 * The pager's log: one line per call, formatted on the caller's stack and
 * written with one debug-write syscall, so lines from workers on different
 * CPUs never interleave (stdio's buffer is not shared by the workers).
 */
#include <stdarg.h>
#include <stdio.h>

#include <faultline/ipc.h>

#include "core.h"

/* Log one line, prefixed "pager: ". */
void plog(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n = snprintf(buf, sizeof buf, "pager: ");

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	fl_debug_write(buf, (size_t)n);
}

/* Log a fatal pager error and stop this thread for good. */
void pager_panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n = snprintf(buf, sizeof buf, "pager: PANIC: ");

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	fl_debug_write(buf, (size_t)n);
	for (;;)
		fl_yield();
}
