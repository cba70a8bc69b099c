/*
 * Endpoint IPC: Call/ReplyRecv with register and IPC-buffer words and with
 * capabilities, badges, the non-blocking variants, a thread without an IPC
 * buffer, and IPC between threads on different CPUs.
 */
#include <string.h>

#include "ktest.h"
#include "ktest_probe.h"

#define LABEL_STOP 0xdeadULL

/* The word the echo server returns for word w at index i. */
static uint64_t echoed(uint64_t w, unsigned i)
{
	return w * 3 + i;
}

/*
 * Echo server: arg0 endpoint, arg1 reply object. Replies to each call with
 * label + 1 and every word transformed by echoed(); a call labelled
 * LABEL_STOP is answered and ends the thread. out[0] = last length received,
 * out[1] = last badge, out[2] = calls served, out[3] = last cap count.
 */
static void echo_server(struct kt_thread *t)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	struct fl_msg m = {0};

	fl_recv(t->arg[0], t->arg[1], &m);
	for (;;) {
		unsigned len = fl_msginfo_length(m.info);
		uint64_t label = fl_msginfo_label(m.info);
		t->out[0] = len;
		t->out[1] = m.badge;
		t->out[2]++;
		t->out[3] = fl_msginfo_caps(m.info);
		if (label == LABEL_STOP) {
			m.info = 0;
			fl_reply(t->arg[1], &m);
			return;
		}
		for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
			m.mr[i] = echoed(m.mr[i], i);
		for (unsigned i = FL_MSG_REG_COUNT; i < len; i++)
			b->msg[i] = echoed(b->msg[i], i);
		m.info = fl_msginfo(label + 1, len, 0);
		fl_reply_recv(t->arg[0], t->arg[1], &m);
	}
}

/* An endpoint, a reply object and an echo server on cpu; returns the server. */
static struct kt_thread *start_echo(fl_cptr_t *ep, int cpu)
{
	struct kt_thread_opts o = {.cpu = cpu};
	struct kt_thread *s = kt_thread_new(echo_server, &o);

	*ep = kt_obj(FL_OBJ_ENDPOINT, 0);
	s->arg[0] = *ep;
	s->arg[1] = kt_obj(FL_OBJ_REPLY, 0);
	kt_thread_start(s);
	return s;
}

/* Call the echo server with len words (seeded by seed) and check the reply. */
static void call_and_check(fl_cptr_t ep, unsigned len, uint64_t seed)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	struct fl_msg m = {.info = fl_msginfo(0x100, len, 0)};
	unsigned want = len > FL_MSG_MAX_WORDS ? FL_MSG_MAX_WORDS : len;

	for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
		m.mr[i] = seed + i;
	for (unsigned i = FL_MSG_REG_COUNT; i < FL_MSG_MAX_WORDS; i++)
		b->msg[i] = seed + i;
	fl_call(ep, &m);
	KT_EQ(kt_error(&m), FL_OK);
	KT_EQ(fl_msginfo_label(m.info), 0x101);
	KT_EQ(fl_msginfo_length(m.info), want);
	for (unsigned i = 0; i < FL_MSG_REG_COUNT && i < want; i++)
		KT_CHECK(m.mr[i] == echoed(seed + i, i), "register word %u of %u is %llx", i, len,
		         (unsigned long long)m.mr[i]);
	for (unsigned i = FL_MSG_REG_COUNT; i < want; i++)
		KT_CHECK(b->msg[i] == echoed(seed + i, i), "buffer word %u of %u is %llx", i, len,
		         (unsigned long long)b->msg[i]);
}

static void stop_echo(fl_cptr_t ep, struct kt_thread *s)
{
	struct fl_msg m = {.info = fl_msginfo(LABEL_STOP, 0, 0)};

	fl_call(ep, &m);
	KT_EQ(kt_error(&m), FL_OK);
	KT_CHECK(kt_wait_flag(&s->done, 2000), "echo server did not finish");
}

