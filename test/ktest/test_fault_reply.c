/*
 * Fault replies that map or protect (FL_FAULT_REPLY_MAP, FL_FAULT_REPLY_PROTECT):
 * the reply does the page's mapping work and resumes the faulter in one
 * kernel entry. Every bad reply is refused with its error and the word at
 * fault, changes nothing, and leaves the faulter waiting; a ReplyRecv that
 * is refused returns at once instead of receiving.
 */
#include "ktest.h"

#define VS          FL_CAP_ROOT_VSPACE
#define CN          FL_CAP_ROOT_CNODE
#define FAULT_BADGE 0xfa18
/* Far from everything the root task maps: no page table there. */
#define NO_TABLE_VA 0x0000500000000000ULL

struct handler {
	fl_cptr_t ep, reply;
};

/* Stores arg1 at arg0; out[0] = 1 once the store completed. */
static void store_thread(struct kt_thread *t)
{
	kt_asm_store((volatile uint64_t *)t->arg[0], t->arg[1]);
	t->out[0] = 1;
}

/* Makes syscall number arg0 (unknown to the kernel). */
static void svc_thread(struct kt_thread *t)
{
	kt_asm_svc(t->arg[0], 0);
}

/* Calls endpoint arg0 with an empty message; out[0] = the reply's label. */
static void caller_thread(struct kt_thread *t)
{
	struct fl_msg m = {0};

	fl_call(t->arg[0], &m);
	t->out[0] = fl_msginfo_label(m.info);
}

/* A thread that stores v at va with h as its fault handler; started, and
 * its fault received on h (checked to be at va). */
static struct kt_thread *faulting_store(struct handler *h, uint64_t va, uint64_t v)
{
	struct kt_thread_opts o = {.cpu = -1, .fault_ep = h->ep, .fault_badge = FAULT_BADGE};
	struct kt_thread *t = kt_thread_new(store_thread, &o);
	struct fl_msg m = {0};

	t->arg[0] = va;
	t->arg[1] = v;
	kt_thread_start(t);
	kt_recv(h->ep, h->reply, &m, 3000);
	KT_EQ(fl_msginfo_label(m.info), FL_FAULT_VM);
	KT_EQ(m.mr[1], va);
	return t;
}

/* Reply through reply with label and words w[0..n); returns the error (0
 * = done) and the error reply's MR0 and MR1 in *word, *extra. */
static uint64_t reply_words(fl_cptr_t reply, uint64_t label, unsigned n, const uint64_t *w,
                            uint64_t *word, uint64_t *extra)
{
	struct fl_msg m = {.info = fl_msginfo(label, n, 0)};

	for (unsigned i = 0; i < n; i++)
		m.mr[i] = w[i];
	fl_reply(reply, &m);
	if (word)
		*word = m.mr[0];
	if (extra)
		*extra = m.mr[1];
	return kt_error(&m);
}

static uint64_t reply_map(fl_cptr_t reply, uint64_t va, uint64_t dest, uint64_t src,
                          uint64_t rights, uint64_t vs, uint64_t cn, uint64_t *word)
{
	return reply_words(reply, FL_FAULT_REPLY_MAP, 6, KT_WORDS(va, dest, src, rights, vs, cn),
	                   word, NULL);
}

/* MR0 of VSpace_Lookup at va, or 0 if nothing is mapped there. */
static uint64_t mapped_pa(uint64_t va)
{
	struct fl_msg m = {0};

	if (kt_invoke(VS, FL_VSPACE_LOOKUP, 1, KT_WORDS(va), 0, NULL, &m))
		return 0;
	return m.mr[0];
}

static uint64_t frame_pa(fl_cptr_t f)
{
	struct fl_msg m = {0};

	KT_EQ(kt_invoke(f, FL_FRAME_GET_ADDRESS, 0, NULL, 0, NULL, &m), FL_OK);
	return m.mr[0];
}

/* The faulter t still waits for its reply and has not gone past the store. */
static void still_waiting(struct kt_thread *t)
{
	KT_EQ(kt_thread_state(t), 4);
	KT_CHECK(!t->out[0], "the faulter ran on after a refused reply");
}

