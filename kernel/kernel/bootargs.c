/* Parsing of /chosen/bootargs: space-separated "flag" or "key=value" words. */
#include "kernel/boot.h"
#include "kernel/lib.h"

/* Find word `name` (followed by '=', space or end); returns a pointer just past the name. */
static const char *find(const char *name)
{
	const char *p = platform.bootargs;
	size_t n = strlen(name);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, n) && (p[n] == '=' || p[n] == ' ' || p[n] == '\0'))
			return p + n;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

int bootarg_flag(const char *name)
{
	return find(name) != NULL;
}

int bootarg_value(const char *name, char *buf, unsigned size)
{
	const char *p = find(name);
	unsigned i = 0;

	if (!p || *p != '=')
		return 0;
	for (p++; *p && *p != ' ' && i + 1 < size; p++)
		buf[i++] = *p;
	buf[i] = '\0';
	return 1;
}

unsigned long bootarg_ulong(const char *name, unsigned long dflt)
{
	char buf[32];

	if (!bootarg_value(name, buf, sizeof buf))
		return dflt;
	return strtoul(buf, NULL, 0);
}
