/*
 * Malformed messages against the generated rt_dispatch, through the loopback
 * transport: one test per dispatch rule. Each sends a raw message (built here
 * by hand on purpose: it is what a broken or hostile client would send) and
 * checks the error reply, its argument index, and that no handler ran.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rt_server.h"

static struct fl_ipc_buffer client_buf;
static fl_cptr_t ep;

/* A valid scalars request: a=1 b=2 c=3 d=4 e=-5 f=-6 g=-7 h=-8 flag=1 col=green. */
static void scalars_request(struct fl_msg *m)
{
	static const uint64_t words[10] = {
	    1, 2, 3, 4, (uint64_t)-5, (uint64_t)-6, (uint64_t)-7, (uint64_t)-8, 1, RT_COLOR_GREEN};

	memset(m, 0, sizeof(*m));
	for (int k = 0; k < 10; k++)
		fl_idl_set(m, &client_buf, (unsigned)k, words[k]);
	m->info = fl_msginfo(RT_SCALARS_LABEL, RT_SCALARS_REQUEST_WORDS, 0);
}

/* Call with m, check the reply label is err (and MR0 = arg for argument/cap
 * errors) and that no handler ran. */
static void expect_rejected(fl_cptr_t to, struct fl_msg *m, uint64_t err, uint64_t arg)
{
	unsigned long calls = rt_seen.calls;

	fl_call(to, m);
	CHECK(!fl_msginfo_is_error(m->info));
	CHECK_EQ(fl_msginfo_label(m->info), err);
	if (err == FL_IDL_E_BAD_ARGUMENT || err == FL_IDL_E_BAD_CAP) {
		CHECK_EQ(fl_msginfo_length(m->info), 1);
		CHECK_EQ(m->mr[0], arg);
	}
	CHECK_EQ(rt_seen.calls, calls);
}

static void valid_raw_request_is_accepted(void)
{
	struct fl_msg m;
	unsigned long calls = rt_seen.calls;

	scalars_request(&m);
	fl_call(ep, &m);
	CHECK_EQ(fl_msginfo_label(m.info), FL_IDL_OK);
	CHECK_EQ(rt_seen.calls, calls + 1);
}

static void unknown_label_is_bad_method(void)
{
	struct fl_msg m;

	scalars_request(&m);
	m.info = fl_msginfo(RT_SCALARS_LABEL + 100, RT_SCALARS_REQUEST_WORDS, 0);
	expect_rejected(ep, &m, FL_IDL_E_BAD_METHOD, 0);
	scalars_request(&m);
	m.info =
	    fl_msginfo((0x0f02ULL << 16) | 1, RT_SCALARS_REQUEST_WORDS, 0); /* another interface */
	expect_rejected(ep, &m, FL_IDL_E_BAD_METHOD, 0);
	scalars_request(&m);
	m.info = fl_msginfo(0, RT_SCALARS_REQUEST_WORDS, 0);
	expect_rejected(ep, &m, FL_IDL_E_BAD_METHOD, 0);
}

static void null_handler_is_bad_method(void)
{
	struct fl_msg m = {0};

	m.info = fl_msginfo(RT_MISSING_LABEL, 1, 0);
	expect_rejected(ep, &m, FL_IDL_E_BAD_METHOD, 0);
}

static void short_and_long_messages_are_bad_length(void)
{
	struct fl_msg m;

	scalars_request(&m);
	m.info = fl_msginfo(RT_SCALARS_LABEL, RT_SCALARS_REQUEST_WORDS - 1, 0);
	expect_rejected(ep, &m, FL_IDL_E_BAD_LENGTH, 0);
	scalars_request(&m);
	m.info = fl_msginfo(RT_SCALARS_LABEL, RT_SCALARS_REQUEST_WORDS + 1, 0);
	expect_rejected(ep, &m, FL_IDL_E_BAD_LENGTH, 0);
	scalars_request(&m);
	m.info = fl_msginfo(RT_SCALARS_LABEL, 0, 0);
	expect_rejected(ep, &m, FL_IDL_E_BAD_LENGTH, 0);
}

/* Set word k of a valid scalars request to w and expect BAD_ARGUMENT for parameter k. */
static void expect_bad_scalar(unsigned k, uint64_t w)
{
	struct fl_msg m;

	scalars_request(&m);
	fl_idl_set(&m, &client_buf, k, w);
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, k);
}

static void unsigned_words_past_their_width_are_bad_arguments(void)
{
	expect_bad_scalar(0, 0x100);      /* u8 */
	expect_bad_scalar(1, 0x10000);    /* u16 */
	expect_bad_scalar(2, 1ULL << 32); /* u32 */
	expect_bad_scalar(0, UINT64_MAX);
}

