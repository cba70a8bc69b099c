/*
 * Capabilities and memory: CNode operations and the derivation tree,
 * deletion destroying objects, retype until an Untyped is exhausted,
 * invalid capability slots in every syscall and some invocations, and IRQ
 * control.
 */
#include "ktest.h"

#define CN       FL_CAP_ROOT_CNODE
#define BAD_CPTR (1ULL << 40) /* outside the root CNode: the guard does not match */

static uint64_t identify(fl_cptr_t s, uint64_t *badge)
{
	struct fl_msg m = {0};

	KT_EQ(kt_invoke(CN, FL_CNODE_IDENTIFY, 1, KT_WORDS(s), 0, NULL, &m), FL_OK);
	if (badge)
		*badge = m.mr[1];
	return m.mr[0];
}

static void test_cnode_copy_mint_move_mutate_identify(void)
{
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), a = kt_slot(), b = kt_slot(), c = kt_slot(),
	          d = kt_slot();
	uint64_t badge;

	KT_EQ(identify(ep, &badge), fl_capinfo(FL_OBJ_ENDPOINT, FL_RIGHTS_ALL));
	KT_EQ(badge, 0);
	/* Copy with a rights mask. */
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, a, ep, FL_RIGHT_READ | FL_RIGHT_GRANT), FL_OK);
	KT_EQ(identify(a, NULL), fl_capinfo(FL_OBJ_ENDPOINT, FL_RIGHT_READ | FL_RIGHT_GRANT));
	/* Into an occupied slot: refused, nothing changes. */
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, a, ep, FL_RIGHTS_ALL), FL_E_DELETE_FIRST);
	KT_EQ(identify(a, NULL), fl_capinfo(FL_OBJ_ENDPOINT, FL_RIGHT_READ | FL_RIGHT_GRANT));
	/* From an empty slot, onto itself. */
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, b, c, FL_RIGHTS_ALL), FL_E_FAILED_LOOKUP);
	KT_EQ(kt_inv(CN, FL_CNODE_MOVE, a, a), FL_E_DELETE_FIRST);
	/* Rights only shrink: a copy of a read-only copy with all rights stays read-only. */
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, b, a, FL_RIGHTS_ALL), FL_OK);
	KT_EQ(fl_capinfo_rights(identify(b, NULL)), FL_RIGHT_READ | FL_RIGHT_GRANT);
	/* Mint sets a badge once. */
	KT_EQ(kt_inv(CN, FL_CNODE_MINT, c, ep, FL_RIGHTS_ALL, 0x99), FL_OK);
	identify(c, &badge);
	KT_EQ(badge, 0x99);
	KT_EQ(kt_inv(CN, FL_CNODE_MINT, d, c, FL_RIGHTS_ALL, 0x5), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_cap_type(d), FL_OBJ_NULL);
	/* Only endpoints and notifications take badges. */
	KT_EQ(kt_inv(CN, FL_CNODE_MINT, d, kt_obj(FL_OBJ_REPLY, 0), FL_RIGHTS_ALL, 1),
	      FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_inv(CN, FL_CNODE_MINT, d, ep, FL_RIGHTS_ALL), FL_E_TRUNCATED);
	/* Move: the cap leaves its slot and keeps its badge. */
	KT_EQ(kt_inv(CN, FL_CNODE_MOVE, d, c), FL_OK);
	KT_EQ(kt_cap_type(c), FL_OBJ_NULL);
	identify(d, &badge);
	KT_EQ(badge, 0x99);
	/* Mutate: move and set the badge of an unbadged cap; not of a badged one. */
	KT_EQ(kt_inv(CN, FL_CNODE_MUTATE, c, d, 0x42), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_inv(CN, FL_CNODE_MUTATE, c, b, 0x42), FL_OK);
	KT_EQ(kt_cap_type(b), FL_OBJ_NULL);
	identify(c, &badge);
	KT_EQ(badge, 0x42);
	/* Untyped and IRQ control caps cannot be copied. */
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, b, kt_untyped(), FL_RIGHTS_ALL), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, b, FL_CAP_IRQ_CONTROL, FL_RIGHTS_ALL),
	      FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_cap_type(b), FL_OBJ_NULL);
	/* Delete. */
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, c), FL_OK);
	KT_EQ(kt_cap_type(c), FL_OBJ_NULL);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, c), FL_OK); /* deleting an empty slot is no error */
	KT_EQ(kt_inv(CN, FL_CNODE_IDENTIFY, BAD_CPTR), FL_E_FAILED_LOOKUP);
	KT_EQ(kt_inv(CN, 0x7777, 0), FL_E_ILLEGAL_OPERATION);
}

