/*
 * The test server's options, read from its arguments: the pager passes the
 * kernel command line's words (bootargs) on. Words the test server does not
 * know belong to someone else (the kernel, the pager, a test program) and
 * are ignored here; every word is passed on to each test program as well.
 *
 *   tests=LIST            comma-separated glob patterns (see selection.c)
 *   tests.skip=LIST       tests not to run, even if tests= selects them
 *   tests.timeout=S       time limit of one test, seconds (default 60)
 *   stress.seconds=S      soak length for the stress test; raises the time
 *                         limit of every test by S
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

/*
 * Parse a decimal count of seconds in [1, TS_SECONDS_MAX] from s, which ends
 * at end. Returns 0 and sets *out, or -1 if s is anything else.
 */
static int parse_seconds(const char *s, const char *end, unsigned *out)
{
	unsigned long v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > TS_SECONDS_MAX)
			return -1;
	}
	if (v == 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/*
 * Copy the pattern list [v, end) of option key into list (TS_PATTERN_MAX + 1
 * bytes). Returns 0, or -1 with a message in err if it is too long.
 */
static int copy_list(char *list, const char *key, const char *v, const char *end, char *err,
                     size_t errlen)
{
	if ((size_t)(end - v) > TS_PATTERN_MAX) {
		snprintf(err, errlen, "%s: the pattern list is longer than %d characters", key,
		         TS_PATTERN_MAX);
		return -1;
	}
	memcpy(list, v, (size_t)(end - v));
	list[end - v] = '\0';
	return 0;
}

/*
 * Apply one word [w, end) to o. Returns 0, or -1 with a message in err if
 * the word is one of ours and its value is bad.
 */
static int apply_word(struct ts_options *o, const char *w, const char *end, char *err,
                      size_t errlen)
{
	static const char tests[] = "tests=", skip[] = "tests.skip=", timeout[] = "tests.timeout=",
	                  stress[] = "stress.seconds=";
	size_t n = (size_t)(end - w);
	int len = (int)n;

	if (n >= sizeof tests - 1 && memcmp(w, tests, sizeof tests - 1) == 0)
		return copy_list(o->tests, "tests=", w + sizeof tests - 1, end, err, errlen);
	if (n >= sizeof skip - 1 && memcmp(w, skip, sizeof skip - 1) == 0)
		return copy_list(o->skip, "tests.skip=", w + sizeof skip - 1, end, err, errlen);
	if (n >= sizeof timeout - 1 && memcmp(w, timeout, sizeof timeout - 1) == 0) {
		if (parse_seconds(w + sizeof timeout - 1, end, &o->timeout_s) < 0) {
			snprintf(err, errlen, "'%.*s': want a whole number of seconds from 1 to %d",
			         len, w, TS_SECONDS_MAX);
			return -1;
		}
		return 0;
	}
	if (n >= sizeof stress - 1 && memcmp(w, stress, sizeof stress - 1) == 0) {
		if (parse_seconds(w + sizeof stress - 1, end, &o->stress_s) < 0) {
			snprintf(err, errlen, "'%.*s': want a whole number of seconds from 1 to %d",
			         len, w, TS_SECONDS_MAX);
			return -1;
		}
		return 0;
	}
	return 0;
}

/*
 * Fill o from the words of argv[1..argc) (an argument may hold several words
 * separated by spaces). Returns 0, or -1 with a one-line message in err.
 */
int ts_options_parse(int argc, char *const argv[], struct ts_options *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof *o);
	o->timeout_s = TS_TIMEOUT_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *p = argv[i];

		while (*p) {
			const char *end;

			while (*p == ' ')
				p++;
			end = p + strcspn(p, " ");
			if (end > p && apply_word(o, p, end, err, errlen) < 0)
				return -1;
			p = end;
		}
	}
	return 0;
}

/* The time limit of one test, in seconds, under options o. */
unsigned ts_time_limit(const struct ts_options *o)
{
	return o->timeout_s + o->stress_s;
}
