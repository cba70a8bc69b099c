/*
 * Shell-style name patterns for selecting tests: `*` matches any run of
 * characters (also none), `?` exactly one; every other character matches
 * itself. No character classes: test names are [A-Za-z0-9_] words, and the
 * bootargs that carry patterns have no quoting.
 */
#include "core.h"

/*
 * Does name match pattern, as a whole? Greedy with one backtrack point: on a
 * mismatch after a `*`, that `*` takes one more character and the match
 * resumes, which is enough because a later `*` supersedes an earlier one.
 */
bool ts_glob_match(const char *pattern, const char *name)
{
	const char *star = NULL;   /* the last `*` seen in pattern */
	const char *resume = NULL; /* where in name that `*` stops matching */

	while (*name) {
		if (*pattern == '*') {
			star = pattern++;
			resume = name;
		} else if (*pattern == '?' || *pattern == *name) {
			pattern++;
			name++;
		} else if (star) {
			pattern = star + 1;
			name = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}
