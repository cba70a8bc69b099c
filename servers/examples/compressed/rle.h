/*
 * A byte-oriented run-length coder written for the compressed-memory pager
 * (no library in the tree does this for freestanding user programs).
 *
 * Format: a sequence of packets. A control byte c < 0x80 is followed by
 * c + 1 literal bytes; c >= 0x80 is followed by one byte repeated
 * c - 0x80 + RLE_MIN_RUN times. Runs shorter than RLE_MIN_RUN go out as
 * literals, so the worst case grows the input by one byte in 128.
 */
#ifndef EXAMPLES_RLE_H
#define EXAMPLES_RLE_H

#include <stddef.h>
#include <stdint.h>

#define RLE_MIN_RUN 3
#define RLE_MAX_RUN (0x7f + RLE_MIN_RUN)
#define RLE_MAX_LIT 0x80
/* Room that always suffices to compress n bytes. */
#define RLE_BOUND(n) ((n) + ((n) + RLE_MAX_LIT - 1) / RLE_MAX_LIT)

/* Compress in[0..n) into out[0..cap). Returns the compressed size, or 0 if
 * it does not fit cap (cap >= RLE_BOUND(n) always fits). */
size_t rle_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* Expand in[0..n) into out[0..cap). Returns the expanded size, or -1 if
 * in is malformed (a packet cut short) or would overflow cap. */
long rle_expand(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

#endif
