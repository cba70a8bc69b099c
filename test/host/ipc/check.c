/* The failure path of check.h. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* check_failed: see check.h. */
void check_failed(const char *file, int line, const char *expr, uint64_t got, uint64_t want)
{
	fprintf(stderr, "%s:%d: check failed: %s (got %#llx, want %#llx)\n", file, line, expr,
	        (unsigned long long)got, (unsigned long long)want);
	exit(1);
}
