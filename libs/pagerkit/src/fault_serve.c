/*
 * The serve loop of a custom pager (mode 1): the listener endpoint carries
 * the kernel's fault messages of the processes it pages (labels of
 * idl/fault.idl, badge pid << 8 | tid) and, if it also serves external
 * regions, the default pager's extpager.idl requests. Both are dispatched
 * by generated code, which checks every message before a handler runs.
 */
#include "pagerkit/pagerkit.h"

/* What the fault.idl handlers below get as their context. */
struct serve_ctx {
	pk_fault_fn fn;
	void *ctx;
};

/* Turn a handler's verdict into the fault dispatch's reply label. */
static int answer(const struct serve_ctx *s, const struct pk_fault *f)
{
	switch (s->fn(s->ctx, f)) {
	case PK_RETRY:
		return FAULT_REPLY_RETRY;
	case PK_SKIP:
		return FAULT_REPLY_SKIP;
	default:
		return FL_IDL_DEFER; /* no reply */
	}
}

/* A fault from badge: pid and thread come from it. */
static struct pk_fault fault_of(uint64_t badge, enum pager_fault_kind kind, uint64_t ip,
                                uint64_t addr, uint64_t esr, uint64_t sp)
{
	return (struct pk_fault){.pid = (pid_t)(badge >> 8),
	                         .tid = (unsigned)(badge & 0xff),
	                         .kind = kind,
	                         .ip = ip,
	                         .addr = addr,
	                         .esr = esr,
	                         .sp = sp};
}

static int on_vm(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                 enum fault_access access, uint64_t sp, uint64_t reserved)
{
	struct pk_fault f = fault_of(badge, PAGER_FAULT_KIND_VM, ip, addr, esr, sp);

	(void)reserved;
	f.access = access;
	return answer(ctx, &f);
}

static int on_unknown_syscall(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                              uint64_t access, uint64_t sp, uint64_t sysno)
{
	struct pk_fault f = fault_of(badge, PAGER_FAULT_KIND_UNKNOWN_SYSCALL, ip, addr, esr, sp);

	(void)access;
	f.sysno = sysno;
	return answer(ctx, &f);
}

static int on_user_exception(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                             uint64_t access, uint64_t sp, uint64_t reserved)
{
	struct pk_fault f = fault_of(badge, PAGER_FAULT_KIND_USER_EXCEPTION, ip, addr, esr, sp);

	(void)access;
	(void)reserved;
	return answer(ctx, &f);
}

static const struct fault_handlers fault_table = {
    .vm = on_vm,
    .unknown_syscall = on_unknown_syscall,
    .user_exception = on_user_exception,
};

/* Serve faults (to fn) and extpager requests (to ext, if any) forever. */
void pk_fault_serve(const struct pk_listener *l, pk_fault_fn fn,
                    const struct extpager_handlers *ext, void *ctx)
{
	static const struct extpager_handlers none;
	struct serve_ctx s = {fn, ctx};
	struct fl_msg m = {0};

	fl_recv(l->endpoint, l->reply, &m);
	for (;;) {
		int r = FL_IDL_NO_REPLY;

		if (!fl_msginfo_is_error(m.info)) {
			if (fault_owns_label(fl_msginfo_label(m.info)))
				r = fault_dispatch(&fault_table, &s, &m);
			else
				r = extpager_dispatch(ext ? ext : &none, ctx, &m);
		}
		if (r == FL_IDL_REPLY)
			fl_reply_recv(l->endpoint, l->reply, &m);
		else
			fl_recv(l->endpoint, l->reply, &m);
	}
}
