/*
 * The logging pager (docs/custom-pagers.md, mode 1): processes spawned
 * under it (pk_spawn_paged(logging_pager's pid, ...)) send it every fault;
 * it records the fault (pid, thread, kind, access, address, ip) and
 * forwards it to the default pager (pk_resolve), so the process runs as it
 * would without it. The log is printed with -v as faults arrive, and is
 * readable by any process as an external region served by the logging
 * pager (faultlog.h): attach it, and its bytes are the log as of the
 * attach's first touch of each page. It runs until killed.
 *
 *   logging_pager [-v]
 */
#include <stdio.h>
#include <string.h>

#include <pagerkit/pagerkit.h>

#include "faultlog.h"

static const char *const kinds[] = {"vm", "unknown syscall", "exception"};
static const char *const accesses[] = {"read", "write", "exec"};

struct logger {
	struct pk_listener l;
	bool verbose;
	struct faultlog log;
};

/* Record f, then resolve it the default pager's way. */
static enum pk_verdict on_fault(void *ctx, const struct pk_fault *f)
{
	struct logger *g = ctx;
	struct faultlog_entry e = {.pid = (uint32_t)f->pid,
	                           .tid = f->tid,
	                           .kind = (uint8_t)f->kind,
	                           .access = (uint8_t)f->access,
	                           .addr = f->addr,
	                           .ip = f->ip};
	enum pk_verdict v = pk_resolve(f);

	e.killed = v == PK_NO_REPLY;
	if (g->log.count < FAULTLOG_MAX)
		g->log.e[g->log.count] = e;
	else
		g->log.dropped++;
	g->log.count++;
	if (g->verbose)
		printf("logging_pager: pid %u thread %u %s %s at 0x%llx (ip 0x%llx)%s\n", e.pid,
		       e.tid, kinds[e.kind % 3], accesses[e.access % 3], (unsigned long long)e.addr,
		       (unsigned long long)e.ip, e.killed ? ": killed" : "");
	return v;
}

/* A page of the log region: the log's bytes at offset, zeros past them. */
static int supply(void *ctx, uint64_t badge, uint64_t region, uint64_t offset,
                  enum extpager_access access, uint32_t buffer)
{
	struct logger *g = ctx;
	uint8_t *out = pk_buffer(&g->l, buffer);

	(void)badge;
	(void)region;
	(void)access;
	if (!out)
		return EXTPAGER_E_UNAVAILABLE;
	memset(out, 0, PK_PAGE_SIZE);
	if (offset < sizeof g->log) {
		size_t n = sizeof g->log - offset;
		memcpy(out, (const uint8_t *)&g->log + offset, n < PK_PAGE_SIZE ? n : PK_PAGE_SIZE);
	}
	return 0;
}

static int closed(void *ctx, uint64_t badge, uint64_t region)
{
	struct logger *g = ctx;

	(void)badge;
	(void)region;
	printf("logging_pager: %llu faults logged\n", (unsigned long long)g->log.count);
	return 0;
}

int main(int argc, char **argv)
{
	static struct logger g;
	const struct extpager_handlers ext = {.supply_page = supply, .region_closed = closed};

	g.verbose = argc > 1 && !strcmp(argv[1], "-v");
	if (pk_listen(&g.l) < 0)
		return 1;
	pk_fault_serve(&g.l, on_fault, &ext, &g);
}
