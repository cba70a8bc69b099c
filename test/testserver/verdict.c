/*
 * How a test ended, in the words of its FAIL line. A test passes only if
 * its process ended as it expected (by default: exited by itself with
 * status 0; testserver.expect may say another status, or a kill by the
 * pager), in time, reported no failed sub-check, and left the pager's
 * accounting as it found it (leak.c).
 */
#include <stdio.h>

#include "core.h"

/* Did the process end as the test expected? */
static bool ended_as_expected(const struct ts_end *e)
{
	if (e->how == TS_END_EXITED)
		return e->expect == TS_EXPECT_EXIT && e->code == e->expect_value;
	if (e->how == TS_END_KILLED)
		return e->expect == TS_EXPECT_KILLED &&
		       (e->expect_value == 0 || e->code == e->expect_value);
	return false;
}

/* Say how the process ended, if not as expected, into buf. Returns the
 * snprintf count (0: nothing to say). */
static int say_end(const struct ts_end *e, char *buf, size_t len)
{
	if (ended_as_expected(e))
		return 0;
	switch (e->how) {
	case TS_END_SPAWN_FAILED:
		return snprintf(buf, len, "could not start: %s", e->detail);
	case TS_END_TIMED_OUT:
		return snprintf(buf, len, "no exit within the %us time limit; killed", e->limit_s);
	case TS_END_LOST:
		return snprintf(buf, len, "lost: %s", e->detail);
	case TS_END_KILLED:
		if (e->expect == TS_EXPECT_KILLED)
			return snprintf(buf, len,
			                "killed by the pager (signal %d), expected signal %d",
			                e->code, e->expect_value);
		return snprintf(buf, len, "killed by the pager (signal %d)", e->code);
	case TS_END_EXITED:
		if (e->expect == TS_EXPECT_KILLED && e->expect_value)
			return snprintf(
			    buf, len,
			    "exited with status %d, expected a kill by the pager (signal %d)",
			    e->code, e->expect_value);
		if (e->expect == TS_EXPECT_KILLED)
			return snprintf(buf, len,
			                "exited with status %d, expected a kill by the pager",
			                e->code);
		if (e->expect_value)
			return snprintf(buf, len, "exited with status %d, expected %d", e->code,
			                e->expect_value);
		return snprintf(buf, len, "exited with status %d", e->code);
	}
	return 0;
}

/* Append "; " (if buf already says something) and the printf text to buf. */
static int append(char *buf, size_t len, int n, const char *what, const char *text)
{
	if (n < 0)
		n = 0;
	if ((size_t)n >= len)
		return n;
	return n + snprintf(buf + n, len - (size_t)n, "%s%s%s", n ? "; " : "", what, text);
}

/*
 * Did the test that ended as e pass? If not, its reason is in buf
 * (NUL-terminated, cut to len; len must be at least 1).
 */
bool ts_verdict(const struct ts_end *e, char *buf, size_t len)
{
	int n;

	buf[0] = '\0';
	n = say_end(e, buf, len);
	if (e->checks_failed == 1)
		n = append(buf, len, n, "check failed: ", e->first_failure);
	else if (e->checks_failed > 1) {
		char what[64];

		snprintf(what, sizeof what, "%u checks failed, the first: ", e->checks_failed);
		n = append(buf, len, n, what, e->first_failure);
	}
	if (e->leaked)
		append(buf, len, n, "leaked: ", e->leak);
	return ended_as_expected(e) && e->checks_failed == 0 && !e->leaked;
}

/* The outcome of a test that ended as e, whose ts_verdict was passed. */
enum ts_outcome ts_outcome_of(const struct ts_end *e, bool passed)
{
	if (passed)
		return TS_OUTCOME_PASSED;
	if (e->how == TS_END_TIMED_OUT)
		return TS_OUTCOME_TIMED_OUT;
	if (ended_as_expected(e) && e->checks_failed == 0 && e->leaked)
		return TS_OUTCOME_LEAKED;
	return TS_OUTCOME_FAILED;
}
