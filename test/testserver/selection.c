/*
 * Which tests a run selects: the value of the `tests=` bootarg, a
 * comma-separated list of glob patterns (see glob.c). A test runs if any
 * pattern matches its name (an empty list selects every test) and no
 * pattern of `tests.skip=` does (the test-server suite skips swap_*, which
 * need a swap disk and have a suite of their own).
 */
#include <string.h>

#include "core.h"

/*
 * Does the comma-separated pattern list select name? An empty list selects
 * everything; an empty item between two commas selects nothing.
 */
bool ts_selected(const char *list, const char *name)
{
	char item[TS_PATTERN_MAX + 1];

	if (list == NULL || *list == '\0')
		return true;
	while (*list) {
		size_t n = strcspn(list, ",");

		/* ts_options_parse refused longer lists, so an item always fits. */
		if (n > TS_PATTERN_MAX)
			n = TS_PATTERN_MAX;
		memcpy(item, list, n);
		item[n] = '\0';
		if (n > 0 && ts_glob_match(item, name))
			return true;
		list += n;
		if (*list == ',')
			list++;
	}
	return false;
}

/* Does the run under options o include test name (tests=, tests.skip=)? */
bool ts_wanted(const struct ts_options *o, const char *name)
{
	return ts_selected(o->tests, name) && !(o->skip[0] && ts_selected(o->skip, name));
}
