/*
 * The data set the compressed-memory pager serves: byte at offset o. It
 * has long runs (so it compresses) that change from page to page (so a
 * misplaced page shows). Shared with the test that checks every byte.
 */
#ifndef EXAMPLES_CONTENT_H
#define EXAMPLES_CONTENT_H

#include <stdint.h>

static inline uint8_t content_byte(uint64_t offset)
{
	uint64_t page = offset >> 12, run = (offset & 0xfff) / 97;

	return (run % 5 == 4) ? (uint8_t)(offset * 13) : (uint8_t)('a' + (page * 7 + run) % 26);
}

#endif