static void test_call_replyrecv_words(void)
{
	fl_cptr_t ep;
	struct kt_thread *s = start_echo(&ep, -1);

	call_and_check(ep, 0, 1000);
	KT_EQ(s->out[0], 0);
	call_and_check(ep, 3, 2000);
	KT_EQ(s->out[0], 3);
	call_and_check(ep, FL_MSG_REG_COUNT, 3000);
	call_and_check(ep, 7, 4000);
	KT_EQ(s->out[0], 7);
	call_and_check(ep, FL_MSG_MAX_WORDS, 5000);
	KT_EQ(s->out[0], FL_MSG_MAX_WORDS);
	/* A length field above the limit is clamped to FL_MSG_MAX_WORDS. */
	call_and_check(ep, 127, 6000);
	KT_EQ(s->out[0], FL_MSG_MAX_WORDS);
	for (unsigned i = 0; i < 50; i++)
		call_and_check(ep, 1 + i * 2, 7000 + i * 300);
	stop_echo(ep, s);
	KT_EQ(s->out[2], 57);
}

/*
 * Cap server: arg0 endpoint, arg1 reply, arg2/arg3 receive slots, arg4 (via
 * out[8]) the cap to send back. Receives one call, records what arrived and
 * replies with one cap.
 */
static void cap_server(struct kt_thread *t)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	struct fl_msg m = {0};

	b->recv_slots[0] = t->arg[2];
	b->recv_slots[1] = t->arg[3];
	b->recv_slots[2] = 0;
	fl_recv(t->arg[0], t->arg[1], &m);
	t->out[0] = m.info;
	t->out[1] = b->recv_capinfo[0];
	t->out[2] = b->recv_capinfo[1];
	t->out[3] = b->recv_badges[0];
	b->send_caps[0] = t->out[8];
	m.info = fl_msginfo(0, 0, 1);
	fl_reply(t->arg[1], &m);
}

static void test_call_transfers_caps(void)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	struct kt_thread *s = kt_thread_new(cap_server, NULL);
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), other = kt_obj(FL_OBJ_ENDPOINT, 0);
	fl_cptr_t badged = kt_slot(), frame = kt_obj(FL_OBJ_FRAME, 0),
	          ntfn = kt_obj(FL_OBJ_NOTIFICATION, 0);
	fl_cptr_t got_ep = kt_slot(), got_frame = kt_slot(), got_ntfn = kt_slot();
	struct fl_msg m = {0};

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, badged, other, FL_RIGHTS_ALL, 0x77), FL_OK);
	s->arg[0] = ep;
	s->arg[1] = kt_obj(FL_OBJ_REPLY, 0);
	s->arg[2] = got_ep;
	s->arg[3] = got_frame;
	s->out[8] = ntfn;
	kt_thread_start(s);

	b->recv_slots[0] = got_ntfn;
	b->send_caps[0] = badged;
	b->send_caps[1] = frame;
	m = (struct fl_msg){.info = fl_msginfo(5, 1, 2), .mr = {42}};
	fl_call(ep, &m);
	KT_EQ(kt_error(&m), FL_OK);
	KT_CHECK(kt_wait_flag(&s->done, 2000), "cap server did not finish");
	/* The server got both caps with type, rights and badge. */
	KT_EQ(fl_msginfo_caps(s->out[0]), 2);
	KT_EQ(fl_msginfo_unwrapped(s->out[0]), 0);
	KT_EQ(fl_capinfo_type(s->out[1]), FL_OBJ_ENDPOINT);
	KT_EQ(fl_capinfo_rights(s->out[1]), FL_RIGHTS_ALL);
	KT_EQ(fl_capinfo_type(s->out[2]), FL_OBJ_FRAME);
	KT_EQ(s->out[3], 0x77);
	KT_EQ(kt_cap_type(got_ep), FL_OBJ_ENDPOINT);
	KT_EQ(kt_cap_type(got_frame), FL_OBJ_FRAME);
	/* The sender keeps its caps (a transfer is a copy). */
	KT_EQ(kt_cap_type(badged), FL_OBJ_ENDPOINT);
	KT_EQ(kt_cap_type(frame), FL_OBJ_FRAME);
	/* The reply carried the notification back (the caller's cap has GRANT_REPLY). */
	KT_EQ(fl_msginfo_caps(m.info), 1);
	KT_EQ(kt_cap_type(got_ntfn), FL_OBJ_NOTIFICATION);
	KT_EQ(fl_capinfo_type(b->recv_capinfo[0]), FL_OBJ_NOTIFICATION);
	/* The received endpoint cap keeps the badge. */
	KT_EQ(kt_invoke(FL_CAP_ROOT_CNODE, FL_CNODE_IDENTIFY, 1, KT_WORDS(got_ep), 0, NULL, &m),
	      FL_OK);
	KT_EQ(m.mr[1], 0x77);
	b->recv_slots[0] = 0;
}

