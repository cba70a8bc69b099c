/*
 * The pattern pager (docs/custom-pagers.md, example 1): every region it
 * serves holds pattern_byte(offset) at each offset. It counts the regions
 * that are closed; started with an argument N, it exits with status 0 after
 * the N-th close, so a test can see that region_closed arrives.
 */
#include <stdlib.h>

#include <pagerkit/pagerkit.h>

#include "pattern.h"

struct pattern {
	const struct pk_listener *l;
	unsigned closes, exit_after;
};

/* Fill the buffer with the pattern of the page at offset. */
static int supply(void *ctx, uint64_t badge, uint64_t region, uint64_t offset,
                  enum extpager_access access, uint32_t buffer)
{
	struct pattern *pt = ctx;
	uint8_t *page = pk_buffer(pt->l, buffer);

	(void)badge;
	(void)region;
	(void)access;
	if (!page)
		return EXTPAGER_E_UNAVAILABLE;
	for (unsigned i = 0; i < PK_PAGE_SIZE; i++)
		page[i] = pattern_byte(offset + i);
	return 0;
}

/* A region went away: count it; maybe this was the last one wanted. */
static int closed(void *ctx, uint64_t badge, uint64_t region)
{
	struct pattern *pt = ctx;

	(void)badge;
	(void)region;
	if (++pt->closes == pt->exit_after)
		exit(0);
	return 0;
}

int main(int argc, char **argv)
{
	static struct pk_listener l;
	struct pattern pt = {.l = &l, .exit_after = argc > 1 ? (unsigned)atoi(argv[1]) : 0};
	const struct extpager_handlers h = {.supply_page = supply, .region_closed = closed};

	if (pk_listen(&l) < 0)
		return 1;
	pk_serve(&l, &h, &pt);
}
