/*
 * The accounting check after each test: the pager's counters taken before
 * the test and after its process was reaped must be equal. A test that
 * leaves fewer free frames, more frames held, more capability slots or
 * kernel-object blocks in use, or a process behind, leaked; one that leaves
 * more free than it found means the pager's accounting is wrong (something
 * freed twice, or freed late): both fail.
 */
#include <stddef.h>
#include <stdio.h>

#include "core.h"

/* Every counter the check compares, with the words a failure uses for it. */
static const struct {
	const char *what;
	size_t offset;
} counters[] = {
    {"free frames", offsetof(struct ts_accounting, frames_free)},
    {"user frames", offsetof(struct ts_accounting, frames_user)},
    {"pager frames", offsetof(struct ts_accounting, frames_pager)},
    {"pager cap slots", offsetof(struct ts_accounting, slots_used)},
    {"kernel object blocks", offsetof(struct ts_accounting, kobj_blocks_used)},
    {"processes", offsetof(struct ts_accounting, processes)},
    {"swap slots", offsetof(struct ts_accounting, swap_slots_used)},
};

/* The counter at offset in snapshot a. */
static uint64_t counter(const struct ts_accounting *a, size_t offset)
{
	return *(const uint64_t *)((const char *)a + offset);
}

/*
 * Compare two snapshots. Returns true if they agree; otherwise false, with
 * every counter that differs described in buf as "what: B before, A after",
 * separated by "; " (NUL-terminated, cut to len).
 */
bool ts_accounting_same(const struct ts_accounting *before, const struct ts_accounting *after,
                        char *buf, size_t len)
{
	size_t pos = 0;
	bool same = true;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		uint64_t b = counter(before, counters[i].offset);
		uint64_t a = counter(after, counters[i].offset);
		int n;

		if (a == b)
			continue;
		same = false;
		if (pos >= len)
			continue;
		n = snprintf(buf + pos, len - pos, "%s%s: %llu before, %llu after", pos ? "; " : "",
		             counters[i].what, (unsigned long long)b, (unsigned long long)a);
		if (n > 0)
			pos += (size_t)n;
	}
	return same;
}