/* Sender: calls arg0 once with out[8] as a cap to send (if non-zero) and MR0 = arg1. */
static void one_call(struct kt_thread *t)
{
	struct fl_msg m = {.info = fl_msginfo(9, 1, t->out[8] ? 1 : 0), .mr = {t->arg[1]}};

	fl_ipc_buffer()->send_caps[0] = t->out[8];
	fl_call(t->arg[0], &m);
	t->out[0] = m.info;
}

static void test_call_without_grant_sends_no_caps(void)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), nogrant = kt_slot(),
	          reply = kt_obj(FL_OBJ_REPLY, 0);
	fl_cptr_t slot = kt_slot();
	struct kt_thread *c = kt_thread_new(one_call, NULL);
	struct fl_msg m = {0};

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_COPY, nogrant, ep, FL_RIGHT_READ | FL_RIGHT_WRITE),
	      FL_OK);
	c->arg[0] = nogrant;
	c->arg[1] = 7;
	c->out[8] = kt_obj(FL_OBJ_NOTIFICATION, 0);
	kt_thread_start(c);
	b->recv_slots[0] = slot;
	kt_recv(ep, reply, &m, 2000);
	b->recv_slots[0] = 0;
	KT_EQ(m.mr[0], 7);
	KT_EQ(fl_msginfo_caps(m.info), 0);
	KT_EQ(kt_cap_type(slot), FL_OBJ_NULL);
	m.info = 0;
	fl_reply(reply, &m);
	KT_CHECK(kt_wait_flag(&c->done, 2000), "caller was not answered");
}

static void test_badges_mint_delivery_unwrap(void)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), reply = kt_obj(FL_OBJ_REPLY, 0);
	fl_cptr_t b1 = kt_slot(), b2 = kt_slot(), slot = kt_slot();
	struct fl_msg m = {0};

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b1, ep, FL_RIGHTS_ALL, 0x11), FL_OK);
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b2, ep, FL_RIGHTS_ALL, 0x22), FL_OK);
	struct kt_thread *c1 = kt_thread_new(one_call, NULL), *c2 = kt_thread_new(one_call, NULL);
	c1->arg[0] = b1;
	c1->arg[1] = 1;
	c2->arg[0] = b2;
	c2->arg[1] = 2;
	c2->out[8] = b1; /* a badged cap to the very endpoint it travels through */
	kt_thread_start(c1);
	kt_thread_start(c2);
	b->recv_slots[0] = slot;
	for (int i = 0; i < 2; i++) {
		kt_recv(ep, reply, &m, 2000);
		if (m.mr[0] == 1) {
			KT_EQ(m.badge, 0x11);
			KT_EQ(fl_msginfo_caps(m.info), 0);
		} else {
			KT_EQ(m.mr[0], 2);
			KT_EQ(m.badge, 0x22);
			/* Unwrapped: cap 0 counts, but only its badge arrives; no cap is made. */
			KT_EQ(fl_msginfo_caps(m.info), 1);
			KT_EQ(fl_msginfo_unwrapped(m.info), 1);
			KT_EQ(b->recv_badges[0], 0x11);
			KT_EQ(kt_cap_type(slot), FL_OBJ_NULL);
		}
		m.info = 0;
		fl_reply(reply, &m);
	}
	b->recv_slots[0] = 0;
	KT_CHECK(kt_wait_flag(&c1->done, 2000) && kt_wait_flag(&c2->done, 2000),
	         "callers not answered");
	/* An unbadged send delivers badge 0. */
	struct kt_thread *c3 = kt_thread_new(one_call, NULL);
	c3->arg[0] = ep;
	c3->arg[1] = 3;
	kt_thread_start(c3);
	kt_recv(ep, reply, &m, 2000);
	KT_EQ(m.badge, 0);
	KT_EQ(m.mr[0], 3);
	fl_reply(reply, &(struct fl_msg){0});
}

