/*
 * bench: Faultline's kernel benchmarks, run as the root task (bootarg
 * kernel.root=bench) under QEMU's exact mode, where the generic counter
 * counts guest instructions (docs/benchmarks.md).
 *
 * Every benchmark is a client function run in its own thread at
 * BENCH_CLIENT_PRIO; the servers it talks to run at BENCH_SERVER_PRIO on the
 * same CPU, as a real client/server pair does. The root thread only sets up,
 * waits for the client and prints (the console contract is in measure.h).
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

#include <faultline/abi.h>
#include <faultline/bootinfo.h>
#include <faultline/invocations.h>
#include <faultline/ipc.h>

#include "measure.h"

#define BENCH_CLIENT_PRIO 100
#define BENCH_SERVER_PRIO 150

/* --- objects and threads (env.c) --- */

/* Take the root task's resources from BootInfo; returns 0 or a problem. */
const char *bench_env_init(const struct fl_bootinfo *bi);
/* A new kernel object (size_bits for variable-size types) in a new root slot;
 * 0 if memory or slots ran out. */
fl_cptr_t bench_obj(unsigned type, unsigned size_bits);
/* count consecutive empty root CNode slots; returns the first (0: none left). */
fl_cptr_t bench_slots(unsigned count);
/* A copy of cap with a badge, in a new slot (0 on failure). */
fl_cptr_t bench_mint(fl_cptr_t cap, uint64_t badge);
/* Call an object cap with label and up to six words; the reply's label
 * (0 = success) is returned and its message left in *out if given. */
uint64_t bench_invoke(fl_cptr_t cap, uint64_t label, unsigned nwords, const uint64_t *words,
                      unsigned ncaps, const fl_cptr_t *caps, struct fl_msg *out);

struct bench_thread {
	fl_cptr_t tcb;
	void (*fn)(struct bench_thread *t);
	uint64_t arg[4];
};

/* A thread (not started) running fn(t) at prio on CPU 0 in the root's
 * address space and CSpace, with its own stack and IPC buffer; NULL if
 * objects ran out. When fn returns the thread signals the root and stops. */
struct bench_thread *bench_thread_new(void (*fn)(struct bench_thread *t), unsigned prio);
/* Make t runnable; returns the kernel's error (0 = success). */
uint64_t bench_thread_start(struct bench_thread *t);
/* Start client, wait until its function has returned, then suspend it.
 * Only the root thread may call this; returns a problem or NULL. */
const char *bench_thread_run(struct bench_thread *client);
/* Start server (it blocks waiting for the client), then bench_thread_run
 * the client; returns a problem or NULL. */
const char *bench_pair_run(struct bench_thread *server, struct bench_thread *client);

/* --- the benchmarks --- */

/* IPC (ipc.c): Call + ReplyRecv round trip with words message words each way. */
void bench_ipc_call(struct bench_figure *f, unsigned words);
/* A Call carrying one capability, answered by ReplyRecv (ipc.c). */
void bench_ipc_cap_call(struct bench_figure *f);
/* Notification signal + wait round trip between two threads (notification.c). */
void bench_notification_roundtrip(struct bench_figure *f);

#endif
