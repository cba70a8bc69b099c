/*
 * The serve loop of an external pager: receive on the listener's endpoint,
 * let the generated extpager.idl dispatch check the request and run the
 * handler, reply and receive the next one in one ReplyRecv.
 */
#include "pagerkit/pagerkit.h"

/* Serve h forever. A malformed request gets the dispatch's error reply. */
void pk_serve(const struct pk_listener *l, const struct extpager_handlers *h, void *ctx)
{
	struct fl_msg m = {0};

	fl_recv(l->endpoint, l->reply, &m);
	for (;;) {
		int r = FL_IDL_NO_REPLY;

		if (!fl_msginfo_is_error(m.info))
			r = extpager_dispatch(h, ctx, &m);
		if (r == FL_IDL_REPLY)
			fl_reply_recv(l->endpoint, l->reply, &m);
		else
			fl_recv(l->endpoint, l->reply, &m);
	}
}
