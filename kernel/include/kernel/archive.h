/* The boot archive: a cpio "newc" archive of user ELF files linked into the kernel image. */
#ifndef FAULTLINE_KERNEL_ARCHIVE_H
#define FAULTLINE_KERNEL_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

struct archive_file {
	const char *name; /* NUL-terminated, inside the archive */
	const void *data;
	size_t size;
};

/* Call fn for each file in order; stops early if fn returns nonzero.
 * Returns the number of files, or -1 if the archive is malformed. */
int archive_foreach(int (*fn)(const struct archive_file *, void *), void *arg);
/* Find a file by name; returns 0 if found. */
int archive_find(const char *name, struct archive_file *out);
const void *archive_start(void);
size_t archive_size(void);

#endif