static void signed_words_that_are_not_sign_extensions_are_bad_arguments(void)
{
	expect_bad_scalar(4, 0x80);                  /* i8: 128 */
	expect_bad_scalar(4, 0xffffffffffffff7fULL); /* i8: -129 */
	expect_bad_scalar(5, 0x8000);                /* i16 */
	expect_bad_scalar(6, 0x80000000);            /* i32: 2^31 zero-extended */
	expect_bad_scalar(6, 0xffffffff);            /* i32: -1 not sign-extended */
}

static void bool_other_than_0_or_1_is_bad_argument(void)
{
	expect_bad_scalar(8, 2);
	expect_bad_scalar(8, UINT64_MAX);
}

static void enum_value_not_declared_is_bad_argument(void)
{
	expect_bad_scalar(9, 1); /* between red = 0 and green = 5 */
	expect_bad_scalar(9, 10);
	expect_bad_scalar(9, 5ULL | (1ULL << 32)); /* green in the low bits */
}

/* A valid structs request (shape: 1 + 3*2 + 1 + 1 = 9 words). */
static void structs_request(struct fl_msg *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < RT_STRUCTS_REQUEST_WORDS; k++)
		fl_idl_set(m, &client_buf, k, 0);
	m->info = fl_msginfo(RT_STRUCTS_LABEL, RT_STRUCTS_REQUEST_WORDS, 0);
}

static void invalid_field_deep_in_a_struct_is_bad_argument(void)
{
	struct fl_msg m;

	structs_request(&m);
	fl_idl_set(&m, &client_buf, 0, 3); /* color */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 0);
	structs_request(&m);
	fl_idl_set(&m, &client_buf, 6, 1ULL << 31); /* corners[2].y, an i32 */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 0);
	structs_request(&m);
	fl_idl_set(&m, &client_buf, 7, 1ULL << 40); /* tag[5] packed: byte 5 is padding */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 0);
	structs_request(&m);
	fl_idl_set(&m, &client_buf, 8, 7); /* filled */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 0);
}

static void packed_array_padding_is_checked(void)
{
	struct fl_msg m = {0};

	/* arrays: vals[8] words 0..7, small[11] words 8..9 (5 padding bytes), grid 10..15 */
	m.info = fl_msginfo(RT_ARRAYS_LABEL, RT_ARRAYS_REQUEST_WORDS, 0);
	for (unsigned k = 0; k < RT_ARRAYS_REQUEST_WORDS; k++)
		fl_idl_set(&m, &client_buf, k, 0);
	fl_idl_set(&m, &client_buf, 9, 0xff000000ULL); /* byte 11 of small */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 1);
	m.info = fl_msginfo(RT_ARRAYS_LABEL, RT_ARRAYS_REQUEST_WORDS, 0);
	for (unsigned k = 0; k < RT_ARRAYS_REQUEST_WORDS; k++)
		fl_idl_set(&m, &client_buf, k, 0);
	fl_idl_set(&m, &client_buf, 15, 0x10000); /* grid[1][2], a u16 */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 2);
}

/* A strings request with name = s (its length word and data) and empty blob. */
static void strings_request(struct fl_msg *m, const char *s)
{
	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < RT_STRINGS_REQUEST_WORDS; k++)
		fl_idl_set(m, &client_buf, k, 0);
	fl_idl_put_bytes(m, &client_buf, 0, RT_NAME_MAX, (const uint8_t *)s, strlen(s));
	m->info = fl_msginfo(RT_STRINGS_LABEL, RT_STRINGS_REQUEST_WORDS, 0);
}

static void string_and_bytes_bounds_nul_and_padding_are_checked(void)
{
	struct fl_msg m;

	strings_request(&m, "ok");
	fl_idl_set(&m, &client_buf, 0, RT_NAME_MAX + 1); /* length past the bound */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 0);
	strings_request(&m, "ok");
	fl_idl_set(&m, &client_buf, 0, 3); /* "ok\0": a NUL inside the length */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 0);
	strings_request(&m, "ok");
	fl_idl_set(&m, &client_buf, 3, 1); /* padding word after the data */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 0);
	strings_request(&m, "ok");
	fl_idl_set(&m, &client_buf, 4, RT_BLOB_MAX + 1); /* blob's length word */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 1);
	strings_request(&m, "ok");
	fl_idl_set(&m, &client_buf, 4, 2);
	fl_idl_set(&m, &client_buf, 5, 0x00ff0000); /* byte 2 of blob: padding */
	expect_rejected(ep, &m, FL_IDL_E_BAD_ARGUMENT, 1);
}

