/*
 * Notification benchmark: a signal/wait round trip. The client signals
 * `ping` and waits on `pong`; a partner above it on the same CPU waits on
 * `ping` and signals `pong`. Four syscalls: the client's signal wakes the
 * partner, which preempts it, signals back (the client is runnable, not yet
 * waiting, so the badge is left pending) and blocks again; the client's
 * wait then finds the pending word and returns at once.
 */
#include "bench.h"

/* Partner: arg0 ping (wait), arg1 pong (signal, badged). */
static void partner(struct bench_thread *t)
{
	for (;;) {
		fl_wait(t->arg[0]);
		fl_signal(t->arg[1]);
	}
}

/* Client: arg0 the figure, arg1 ping (signal, badged), arg2 pong (wait). */
static void client(struct bench_thread *t)
{
	struct bench_figure *f = (struct bench_figure *)t->arg[0];
	const fl_cptr_t ping = t->arg[1], pong = t->arg[2];
	uint64_t start;

	for (unsigned i = 0; i < BENCH_WARMUP; i++) {
		fl_signal(ping);
		if (fl_wait(pong) != 1) {
			f->error = "the pong word is not the partner's badge";
			return;
		}
	}
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		start = bench_now();
		fl_signal(ping);
		fl_wait(pong);
		bench_samples[i] = bench_now() - start;
	}
	start = bench_now();
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		fl_signal(ping);
		fl_wait(pong);
	}
	bench_summarise(f, bench_samples, BENCH_SAMPLES, bench_now() - start, BENCH_SAMPLES);
}

void bench_notification_roundtrip(struct bench_figure *f)
{
	fl_cptr_t ping = bench_obj(FL_OBJ_NOTIFICATION, 0),
	          pong = bench_obj(FL_OBJ_NOTIFICATION, 0);
	fl_cptr_t ping_b = ping ? bench_mint(ping, 1) : 0, pong_b = pong ? bench_mint(pong, 1) : 0;
	struct bench_thread *p = bench_thread_new(partner, BENCH_SERVER_PRIO);
	struct bench_thread *c = bench_thread_new(client, BENCH_CLIENT_PRIO);

	if (!ping_b || !pong_b || !p || !c) {
		f->error = "out of objects, slots or threads";
		return;
	}
	p->arg[0] = ping;
	p->arg[1] = pong_b;
	c->arg[0] = (uint64_t)f;
	c->arg[1] = ping_b;
	c->arg[2] = pong;
	f->error = bench_pair_run(p, c);
}