static void test_cnode_revoke_removes_derived_caps(void)
{
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), b1 = kt_slot(), b2 = kt_slot(), c1 = kt_slot(),
	          moved = kt_slot();
	fl_cptr_t other = kt_obj(FL_OBJ_ENDPOINT, 0), ocopy = kt_slot();

	KT_EQ(kt_inv(CN, FL_CNODE_MINT, b1, ep, FL_RIGHTS_ALL, 1), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_MINT, b2, ep, FL_RIGHTS_ALL, 2), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, c1, b1, FL_RIGHTS_ALL), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_MOVE, moved, c1),
	      FL_OK); /* a moved grandchild is still derived */
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, ocopy, other, FL_RIGHTS_ALL), FL_OK);
	/* Revoking a child removes only its own descendants. */
	KT_EQ(kt_inv(CN, FL_CNODE_REVOKE, b1), FL_OK);
	KT_EQ(kt_cap_type(moved), FL_OBJ_NULL);
	KT_EQ(kt_cap_type(b1), FL_OBJ_ENDPOINT);
	KT_EQ(kt_cap_type(b2), FL_OBJ_ENDPOINT);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, c1, b2, FL_RIGHTS_ALL), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_REVOKE, ep), FL_OK);
	KT_EQ(kt_cap_type(ep), FL_OBJ_ENDPOINT);
	KT_EQ(kt_cap_type(b1), FL_OBJ_NULL);
	KT_EQ(kt_cap_type(b2), FL_OBJ_NULL);
	KT_EQ(kt_cap_type(c1), FL_OBJ_NULL);
	/* Caps of another object are untouched. */
	KT_EQ(kt_cap_type(ocopy), FL_OBJ_ENDPOINT);
	/* The object still works through the revoked cap's original. */
	struct fl_msg m = {0};
	fl_nbsend(ep, &m);
	KT_EQ(kt_error(&m), FL_E_WOULD_BLOCK);
}

/* Blocks in arg0 with syscall arg1; out[0] = the info word it got back. */
static void blocker(struct kt_thread *t)
{
	struct fl_msg m = {.info = fl_msginfo(1, 0, 0)};

	fl_syscall(t->arg[1], t->arg[0], t->arg[2], &m);
	t->out[0] = m.info;
}

static void wait_state(struct kt_thread *t, uint64_t state)
{
	uint64_t end = kt_now_us() + 2000000;

	while (kt_thread_state(t) != state && kt_now_us() < end)
		fl_yield();
	KT_EQ(kt_thread_state(t), state);
}

