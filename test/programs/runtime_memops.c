/*
 * The runtime's memcpy, memmove and memset (libs/runtime/string.S) agree with
 * byte-at-a-time reference loops for every alignment and length tried:
 * random offsets and lengths, zero and non-zero fill (zero takes the DC ZVA
 * path for large, block-aligned runs), overlapping moves both ways, and no
 * byte outside the destination range changes.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define SIZE 12288

static unsigned char a[SIZE], b[SIZE], src[SIZE];
static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

/* Reference loops through volatile pointers, so the compiler cannot turn them into calls. */
static void ref_set(volatile unsigned char *d, int c, size_t n)
{
	while (n--)
		*d++ = (unsigned char)c;
}

static void ref_move(volatile unsigned char *d, const volatile unsigned char *s, size_t n)
{
	if (d < s)
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	else
		while (n--)
			d[n] = s[n];
}

static void fill(void)
{
	for (unsigned i = 0; i < SIZE; i++) {
		a[i] = b[i] = (unsigned char)rnd(256);
		src[i] = (unsigned char)rnd(256);
	}
}

int main(void)
{
	for (unsigned it = 0; it < 3000; it++) {
		unsigned off = rnd(300), n = (it % 20 == 0) ? rnd(9000) : rnd(300);
		int v = (it % 3) ? 0 : (int)rnd(256);

		fill();
		memset(a + off, v, n);
		ref_set(b + off, v, n);
		T_ASSERTF(!memcmp(a, b, SIZE), "memset(dst+%u, %d, %u) differs", off, v, n);

		unsigned so = rnd(300);
		memcpy(a + off, src + so, n);
		ref_move(b + off, src + so, n);
		T_ASSERTF(!memcmp(a, b, SIZE), "memcpy(dst+%u, src+%u, %u) differs", off, so, n);

		memmove(a + off, a + so, n);
		ref_move(b + off, b + so, n);
		T_ASSERTF(!memcmp(a, b, SIZE), "memmove(+%u, +%u, %u) differs", off, so, n);
	}
	return 0;
}
