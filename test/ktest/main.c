/* ktest: the kernel's in-system test suite, run as the root task. */
#include <stdio.h>
#include <string.h>

#include <faultline/bootinfo.h>
#include <faultline/ipc.h>
#include <faultline/runtime.h>

int main(void)
{
	const struct fl_bootinfo *bi = (const struct fl_bootinfo *)fl_startup_arg;

	printf("ktest: bootinfo magic %llx, %llu cpus, %llu untyped, %llu files, bootargs '%s'\n",
	       (unsigned long long)bi->magic, (unsigned long long)bi->ncpus,
	       (unsigned long long)bi->untyped_count, (unsigned long long)bi->nfiles, bi->bootargs);
	return 0;
}