static void test_delete_last_cap_destroys_object(void)
{
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), copy = kt_slot(),
	          n = kt_obj(FL_OBJ_NOTIFICATION, 0);
	struct kt_thread *r = kt_thread_new(blocker, NULL), *s = kt_thread_new(blocker, NULL);
	struct kt_thread *w = kt_thread_new(blocker, NULL);

	KT_EQ(kt_inv(CN, FL_CNODE_COPY, copy, ep, FL_RIGHTS_ALL), FL_OK);
	r->arg[0] = ep;
	r->arg[1] = FL_SYS_RECV;
	w->arg[0] = n;
	w->arg[1] = FL_SYS_RECV;
	kt_thread_start(r);
	kt_thread_start(w);
	wait_state(r, 3);
	wait_state(w, 5);
	/* Deleting one of two caps leaves the object (and the waiter) alone. */
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, ep), FL_OK);
	KT_EQ(kt_thread_state(r), 3);
	/* Deleting the last destroys it: the waiter is woken with an error. */
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, copy), FL_OK);
	KT_CHECK(kt_wait_flag(&r->done, 2000), "receiver on a destroyed endpoint stayed blocked");
	KT_CHECK(fl_msginfo_is_error(r->out[0]), "receiver got info %llx, not an error",
	         (unsigned long long)r->out[0]);
	KT_EQ(fl_msginfo_label(r->out[0]), FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, n), FL_OK);
	KT_CHECK(kt_wait_flag(&w->done, 2000), "waiter on a destroyed notification stayed blocked");
	KT_EQ(fl_msginfo_label(w->out[0]), FL_E_INVALID_CAPABILITY);

	/* A caller waiting for a reply gets FL_E_NO_REPLY when the reply object goes. */
	fl_cptr_t ep2 = kt_obj(FL_OBJ_ENDPOINT, 0), reply = kt_obj(FL_OBJ_REPLY, 0);
	struct fl_msg m = {0};
	s->arg[0] = ep2;
	s->arg[1] = FL_SYS_CALL;
	kt_thread_start(s);
	kt_recv(ep2, reply, &m, 2000);
	wait_state(s, 4);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, reply), FL_OK);
	KT_CHECK(kt_wait_flag(&s->done, 2000),
	         "caller stayed blocked after its reply object was deleted");
	KT_EQ(fl_msginfo_label(s->out[0]), FL_E_NO_REPLY);
}

static void test_cnode_range_copy_delete_and_other_root(void)
{
	fl_cptr_t first = kt_slot();
	fl_cptr_t eps[4];

	eps[0] = first;
	KT_EQ(kt_invoke(kt_untyped(), FL_UNTYPED_RETYPE, 4, KT_WORDS(FL_OBJ_ENDPOINT, 0, first, 4),
	                1, KT_CAPS(CN), NULL),
	      FL_OK);
	for (int i = 1; i < 4; i++)
		eps[i] = kt_slot();
	KT_EQ(eps[3], first + 3);
	fl_cptr_t dst = kt_slot();
	for (int i = 1; i < 4; i++)
		kt_slot();
	KT_EQ(kt_inv(CN, FL_CNODE_COPY_RANGE, dst, first, 4, FL_RIGHT_WRITE), FL_OK);
	for (int i = 0; i < 4; i++)
		KT_EQ(identify(dst + i, NULL), fl_capinfo(FL_OBJ_ENDPOINT, FL_RIGHT_WRITE));
	/* All or nothing: one occupied destination refuses the whole range. */
	fl_cptr_t dst2 = kt_slot();
	for (int i = 1; i < 4; i++)
		kt_slot();
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, dst2 + 2, first, FL_RIGHTS_ALL), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY_RANGE, dst2, first, 4, FL_RIGHTS_ALL), FL_E_DELETE_FIRST);
	KT_EQ(kt_cap_type(dst2), FL_OBJ_NULL);
	KT_EQ(kt_cap_type(dst2 + 3), FL_OBJ_NULL);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY_RANGE, dst2, first, 0, FL_RIGHTS_ALL), FL_E_RANGE);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE_RANGE, dst, 4), FL_OK);
	for (int i = 0; i < 4; i++)
		KT_EQ(kt_cap_type(dst + i), FL_OBJ_NULL);
	KT_EQ(kt_cap_type(first), FL_OBJ_ENDPOINT);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE_RANGE, dst, 0), FL_E_RANGE);

	/* Another CNode as the source root (cap0), and as the destination. */
	fl_cptr_t cn = kt_obj(FL_OBJ_CNODE, 4);
	KT_EQ(kt_invoke(cn, FL_CNODE_COPY, 3, KT_WORDS(5, first, FL_RIGHTS_ALL), 1, KT_CAPS(CN),
	                NULL),
	      FL_OK);
	struct fl_msg m = {0};
	KT_EQ(kt_invoke(cn, FL_CNODE_IDENTIFY, 1, KT_WORDS(5), 0, NULL, &m), FL_OK);
	KT_EQ(fl_capinfo_type(m.mr[0]), FL_OBJ_ENDPOINT);
	fl_cptr_t back = kt_slot();
	KT_EQ(kt_invoke(CN, FL_CNODE_MOVE, 2, KT_WORDS(back, 5), 1, KT_CAPS(cn), NULL), FL_OK);
	KT_EQ(kt_cap_type(back), FL_OBJ_ENDPOINT);
	KT_EQ(kt_invoke(cn, FL_CNODE_IDENTIFY, 1, KT_WORDS(5), 0, NULL, &m), FL_OK);
	KT_EQ(fl_capinfo_type(m.mr[0]), FL_OBJ_NULL);
	/* A 16-slot CNode resolves 4-bit cptrs only. */
	KT_EQ(kt_invoke(cn, FL_CNODE_IDENTIFY, 1, KT_WORDS(16), 0, NULL, &m), FL_E_FAILED_LOOKUP);
	/* A source root that is not a CNode. */
	KT_EQ(
	    kt_invoke(cn, FL_CNODE_COPY, 3, KT_WORDS(6, 1, FL_RIGHTS_ALL), 1, KT_CAPS(first), NULL),
	    FL_E_INVALID_CAPABILITY);
	/* Deleting the CNode's last cap deletes what it holds (derived caps go with it). */
	KT_EQ(kt_invoke(cn, FL_CNODE_COPY, 3, KT_WORDS(7, first + 1, FL_RIGHTS_ALL), 1, KT_CAPS(CN),
	                NULL),
	      FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, cn), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_REVOKE, first + 1), FL_OK);
	KT_EQ(kt_cap_type(first + 1), FL_OBJ_ENDPOINT);
}

