/*
 * The pager's log: one line per call, formatted on the caller's stack and
 * written with one debug-write syscall, so lines from workers on different
 * CPUs never interleave (stdio's buffer is not shared by the workers).
 */
#include <stdarg.h>
#include <stdio.h>

#include <faultline/ipc.h>

#include "core.h"

/* Write one console line: prefix, then fmt formatted. */
static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf, "%s", prefix);

	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	fl_debug_write(buf, (size_t)n);
}

/* Log one line, prefixed "pager: ". */
void plog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("pager: ", fmt, ap);
	va_end(ap);
}

/* Log a fatal pager error and stop this thread for good. */
void pager_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("pager: PANIC: ", fmt, ap);
	va_end(ap);
	for (;;)
		fl_yield();
}
