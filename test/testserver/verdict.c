/*
 * How a test ended, in the words of its FAIL line. A test passes only if
 * its process exited by itself with status 0, in time, and left the pager's
 * accounting as it found it (leak.c).
 */
#include <stdio.h>

#include "testserver.h"

/*
 * Did the test that ended as e pass? If not, its reason is in buf
 * (NUL-terminated, cut to len; len must be at least 1).
 */
bool ts_verdict(const struct ts_end *e, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	switch (e->how) {
	case TS_END_SPAWN_FAILED:
		n = snprintf(buf, len, "could not start: %s", e->detail);
		break;
	case TS_END_TIMED_OUT:
		n = snprintf(buf, len, "no exit within the %us time limit; killed", e->limit_s);
		break;
	case TS_END_KILLED:
		n = snprintf(buf, len, "killed by the pager (signal %d)", e->code);
		break;
	case TS_END_EXITED:
		if (e->code != 0)
			n = snprintf(buf, len, "exited with status %d", e->code);
		break;
	case TS_END_LOST:
		n = snprintf(buf, len, "lost: %s", e->detail);
		break;
	}
	if (n < 0)
		n = 0;
	if (e->leaked && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%sleaked: %s", n ? "; " : "", e->leak);
	return e->how == TS_END_EXITED && e->code == 0 && !e->leaked;
}
