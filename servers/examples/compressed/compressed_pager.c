/*
 * The compressed-memory pager (docs/custom-pagers.md, example 2): holds a
 * data set of argv[1] pages (default 64) only in compressed form, in its
 * own heap, and expands a page into the transfer buffer when the default
 * pager asks for it. A dirty page reported back is compressed and kept in
 * place of the old one. Offsets past the data set are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagerkit/pagerkit.h>

#include "content.h"
#include "rle.h"

struct store {
	const struct pk_listener *l;
	size_t npages;
	uint8_t **page; /* compressed pages */
	size_t *len;
};

/* Compress raw (one page) into page i of s, replacing what was there. */
static int store_page(struct store *s, size_t i, const uint8_t *raw)
{
	static uint8_t tmp[RLE_BOUND(PK_PAGE_SIZE)];
	size_t n = rle_compress(raw, PK_PAGE_SIZE, tmp, sizeof tmp);
	uint8_t *copy = n ? malloc(n) : NULL;

	if (!copy)
		return -1;
	memcpy(copy, tmp, n);
	free(s->page[i]);
	s->page[i] = copy;
	s->len[i] = n;
	return 0;
}

/* Expand the page at offset into the transfer buffer. */
static int supply(void *ctx, uint64_t badge, uint64_t region, uint64_t offset,
                  enum extpager_access access, uint32_t buffer)
{
	struct store *s = ctx;
	uint8_t *out = pk_buffer(s->l, buffer);
	uint64_t i = offset / PK_PAGE_SIZE;

	(void)badge;
	(void)region;
	(void)access;
	if (!out)
		return EXTPAGER_E_UNAVAILABLE;
	if (i >= s->npages)
		return EXTPAGER_E_BAD_OFFSET;
	if (rle_expand(s->page[i], s->len[i], out, PK_PAGE_SIZE) != PK_PAGE_SIZE)
		return EXTPAGER_E_UNAVAILABLE;
	return 0;
}

/* Keep a written page: compress the buffer into the store. */
static int dirty(void *ctx, uint64_t badge, uint64_t region, uint64_t offset, uint32_t buffer)
{
	struct store *s = ctx;
	const uint8_t *in = pk_buffer(s->l, buffer);
	uint64_t i = offset / PK_PAGE_SIZE;

	(void)badge;
	(void)region;
	if (!in)
		return EXTPAGER_E_UNAVAILABLE;
	if (i >= s->npages)
		return EXTPAGER_E_BAD_OFFSET;
	return store_page(s, i, in) ? EXTPAGER_E_UNAVAILABLE : 0;
}

int main(int argc, char **argv)
{
	static struct pk_listener l;
	static uint8_t raw[PK_PAGE_SIZE];
	struct store s = {.l = &l, .npages = argc > 1 ? strtoul(argv[1], NULL, 0) : 64};
	const struct extpager_handlers h = {.supply_page = supply, .dirty_page = dirty};
	size_t total = 0;

	s.page = calloc(s.npages, sizeof *s.page);
	s.len = calloc(s.npages, sizeof *s.len);
	if (!s.page || !s.len)
		return 1;
	for (size_t i = 0; i < s.npages; i++) {
		for (size_t b = 0; b < PK_PAGE_SIZE; b++)
			raw[b] = content_byte(i * PK_PAGE_SIZE + b);
		if (store_page(&s, i, raw))
			return 1;
		total += s.len[i];
	}
	printf("compressed_pager: %zu pages in %zu bytes\n", s.npages, total);
	if (pk_listen(&l) < 0)
		return 1;
	pk_serve(&l, &h, &s);
}
