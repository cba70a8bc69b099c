/*
 * testserver.expect(killed): a test that declares the pager will kill it,
 * then writes to an unmapped address, passes. Its own process is killed
 * (no forked child does it for it), so the test server's verdict alone says
 * whether the expectation held; testserver_protocol, which runs after it,
 * reads its record back (passed, signal 11, one check).
 */
#include "testlib.h"

/* Page 0 is never mapped (volatile: the compiler must not see a null write). */
static volatile uintptr_t bad_address = 0x10;

int main(void)
{
	t_expect_signal(11);
	t_pass("declared a kill by the pager");
	fflush(stdout);
	*(volatile int *)bad_address = 1;
	printf("testserver_expect_killed: the write to page 0 did not kill the process\n");
	t_expect_exit(0); /* so that the status below fails the test */
	return 1;
}
