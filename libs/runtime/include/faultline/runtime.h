/*
 * The user runtime every Faultline program links: process start-up, the
 * console behind stdio, and the hooks a program's environment provides.
 */
#ifndef FAULTLINE_RUNTIME_H
#define FAULTLINE_RUNTIME_H

#include <stdint.h>

/* The x0 the first thread started with (the root task: its BootInfo). */
extern uint64_t fl_startup_arg;

/*
 * Hooks with weak defaults in the runtime, overridden by the environment:
 *   fl_runtime_exit(status)  end the process (default: print the status and
 *                            suspend the thread through its own TCB cap);
 *   fl_runtime_sbrk(incr)    grow or shrink the heap (default: a fixed arena
 *                            in .bss, for the root task).
 */
void fl_runtime_exit(int status) __attribute__((noreturn));
void *fl_runtime_sbrk(intptr_t incr);

/* Write to the kernel debug console, bypassing stdio's buffer. */
void fl_console_write(const char *s, unsigned long n);

#endif
