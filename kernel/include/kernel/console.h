/*
 * The kernel console: the UART the DTB names in /chosen/stdout-path (PL011 or
 * the BCM2835 mini UART), reached through the device window. Before the DTB
 * is read, the board's early UART (boards/<board>/board.cmake) is used.
 */
#ifndef FAULTLINE_KERNEL_CONSOLE_H
#define FAULTLINE_KERNEL_CONSOLE_H

#include <stdint.h>
#include "plat/platform.h"

void console_init_early(void);
void console_init(const struct platform_info *plat);
void console_lock(void);
void console_unlock(void);
/* Write one character; the caller holds the console lock. */
void console_putc_locked(char c);
/* Write a buffer under the console lock (used by the user debug-write call). */
void console_write(const char *s, unsigned long n);
/* Break the console lock after a panic on another CPU stopped holding it. */
void console_force_unlock(void);

#endif
