/*
 * Bootarg lookup for testserver.option: the value of one key among the
 * words the test server was started with (the pager passes the kernel
 * command line on; an argument may hold several words separated by
 * spaces), so a test program asks for an option by name instead of
 * parsing its own argv.
 */
#include <string.h>

#include "core.h"

/*
 * The value of key=value among the words of argv[1..argc): the last such
 * word counts, as on a kernel command line; a bare word key has value "".
 * 0 with the value NUL-terminated in value[len], -1 if no word has the key
 * (or key is empty or holds '=' or ' '), -2 if the value does not fit.
 */
int ts_bootarg(int argc, char *const argv[], const char *key, char *value, size_t len)
{
	size_t klen = strlen(key);
	const char *found = NULL, *found_end = NULL;

	if (klen == 0 || strpbrk(key, "= "))
		return -1;
	for (int i = 1; i < argc; i++) {
		for (const char *p = argv[i]; *p;) {
			while (*p == ' ')
				p++;
			const char *end = p + strcspn(p, " ");
			size_t n = (size_t)(end - p);

			if (n == klen && memcmp(p, key, klen) == 0) {
				found = end;
				found_end = end;
			} else if (n > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
				found = p + klen + 1;
				found_end = end;
			}
			p = end;
		}
	}
	if (!found)
		return -1;
	if ((size_t)(found_end - found) >= len)
		return -2;
	memcpy(value, found, (size_t)(found_end - found));
	value[found_end - found] = '\0';
	return 0;
}