/* A page table covering va (a frame mapped in the page after it). */
static void table_for(uint64_t va)
{
	KT_EQ(kt_map(kt_obj(FL_OBJ_FRAME, 0), va + 4096, FL_MAP_RW), FL_OK);
}

static void test_reply_map_maps_and_resumes(void)
{
	struct handler h = {kt_obj(FL_OBJ_ENDPOINT, 0), kt_obj(FL_OBJ_REPLY, 0)};
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0), dest = kt_slot();
	uint64_t va = kt_va(2), word = 99;

	table_for(va);
	struct kt_thread *t = faulting_store(&h, va + 0x40, 0x5a5a);
	KT_EQ(reply_map(h.reply, va, dest, f, FL_MAP_RW, VS, CN, &word), FL_OK);
	KT_CHECK(kt_wait_flag(&t->done, 2000), "the faulter did not resume after the map reply");
	KT_EQ(t->out[0], 1);
	KT_EQ(mapped_pa(va), frame_pa(f));
	KT_EQ(kt_cap_type(dest), FL_OBJ_FRAME);
	KT_EQ(((volatile uint64_t *)va)[8], 0x5a5a);
	/* The mapping belongs to the copy in dest: deleting it unmaps. */
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, dest), FL_OK);
	KT_EQ(mapped_pa(va), 0);
}

static void test_reply_map_refuses_bad_input_and_changes_nothing(void)
{
	struct handler h = {kt_obj(FL_OBJ_ENDPOINT, 0), kt_obj(FL_OBJ_REPLY, 0)};
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0), dest = kt_slot(), ro = kt_slot(), empty = kt_slot();
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), other_vs = kt_obj(FL_OBJ_VSPACE, 0);
	fl_cptr_t used = kt_obj(FL_OBJ_NOTIFICATION, 0);
	uint64_t va = kt_va(2), w = 0, x = 0;

	KT_EQ(kt_inv(CN, FL_CNODE_COPY, ro, f, FL_RIGHT_READ), FL_OK);
	table_for(va);
	struct kt_thread *t = faulting_store(&h, va + 8, 0x77);
	struct {
		uint64_t va, dest, src, rights, vs, cn, err, word;
	} bad[] = {
	    {va + 4096, dest, f, FL_MAP_RW, VS, CN, FL_E_INVALID_ARGUMENT, 0}, /* not the page */
	    {va + 8, dest, f, FL_MAP_RW, VS, CN, FL_E_INVALID_ARGUMENT, 0},    /* unaligned */
	    {1ULL << 48, dest, f, FL_MAP_RW, VS, CN, FL_E_INVALID_ARGUMENT, 0},
	    {va, dest, f, 0, VS, CN, FL_E_INVALID_ARGUMENT, 3},
	    {va, dest, f, 8, VS, CN, FL_E_INVALID_ARGUMENT, 3},
	    {va, dest, f, FL_MAP_RW, CN, CN, FL_E_INVALID_CAPABILITY, 4},    /* not a VSpace */
	    {va, dest, f, FL_MAP_RW, empty, CN, FL_E_INVALID_CAPABILITY, 4}, /* empty slot */
	    {va, dest, f, FL_MAP_RW, 1ULL << 40, CN, FL_E_FAILED_LOOKUP, 4}, /* no slot */
	    {va, dest, f, FL_MAP_RW, other_vs, CN, FL_E_INVALID_ARGUMENT,
	     4},                                                         /* not the faulter's */
	    {va, dest, f, FL_MAP_RW, VS, f, FL_E_INVALID_CAPABILITY, 5}, /* not a CNode */
	    {va, 1ULL << 40, f, FL_MAP_RW, VS, CN, FL_E_RANGE, 1},
	    {va, dest, 1ULL << 40, FL_MAP_RW, VS, CN, FL_E_RANGE, 2},
	    {va, f, f, FL_MAP_RW, VS, CN, FL_E_RANGE, 1},                  /* dest = src */
	    {va, dest, ep, FL_MAP_RW, VS, CN, FL_E_INVALID_CAPABILITY, 2}, /* not a frame */
	    {va, dest, empty, FL_MAP_RW, VS, CN, FL_E_INVALID_CAPABILITY, 2},
	    {va, dest, ro, FL_MAP_RW, VS, CN, FL_E_INVALID_CAPABILITY, 2}, /* rights */
	    {va, used, f, FL_MAP_RW, VS, CN, FL_E_DELETE_FIRST, 1},        /* dest taken */
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		w = 99;
		KT_EQ(reply_map(h.reply, bad[i].va, bad[i].dest, bad[i].src, bad[i].rights,
		                bad[i].vs, bad[i].cn, &w),
		      bad[i].err);
		KT_CHECK(w == bad[i].word, "bad reply %u: MR0 is %llu, expected %llu", i,
		         (unsigned long long)w, (unsigned long long)bad[i].word);
		still_waiting(t);
		KT_EQ(mapped_pa(va), 0);
		KT_EQ(kt_cap_type(dest), FL_OBJ_NULL);
		KT_EQ(kt_cap_type(used), FL_OBJ_NOTIFICATION);
	}
	/* Too few words. */
	KT_EQ(reply_words(h.reply, FL_FAULT_REPLY_MAP, 5, KT_WORDS(va, dest, f, FL_MAP_RW, VS), &w,
	                  NULL),
	      FL_E_TRUNCATED);
	KT_EQ(w, 5);
	still_waiting(t);
	/* A ReplyRecv that is refused returns the error at once: it does not
	 * wait on the endpoint (nobody would send to it here). */
	struct fl_msg m = {.info = fl_msginfo(FL_FAULT_REPLY_MAP, 6, 0),
	                   .mr = {va, dest, f, 0, VS, CN}};
	fl_reply_recv(h.ep, h.reply, &m);
	KT_EQ(kt_error(&m), FL_E_INVALID_ARGUMENT);
	KT_EQ(m.mr[0], 3);
	still_waiting(t);
	KT_EQ(mapped_pa(va), 0);
	/* A reply object nobody waits on. */
	fl_cptr_t unarmed = kt_obj(FL_OBJ_REPLY, 0);
	KT_EQ(reply_map(unarmed, va, dest, f, FL_MAP_RW, VS, CN, &w), FL_E_NO_REPLY);
	KT_EQ(w, FL_FAULT_REPLY_BAD_TARGET);
	m = (struct fl_msg){.info = fl_msginfo(FL_FAULT_REPLY_MAP, 6, 0),
	                    .mr = {va, dest, f, FL_MAP_RW, VS, CN}};
	fl_reply_recv(h.ep, unarmed, &m);
	KT_EQ(kt_error(&m), FL_E_NO_REPLY);
	KT_EQ(kt_cap_type(dest), FL_OBJ_NULL);
	/* The good reply still works: the fault was left as it was. */
	KT_EQ(reply_map(h.reply, va, dest, f, FL_MAP_RW, VS, CN, &w), FL_OK);
	KT_CHECK(kt_wait_flag(&t->done, 2000), "the faulter did not resume after the map reply");
	KT_EQ(((volatile uint64_t *)va)[1], 0x77);
	(void)x;
}

