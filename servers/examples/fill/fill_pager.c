/*
 * The fill pager (docs/custom-pagers.md, mode 1, the minimal example): runs
 * the program named by its arguments as its own child under itself; every
 * heap page of the window in fill.h that the child (or a thread or fork
 * child of it) touches first reads as pattern_byte(its address) instead of
 * zeros, placed from a transfer buffer; every other fault (code, data,
 * stack, the rest of the heap, a page already there) is resolved the
 * default pager's way. When the child ends, the fill pager prints how many
 * pages it placed and exits 0 if the child exited 0, else 1.
 *
 *   fill_pager PROGRAM [ARGS...]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <pagerkit/pagerkit.h>

#include "fill.h"
#include "pattern.h"

struct filler {
	struct pk_listener l;
	unsigned placed, resolved;
};

/* A fault of the child (or of a thread or fork child of it). */
static enum pk_verdict on_fault(void *ctx, const struct pk_fault *f)
{
	struct filler *s = ctx;
	uint64_t page = f->addr & ~(uint64_t)(PK_PAGE_SIZE - 1);
	uint8_t *buf = pk_buffer(&s->l, 0);

	if (f->kind == PAGER_FAULT_KIND_VM && page >= FILL_BASE && page < FILL_BASE + FILL_SIZE) {
		for (unsigned i = 0; i < PK_PAGE_SIZE; i++)
			buf[i] = pattern_byte(page + i);
		/* EEXIST: already there (a COW write, a swapped page); EINVAL:
		 * not in the heap (yet). Both: the default way. */
		if (pk_place(f->pid, page, 0) == 0) {
			s->placed++;
			return PK_RETRY;
		}
	}
	s->resolved++;
	return pk_resolve(f);
}

/* The waiter thread: ends the whole pager with the child's result. */
static void *wait_child(void *arg)
{
	struct filler *s = arg;
	int status;

	if (wait(&status) < 0)
		exit(2);
	printf("fill_pager: %u pages placed, %u faults resolved the default way\n", s->placed,
	       s->resolved);
	exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	static struct filler s;
	pthread_t waiter;

	if (argc < 2 || pk_listen(&s.l) < 0)
		return 2;
	if (pk_spawn_paged(0, argv[1], argv + 1) < 0)
		return 2;
	if (pthread_create(&waiter, NULL, wait_child, &s))
		return 2;
	pk_fault_serve(&s.l, on_fault, NULL, &s);
}
