/*
 * Endpoint IPC benchmarks: a Call answered by ReplyRecv, with 0..120 message
 * words each way, and a Call that carries one capability. The server runs
 * above the client on the same CPU, as servers do, so the client's Call
 * switches straight to the waiting server and its ReplyRecv straight back.
 */
#include <stddef.h>

#include "bench.h"

#define LABEL_BENCH   0x42
#define LABEL_CLEANUP 0x43 /* cap server: empty the receive slots */
#define CAP_BATCH     250  /* caps the cap server receives before a cleanup */

/* Echo server: arg0 endpoint, arg1 reply object. Answers every call with a
 * message of the same length (the words already in its registers and IPC
 * buffer: the benchmark measures the transfer, not the contents). */
static void echo_server(struct bench_thread *t)
{
	struct fl_msg m = {0};

	fl_recv(t->arg[0], t->arg[1], &m);
	for (;;) {
		m.info = fl_msginfo(0, fl_msginfo_length(m.info), 0);
		fl_reply_recv(t->arg[0], t->arg[1], &m);
	}
}

/* Call client: arg0 the figure, arg1 endpoint, arg2 words per message. */
static void call_client(struct bench_thread *t)
{
	struct bench_figure *f = (struct bench_figure *)t->arg[0];
	const fl_cptr_t ep = t->arg[1];
	const unsigned words = (unsigned)t->arg[2];
	const uint64_t info = fl_msginfo(LABEL_BENCH, words, 0);
	struct fl_msg m = {0};
	uint64_t start;

	for (unsigned i = 0; i < BENCH_WARMUP; i++) {
		m.info = info;
		fl_call(ep, &m);
	}
	if (fl_msginfo_is_error(m.info) || fl_msginfo_length(m.info) != words) {
		f->error = "the echo server's reply is an error or has the wrong length";
		return;
	}
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		m.info = info;
		start = bench_now();
		fl_call(ep, &m);
		bench_samples[i] = bench_now() - start;
	}
	start = bench_now();
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		m.info = info;
		fl_call(ep, &m);
	}
	bench_summarise(f, bench_samples, BENCH_SAMPLES, bench_now() - start, BENCH_SAMPLES);
}

void bench_ipc_call(struct bench_figure *f, unsigned words)
{
	fl_cptr_t ep = bench_obj(FL_OBJ_ENDPOINT, 0), reply = bench_obj(FL_OBJ_REPLY, 0);
	struct bench_thread *server = bench_thread_new(echo_server, BENCH_SERVER_PRIO);
	struct bench_thread *client = bench_thread_new(call_client, BENCH_CLIENT_PRIO);

	if (!ep || !reply || !server || !client) {
		f->error = "out of objects, slots or threads";
		return;
	}
	server->arg[0] = ep;
	server->arg[1] = reply;
	client->arg[0] = (uint64_t)f;
	client->arg[1] = ep;
	client->arg[2] = words;
	f->error = bench_pair_run(server, client);
}

/*
 * Cap server: arg0 endpoint, arg1 reply object, arg2 the first of CAP_BATCH
 * empty slots. Each call's cap lands in the next slot; a LABEL_CLEANUP call
 * deletes them all. arg3 counts calls that did not bring exactly one
 * transferred cap (the client reports them).
 */
static void cap_server(struct bench_thread *t)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	const fl_cptr_t first = t->arg[2];
	struct fl_msg m = {0};
	unsigned used = 0;

	b->recv_slots[0] = first;
	fl_recv(t->arg[0], t->arg[1], &m);
	for (;;) {
		if (fl_msginfo_label(m.info) == LABEL_CLEANUP) {
			const uint64_t w[] = {first, used};
			if (bench_invoke(FL_CAP_ROOT_CNODE, FL_CNODE_DELETE_RANGE, 2, w, 0, NULL,
			                 NULL) != FL_OK)
				t->arg[3]++;
			used = 0;
		} else if (fl_msginfo_caps(m.info) != 1 || fl_msginfo_unwrapped(m.info) != 0 ||
		           used == CAP_BATCH) {
			t->arg[3]++;
		} else {
			used++;
		}
		b->recv_slots[0] = used < CAP_BATCH ? first + used : 0;
		m.info = fl_msginfo(0, 0, 0);
		fl_reply_recv(t->arg[0], t->arg[1], &m);
	}
}

/* One cap-carrying call; returns the counter delta around it. */
static uint64_t timed_cap_call(fl_cptr_t ep)
{
	struct fl_msg m = {.info = fl_msginfo(LABEL_BENCH, 0, 1)};
	uint64_t start = bench_now();

	fl_call(ep, &m);
	return bench_now() - start;
}

/* An untimed call that empties the server's receive slots. */
static void cleanup_call(fl_cptr_t ep)
{
	struct fl_msg m = {.info = fl_msginfo(LABEL_CLEANUP, 0, 0)};

	fl_call(ep, &m);
}

/* Cap client: arg0 the figure, arg1 endpoint, arg2 the cap to send, arg3
 * the server thread. Calls come in batches of CAP_BATCH between cleanups,
 * which are not timed. */
static void cap_client(struct bench_thread *t)
{
	struct bench_figure *f = (struct bench_figure *)t->arg[0];
	struct bench_thread *server = (struct bench_thread *)t->arg[3];
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	const fl_cptr_t ep = t->arg[1];
	unsigned n = 0;
	uint64_t loop = 0;

	b->send_caps[0] = t->arg[2];
	b->recv_slots[0] = 0;
	for (unsigned i = 0; i < BENCH_WARMUP; i++)
		timed_cap_call(ep);
	cleanup_call(ep);
	while (n < BENCH_SAMPLES) {
		for (unsigned i = 0; i < CAP_BATCH && n < BENCH_SAMPLES; i++)
			bench_samples[n++] = timed_cap_call(ep);
		cleanup_call(ep);
	}
	/* The loop figure: one whole batch timed at once. */
	uint64_t start = bench_now();
	for (unsigned i = 0; i < CAP_BATCH; i++) {
		struct fl_msg m = {.info = fl_msginfo(LABEL_BENCH, 0, 1)};
		fl_call(ep, &m);
	}
	loop = bench_now() - start;
	cleanup_call(ep);
	if (server->arg[3] != 0) {
		f->error = "the server saw calls without exactly one transferred cap";
		return;
	}
	bench_summarise(f, bench_samples, BENCH_SAMPLES, loop, CAP_BATCH);
}

void bench_ipc_cap_call(struct bench_figure *f)
{
	fl_cptr_t ep = bench_obj(FL_OBJ_ENDPOINT, 0), reply = bench_obj(FL_OBJ_REPLY, 0);
	fl_cptr_t payload = bench_obj(FL_OBJ_NOTIFICATION, 0), slots = bench_slots(CAP_BATCH);
	struct bench_thread *server = bench_thread_new(cap_server, BENCH_SERVER_PRIO);
	struct bench_thread *client = bench_thread_new(cap_client, BENCH_CLIENT_PRIO);

	if (!ep || !reply || !payload || !slots || !server || !client) {
		f->error = "out of objects, slots or threads";
		return;
	}
	server->arg[0] = ep;
	server->arg[1] = reply;
	server->arg[2] = slots;
	client->arg[0] = (uint64_t)f;
	client->arg[1] = ep;
	client->arg[2] = payload;
	client->arg[3] = (uint64_t)server;
	f->error = bench_pair_run(server, client);
}