static void test_reply_map_refuses_occupied_address_and_missing_table(void)
{
	struct handler h = {kt_obj(FL_OBJ_ENDPOINT, 0), kt_obj(FL_OBJ_REPLY, 0)};
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0), ro_frame, dest = kt_slot();
	uint64_t w = 0, x = 0;

	/* A write to a read-only page: the address is mapped already. */
	volatile uint64_t *p = kt_page(FL_MAP_READ, &ro_frame);
	struct kt_thread *t = faulting_store(&h, (uint64_t)p, 0x31);
	KT_EQ(reply_map(h.reply, (uint64_t)p, dest, f, FL_MAP_RW, VS, CN, &w), FL_E_DELETE_FIRST);
	KT_EQ(w, 0);
	still_waiting(t);
	KT_EQ(mapped_pa((uint64_t)p), frame_pa(ro_frame));
	KT_EQ(kt_cap_type(dest), FL_OBJ_NULL);
	KT_EQ(kt_inv(t->tcb, FL_TCB_SUSPEND, 0), FL_OK);

	/* No page table for the address: FL_E_MAPPING with the missing level. */
	struct handler h2 = {kt_obj(FL_OBJ_ENDPOINT, 0), kt_obj(FL_OBJ_REPLY, 0)};
	struct kt_thread *u = faulting_store(&h2, NO_TABLE_VA, 0x32);
	KT_EQ(reply_words(h2.reply, FL_FAULT_REPLY_MAP, 6,
	                  KT_WORDS(NO_TABLE_VA, dest, f, FL_MAP_RW, VS, CN), &w, &x),
	      FL_E_MAPPING);
	KT_EQ(w, 0);
	KT_CHECK(x >= 1 && x <= 3, "missing level %llu", (unsigned long long)x);
	still_waiting(u);
	KT_EQ(kt_cap_type(dest), FL_OBJ_NULL);
	/* Once the tables are there, the same reply maps. */
	KT_EQ(kt_map(kt_obj(FL_OBJ_FRAME, 0), NO_TABLE_VA + 4096, FL_MAP_RW), FL_OK);
	KT_EQ(reply_map(h2.reply, NO_TABLE_VA, dest, f, FL_MAP_RW, VS, CN, &w), FL_OK);
	KT_CHECK(kt_wait_flag(&u->done, 2000), "the faulter did not resume after the map reply");
	KT_EQ(*(volatile uint64_t *)NO_TABLE_VA, 0x32);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, dest), FL_OK);
}

