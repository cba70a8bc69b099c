/*
 * Round trips through generated code and the loopback transport: client stub
 * -> raw message -> rt_dispatch -> handler -> reply -> client stub, for every
 * IDL type, caps in both directions, one-way, errors, deferred replies and a
 * message that spills into the IPC buffer.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rt_server.h"

static struct fl_ipc_buffer client_buf;
static fl_cptr_t ep; /* client's endpoint cap: all rights, badge 0x1234 */

static void scalars_come_back_changed_by_one(void)
{
	uint8_t ra;
	uint16_t rb;
	uint32_t rc;
	uint64_t rd;
	int8_t re;
	int16_t rf;
	int32_t rg;
	int64_t rh;
	bool rflag;
	enum rt_color rcol;

	CHECK_EQ(rt_scalars(ep, 254, 65534, 0xfffffffe, UINT64_MAX - 1, -127, -32767, INT32_MIN + 1,
	                    INT64_MIN + 1, true, RT_COLOR_GREEN, &ra, &rb, &rc, &rd, &re, &rf, &rg,
	                    &rh, &rflag, &rcol),
	         FL_IDL_OK);
	CHECK_EQ(ra, 255);
	CHECK_EQ(rb, 65535);
	CHECK_EQ(rc, 0xffffffffu);
	CHECK_EQ(rd, UINT64_MAX);
	CHECK_EQ(re, (uint64_t)(int64_t)INT8_MIN);
	CHECK_EQ(rf, (uint64_t)(int64_t)INT16_MIN);
	CHECK_EQ(rg, (uint64_t)(int64_t)INT32_MIN);
	CHECK_EQ(rh, (uint64_t)INT64_MIN);
	CHECK_EQ(rflag, false);
	CHECK_EQ(rcol, RT_COLOR_BLUE);
	CHECK_EQ(rt_seen.badge, 0x1234);
}

static void structs_with_nested_arrays_come_back_mirrored(void)
{
	struct rt_shape s = {.color = RT_COLOR_BLUE,
	                     .corners = {{1, -2}, {INT32_MAX, INT32_MIN + 1}, {0, 7}},
	                     .tag = {1, 2, 3, 0xfe, 0xff},
	                     .filled = false};
	struct rt_shape out;

	memset(&out, 0xaa, sizeof(out));
	CHECK_EQ(rt_structs(ep, &s, &out), FL_IDL_OK);
	CHECK_EQ(out.color, RT_COLOR_BLUE);
	CHECK_EQ(out.corners[0].x, (uint64_t)(int64_t)-1);
	CHECK_EQ(out.corners[0].y, 2);
	CHECK_EQ(out.corners[1].x, (uint64_t)(int64_t)-INT32_MAX);
	CHECK_EQ(out.corners[1].y, (uint64_t)(int64_t)INT32_MAX);
	CHECK_EQ(out.corners[2].y, (uint64_t)(int64_t)-7);
	CHECK_EQ(out.tag[0], 0xff);
	CHECK_EQ(out.tag[4], 1);
	CHECK_EQ(out.filled, true);
}

static void arrays_packed_and_two_dimensional_come_back(void)
{
	uint64_t vals[8] = {1, 2, 3, 4, 5, 6, 7, UINT64_MAX - 27};
	int8_t small[11] = {-128, -1, 0, 1, 127, 5, 6, 7, 8, 9, 10};
	uint16_t grid[2][3] = {{1, 2, 3}, {4, 5, 65535}};
	uint64_t sum;
	int8_t rev[11];
	uint16_t tr[3][2];

	CHECK_EQ(rt_arrays(ep, vals, small, grid, &sum, rev, tr), FL_IDL_OK);
	CHECK_EQ(sum, UINT64_MAX + 1 - 27 + 28 - 1); /* wraps: 28 + (2^64 - 28) = 0 */
	CHECK_EQ(rev[0], 10);
	CHECK_EQ(rev[10], (uint64_t)(int64_t)-128);
	CHECK_EQ(rev[9], (uint64_t)(int64_t)-1);
	CHECK_EQ(tr[0][1], 4);
	CHECK_EQ(tr[2][1], 65535);
	CHECK_EQ(tr[2][0], 3);
}

