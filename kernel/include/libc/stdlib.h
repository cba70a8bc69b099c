/* The kernel's <stdlib.h>: only strtoul, which libfdt uses. */
#ifndef FAULTLINE_LIBC_STDLIB_H
#define FAULTLINE_LIBC_STDLIB_H
#include <stddef.h>
unsigned long strtoul(const char *s, char **end, int base);
#endif