static void test_reply_map_only_answers_a_vm_fault(void)
{
	struct handler h = {kt_obj(FL_OBJ_ENDPOINT, 0), kt_obj(FL_OBJ_REPLY, 0)};
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0), dest = kt_slot();
	uint64_t va = kt_va(2), w = 0;
	struct fl_msg m = {0};

	table_for(va);
	/* A caller of an ordinary Call: refused, and it still waits. */
	struct kt_thread *c = kt_thread_new(caller_thread, NULL);
	c->arg[0] = h.ep;
	kt_thread_start(c);
	kt_recv(h.ep, h.reply, &m, 3000);
	KT_EQ(reply_map(h.reply, va, dest, f, FL_MAP_RW, VS, CN, &w), FL_E_ILLEGAL_OPERATION);
	KT_EQ(w, FL_FAULT_REPLY_BAD_TARGET);
	KT_EQ(kt_thread_state(c), 4);
	KT_EQ(
	    reply_words(h.reply, FL_FAULT_REPLY_PROTECT, 3, KT_WORDS(va, FL_MAP_RW, VS), &w, NULL),
	    FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_thread_state(c), 4);
	/* Also through ReplyRecv (the IPC fast path's case): refused at once. */
	m = (struct fl_msg){.info = fl_msginfo(FL_FAULT_REPLY_MAP, 6, 0),
	                    .mr = {va, dest, f, FL_MAP_RW, VS, CN}};
	fl_reply_recv(h.ep, h.reply, &m);
	KT_EQ(kt_error(&m), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_thread_state(c), 4);
	KT_EQ(mapped_pa(va), 0);
	KT_EQ(kt_cap_type(dest), FL_OBJ_NULL);
	KT_EQ(reply_words(h.reply, 0x42, 0, NULL, NULL, NULL), FL_OK);
	KT_CHECK(kt_wait_flag(&c->done, 2000), "the caller did not get its ordinary reply");
	KT_EQ(c->out[0], 0x42);

	/* A fault that is not a VM fault (an unknown syscall). */
	struct kt_thread_opts o = {.cpu = -1, .fault_ep = h.ep, .fault_badge = FAULT_BADGE};
	struct kt_thread *s = kt_thread_new(svc_thread, &o);
	s->arg[0] = 999;
	kt_thread_start(s);
	kt_recv(h.ep, h.reply, &m, 3000);
	KT_EQ(fl_msginfo_label(m.info), FL_FAULT_UNKNOWN_SYSCALL);
	KT_EQ(reply_map(h.reply, va, dest, f, FL_MAP_RW, VS, CN, &w), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_thread_state(s), 4);
	KT_EQ(mapped_pa(va), 0);
	KT_EQ(kt_cap_type(dest), FL_OBJ_NULL);
	KT_EQ(kt_inv(s->tcb, FL_TCB_SUSPEND, 0), FL_OK);
}

