/*
 * The benchmark program's root thread: takes BootInfo, runs every kernel
 * benchmark in turn (each in its own client and server threads), prints one
 * line per figure in the contract of bench.h, and powers the machine off.
 */
#include <stdio.h>

#include <faultline/runtime.h>

#include "bench.h"

static struct bench_figure figures[] = {
    {.name = "ipc.call.0w"},
    {.name = "ipc.call.4w"},
    {.name = "ipc.call.64w"},
    {.name = "ipc.call.cap1"},
    {.name = "notification.roundtrip"},
};

/* Measure figures[i]. */
static void measure(unsigned i)
{
	struct bench_figure *f = &figures[i];

	switch (i) {
	case 0:
		bench_ipc_call(f, 0);
		break;
	case 1:
		bench_ipc_call(f, 4);
		break;
	case 2:
		bench_ipc_call(f, 64);
		break;
	case 3:
		bench_ipc_cap_call(f);
		break;
	case 4:
		bench_notification_roundtrip(f);
		break;
	}
}

static void poweroff(void)
{
	struct fl_msg m = {0};

	fflush(stdout);
	fl_syscall(FL_SYS_DEBUG_POWEROFF, FL_CAP_IRQ_CONTROL, 0, &m);
	printf("bench: power-off failed (error %llu)\n",
	       (unsigned long long)fl_msginfo_label(m.info));
}

int main(void)
{
	const struct fl_bootinfo *bi = (const struct fl_bootinfo *)fl_startup_arg;
	const unsigned count = sizeof figures / sizeof figures[0];
	const char *problem = bench_env_init(bi);

	if (!problem)
		problem = bench_measure_init(bi->timer_frequency);
	if (problem) {
		printf("BENCH-ERROR setup: %s\n", problem);
		printf("BENCH-DONE 0\n");
		poweroff();
		return 1;
	}
	bench_print_info((unsigned)bi->ncpus);
	for (unsigned i = 0; i < count; i++) {
		measure(i);
		bench_print(&figures[i]);
	}
	printf("BENCH-DONE %u\n", count);
	poweroff();
	return 0;
}