static uint64_t frame_address(fl_cptr_t f)
{
	struct fl_msg m = {0};

	KT_EQ(kt_invoke(f, FL_FRAME_GET_ADDRESS, 0, NULL, 0, NULL, &m), FL_OK);
	return m.mr[0];
}

static uint64_t retype(fl_cptr_t ut, uint64_t type, uint64_t bits, fl_cptr_t dest, uint64_t count)
{
	return kt_invoke(ut, FL_UNTYPED_RETYPE, 4, KT_WORDS(type, bits, dest, count), 1,
	                 KT_CAPS(CN), NULL);
}

static void test_retype_until_exhausted(void)
{
	fl_cptr_t ut = kt_obj(FL_OBJ_UNTYPED, 16); /* 64 KiB: 16 frames */
	fl_cptr_t f[17];

	for (int i = 0; i < 17; i++)
		f[i] = kt_slot();
	for (int i = 0; i < 15; i++)
		KT_EQ(retype(ut, FL_OBJ_FRAME, 0, f[i], 1), FL_OK);
	uint64_t base = frame_address(f[0]);
	for (int i = 1; i < 15; i++)
		KT_EQ(frame_address(f[i]), base + (uint64_t)i * 4096);
	/* One frame left: asking for two fails and makes neither. */
	KT_EQ(retype(ut, FL_OBJ_FRAME, 0, f[15], 2), FL_E_NOT_ENOUGH_MEMORY);
	KT_EQ(kt_cap_type(f[15]), FL_OBJ_NULL);
	KT_EQ(kt_cap_type(f[16]), FL_OBJ_NULL);
	/* Bad arguments change nothing either. */
	KT_EQ(retype(ut, 99, 0, f[15], 1), FL_E_INVALID_ARGUMENT);
	KT_EQ(retype(ut, FL_OBJ_CNODE, 21, f[15], 1), FL_E_INVALID_ARGUMENT);
	KT_EQ(retype(ut, FL_OBJ_UNTYPED, 17, f[15], 1), FL_E_NOT_ENOUGH_MEMORY);
	KT_EQ(retype(ut, FL_OBJ_FRAME, 0, f[15], 0), FL_E_RANGE);
	KT_EQ(retype(ut, FL_OBJ_FRAME, 0, f[0], 1), FL_E_DELETE_FIRST);
	KT_EQ(retype(ut, FL_OBJ_FRAME, 0, 1ULL << kt_bi->cnode_radix, 1), FL_E_RANGE);
	KT_EQ(
	    kt_invoke(ut, FL_UNTYPED_RETYPE, 4, KT_WORDS(FL_OBJ_FRAME, 0, f[15], 1), 0, NULL, NULL),
	    FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(ut, FL_UNTYPED_RETYPE, 3, KT_WORDS(FL_OBJ_FRAME, 0, f[15]), 1, KT_CAPS(CN),
	                NULL),
	      FL_E_TRUNCATED);
	KT_EQ(retype(ut, FL_OBJ_FRAME, 0, f[15], 1), FL_OK);
	KT_EQ(frame_address(f[15]), base + 15 * 4096);
	/* Exhausted: a clean error, the slot stays empty; smaller objects do not fit either. */
	KT_EQ(retype(ut, FL_OBJ_FRAME, 0, f[16], 1), FL_E_NOT_ENOUGH_MEMORY);
	KT_EQ(retype(ut, FL_OBJ_ENDPOINT, 0, f[16], 1), FL_E_NOT_ENOUGH_MEMORY);
	KT_EQ(kt_cap_type(f[16]), FL_OBJ_NULL);
	/* Deleting every child makes the whole untyped available again. */
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE_RANGE, f[0], 16), FL_OK);
	KT_EQ(retype(ut, FL_OBJ_FRAME, 0, f[0], 16), FL_OK);
	KT_EQ(frame_address(f[0]), base);
	KT_EQ(frame_address(f[15]), base + 15 * 4096);
	/* Revoke of the untyped deletes its children. */
	KT_EQ(kt_inv(CN, FL_CNODE_REVOKE, ut), FL_OK);
	KT_EQ(kt_cap_type(f[0]), FL_OBJ_NULL);
	fl_cptr_t tcbs = kt_slot(), more = kt_slot();
	for (int i = 0; i < 32; i++)
		more = kt_slot();
	KT_EQ(retype(ut, FL_OBJ_TCB, 0, tcbs, 32), FL_OK); /* 32 x 2 KiB */
	KT_EQ(retype(ut, FL_OBJ_TCB, 0, more, 1), FL_E_NOT_ENOUGH_MEMORY);
	KT_EQ(kt_cap_type(more), FL_OBJ_NULL);
}