static void test_reply_protect_changes_rights_and_resumes(void)
{
	struct handler h = {kt_obj(FL_OBJ_ENDPOINT, 0), kt_obj(FL_OBJ_REPLY, 0)};
	fl_cptr_t f, other_vs = kt_obj(FL_OBJ_VSPACE, 0);
	volatile uint64_t *p = kt_page(FL_MAP_READ, &f);
	uint64_t va = (uint64_t)p, w = 0, x = 0;

	struct kt_thread *t = faulting_store(&h, va + 16, 0x99);
	struct {
		uint64_t va, rights, vs, err, word;
	} bad[] = {
	    {va + 4096, FL_MAP_RW, VS, FL_E_INVALID_ARGUMENT, 0},
	    {va, 0, VS, FL_E_INVALID_ARGUMENT, 1},
	    {va, FL_MAP_RW, CN, FL_E_INVALID_CAPABILITY, 2},
	    {va, FL_MAP_RW, other_vs, FL_E_INVALID_ARGUMENT, 2},
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		KT_EQ(reply_words(h.reply, FL_FAULT_REPLY_PROTECT, 3,
		                  KT_WORDS(bad[i].va, bad[i].rights, bad[i].vs), &w, NULL),
		      bad[i].err);
		KT_EQ(w, bad[i].word);
		still_waiting(t);
	}
	KT_EQ(reply_words(h.reply, FL_FAULT_REPLY_PROTECT, 2, KT_WORDS(va, FL_MAP_RW), &w, NULL),
	      FL_E_TRUNCATED);
	still_waiting(t);
	KT_EQ(p[2], 0); /* still read-only: the store did not happen */
	KT_EQ(
	    reply_words(h.reply, FL_FAULT_REPLY_PROTECT, 3, KT_WORDS(va, FL_MAP_RW, VS), &w, NULL),
	    FL_OK);
	KT_CHECK(kt_wait_flag(&t->done, 2000),
	         "the faulter did not resume after the protect reply");
	KT_EQ(p[2], 0x99);

	/* Nothing mapped at the fault address: FL_E_MAPPING. */
	uint64_t nva = kt_va(2);
	table_for(nva);
	struct kt_thread *u = faulting_store(&h, nva, 1);
	KT_EQ(reply_words(h.reply, FL_FAULT_REPLY_PROTECT, 3, KT_WORDS(nva, FL_MAP_RW, VS), &w, &x),
	      FL_E_MAPPING);
	KT_EQ(w, 0);
	KT_EQ(x, 0);
	still_waiting(u);
	KT_EQ(kt_inv(u->tcb, FL_TCB_SUSPEND, 0), FL_OK);

	/* Never beyond the mapping's cap: a read-only cap's page stays read-only,
	 * so the resumed store faults again. */
	fl_cptr_t ro = kt_slot(), g = kt_obj(FL_OBJ_FRAME, 0);
	uint64_t rva = kt_va(1);
	struct fl_msg m = {0};
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, ro, g, FL_RIGHT_READ), FL_OK);
	KT_EQ(kt_map(ro, rva, FL_MAP_READ), FL_OK);
	struct kt_thread *v = faulting_store(&h, rva, 2);
	KT_EQ(
	    reply_words(h.reply, FL_FAULT_REPLY_PROTECT, 3, KT_WORDS(rva, FL_MAP_RW, VS), &w, NULL),
	    FL_OK);
	kt_recv(h.ep, h.reply, &m, 3000);
	KT_EQ(fl_msginfo_label(m.info), FL_FAULT_VM);
	KT_EQ(m.mr[1], rva);
	still_waiting(v);
	KT_EQ(kt_inv(v->tcb, FL_TCB_SUSPEND, 0), FL_OK);
}

const struct kt_test kt_fault_reply_tests[] = {
    {"fault.reply_map_maps_and_resumes", test_reply_map_maps_and_resumes, 1},
    {"fault.reply_map_refuses_bad_input_and_changes_nothing",
     test_reply_map_refuses_bad_input_and_changes_nothing, 1},
    {"fault.reply_map_refuses_occupied_address_and_missing_table",
     test_reply_map_refuses_occupied_address_and_missing_table, 1},
    {"fault.reply_map_only_answers_a_vm_fault", test_reply_map_only_answers_a_vm_fault, 1},
    {"fault.reply_protect_changes_rights_and_resumes",
     test_reply_protect_changes_rights_and_resumes, 1},
    {NULL, NULL, 0},
};
