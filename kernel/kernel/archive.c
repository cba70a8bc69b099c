/*
 * Reading the boot archive (cpio "newc", as `cpio -H newc` writes it): a
 * 110-byte ASCII header per file, the NUL-terminated name, the data, each
 * padded to 4 bytes, ending with the entry "TRAILER!!!".
 */
#include "kernel/archive.h"
#include "kernel/lib.h"

extern const char _archive_start[], _archive_end[];

const void *archive_start(void)
{
	return _archive_start;
}
size_t archive_size(void)
{
	return (size_t)(_archive_end - _archive_start);
}

static int hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

int archive_foreach(int (*fn)(const struct archive_file *, void *), void *arg)
{
	const char *p = _archive_start, *end = _archive_end;
	int n = 0;

	while (p + 110 <= end) {
		uint32_t filesize, namesize;
		if (memcmp(p, "070701", 6) || hex8(p + 54, &filesize) || hex8(p + 94, &namesize))
			return -1;
		const char *name = p + 110;
		if (namesize == 0 || name + namesize > end || name[namesize - 1] != '\0')
			return -1;
		const char *data =
		    _archive_start + ALIGN_UP((size_t)(name + namesize - _archive_start), 4);
		if (data + filesize > end || data + filesize < data)
			return -1;
		if (!strcmp(name, "TRAILER!!!"))
			return n;
		struct archive_file f = {.name = name, .data = data, .size = filesize};
		n++;
		if (fn && fn(&f, arg))
			return n;
		p = _archive_start + ALIGN_UP((size_t)(data + filesize - _archive_start), 4);
	}
	return p == end ? n : -1;
}

struct find_arg {
	const char *name;
	struct archive_file *out;
	int found;
};

static int find_fn(const struct archive_file *f, void *arg)
{
	struct find_arg *a = arg;

	if (a->name ? strcmp(f->name, a->name) : 0)
		return 0;
	*a->out = *f;
	a->found = 1;
	return 1;
}

int archive_find(const char *name, struct archive_file *out)
{
	struct find_arg a = {.name = name, .out = out};

	archive_foreach(find_fn, &a);
	return a.found ? 0 : -1;
}
