/*
 * The pattern pager's contents: byte at offset o of any region it serves.
 * Shared with the tests that check every byte.
 */
#ifndef EXAMPLES_PATTERN_H
#define EXAMPLES_PATTERN_H

#include <stdint.h>

/* Varies inside a page and from page to page, so a misplaced page shows. */
static inline uint8_t pattern_byte(uint64_t offset)
{
	return (uint8_t)((offset >> 12) * 31u + offset * 7u + 3u);
}

#endif