static void strings_and_bytes_come_back_transformed(void)
{
	char upper[RT_NAME_MAX + 1];
	uint8_t blob[RT_BLOB_MAX], rev[RT_BLOB_MAX];
	size_t rev_len = 0;

	for (int i = 0; i < RT_BLOB_MAX; i++)
		blob[i] = (uint8_t)i; /* includes a 0 byte: bytes may hold any byte */
	CHECK_EQ(rt_strings(ep, "hello, idl", blob, 37, upper, rev, &rev_len), FL_IDL_OK);
	CHECK(strcmp(upper, "HELLO, IDL") == 0);
	CHECK_EQ(rev_len, 37);
	CHECK_EQ(rev[0], 36);
	CHECK_EQ(rev[36], 0);
	/* Empty and full-length values. */
	CHECK_EQ(rt_strings(ep, "", blob, 0, upper, rev, &rev_len), FL_IDL_OK);
	CHECK(strcmp(upper, "") == 0);
	CHECK_EQ(rev_len, 0);
	CHECK_EQ(rt_strings(ep, "abcdefghijklmnopqrst", blob, RT_BLOB_MAX, upper, rev, &rev_len),
	         FL_IDL_OK);
	CHECK(strcmp(upper, "ABCDEFGHIJKLMNOPQRST") == 0);
	CHECK_EQ(rev_len, RT_BLOB_MAX);
	CHECK_EQ(rev[0], RT_BLOB_MAX - 1);
}

static void string_longer_than_bound_is_refused_before_sending(void)
{
	char upper[RT_NAME_MAX + 1];
	uint8_t rev[RT_BLOB_MAX];
	size_t rev_len;
	unsigned long calls = rt_seen.calls;

	CHECK_EQ(rt_strings(ep, "abcdefghijklmnopqrstu", "", 0, upper, rev, &rev_len),
	         FL_IDL_E_BAD_ARGUMENT);
	CHECK_EQ(rt_strings(ep, "a", rev, RT_BLOB_MAX + 1, upper, rev, &rev_len),
	         FL_IDL_E_BAD_ARGUMENT);
	CHECK_EQ(rt_seen.calls, calls);
}

static void declared_error_reaches_the_client(void)
{
	char upper[RT_NAME_MAX + 1];
	uint8_t rev[RT_BLOB_MAX];
	size_t rev_len;

	CHECK_EQ(rt_strings(ep, "too big", "", 0, upper, rev, &rev_len), RT_E_TOO_BIG);
	CHECK_EQ(rt_fail(ep, RT_E_TOO_BIG), RT_E_TOO_BIG);
}

static void undeclared_error_becomes_server_error(void)
{
	CHECK_EQ(rt_fail(ep, RT_E_NOT_LISTED), FL_IDL_E_SERVER);
	CHECK_EQ(rt_fail(ep, FL_IDL_E_BAD_CAP), FL_IDL_E_SERVER);
	CHECK_EQ(rt_fail(ep, 12345), FL_IDL_E_SERVER);
}

static void caps_transfer_with_type_rights_and_badge(void)
{
	fl_cptr_t frame = fl_host_create(FL_OBJ_FRAME, FL_RIGHTS_ALL, 0);
	fl_cptr_t rw = fl_host_mint(frame, FL_RIGHT_READ | FL_RIGHT_WRITE, 0);
	fl_cptr_t other_ep = fl_host_create(FL_OBJ_ENDPOINT, FL_RIGHT_WRITE, 0x55);
	fl_cptr_t note_slot = fl_host_alloc_slot();
	unsigned type;
	uint64_t rights, badge, frame_obj, ep_obj, note_obj;

	CHECK(fl_host_cap(frame, &type, &rights, &badge, &frame_obj) == 0);
	CHECK(fl_host_cap(other_ep, &type, &rights, &badge, &ep_obj) == 0);
	CHECK_EQ(rt_caps(ep, rw, other_ep, note_slot), FL_IDL_OK);
	CHECK_EQ(rt_seen.frame_object, frame_obj);
	CHECK_EQ(rt_seen.frame_rights, FL_RIGHT_READ | FL_RIGHT_WRITE);
	CHECK_EQ(rt_seen.ep_object, ep_obj);
	CHECK(fl_host_cap(note_slot, &type, &rights, &badge, &note_obj) == 0);
	CHECK_EQ(type, FL_OBJ_NOTIFICATION);
	CHECK_EQ(badge, 0x77);
	CHECK_EQ(client_buf.recv_capinfo[0],
	         fl_capinfo(FL_OBJ_NOTIFICATION, FL_RIGHT_READ | FL_RIGHT_WRITE));
	client_buf.recv_slots[0] = 0;
}

