/*
 * The pager's boot: take BootInfo, carve the frame pool and the pager's own
 * memory from untyped, set up vmcore, start one worker per CPU, start the
 * init process, then serve as worker 0.
 *
 * Bootargs read here:
 *   pager.frames=N   user frame pool of N frames (memory-pressure tests)
 *   pager.init=NAME  the first process. Without it, the test server is
 *                    started when the bootargs select tests (tests=...);
 *                    otherwise the pager prints a banner and idles, so a
 *                    plain `./faultline run` boots to an idle system.
 * The init process gets argv = { NAME, every bootarg token... } so it can
 * read its own options (e.g. tests=PATTERN).
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/invocations.h>
#include <faultline/runtime.h>

#include "core.h"
#include "extregion.h"
#include "swap.h"
#include "swapio.h"
#include "trace.h"

/* The value of bootarg key ("key=value" token) into out ("" for a bare
 * "key" flag); false if absent. */
static bool bootarg(const char *args, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);

	for (const char *s = args; *s;) {
		while (*s == ' ')
			s++;
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - s) == klen && !strncmp(s, key, klen)) {
			out[0] = 0;
			return true;
		}
		if ((size_t)(e - s) > klen && !strncmp(s, key, klen) && s[klen] == '=') {
			size_t n = (size_t)(e - s) - klen - 1;
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, s + klen + 1, n);
			out[n] = 0;
			return true;
		}
		s = e;
	}
	return false;
}

/* Start the init process with argv = { name, bootarg tokens... }. */
static void start_init(const struct fl_bootinfo *bi)
{
	char name[48] = "testserver";
	uint8_t args[FL_PROCINFO_ARGS_MAX];
	size_t n = 0;
	uint32_t id, pid;
	char tests[8];
	bool asked = bootarg(bi->bootargs, "pager.init", name, sizeof name);

	if (!asked && !bootarg(bi->bootargs, "tests", tests, sizeof tests)) {
		plog("Faultline pager ready; no init process (pager.init=NAME or tests=PATTERN "
		     "starts one), idling");
		return;
	}
	if (archive_find(name, &id) < 0) {
		if (asked)
			plog("init program '%s' is not in the boot archive", name);
		plog("Faultline pager ready; no init process, idling");
		return;
	}
	memcpy(args, name, strlen(name) + 1);
	n = strlen(name) + 1;
	for (const char *s = bi->bootargs; *s;) {
		while (*s == ' ')
			s++;
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		if (e > s && n + (size_t)(e - s) + 1 <= sizeof args) {
			memcpy(args + n, s, (size_t)(e - s));
			n += (size_t)(e - s);
			args[n++] = 0;
		}
		s = e;
	}
	int err = proc_spawn(name, args, n, 0, true, 0, &pid);
	if (err) {
		plog("starting init '%s' failed: error %d", name, err);
		return;
	}
	plog("started init '%s' as pid %u", name, pid);
}

int main(void)
{
	const struct fl_bootinfo *bi = (const struct fl_bootinfo *)fl_startup_arg;
	char val[32];
	size_t budget = 0;

	if (bi->magic != FL_BOOTINFO_MAGIC)
		pager_panic("no BootInfo at %lx", (unsigned long)fl_startup_arg);
	if (bootarg(bi->bootargs, "pager.frames", val, sizeof val))
		budget = strtoul(val, NULL, 0);
	poweroff_init(bootarg(bi->bootargs, "kernel.trace", val, sizeof val));
	kobj_init(bi);
	frames_init(bi, budget);
	platform_init(bi, frames_total());
	proc_init();
	childep_init();
	proc_set_cpus((unsigned)bi->ncpus);
	workers_start((unsigned)bi->ncpus);
	extregion_init();
	trace_init(bi);
	swapio_init((unsigned)bi->ncpus);
	swap_start(bi);
	uint64_t slots, used;
	swap_counts(&slots, &used);
	/* Without swap, eviction has nowhere to write. pager.evictor=off: no
	 * background evictor, a fault evicts for itself on its I/O thread
	 * (docs/swap.md; the swap benchmarks run so, one transfer at a time). */
	bool evictor_off =
	    bootarg(bi->bootargs, "pager.evictor", val, sizeof val) && !strcmp(val, "off");
	if (slots && !evictor_off)
		evictor_init((unsigned)bi->ncpus);
	else if (slots)
		plog("background evictor off (pager.evictor=off): faults evict for themselves");
	start_init(bi);
	/* This thread is worker 0 from here on: down from the root task's 255
	 * to the workers' priority, or swapd (above the workers, below 255)
	 * would starve on CPU 0 while this thread spins on a vmcore lock whose
	 * holder waits for swapd. Done last: the kernel also lowers this
	 * thread's maximum, and every thread above that is made by now. */
	uint64_t pw[1] = {WORKER_PRIORITY};
	if (kcall(FL_CAP_ROOT_TCB, FL_TCB_SET_PRIORITY, 1, pw, 0, NULL, NULL))
		pager_panic("cannot lower the main thread to worker priority");
	worker_loop(worker_self());
}