/* Send a caps request with the given caps (0 = leave out) through ep_cap. */
static void caps_request(struct fl_msg *m, fl_cptr_t c0, fl_cptr_t c1, fl_cptr_t c2, unsigned n)
{
	memset(m, 0, sizeof(*m));
	client_buf.send_caps[0] = c0;
	client_buf.send_caps[1] = c1;
	client_buf.send_caps[2] = c2;
	m->info = fl_msginfo(RT_CAPS_LABEL, 0, n);
}

static void missing_wrong_weak_extra_and_unwrapped_caps_are_rejected(void)
{
	struct fl_msg m;
	fl_cptr_t frame_rw = fl_host_create(FL_OBJ_FRAME, FL_RIGHT_READ | FL_RIGHT_WRITE, 0);
	fl_cptr_t frame_r = fl_host_mint(frame_rw, FL_RIGHT_READ, 0);
	fl_cptr_t other_ep = fl_host_create(FL_OBJ_ENDPOINT, FL_RIGHT_WRITE, 0);
	fl_cptr_t other_ep_r = fl_host_mint(other_ep, FL_RIGHT_READ, 0);
	fl_cptr_t no_grant = fl_host_mint(ep, FL_RIGHTS_ALL & ~FL_RIGHT_GRANT, 0);

	caps_request(&m, 0, 0, 0, 0);
	expect_rejected(ep, &m, FL_IDL_E_BAD_CAP, 0); /* none */
	caps_request(&m, frame_rw, 0, 0, 1);
	expect_rejected(ep, &m, FL_IDL_E_BAD_CAP, 1); /* second missing */
	caps_request(&m, other_ep, frame_rw, 0, 2);
	expect_rejected(ep, &m, FL_IDL_E_BAD_CAP, 0); /* types swapped */
	caps_request(&m, frame_r, other_ep, 0, 2);
	expect_rejected(ep, &m, FL_IDL_E_BAD_CAP, 0); /* frame lacks WRITE */
	caps_request(&m, frame_rw, other_ep_r, 0, 2);
	expect_rejected(ep, &m, FL_IDL_E_BAD_CAP, 1); /* endpoint lacks WRITE */
	caps_request(&m, frame_rw, other_ep, frame_r, 3);
	expect_rejected(ep, &m, FL_IDL_E_BAD_LENGTH, 0); /* one too many */
	caps_request(&m, frame_rw, ep, 0, 2);
	expect_rejected(ep, &m, FL_IDL_E_BAD_CAP, 1); /* the server's own endpoint: unwrapped */
	caps_request(&m, frame_rw, other_ep, 0, 2);
	expect_rejected(no_grant, &m, FL_IDL_E_BAD_CAP, 0); /* no GRANT: no caps go */
	scalars_request(&m);
	m.info = fl_msginfo(RT_SCALARS_LABEL, RT_SCALARS_REQUEST_WORDS, 1);
	client_buf.send_caps[0] = frame_rw;
	expect_rejected(ep, &m, FL_IDL_E_BAD_LENGTH, 0); /* a cap where none is expected */
	client_buf.send_caps[0] = 0;
}

static void oneway_malformed_message_is_not_answered_and_not_handled(void)
{
	struct fl_msg m = {0};
	unsigned long calls = rt_seen.calls;

	m.info = fl_msginfo(RT_NOTIFY_LABEL, 1, 0);
	m.mr[0] = 1ULL << 32; /* u32 out of range */
	fl_send(ep, &m);
	/* The server is serial: a valid call after it proves the send was processed. */
	valid_raw_request_is_accepted();
	CHECK_EQ(rt_seen.calls, calls + 1);
}

int main(void)
{
	fl_cptr_t server_ep;

	fl_host_thread_init(&client_buf);
	server_ep = rt_server_start();
	ep = fl_host_mint(server_ep, FL_RIGHTS_ALL, 0x99);
	RUN(valid_raw_request_is_accepted);
	RUN(unknown_label_is_bad_method);
	RUN(null_handler_is_bad_method);
	RUN(short_and_long_messages_are_bad_length);
	RUN(unsigned_words_past_their_width_are_bad_arguments);
	RUN(signed_words_that_are_not_sign_extensions_are_bad_arguments);
	RUN(bool_other_than_0_or_1_is_bad_argument);
	RUN(enum_value_not_declared_is_bad_argument);
	RUN(invalid_field_deep_in_a_struct_is_bad_argument);
	RUN(packed_array_padding_is_checked);
	RUN(string_and_bytes_bounds_nul_and_padding_are_checked);
	RUN(missing_wrong_weak_extra_and_unwrapped_caps_are_rejected);
	RUN(oneway_malformed_message_is_not_answered_and_not_handled);
	return 0;
}