/* Receiver: Recv on arg0 (reply arg1); out[0] info, out[1] MR0, out[2] badge. */
static void one_recv(struct kt_thread *t)
{
	struct fl_msg m = {0};

	fl_recv(t->arg[0], t->arg[1], &m);
	t->out[0] = m.info;
	t->out[1] = m.mr[0];
	t->out[2] = m.badge;
}

static void test_nb_send_recv_nobody_waiting(void)
{
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), reply = kt_obj(FL_OBJ_REPLY, 0);
	struct fl_msg m = {.info = fl_msginfo(3, 1, 0), .mr = {0xabc}};

	fl_nbsend(ep, &m);
	KT_EQ(kt_error(&m), FL_E_WOULD_BLOCK);
	/* The dropped message was not queued. */
	fl_nbrecv(ep, reply, &m);
	KT_EQ(kt_error(&m), FL_E_WOULD_BLOCK);
	fl_nbrecv(ep, 0, &m);
	KT_EQ(kt_error(&m), FL_E_WOULD_BLOCK);
	/* The endpoint still works: a receiver that waits gets an NBSend. */
	struct kt_thread *r = kt_thread_new(one_recv, NULL);
	r->arg[0] = ep;
	kt_thread_start(r);
	uint64_t end = kt_now_us() + 2000000;
	while (kt_thread_state(r) != 3 && kt_now_us() < end)
		fl_yield();
	KT_EQ(kt_thread_state(r), 3); /* blocked receiving */
	m = (struct fl_msg){.info = fl_msginfo(4, 1, 0), .mr = {0xdef}};
	fl_nbsend(ep, &m);
	KT_EQ(kt_error(&m), FL_OK);
	KT_CHECK(kt_wait_flag(&r->done, 2000), "receiver did not get the NBSend");
	KT_EQ(r->out[1], 0xdef);
	KT_EQ(fl_msginfo_label(r->out[0]), 4);
	/* And nothing is left behind. */
	fl_nbrecv(ep, 0, &m);
	KT_EQ(kt_error(&m), FL_E_WOULD_BLOCK);
}

/* Caller without an IPC buffer: a long call with a cap, an invocation with a
 * cap argument and a debug write. out[0] reply info, out[1] MR5, out[2] the
 * invocation's reply info, out[3] the debug write's info. */
static void bufferless_caller(struct kt_thread *t)
{
	struct fl_msg m = {.info = fl_msginfo(11, 20, 1), .mr = {1, 2, 3, 4, 5, 6}};

	fl_call(t->arg[0], &m);
	t->out[0] = m.info;
	t->out[1] = m.mr[5];
	m = (struct fl_msg){.info = fl_msginfo(FL_CNODE_COPY, 3, 1),
	                    .mr = {t->arg[1], t->arg[2], FL_RIGHTS_ALL}};
	fl_call(FL_CAP_ROOT_CNODE, &m);
	t->out[2] = m.info;
	m = (struct fl_msg){0};
	fl_syscall(FL_SYS_DEBUG_WRITE, 4, 0, &m);
	t->out[3] = m.info;
}

