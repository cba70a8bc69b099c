/*
 * What Debian's libfdt.a needs besides the C library, for a user program
 * that links it (the pager, through swapd_dtb): it is built with
 * -fstack-protector-strong, so it reads __stack_chk_guard and calls
 * __stack_chk_fail on a smashed stack.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uintptr_t __stack_chk_guard = 0x5a17ab1e0badc0deULL;

void __stack_chk_fail(void);

/* A stack smash inside libfdt: say so and stop the program. */
void __stack_chk_fail(void)
{
	printf("stack smashing detected in libfdt\n");
	abort();
}
