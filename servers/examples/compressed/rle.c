/*
 * The run-length coder of the compressed-memory pager (format in rle.h).
 * Plain C with no library calls, so the host test builds the same file.
 */
#include "rle.h"

/* Length of the run of equal bytes starting at in[i], at most RLE_MAX_RUN. */
static size_t run_length(const uint8_t *in, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && j - i < RLE_MAX_RUN && in[j] == in[i])
		j++;
	return j - i;
}

size_t rle_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t run = run_length(in, n, i);
		if (run >= RLE_MIN_RUN) {
			if (o + 2 > cap)
				return 0;
			out[o++] = (uint8_t)(0x80 + run - RLE_MIN_RUN);
			out[o++] = in[i];
			i += run;
			continue;
		}
		/* Literals up to the next run worth coding, or RLE_MAX_LIT. */
		size_t start = i;
		while (i < n && i - start < RLE_MAX_LIT && run_length(in, n, i) < RLE_MIN_RUN)
			i++;
		size_t len = i - start;
		if (o + 1 + len > cap)
			return 0;
		out[o++] = (uint8_t)(len - 1);
		for (size_t k = 0; k < len; k++)
			out[o++] = in[start + k];
	}
	return o;
}

long rle_expand(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint8_t c = in[i++];
		if (c >= 0x80) {
			size_t run = (size_t)c - 0x80 + RLE_MIN_RUN;
			if (i >= n || o + run > cap)
				return -1;
			for (size_t k = 0; k < run; k++)
				out[o++] = in[i];
			i++;
		} else {
			size_t len = (size_t)c + 1;
			if (i + len > n || o + len > cap)
				return -1;
			for (size_t k = 0; k < len; k++)
				out[o++] = in[i++];
		}
	}
	return (long)o;
}