static void test_no_ipc_buffer_truncates_to_registers(void)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), reply = kt_obj(FL_OBJ_REPLY, 0),
	          slot = kt_slot();
	fl_cptr_t copy = kt_slot();
	struct kt_thread_opts o = {.cpu = -1, .no_ipcbuf = true};
	struct kt_thread *c = kt_thread_new(bufferless_caller, &o);
	struct fl_msg m = {0};

	c->arg[0] = ep;
	c->arg[1] = copy;
	c->arg[2] = ep;
	kt_thread_start(c);
	b->recv_slots[0] = slot;
	for (unsigned i = FL_MSG_REG_COUNT; i < 20; i++)
		b->msg[i] = 0x5a5a;
	kt_recv(ep, reply, &m, 2000);
	b->recv_slots[0] = 0;
	/* Only the register words arrive; no cap; the buffer words stay untouched. */
	KT_EQ(fl_msginfo_label(m.info), 11);
	KT_EQ(fl_msginfo_length(m.info), FL_MSG_REG_COUNT);
	KT_EQ(fl_msginfo_caps(m.info), 0);
	KT_EQ(m.mr[5], 6);
	KT_EQ(b->msg[FL_MSG_REG_COUNT], 0x5a5a);
	KT_EQ(kt_cap_type(slot), FL_OBJ_NULL);
	/* A long reply to it is cut to the registers as well. */
	m = (struct fl_msg){.info = fl_msginfo(0, 40, 0), .mr = {0, 0, 0, 0, 0, 66}};
	fl_reply(reply, &m);
	KT_CHECK(kt_wait_flag(&c->done, 2000), "bufferless caller did not finish");
	KT_EQ(fl_msginfo_length(c->out[0]), FL_MSG_REG_COUNT);
	KT_EQ(c->out[1], 66);
	/* An invocation naming a cap argument has no buffer to name it in. */
	KT_EQ(fl_msginfo_label(c->out[2]), FL_E_INVALID_CAPABILITY);
	KT_CHECK(fl_msginfo_is_error(c->out[2]), "invocation error not flagged");
	KT_EQ(kt_cap_type(copy), FL_OBJ_NULL);
	KT_EQ(fl_msginfo_label(c->out[3]), FL_E_ILLEGAL_OPERATION);
}

/* Client: calls the echo server at arg0 arg1 times; out[0] good replies, out[1] first bad index
 * + 1. */
static void echo_client(struct kt_thread *t)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();

	for (unsigned n = 0; n < t->arg[1]; n++) {
		unsigned len = 1 + (n * 7) % FL_MSG_MAX_WORDS;
		struct fl_msg m = {.info = fl_msginfo(0x100, len, 0)};
		for (unsigned i = 0; i < FL_MSG_REG_COUNT; i++)
			m.mr[i] = n + i;
		for (unsigned i = FL_MSG_REG_COUNT; i < len; i++)
			b->msg[i] = n + i;
		fl_call(t->arg[0], &m);
		bool ok = fl_msginfo_label(m.info) == 0x101 && fl_msginfo_length(m.info) == len;
		for (unsigned i = 0; ok && i < len; i++)
			ok = (i < FL_MSG_REG_COUNT ? m.mr[i] : b->msg[i]) == echoed(n + i, i);
		if (!ok && !t->out[1])
			t->out[1] = n + 1;
		t->out[0] += ok;
	}
}

static void test_ipc_across_cpus(void)
{
	unsigned ncpus = (unsigned)kt_bi->ncpus;
	fl_cptr_t ep1, ep2;
	struct kt_thread *s1 = start_echo(&ep1, 1);
	struct kt_thread *s2 = start_echo(&ep2, (int)(ncpus - 1));
	struct kt_thread_opts o = {.cpu = ncpus > 2 ? 2 : 1};
	struct kt_thread *c = kt_thread_new(echo_client, &o);

	/* Root (cpu 0) to a server on cpu 1, and a client on cpu 2 to a server on the last CPU. */
	c->arg[0] = ep2;
	c->arg[1] = 300;
	kt_thread_start(c);
	for (unsigned i = 0; i < 300; i++)
		call_and_check(ep1, 1 + (i * 13) % FL_MSG_MAX_WORDS, i * 1000);
	KT_CHECK(kt_wait_flag(&c->done, 20000), "cross-CPU client did not finish (%llu calls done)",
	         (unsigned long long)c->out[0]);
	KT_CHECK(c->out[1] == 0, "cross-CPU client: reply %llu was wrong",
	         (unsigned long long)c->out[1] - 1);
	KT_EQ(c->out[0], 300);
	stop_echo(ep1, s1);
	stop_echo(ep2, s2);
}

#define PROBE_ROUNDS 40
#define LABEL_PROBE  0x300

/*
 * Probe server: arg0 endpoint, arg1 reply object. Each ReplyRecv is made
 * with every preserved register patterned (kt_asm_ipc_probe) and answers
 * label L with L + 1; a LABEL_STOP call is answered and ends it. out[0]
 * counts returns with a changed register, out[1] the first such mismatch
 * mask, out[2] the calls received, out[3] the first wrong label.
 */
