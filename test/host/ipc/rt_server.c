/* The roundtrip.idl test server (see rt_server.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rt_server.h"

struct rt_seen rt_seen;
fl_cptr_t rt_notify_done;
static fl_cptr_t server_ep, server_reply;
static struct fl_ipc_buffer server_buf;
static int deferred; /* a defer call waits for its reply */
static uint64_t deferred_x;

static int h_scalars(void *ctx, uint64_t badge, uint8_t a, uint16_t b, uint32_t c, uint64_t d,
                     int8_t e, int16_t f, int32_t g, int64_t h, bool flag, enum rt_color col,
                     uint8_t *ra, uint16_t *rb, uint32_t *rc, uint64_t *rd, int8_t *re, int16_t *rf,
                     int32_t *rg, int64_t *rh, bool *rflag, enum rt_color *rcol)
{
	(void)ctx;
	rt_seen.badge = badge;
	*ra = (uint8_t)(a + 1);
	*rb = (uint16_t)(b + 1);
	*rc = c + 1;
	*rd = d + 1;
	*re = (int8_t)(e - 1);
	*rf = (int16_t)(f - 1);
	*rg = g - 1;
	*rh = h - 1;
	*rflag = !flag;
	*rcol = col == RT_COLOR_RED     ? RT_COLOR_GREEN
	        : col == RT_COLOR_GREEN ? RT_COLOR_BLUE
	                                : RT_COLOR_RED;
	rt_seen.calls++;
	return FL_IDL_OK;
}

static int h_structs(void *ctx, uint64_t badge, const struct rt_shape *s, struct rt_shape *out)
{
	(void)ctx;
	(void)badge;
	out->color = s->color;
	for (int i = 0; i < 3; i++) {
		out->corners[i].x = -s->corners[i].x;
		out->corners[i].y = -s->corners[i].y;
	}
	for (int i = 0; i < 5; i++)
		out->tag[i] = s->tag[4 - i];
	out->filled = !s->filled;
	rt_seen.calls++;
	return FL_IDL_OK;
}

static int h_arrays(void *ctx, uint64_t badge, const uint64_t vals[8], const int8_t small[11],
                    const uint16_t grid[2][3], uint64_t *sum, int8_t rev[11],
                    uint16_t transposed[3][2])
{
	(void)ctx;
	(void)badge;
	*sum = 0;
	for (int i = 0; i < 8; i++)
		*sum += vals[i];
	for (int i = 0; i < 11; i++)
		rev[i] = small[10 - i];
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++)
			transposed[j][i] = grid[i][j];
	rt_seen.calls++;
	return FL_IDL_OK;
}

static int h_strings(void *ctx, uint64_t badge, const char *name, const uint8_t *blob,
                     size_t blob_len, char upper[21], uint8_t reversed[40], size_t *reversed_len)
{
	(void)ctx;
	(void)badge;
	rt_seen.calls++;
	if (strcmp(name, "too big") == 0)
		return RT_E_TOO_BIG;
	for (size_t i = 0; name[i] != '\0'; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	for (size_t i = 0; i < blob_len; i++)
		reversed[i] = blob[blob_len - 1 - i];
	*reversed_len = blob_len;
	return FL_IDL_OK;
}

static int h_caps(void *ctx, uint64_t badge, fl_cptr_t frame, fl_cptr_t ep, fl_cptr_t *note)
{
	unsigned type;
	uint64_t rights, cap_badge;

	(void)ctx;
	(void)badge;
	if (fl_host_cap(frame, &type, &rt_seen.frame_rights, &cap_badge, &rt_seen.frame_object) !=
	    0)
		abort();
	if (fl_host_cap(ep, &type, &rights, &cap_badge, &rt_seen.ep_object) != 0)
		abort();
	*note = fl_host_create(FL_OBJ_NOTIFICATION, FL_RIGHT_WRITE | FL_RIGHT_READ, 0x77);
	rt_seen.calls++;
	return FL_IDL_OK;
}

static void h_notify(void *ctx, uint64_t badge, uint32_t value)
{
	(void)ctx;
	(void)badge;
	rt_seen.notify_value = value;
	rt_seen.calls++;
	fl_signal(rt_notify_done);
}

static int h_old(void *ctx, uint64_t badge, uint64_t x, uint64_t *y)
{
	(void)ctx;
	(void)badge;
	*y = x * 2;
	rt_seen.calls++;
	return FL_IDL_OK;
}

static int h_fail(void *ctx, uint64_t badge, uint32_t code)
{
	(void)ctx;
	(void)badge;
	rt_seen.calls++;
	return (int)code;
}

static int h_defer(void *ctx, uint64_t badge, uint64_t x, uint64_t *y)
{
	(void)ctx;
	(void)badge;
	(void)y;
	deferred = 1;
	deferred_x = x;
	rt_seen.calls++;
	return FL_IDL_DEFER;
}

static int h_big(void *ctx, uint64_t badge, const uint64_t words[100], uint64_t *sum,
                 uint64_t *last)
{
	(void)ctx;
	(void)badge;
	*sum = 0;
	for (int i = 0; i < 100; i++)
		*sum += words[i];
	*last = words[99];
	rt_seen.calls++;
	return FL_IDL_OK;
}

static const struct rt_handlers handlers = {
    .scalars = h_scalars,
    .structs = h_structs,
    .arrays = h_arrays,
    .strings = h_strings,
    .caps = h_caps,
    .notify = h_notify,
    .old = h_old,
    .fail = h_fail,
    .defer = h_defer,
    .big = h_big,
    .missing = NULL,
};

/* Give every receive slot that now holds a cap (or none yet) a fresh empty slot. */
static void refill_slots(void)
{
	for (int i = 0; i < FL_MSG_MAX_CAPS; i++) {
		unsigned type;
		uint64_t rights, badge, object;

		if (server_buf.recv_slots[i] == 0 ||
		    fl_host_cap(server_buf.recv_slots[i], &type, &rights, &badge, &object) == 0)
			server_buf.recv_slots[i] = fl_host_alloc_slot();
	}
}

/* The server loop: receive, dispatch, reply (or not), forever. */
static void *serve(void *arg)
{
	struct fl_msg m;

	(void)arg;
	fl_host_thread_init(&server_buf);
	refill_slots();
	fl_recv(server_ep, server_reply, &m);
	for (;;) {
		int r = rt_dispatch(&handlers, NULL, &m);

		refill_slots();
		if (deferred) {
			deferred = 0;
			rt_defer_reply(server_reply, deferred_x + 100);
		}
		if (r == FL_IDL_REPLY)
			fl_reply_recv(server_ep, server_reply, &m);
		else
			fl_recv(server_ep, server_reply, &m);
	}
	return NULL;
}

/* rt_server_start: see rt_server.h. */
fl_cptr_t rt_server_start(void)
{
	pthread_t t;

	server_ep = fl_host_create(FL_OBJ_ENDPOINT, FL_RIGHTS_ALL, 0);
	server_reply = fl_host_create(FL_OBJ_REPLY, FL_RIGHTS_ALL, 0);
	rt_notify_done = fl_host_create(FL_OBJ_NOTIFICATION, FL_RIGHTS_ALL, 1);
	if (pthread_create(&t, NULL, serve, NULL) != 0)
		abort();
	pthread_detach(t);
	return server_ep;
}