static void reply_cap_needs_grant_reply_on_the_callers_cap(void)
{
	fl_cptr_t no_gr = fl_host_mint(ep, FL_RIGHTS_ALL & ~FL_RIGHT_GRANT_REPLY, 9);
	fl_cptr_t frame = fl_host_create(FL_OBJ_FRAME, FL_RIGHT_READ | FL_RIGHT_WRITE, 0);
	fl_cptr_t other_ep = fl_host_create(FL_OBJ_ENDPOINT, FL_RIGHT_WRITE, 0);
	fl_cptr_t note_slot = fl_host_alloc_slot();
	unsigned type;
	uint64_t rights, badge, obj;

	/* The server replies with the cap, the kernel drops it: the stub sees a bad reply. */
	CHECK_EQ(rt_caps(no_gr, frame, other_ep, note_slot), FL_IDL_E_BAD_REPLY);
	CHECK(fl_host_cap(note_slot, &type, &rights, &badge, &obj) != 0);
	client_buf.recv_slots[0] = 0;
}

static void oneway_message_reaches_handler(void)
{
	CHECK_EQ(rt_notify(ep, 0xdeadbeef), FL_IDL_OK);
	CHECK_EQ(fl_wait(rt_notify_done), 1);
	CHECK_EQ(rt_seen.notify_value, 0xdeadbeef);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void deprecated_method_still_works(void)
{
	uint64_t y;

	CHECK_EQ(rt_old(ep, 21, &y), FL_IDL_OK);
	CHECK_EQ(y, 42);
}
#pragma GCC diagnostic pop

static void deferred_reply_arrives_later(void)
{
	uint64_t y = 0;

	CHECK_EQ(rt_defer(ep, 5, &y), FL_IDL_OK);
	CHECK_EQ(y, 105);
}

static void long_message_spills_into_ipc_buffer(void)
{
	uint64_t words[100], sum, last, want = 0;

	for (int i = 0; i < 100; i++) {
		words[i] = (uint64_t)i * 0x0101010101ULL;
		want += words[i];
	}
	CHECK_EQ(rt_big(ep, words, &sum, &last), FL_IDL_OK);
	CHECK_EQ(sum, want);
	CHECK_EQ(last, words[99]);
}

static void unimplemented_method_is_bad_method(void)
{
	CHECK_EQ(rt_missing(ep, 1), FL_IDL_E_BAD_METHOD);
}

static void kernel_refusal_is_reported_as_kernel_error(void)
{
	fl_cptr_t empty = fl_host_alloc_slot();
	fl_cptr_t read_only = fl_host_mint(ep, FL_RIGHT_READ, 0);
	uint64_t y;

	CHECK_EQ(rt_defer(empty, 1, &y), FL_IDL_E_KERNEL_BASE + FL_E_FAILED_LOOKUP);
	CHECK_EQ(rt_defer(read_only, 1, &y), FL_IDL_E_KERNEL_BASE + FL_E_INVALID_CAPABILITY);
}

int main(void)
{
	fl_cptr_t server_ep;

	fl_host_thread_init(&client_buf);
	server_ep = rt_server_start();
	ep = fl_host_mint(server_ep, FL_RIGHTS_ALL, 0x1234);
	RUN(scalars_come_back_changed_by_one);
	RUN(structs_with_nested_arrays_come_back_mirrored);
	RUN(arrays_packed_and_two_dimensional_come_back);
	RUN(strings_and_bytes_come_back_transformed);
	RUN(string_longer_than_bound_is_refused_before_sending);
	RUN(declared_error_reaches_the_client);
	RUN(undeclared_error_becomes_server_error);
	RUN(caps_transfer_with_type_rights_and_badge);
	RUN(reply_cap_needs_grant_reply_on_the_callers_cap);
	RUN(oneway_message_reaches_handler);
	RUN(deprecated_method_still_works);
	RUN(deferred_reply_arrives_later);
	RUN(long_message_spills_into_ipc_buffer);
	RUN(unimplemented_method_is_bad_method);
	RUN(kernel_refusal_is_reported_as_kernel_error);
	return 0;
}
