/*
 * Process start-up and exit, and the glue picolibc needs: TLS for the first
 * thread, stdout/stderr on the kernel debug console, sbrk for malloc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/bootinfo.h>
#include <faultline/invocations.h>
#include <faultline/ipc.h>
#include <faultline/procinfo.h>
#include <faultline/runtime.h>

#include "pager.h"

uint64_t fl_startup_arg;

extern char __tls_base[];
void _init_tls(void *tls);
void _set_tls(void *tls);
int main(int argc, char **argv);
extern void (*__init_array_start[])(void) __attribute__((weak));
extern void (*__init_array_end[])(void) __attribute__((weak));

/* --- console: line-buffered writes through the debug-write syscall --- */

static char linebuf[256];
static unsigned linelen;

void fl_console_write(const char *s, unsigned long n)
{
	fl_debug_write(s, n);
}

static void console_flush(void)
{
	if (linelen) {
		fl_debug_write(linebuf, linelen);
		linelen = 0;
	}
}

static int console_putc(char c, FILE *f)
{
	(void)f;
	linebuf[linelen++] = c;
	if (c == '\n' || linelen == sizeof linebuf)
		console_flush();
	return (unsigned char)c;
}

static int console_flush_file(FILE *f)
{
	(void)f;
	console_flush();
	return 0;
}

static FILE console_file =
    FDEV_SETUP_STREAM(console_putc, NULL, console_flush_file, _FDEV_SETUP_WRITE);
FILE *const stdout = &console_file;
FILE *const stderr = &console_file;
FILE *const stdin = NULL;

/* --- heap --- */

#define ROOT_ARENA_SIZE (4u << 20)
static char root_arena[ROOT_ARENA_SIZE] __attribute__((aligned(4096)));
static uintptr_t root_brk;

extern _Thread_local fl_cptr_t fl_pager_cap;
extern const struct fl_procinfo *fl_procinfo;

/* A process's heap is its pager's (sbrk over pager.idl); the root task's
 * is a fixed arena in .bss. */
__attribute__((weak)) void *fl_runtime_sbrk(intptr_t incr)
{
	uintptr_t base = (uintptr_t)root_arena;

	if (fl_procinfo) {
		uint64_t old;
		int err = pager_sbrk(fl_pager_cap, incr, &old);
		if (err) {
			/* POSIX: EINVAL for a break below the heap's start,
			 * ENOMEM for growth the address space cannot take. */
			errno = err == PAGER_E_BAD_VALUE ? EINVAL : ENOMEM;
			return (void *)-1;
		}
		return (void *)(uintptr_t)old;
	}

	if (!root_brk)
		root_brk = base;
	if ((incr > 0 && (uintptr_t)incr > base + ROOT_ARENA_SIZE - root_brk) ||
	    (incr < 0 && (uintptr_t)-incr > root_brk - base))
		return (void *)-1;
	void *old = (void *)root_brk;
	root_brk += incr;
	return old;
}

void *sbrk(intptr_t incr)
{
	return fl_runtime_sbrk(incr);
}

/* --- exit --- */

__attribute__((weak)) void fl_runtime_exit(int status)
{
	struct fl_msg m = {.info = fl_msginfo(FL_TCB_SUSPEND, 0, 0)};

	if (fl_procinfo) {
		console_flush();
		pager_exit(fl_pager_cap, status);
		for (;;)
			fl_yield(); /* the pager ends this process */
	}

	printf("process exited with status %d\n", status);
	console_flush();
	fl_call(FL_CAP_ROOT_TCB, &m);
	for (;;)
		fl_yield();
}

void _exit(int status)
{
	console_flush();
	fl_runtime_exit(status);
}

void exit(int status)
{
	fflush(stdout);
	_exit(status);
}

/* First C code of a process: x0 = BootInfo (root task) or the process-info
 * page, x1 = the first thread's pager cap (processes only). */
void __fl_start(uint64_t arg, uint64_t pager_cap)
{
	static char *root_argv[] = {"program", NULL};
	char *argv[FL_PROCINFO_ARGC_MAX + 1];
	char args[FL_PROCINFO_ARGS_MAX];
	int argc = 1;
	char **av = root_argv;

	fl_startup_arg = arg;
	_init_tls(__tls_base);
	_set_tls(__tls_base);
	if (*(const uint64_t *)arg == FL_PROCINFO_MAGIC) {
		fl_procinfo = (const struct fl_procinfo *)arg;
		fl_pager_cap = pager_cap;
		/* argv strings must be writable: copy them off the read-only page. */
		memcpy(args, fl_procinfo->args, sizeof args);
		argc = (int)fl_procinfo->argc;
		for (int i = 0; i < argc; i++)
			argv[i] = args + fl_procinfo->argv_offset[i];
		argv[argc] = NULL;
		av = argv;
	}
	for (void (**f)(void) = __init_array_start; f && f < __init_array_end; f++)
		(*f)();
	exit(main(argc, av));
}
