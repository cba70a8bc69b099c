/*
 * bench_vm's entry: as init (pager.init=bench_vm) it spawns one fresh
 * bench_vm per group of figures and waits for each (only the groups of
 * bootarg bench.groups=a,b,... if given); started with `--group NAME` it
 * measures that group and prints its figures.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <faultline/process.h>

#include "bench_vm.h"

/* The counter frequency: readable at EL0 once the kernel lets EL0 read
 * the virtual counter. */
static uint64_t counter_freq(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

/* Run the group called name in this process; returns the exit status. */
static int run_group(const char *name)
{
	for (const struct vm_group *g = vm_groups; g->name; g++) {
		if (strcmp(g->name, name) == 0) {
			g->run();
			return 0;
		}
	}
	printf("BENCH-ERROR group.%s: no such group\n", name);
	return 2;
}

/* Is group g in the comma-separated list (NULL: every group but the
 * named_only ones)? */
static int selected(const char *list, const struct vm_group *g)
{
	const char *name = g->name;
	size_t len = strlen(name);

	for (const char *p = list; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == 0))
			return 1;
	}
	return list == NULL && !g->named_only;
}

/* Spawn a bench_vm for each selected group in turn and wait for it;
 * returns the number of figures the groups owe. */
static unsigned spawn_groups(const char *list)
{
	unsigned owed = 0;

	for (const struct vm_group *g = vm_groups; g->name; g++) {
		if (!selected(list, g))
			continue;
		char *argv[] = {"bench_vm", "--group", (char *)g->name, NULL};
		int status = 0;
		pid_t pid;

		owed += g->nfigures;
		fflush(stdout);
		pid = spawn("bench_vm", argv);
		if (pid < 0) {
			printf("BENCH-ERROR group.%s: spawn failed (errno %d)\n", g->name, errno);
			continue;
		}
		if (waitpid(pid, &status, 0) != pid)
			printf("BENCH-ERROR group.%s: waitpid failed (errno %d)\n", g->name, errno);
		else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			printf("BENCH-ERROR group.%s: the process ended with status %#x\n", g->name,
			       status);
	}
	return owed;
}

int main(int argc, char **argv)
{
	const char *problem = bench_measure_init(counter_freq());

	if (problem) {
		printf("BENCH-ERROR setup: %s\n", problem);
		printf("BENCH-DONE 0\n");
		fl_poweroff();
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "--group") == 0)
		return run_group(argv[2]);
	/* As init, argv holds the bootargs: bench.groups=a,b runs only those. */
	const char *list = NULL;
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "bench.groups=", 13) == 0)
			list = argv[i] + 13;
	/* A process cannot see the CPU count: cpus=0 says so. */
	bench_print_info(0);
	printf("BENCH-DONE %u\n", spawn_groups(list));
	fflush(stdout);
	if (fl_poweroff() < 0)
		printf("bench_vm: the pager refused to power off\n");
	return 0;
}
