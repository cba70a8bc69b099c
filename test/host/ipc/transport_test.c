/*
 * The loopback transport's kernel rules, through the libs/ipc wrappers alone:
 * length limit, badges, words past the registers, non-blocking send/receive,
 * notifications, replies without a caller and the debug console.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include <faultline/ipc.h>

static struct fl_ipc_buffer main_buf, echo_buf;
static fl_cptr_t echo_ep, echo_reply;

/* Echo server: replies with the message it got, label + 1, and MR0 = badge. */
static void *echo(void *arg)
{
	struct fl_msg m;

	(void)arg;
	fl_host_thread_init(&echo_buf);
	fl_recv(echo_ep, echo_reply, &m);
	for (;;) {
		m.info = fl_msginfo(fl_msginfo_label(m.info) + 1, fl_msginfo_length(m.info), 0);
		m.mr[0] = m.badge;
		fl_reply_recv(echo_ep, echo_reply, &m);
	}
	return NULL;
}

static void call_carries_badge_registers_and_buffer_words(void)
{
	fl_cptr_t badged = fl_host_mint(echo_ep, FL_RIGHTS_ALL, 0xbad9e);
	struct fl_msg m = {.info = fl_msginfo(7, FL_MSG_MAX_WORDS, 0), .mr = {1, 2, 3, 4, 5, 6}};

	for (unsigned k = FL_MSG_REG_COUNT; k < FL_MSG_MAX_WORDS; k++)
		main_buf.msg[k] = k * 3;
	fl_call(badged, &m);
	CHECK_EQ(fl_msginfo_label(m.info), 8);
	CHECK_EQ(fl_msginfo_length(m.info), FL_MSG_MAX_WORDS);
	CHECK_EQ(m.mr[0], 0xbad9e);
	CHECK_EQ(m.mr[5], 6);
	for (unsigned k = FL_MSG_REG_COUNT; k < FL_MSG_MAX_WORDS; k++)
		CHECK_EQ(main_buf.msg[k], k * 3);
}

static void message_longer_than_the_limit_is_truncated_error(void)
{
	struct fl_msg m = {.info = fl_msginfo(7, FL_MSG_MAX_WORDS + 1, 0)};

	fl_call(echo_ep, &m);
	CHECK(fl_msginfo_is_error(m.info));
	CHECK_EQ(fl_msginfo_label(m.info), FL_E_TRUNCATED);
}

static void nonblocking_receive_without_sender_would_block(void)
{
	fl_cptr_t lonely = fl_host_create(FL_OBJ_ENDPOINT, FL_RIGHTS_ALL, 0);
	fl_cptr_t reply = fl_host_create(FL_OBJ_REPLY, FL_RIGHTS_ALL, 0);
	struct fl_msg m = {.info = fl_msginfo(1, 0, 0)};

	fl_nbsend(lonely, &m); /* nobody waits: dropped */
	CHECK(!fl_msginfo_is_error(m.info));
	fl_nbrecv(lonely, reply, &m);
	CHECK(fl_msginfo_is_error(m.info));
	CHECK_EQ(fl_msginfo_label(m.info), FL_E_WOULD_BLOCK);
}

static void reply_without_caller_is_no_reply_error(void)
{
	fl_cptr_t reply = fl_host_create(FL_OBJ_REPLY, FL_RIGHTS_ALL, 0);
	struct fl_msg m = {0};

	fl_reply(reply, &m);
	CHECK(fl_msginfo_is_error(m.info));
	CHECK_EQ(fl_msginfo_label(m.info), FL_E_NO_REPLY);
}

static void notification_ors_badges_until_waited(void)
{
	fl_cptr_t n = fl_host_create(FL_OBJ_NOTIFICATION, FL_RIGHTS_ALL, 0);
	fl_cptr_t a = fl_host_mint(n, FL_RIGHT_WRITE, 0x1);
	fl_cptr_t b = fl_host_mint(n, FL_RIGHT_WRITE, 0x4);

	CHECK_EQ(fl_poll(n), 0);
	fl_signal(a);
	fl_signal(b);
	fl_signal(a);
	CHECK_EQ(fl_wait(n), 0x5);
	CHECK_EQ(fl_poll(n), 0);
	CHECK(fl_msginfo_is_error(fl_signal(fl_host_mint(n, FL_RIGHT_READ, 2))));
}

static void debug_write_reaches_the_console(void)
{
	char out[64];
	size_t n;

	fl_debug_write("hello console", 13);
	n = fl_host_debug_output(out, sizeof(out));
	CHECK_EQ(n, 13);
	CHECK(memcmp(out, "hello console", 13) == 0);
}

int main(void)
{
	pthread_t t;

	fl_host_thread_init(&main_buf);
	echo_ep = fl_host_create(FL_OBJ_ENDPOINT, FL_RIGHTS_ALL, 0);
	echo_reply = fl_host_create(FL_OBJ_REPLY, FL_RIGHTS_ALL, 0);
	CHECK(pthread_create(&t, NULL, echo, NULL) == 0);
	RUN(call_carries_badge_registers_and_buffer_words);
	RUN(message_longer_than_the_limit_is_truncated_error);
	RUN(nonblocking_receive_without_sender_would_block);
	RUN(reply_without_caller_is_no_reply_error);
	RUN(notification_ors_badges_until_waited);
	RUN(debug_write_reaches_the_console);
	return 0;
}