static void test_invalid_slots_every_syscall(void)
{
	static const uint64_t sends[] = {FL_SYS_CALL, FL_SYS_SEND, FL_SYS_NBSEND, FL_SYS_RECV,
	                                 FL_SYS_NBRECV};
	fl_cptr_t empty = kt_slot(), ep = kt_obj(FL_OBJ_ENDPOINT, 0),
	          reply = kt_obj(FL_OBJ_REPLY, 0);
	fl_cptr_t ro = kt_slot(), wo = kt_slot();
	struct fl_msg m = {0};

	for (unsigned i = 0; i < sizeof sends / sizeof sends[0]; i++) {
		m = (struct fl_msg){.info = fl_msginfo(1, 0, 0)};
		fl_syscall(sends[i], empty, 0, &m);
		KT_CHECK(kt_error(&m) == FL_E_INVALID_CAPABILITY,
		         "syscall %llu on an empty slot: error %llu", (unsigned long long)sends[i],
		         (unsigned long long)kt_error(&m));
		m = (struct fl_msg){.info = fl_msginfo(1, 0, 0)};
		fl_syscall(sends[i], BAD_CPTR, 0, &m);
		KT_CHECK(kt_error(&m) == FL_E_FAILED_LOOKUP,
		         "syscall %llu on a cptr outside the CNode: error %llu",
		         (unsigned long long)sends[i], (unsigned long long)kt_error(&m));
	}
	/* Reply objects named in x9. */
	m = (struct fl_msg){0};
	fl_reply(empty, &m);
	KT_EQ(kt_error(&m), FL_E_INVALID_CAPABILITY);
	fl_reply(BAD_CPTR, &m);
	KT_EQ(kt_error(&m), FL_E_FAILED_LOOKUP);
	fl_reply(ep, &m);
	KT_EQ(kt_error(&m), FL_E_INVALID_CAPABILITY);
	fl_reply(reply, &m);
	KT_EQ(kt_error(&m), FL_E_NO_REPLY);
	fl_reply_recv(ep, empty, &m);
	KT_EQ(kt_error(&m), FL_E_INVALID_CAPABILITY);
	fl_reply_recv(ep, BAD_CPTR, &m);
	KT_EQ(kt_error(&m), FL_E_FAILED_LOOKUP);
	fl_nbrecv(ep, ep, &m);
	KT_EQ(kt_error(&m), FL_E_INVALID_CAPABILITY);
	/* A reply cap cannot be sent to; rights are enforced. */
	m = (struct fl_msg){0};
	fl_call(reply, &m);
	KT_EQ(kt_error(&m), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, ro, ep, FL_RIGHT_READ), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, wo, ep, FL_RIGHT_WRITE), FL_OK);
	m = (struct fl_msg){0};
	fl_nbsend(ro, &m);
	KT_EQ(kt_error(&m), FL_E_INVALID_CAPABILITY);
	fl_nbrecv(wo, 0, &m);
	KT_EQ(kt_error(&m), FL_E_INVALID_CAPABILITY);
	/* Invocations with a missing or wrong cap argument: error, MR0 names the cap, nothing made.
	 */
	fl_cptr_t dst = kt_slot();
	KT_EQ(kt_invoke(kt_untyped(), FL_UNTYPED_RETYPE, 4, KT_WORDS(FL_OBJ_ENDPOINT, 0, dst, 1), 1,
	                KT_CAPS(empty), &m),
	      FL_E_INVALID_CAPABILITY);
	KT_CHECK(fl_msginfo_is_error(m.info), "invocation error without FL_MSGINFO_ERROR");
	KT_EQ(m.mr[0], 0);
	KT_EQ(kt_invoke(kt_untyped(), FL_UNTYPED_RETYPE, 4, KT_WORDS(FL_OBJ_ENDPOINT, 0, dst, 1), 1,
	                KT_CAPS(ep), &m),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_cap_type(dst), FL_OBJ_NULL);
	fl_cptr_t tcb = kt_obj(FL_OBJ_TCB, 0);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(0, 0, 0), 2,
	                KT_CAPS(ep, FL_CAP_ROOT_VSPACE), NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(empty, 0, 0), 0, NULL, NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(reply, 0, 0), 0, NULL, NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(BAD_CPTR, 0, 0), 0, NULL, NULL),
	      FL_E_FAILED_LOOKUP);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(0, 0, 0), 2, KT_CAPS(CN, empty), &m),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(m.mr[0], 1);
	fl_cptr_t frame = kt_obj(FL_OBJ_FRAME, 0);
	KT_EQ(
	    kt_invoke(frame, FL_FRAME_MAP, 2, KT_WORDS(kt_va(1), FL_MAP_RW), 1, KT_CAPS(ep), NULL),
	    FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(frame, FL_FRAME_GET_ADDRESS, 0, NULL, 0, NULL, &m), FL_OK);
	KT_EQ(kt_invoke(kt_obj(FL_OBJ_NOTIFICATION, 0), FL_NOTIFICATION_BIND, 0, NULL, 1,
	                KT_CAPS(ep), NULL),
	      FL_E_INVALID_CAPABILITY);
	/* An object that has no invocations. */
	KT_EQ(kt_inv(reply, 1), FL_E_ILLEGAL_OPERATION);
	/* After all that, the endpoint is still idle and usable. */
	fl_nbrecv(ep, 0, &m);
	KT_EQ(kt_error(&m), FL_E_WOULD_BLOCK);
}