static void probe_server(struct kt_thread *t)
{
	struct fl_msg m = {0};
	struct kt_ipc_probe p = {.sys = FL_SYS_REPLY_RECV, .cap = t->arg[0], .reply = t->arg[1]};

	fl_recv(t->arg[0], t->arg[1], &m);
	uint64_t label = fl_msginfo_label(m.info);
	for (unsigned i = 0;; i++) {
		t->out[2]++;
		if (label == LABEL_STOP) {
			m.info = 0;
			fl_reply(t->arg[1], &m);
			return;
		}
		if (label != LABEL_PROBE + i && !t->out[3])
			t->out[3] = label | 1ULL << 63;
		p.info = fl_msginfo(label + 1, 0, 0);
		p.base = 0x5e4e000000000000ULL + (uint64_t)i * 0x100;
		kt_asm_ipc_probe(&p);
		if (p.mismatch && !t->out[0]++)
			t->out[1] = p.mismatch;
		label = fl_msginfo_label(p.x1);
	}
}

/* PROBE_ROUNDS patterned Calls from the root to a probe server on cpu: on
 * both sides every register the ABI preserves (x8..x30, SP, TPIDR_EL0)
 * must come back as it went in. */
static void probe_registers(int cpu)
{
	struct kt_thread_opts o = {.cpu = cpu};
	struct kt_thread *s = kt_thread_new(probe_server, &o);
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0);

	s->arg[0] = ep;
	s->arg[1] = kt_obj(FL_OBJ_REPLY, 0);
	kt_thread_start(s);
	for (unsigned i = 0; i < PROBE_ROUNDS; i++) {
		struct kt_ipc_probe p = {
		    .sys = FL_SYS_CALL,
		    .cap = ep,
		    .info = fl_msginfo(LABEL_PROBE + i, 0, 0),
		    .reply = 0x9999 + i, /* not an argument of Call: preserved all the same */
		    .base = 0xc1c1000000000000ULL + (uint64_t)i * 0x100,
		};
		kt_asm_ipc_probe(&p);
		KT_CHECK(p.mismatch == 0, "call %u: registers changed by Call (mask %#llx)", i,
		         (unsigned long long)p.mismatch);
		KT_EQ(p.x0, 0);
		KT_EQ(p.x1, fl_msginfo(LABEL_PROBE + i + 1, 0, 0));
	}
	stop_echo(ep, s);
	KT_CHECK(s->out[0] == 0, "%llu ReplyRecvs changed registers (first mask %#llx)",
	         (unsigned long long)s->out[0], (unsigned long long)s->out[1]);
	KT_EQ(s->out[3], 0);
	KT_EQ(s->out[2], PROBE_ROUNDS + 1);
}

/* Same CPU, same priority: the fast path both ways (arch/aarch64/fastpath.S). */
static void test_call_replyrecv_preserve_registers(void)
{
	probe_registers(-1);
}

/* The server on another CPU: the general path both ways. */
static void test_call_replyrecv_preserve_registers_across_cpus(void)
{
	probe_registers(1);
}

const struct kt_test kt_ipc_tests[] = {
    {"ipc.call_replyrecv_words", test_call_replyrecv_words, 1},
    {"ipc.call_transfers_caps", test_call_transfers_caps, 1},
    {"ipc.call_without_grant_sends_no_caps", test_call_without_grant_sends_no_caps, 1},
    {"ipc.badges_mint_delivery_unwrap", test_badges_mint_delivery_unwrap, 1},
    {"ipc.nb_send_recv_nobody_waiting", test_nb_send_recv_nobody_waiting, 1},
    {"ipc.no_ipc_buffer_truncates_to_registers", test_no_ipc_buffer_truncates_to_registers, 1},
    {"ipc.across_cpus", test_ipc_across_cpus, 2},
    {"ipc.call_replyrecv_preserve_registers", test_call_replyrecv_preserve_registers, 1},
    {"ipc.call_replyrecv_preserve_registers_across_cpus",
     test_call_replyrecv_preserve_registers_across_cpus, 2},
    {NULL, NULL, 0},
};
