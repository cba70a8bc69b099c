/*
 * Round trips of the compressed-memory pager's run-length coder on inputs
 * that exercise every packet boundary, its worst-case bound, the refusal
 * of a too-small output, and the rejection of malformed input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rle.h"

#define N 4096

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

/* Compress and expand in[0..n); the result must equal the input. */
static size_t roundtrip(const char *name, const uint8_t *in, size_t n)
{
	static uint8_t packed[RLE_BOUND(N)], back[N];
	size_t c = rle_compress(in, n, packed, sizeof packed);

	CHECK(c > 0 || n == 0, "%s: compress failed", name);
	CHECK(c <= RLE_BOUND(n), "%s: %zu bytes exceed the bound %zu", name, c,
	      (size_t)RLE_BOUND(n));
	long e = rle_expand(packed, c, back, sizeof back);
	CHECK(e == (long)n, "%s: expanded to %ld bytes, not %zu", name, e, n);
	CHECK(e != (long)n || memcmp(in, back, n) == 0, "%s: expanded bytes differ", name);
	return c;
}

int main(void)
{
	static uint8_t in[N];

	memset(in, 0, N);
	size_t c = roundtrip("zeros", in, N);
	CHECK(c <= 2 * (N / RLE_MAX_RUN + 1), "zeros: %zu bytes, runs not coded", c);

	for (size_t i = 0; i < N; i++)
		in[i] = (uint8_t)(i * 7 + (i >> 3));
	roundtrip("no runs", in, N);

	srand(1);
	for (size_t i = 0; i < N; i++)
		in[i] = (uint8_t)rand();
	c = roundtrip("random", in, N);

	/* Runs of every length around the packet limits, between literals. */
	for (size_t len = 1; len <= RLE_MAX_RUN + 2; len++) {
		size_t o = 0;
		while (o + len + 2 <= N) {
			memset(in + o, 0xaa, len);
			o += len;
			in[o++] = 0x55;
			in[o++] = (uint8_t)len;
		}
		char name[32];
		snprintf(name, sizeof name, "runs of %zu", len);
		roundtrip(name, in, o);
	}
	for (size_t n = 0; n <= RLE_MAX_LIT + 2; n++)
		roundtrip("short input", in, n);

	/* Too small an output: refused, not overrun. */
	uint8_t small[8];
	memset(in, 1, 64);
	CHECK(rle_compress(in, 64, small, 1) == 0, "compress into 1 byte did not refuse");
	for (size_t i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	CHECK(rle_compress(in, 64, small, sizeof small) == 0, "literals overran a small output");

	/* Malformed input is rejected. */
	const uint8_t cut_literal[] = {0x05, 1, 2};
	const uint8_t cut_run[] = {0x90};
	const uint8_t big_run[] = {0xff, 7};
	uint8_t out[16];
	CHECK(rle_expand(cut_literal, sizeof cut_literal, out, sizeof out) == -1, "cut literal");
	CHECK(rle_expand(cut_run, sizeof cut_run, out, sizeof out) == -1, "cut run");
	CHECK(rle_expand(big_run, sizeof big_run, out, sizeof out) == -1, "run past the output");

	printf("%s\n", failures ? "rle: FAILED" : "rle: all round trips ok");
	return failures ? 1 : 0;
}
