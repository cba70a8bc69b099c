/*
 * Written pages of a writable region go back to the external pager when
 * the process holding them ends (extpager.dirty_page): the compressed
 * pager re-compresses them, and a fresh region then reads the written
 * data. Each process reports the pages it changed itself: a fork child's
 * write of a page is reported when the child ends, and the parent, which
 * never wrote that page, does not report it back over the child's data.
 * Pages only read are not reported.
 */
#include "content.h"
#include "exttest.h"

#define PAGES      64
#define CHILD_PAGE 1

/* What the writer puts at offset o (even pages), and its fork child (CHILD_PAGE). */
static uint8_t written(size_t o)
{
	return (uint8_t)(o * 13u + 5u) ^ 0xa5;
}

static uint8_t child_written(size_t o)
{
	return (uint8_t)(o * 3u + 1u) ^ 0x5a;
}

/* What a fresh region must read at offset o after the writers ended. */
static uint8_t expected(size_t o)
{
	size_t page = o / T_PAGE;

	if (page == CHILD_PAGE)
		return child_written(o);
	return page % 2 == 0 ? written(o) : content_byte(o);
}

/* Reads every page (all supplied), forks a child that writes CHILD_PAGE,
 * then writes the even pages. */
static void writer(pid_t server)
{
	char *r = X_REGION_VA;

	x_attach(server, r, PAGES, true);
	for (size_t o = 0; o < PAGES * T_PAGE; o++)
		T_ASSERT((uint8_t)r[o] == content_byte(o));
	pid_t c = t_fork();
	if (c == 0) {
		for (size_t o = CHILD_PAGE * T_PAGE; o < (CHILD_PAGE + 1) * T_PAGE; o++)
			r[o] = (char)child_written(o);
		exit(0);
	}
	t_wait_ok(c);
	for (size_t p = 0; p < PAGES; p += 2)
		for (size_t o = p * T_PAGE; o < (p + 1) * T_PAGE; o++)
			r[o] = (char)written(o);
	exit(0);
}

/* Attaches a fresh read-only region and checks every byte. */
static void reader(pid_t server)
{
	char *r = X_REGION_VA + (32UL << 20);

	x_attach(server, r, PAGES, false);
	for (size_t o = 0; o < PAGES * T_PAGE; o++)
		T_ASSERTF((uint8_t)r[o] == expected(o),
		          "byte at 0x%zx (page %zu) is 0x%02x, not 0x%02x", o, o / T_PAGE,
		          (uint8_t)r[o], expected(o));
	exit(0);
}

int main(void)
{
	pid_t server = x_spawn_pager("compressed_pager", "64");
	pid_t c = t_fork();

	if (c == 0)
		writer(server);
	t_wait_ok(c);
	c = t_fork();
	if (c == 0)
		reader(server);
	t_wait_ok(c);
	x_stop_pager(server);
	return 0;
}
