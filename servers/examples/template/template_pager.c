/*
 * Template of an external pager (docs/custom-pagers.md, "Writing a pager
 * from the template"). The generated code (extpager.h from idl/extpager.idl)
 * gives struct extpager_handlers, one function pointer per method, and a
 * dispatch that validates every request before a handler runs; pagerkit
 * gives the rest. As it stands this pager serves zero-filled pages: replace
 * the body of supply with where your pages come from.
 */
#include <string.h>

#include <pagerkit/pagerkit.h>

/* Your pager's state; handed to every handler as ctx. */
struct my_pager {
	const struct pk_listener *l;
};

/* Write the page at offset of region into transfer buffer `buffer`, or
 * return one of the EXTPAGER_E_* errors (the faulting process is killed). */
static int supply(void *ctx, uint64_t badge, uint64_t region, uint64_t offset,
                  enum extpager_access access, uint32_t buffer)
{
	struct my_pager *mp = ctx;
	uint8_t *page = pk_buffer(mp->l, buffer);

	(void)badge;
	(void)region;
	(void)offset;
	(void)access;
	if (!page)
		return EXTPAGER_E_UNAVAILABLE;
	memset(page, 0, PK_PAGE_SIZE);
	return 0;
}

/* Every process using region has ended: forget what you kept for it. */
static int closed(void *ctx, uint64_t badge, uint64_t region)
{
	(void)ctx;
	(void)badge;
	(void)region;
	return 0;
}

int main(void)
{
	static struct pk_listener l;
	struct my_pager mp = {.l = &l};
	/* A NULL handler (here dirty_page) answers FL_IDL_E_BAD_METHOD. */
	const struct extpager_handlers h = {.supply_page = supply, .region_closed = closed};

	if (pk_listen(&l) < 0)
		return 1;
	pk_serve(&l, &h, &mp);
}