static void test_irq_control_refuses_kernel_lines(void)
{
	fl_cptr_t h = kt_slot(), h2 = kt_slot(), occupied = kt_obj(FL_OBJ_ENDPOINT, 0);
	struct fl_msg m = {0};

	/* SGIs, PPIs (the timer is 30) and the kernel's console UART (BootInfo
	 * says which line: 33 on QEMU virt, the mini UART's on the Pi 4). */
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 1, h), FL_E_RANGE);
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 30, h), FL_E_RANGE);
	KT_CHECK(kt_bi->console_irq >= 32, "BootInfo names no console interrupt");
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, kt_bi->console_irq, h), FL_E_RANGE);
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 100000, h), FL_E_RANGE);
	KT_EQ(kt_cap_type(h), FL_OBJ_NULL);
	/* A free SPI: once, then refused until the handler is deleted. */
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 60, occupied), FL_E_DELETE_FIRST);
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 60, h), FL_OK);
	KT_EQ(kt_cap_type(h), FL_OBJ_IRQ_HANDLER);
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 60, h2), FL_E_DELETE_FIRST);
	KT_EQ(kt_invoke(h, FL_IRQ_HANDLER_ACK, 0, NULL, 0, NULL, &m), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_invoke(h, FL_IRQ_HANDLER_SET_NOTIFICATION, 0, NULL, 1, KT_CAPS(occupied), NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(h, FL_IRQ_HANDLER_SET_NOTIFICATION, 0, NULL, 1,
	                KT_CAPS(kt_obj(FL_OBJ_NOTIFICATION, 0)), NULL),
	      FL_OK);
	KT_EQ(kt_inv(h, FL_IRQ_HANDLER_ACK, 0), FL_OK);
	/* Ack's flags: unknown bits are refused; ON_WAIT is taken, and again
	 * (it replaces the pending unmask), and Clear drops it. */
	KT_EQ(kt_inv(h, FL_IRQ_HANDLER_ACK, 2), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_inv(h, FL_IRQ_HANDLER_ACK, FL_IRQ_ACK_ON_WAIT | 0x100), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_inv(h, FL_IRQ_HANDLER_ACK, FL_IRQ_ACK_ON_WAIT), FL_OK);
	KT_EQ(kt_inv(h, FL_IRQ_HANDLER_ACK, FL_IRQ_ACK_ON_WAIT), FL_OK);
	KT_EQ(kt_inv(h, FL_IRQ_HANDLER_CLEAR, 0), FL_OK);
	KT_EQ(kt_inv(h, FL_IRQ_HANDLER_ACK, FL_IRQ_ACK_ON_WAIT), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, h), FL_OK);
	KT_EQ(kt_inv(FL_CAP_IRQ_CONTROL, FL_IRQ_CONTROL_GET, 60, h2), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, h2), FL_OK);
}

const struct kt_test kt_cap_tests[] = {
    {"cap.cnode_copy_mint_move_mutate_identify", test_cnode_copy_mint_move_mutate_identify, 1},
    {"cap.cnode_revoke_removes_derived_caps", test_cnode_revoke_removes_derived_caps, 1},
    {"cap.delete_last_cap_destroys_object", test_delete_last_cap_destroys_object, 1},
    {"cap.cnode_range_copy_delete_and_other_root", test_cnode_range_copy_delete_and_other_root, 1},
    {"cap.retype_until_exhausted", test_retype_until_exhausted, 1},
    {"cap.invalid_slots_every_syscall", test_invalid_slots_every_syscall, 1},
    {"irq.control_refuses_kernel_lines", test_irq_control_refuses_kernel_lines, 1},
    {NULL, NULL, 0},
};
