/*
 * Address spaces: frame map/unmap/remap with rights, VSpace range
 * operations (map range, protect, unmap range, get-and-clear accessed,
 * lookup, map-copy), and the IPC buffer frame a TCB is configured with.
 */
#include "ktest.h"

#define VS FL_CAP_ROOT_VSPACE
#define CN FL_CAP_ROOT_CNODE

/* VSpace_Lookup of va: returns the error; *pa and *rights get the results. */
static uint64_t lookup(uint64_t va, uint64_t *pa, uint64_t *rights)
{
	struct fl_msg m = {0};
	uint64_t err = kt_invoke(VS, FL_VSPACE_LOOKUP, 1, KT_WORDS(va), 0, NULL, &m);

	if (pa)
		*pa = m.mr[0];
	if (rights)
		*rights = m.mr[1];
	return err;
}

static uint64_t rights_at(uint64_t va)
{
	uint64_t r;

	KT_EQ(lookup(va, NULL, &r), FL_OK);
	return r;
}

static uint64_t frame_address(fl_cptr_t f)
{
	struct fl_msg m = {0};

	KT_EQ(kt_invoke(f, FL_FRAME_GET_ADDRESS, 0, NULL, 0, NULL, &m), FL_OK);
	return m.mr[0];
}

static void test_frame_map_unmap_remap_rights(void)
{
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0), ro = kt_slot(), g = kt_obj(FL_OBJ_FRAME, 0);
	uint64_t va = kt_va(1), va2 = kt_va(1), va3 = kt_va(1), pa;

	KT_EQ(kt_map(f, va, FL_MAP_RW), FL_OK);
	*(volatile uint64_t *)va = 0xc0ffee;
	KT_EQ(lookup(va, &pa, NULL), FL_OK);
	KT_EQ(pa, frame_address(f));
	KT_EQ(rights_at(va), FL_MAP_RW); /* execute-never by default */
	/* Mapped once per cap; a second cap cannot take an occupied address. */
	KT_EQ(kt_map(f, va2, FL_MAP_RW), FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_map(g, va, FL_MAP_RW), FL_E_DELETE_FIRST);
	/* Bad rights and addresses. */
	KT_EQ(kt_map(g, va2, 0), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_map(g, va2, 8), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_map(g, va2 + 8, FL_MAP_RW), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_map(g, 1ULL << 48, FL_MAP_RW), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_invoke(g, FL_FRAME_MAP, 2, KT_WORDS(va2, FL_MAP_RW), 1, KT_CAPS(CN), NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(lookup(va2, NULL, NULL), FL_E_MAPPING);
	/* A read-only cap maps read-only and can never be made writable. */
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, ro, f, FL_RIGHT_READ), FL_OK);
	KT_EQ(kt_map(ro, va2, FL_MAP_RW), FL_E_INVALID_CAPABILITY);
	KT_EQ(lookup(va2, NULL, NULL), FL_E_MAPPING);
	KT_EQ(kt_map(ro, va2, FL_MAP_READ), FL_OK);
	KT_EQ(rights_at(va2), FL_MAP_READ);
	KT_EQ(*(volatile uint64_t *)va2, 0xc0ffee); /* the same frame */
	KT_EQ(kt_inv(ro, FL_FRAME_REMAP, FL_MAP_RW), FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_inv(VS, FL_VSPACE_PROTECT, va2, 1, FL_MAP_RW), FL_OK);
	KT_EQ(rights_at(va2), FL_MAP_READ);
	/* Remap changes the rights of the mapping in place. */
	KT_EQ(kt_inv(f, FL_FRAME_REMAP, FL_MAP_READ), FL_OK);
	KT_EQ(rights_at(va), FL_MAP_READ);
	KT_EQ(kt_inv(f, FL_FRAME_REMAP, FL_MAP_RX), FL_OK);
	KT_EQ(rights_at(va), FL_MAP_RX);
	KT_EQ(kt_inv(f, FL_FRAME_REMAP, FL_MAP_RW), FL_OK);
	KT_EQ(rights_at(va), FL_MAP_RW);
	*(volatile uint64_t *)va = 0xbeef;
	KT_EQ(kt_inv(f, FL_FRAME_REMAP, 0), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_inv(g, FL_FRAME_REMAP, FL_MAP_RW), FL_E_ILLEGAL_OPERATION); /* not mapped */
	/* Unmap; unmapping again is harmless; the frame keeps its contents. */
	KT_EQ(kt_inv(f, FL_FRAME_UNMAP, 0), FL_OK);
	KT_EQ(lookup(va, NULL, NULL), FL_E_MAPPING);
	KT_EQ(kt_inv(f, FL_FRAME_UNMAP, 0), FL_OK);
	KT_EQ(kt_map(f, va3, FL_MAP_READ), FL_OK);
	KT_EQ(*(volatile uint64_t *)va3, 0xbeef);
	/* Deleting a mapped cap unmaps it. */
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, ro), FL_OK);
	KT_EQ(lookup(va2, NULL, NULL), FL_E_MAPPING);
	KT_EQ(lookup(va3, NULL, NULL), FL_OK);
}

/* VSpace_MapRange of n frames from slot first at va, adding page tables as asked. */
static uint64_t map_range(uint64_t va, fl_cptr_t first, uint64_t n, uint64_t rights,
                          struct fl_msg *m)
{
	for (int tries = 0; tries < 4; tries++) {
		uint64_t err = kt_invoke(VS, FL_VSPACE_MAP_RANGE, 4, KT_WORDS(va, first, n, rights),
		                         1, KT_CAPS(CN), m);
		if (err != FL_E_MAPPING)
			return err;
		fl_cptr_t pt = kt_obj(FL_OBJ_PAGE_TABLE, 0);
		KT_EQ(kt_invoke(pt, FL_PAGE_TABLE_MAP, 1, KT_WORDS(va + m->mr[0] * 4096), 1,
		                KT_CAPS(VS), NULL),
		      FL_OK);
	}
	return FL_E_MAPPING;
}

static uint64_t accessed(uint64_t va, uint64_t pages)
{
	struct fl_msg m = {0};

	KT_EQ(kt_invoke(VS, FL_VSPACE_GET_CLEAR_ACCESSED, 2, KT_WORDS(va, pages), 0, NULL, &m),
	      FL_OK);
	return m.mr[0];
}

static void test_vspace_range_operations(void)
{
	fl_cptr_t first = kt_slot();
	uint64_t va = kt_va(4), pa;
	struct fl_msg m = {0};

	for (int i = 1; i < 4; i++)
		kt_slot();
	KT_EQ(kt_invoke(kt_untyped(), FL_UNTYPED_RETYPE, 4, KT_WORDS(FL_OBJ_FRAME, 0, first, 4), 1,
	                KT_CAPS(CN), NULL),
	      FL_OK);
	KT_EQ(map_range(va, first, 4, FL_MAP_RW, &m), FL_OK);
	for (uint64_t i = 0; i < 4; i++) {
		KT_EQ(lookup(va + i * 4096, &pa, NULL), FL_OK);
		KT_EQ(pa, frame_address(first + i));
		*(volatile uint64_t *)(va + i * 4096) = 100 + i;
	}
	/* Protect the middle two read-only, then executable. */
	KT_EQ(kt_inv(VS, FL_VSPACE_PROTECT, va + 4096, 2, FL_MAP_READ), FL_OK);
	KT_EQ(rights_at(va), FL_MAP_RW);
	KT_EQ(rights_at(va + 4096), FL_MAP_READ);
	KT_EQ(rights_at(va + 2 * 4096), FL_MAP_READ);
	KT_EQ(rights_at(va + 3 * 4096), FL_MAP_RW);
	KT_EQ(kt_inv(VS, FL_VSPACE_PROTECT, va + 4096, 1, FL_MAP_RX), FL_OK);
	KT_EQ(rights_at(va + 4096), FL_MAP_RX);
	KT_EQ(kt_inv(VS, FL_VSPACE_PROTECT, va, 4, FL_MAP_RW), FL_OK);
	KT_EQ(rights_at(va + 4096), FL_MAP_RW);
	KT_EQ(kt_inv(VS, FL_VSPACE_PROTECT, va, 4, 0), FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_inv(VS, FL_VSPACE_PROTECT, va + 1, 4, FL_MAP_RW), FL_E_INVALID_ARGUMENT);
	/* Accessed bits: clear, nothing touched, touch page 2, only it shows, and is cleared again.
	 */
	accessed(va, 4);
	KT_EQ(accessed(va, 4), 0);
	KT_EQ(*(volatile uint64_t *)(va + 2 * 4096), 102);
	KT_EQ(accessed(va, 4), 1u << 2);
	KT_EQ(accessed(va, 4), 0);
	*(volatile uint64_t *)(va + 3 * 4096) = 7;
	*(volatile uint64_t *)(va + 0 * 4096) = 8;
	KT_EQ(accessed(va, 4), (1u << 3) | 1u);
	KT_EQ(kt_invoke(VS, FL_VSPACE_GET_CLEAR_ACCESSED, 2, KT_WORDS(va, 65), 0, NULL, &m),
	      FL_E_RANGE);
	KT_EQ(kt_invoke(VS, FL_VSPACE_GET_CLEAR_ACCESSED, 2, KT_WORDS(va, 0), 0, NULL, &m),
	      FL_E_INVALID_ARGUMENT);
	/* Unmap the range: nothing is left; the caps must be unmapped before they map again. */
	KT_EQ(kt_inv(VS, FL_VSPACE_UNMAP_RANGE, va, 4), FL_OK);
	for (uint64_t i = 0; i < 4; i++)
		KT_EQ(lookup(va + i * 4096, NULL, NULL), FL_E_MAPPING);
	KT_EQ(map_range(va, first, 4, FL_MAP_RW, &m), FL_E_ILLEGAL_OPERATION);
	KT_EQ(m.mr[0], 0);
	for (uint64_t i = 0; i < 4; i++)
		KT_EQ(kt_inv(first + i, FL_FRAME_UNMAP, 0), FL_OK);
	/* All or nothing: a hole in the slot run maps nothing. */
	KT_EQ(kt_inv(CN, FL_CNODE_MOVE, kt_slot(), first + 2), FL_OK);
	KT_EQ(map_range(va, first, 4, FL_MAP_READ, &m), FL_E_INVALID_CAPABILITY);
	KT_EQ(m.mr[0], 2);
	KT_EQ(lookup(va, NULL, NULL), FL_E_MAPPING);
	KT_EQ(map_range(va, first, 2, FL_MAP_READ, &m), FL_OK);
	KT_EQ(*(volatile uint64_t *)(va + 4096), 101);
	KT_EQ(rights_at(va), FL_MAP_READ);
	KT_EQ(map_range(va, first, 0, FL_MAP_READ, &m), FL_E_RANGE);
}

/* VSpace_MapCopy of frame slot src into slot dest at va, making page
 * tables as the kernel asks for them. Returns the error. */
static uint64_t map_copy(uint64_t va, fl_cptr_t dest, fl_cptr_t src, uint64_t rights)
{
	struct fl_msg m = {0};

	for (int tries = 0; tries < 4; tries++) {
		uint64_t err = kt_invoke(VS, FL_VSPACE_MAP_COPY, 4, KT_WORDS(va, dest, src, rights),
		                         1, KT_CAPS(CN), &m);
		if (err != FL_E_MAPPING || m.mr[1] == 0)
			return err;
		fl_cptr_t pt = kt_obj(FL_OBJ_PAGE_TABLE, 0);
		KT_EQ(kt_invoke(pt, FL_PAGE_TABLE_MAP, 1, KT_WORDS(va), 1, KT_CAPS(VS), NULL),
		      FL_OK);
	}
	return FL_E_MAPPING;
}

static uint64_t capinfo(fl_cptr_t s)
{
	struct fl_msg m = {0};

	KT_EQ(kt_invoke(CN, FL_CNODE_IDENTIFY, 1, KT_WORDS(s), 0, NULL, &m), FL_OK);
	return m.mr[0];
}

static void test_vspace_map_copy(void)
{
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0), g = kt_obj(FL_OBJ_FRAME, 0), dest = kt_slot();
	fl_cptr_t ro = kt_slot(), ep = kt_obj(FL_OBJ_ENDPOINT, 0), empty = kt_slot();
	fl_cptr_t other = kt_slot();
	uint64_t va = kt_va(1), va2 = kt_va(1), pa;

	/* The copy is made and mapped; the source stays unmapped and usable. */
	KT_EQ(map_copy(va, dest, f, FL_MAP_RW), FL_OK);
	KT_EQ(lookup(va, &pa, NULL), FL_OK);
	KT_EQ(pa, frame_address(f));
	KT_EQ(rights_at(va), FL_MAP_RW);
	KT_EQ(fl_capinfo_type(capinfo(dest)), FL_OBJ_FRAME);
	*(volatile uint64_t *)va = 0xabc;
	KT_EQ(kt_map(f, va2, FL_MAP_READ), FL_OK);
	KT_EQ(*(volatile uint64_t *)va2, 0xabc);
	KT_EQ(kt_inv(f, FL_FRAME_UNMAP, 0), FL_OK);
	/* Replacing: dest's old cap goes (and its mapping), the new copy maps. */
	KT_EQ(map_copy(va, dest, g, FL_MAP_READ), FL_OK);
	KT_EQ(lookup(va, &pa, NULL), FL_OK);
	KT_EQ(pa, frame_address(g));
	KT_EQ(rights_at(va), FL_MAP_READ);

	/* Bad input changes nothing. */
	KT_EQ(kt_invoke(VS, FL_VSPACE_MAP_COPY, 3, KT_WORDS(va, dest, f), 1, KT_CAPS(CN), NULL),
	      FL_E_TRUNCATED);
	KT_EQ(kt_invoke(VS, FL_VSPACE_MAP_COPY, 4, KT_WORDS(va, dest, f, FL_MAP_RW), 0, NULL, NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(VS, FL_VSPACE_MAP_COPY, 4, KT_WORDS(va, dest, f, FL_MAP_RW), 1, KT_CAPS(VS),
	                NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(map_copy(va, 1ULL << 40, f, FL_MAP_RW), FL_E_RANGE);
	KT_EQ(map_copy(va, dest, 1ULL << 40, FL_MAP_RW), FL_E_RANGE);
	KT_EQ(map_copy(va, f, f, FL_MAP_RW), FL_E_RANGE);
	KT_EQ(map_copy(va, dest, f, 0), FL_E_INVALID_ARGUMENT);
	KT_EQ(map_copy(va, dest, f, 8), FL_E_INVALID_ARGUMENT);
	KT_EQ(map_copy(va + 8, dest, f, FL_MAP_RW), FL_E_INVALID_ARGUMENT);
	KT_EQ(map_copy(1ULL << 48, dest, f, FL_MAP_RW), FL_E_INVALID_ARGUMENT);
	KT_EQ(map_copy(va, dest, empty, FL_MAP_RW), FL_E_INVALID_CAPABILITY);
	KT_EQ(map_copy(va, dest, ep, FL_MAP_RW), FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_inv(CN, FL_CNODE_COPY, ro, f, FL_RIGHT_READ), FL_OK);
	KT_EQ(map_copy(va, dest, ro, FL_MAP_RW), FL_E_INVALID_CAPABILITY);
	/* dest must be empty or a frame cap; va may hold only dest's own mapping. */
	KT_EQ(map_copy(va, ep, f, FL_MAP_RW), FL_E_DELETE_FIRST);
	KT_EQ(fl_capinfo_type(capinfo(ep)), FL_OBJ_ENDPOINT);
	KT_EQ(map_copy(va, other, f, FL_MAP_RW), FL_E_DELETE_FIRST);
	KT_EQ(fl_capinfo_type(capinfo(other)), FL_OBJ_NULL);
	KT_EQ(lookup(va, &pa, NULL), FL_OK);
	KT_EQ(pa, frame_address(g));
	KT_EQ(rights_at(va), FL_MAP_READ);
	/* Deleting the copy unmaps it and empties the slot. */
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, dest), FL_OK);
	KT_EQ(lookup(va, NULL, NULL), FL_E_MAPPING);
	KT_EQ(fl_capinfo_type(capinfo(dest)), FL_OBJ_NULL);
}

static void idle(struct kt_thread *t)
{
	(void)t;
}

static void test_tcb_configure_keeps_ipc_buffer_mapping(void)
{
	struct kt_thread *t = kt_thread_new(idle, NULL);
	fl_cptr_t other;
	void *buf2 = kt_page(FL_MAP_RW, &other);

	t->ipcbuf->user_data = 0x1b;
	/* Giving the thread another IPC buffer, then deleting it, leaves the
	 * root's mappings of both frames alone. */
	KT_EQ(kt_invoke(t->tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(0, 0, (uint64_t)buf2), 3,
	                KT_CAPS(CN, VS, other), NULL),
	      FL_OK);
	KT_EQ(lookup((uint64_t)t->ipcbuf, NULL, NULL), FL_OK);
	KT_EQ(kt_inv(CN, FL_CNODE_DELETE, t->tcb), FL_OK);
	KT_EQ(lookup((uint64_t)buf2, NULL, NULL), FL_OK);
	KT_EQ(t->ipcbuf->user_data, 0x1b);
	/* Bad IPC buffer arguments are refused. */
	fl_cptr_t tcb = kt_obj(FL_OBJ_TCB, 0);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(0, 0, (uint64_t)buf2 + 8), 3,
	                KT_CAPS(CN, VS, other), NULL),
	      FL_E_ALIGNMENT);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(0, 0, 1ULL << 48), 3,
	                KT_CAPS(CN, VS, other), NULL),
	      FL_E_INVALID_ARGUMENT);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(0, 0, 0), 3, KT_CAPS(CN, VS, tcb), NULL),
	      FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_invoke(tcb, FL_TCB_CONFIGURE, 2, KT_WORDS(0, 0), 0, NULL, NULL), FL_E_TRUNCATED);
}

/* Receiver: Recv on arg0; out[0] info, out[1] buffer word 6 it saw. */
static void long_recv(struct kt_thread *t)
{
	struct fl_msg m = {0};

	fl_recv(t->arg[0], 0, &m);
	t->out[0] = m.info;
}

static void test_revoked_ipc_buffer_is_not_written(void)
{
	fl_cptr_t ut = kt_obj(FL_OBJ_UNTYPED, 12), frame = kt_slot(),
	          ep = kt_obj(FL_OBJ_ENDPOINT, 0);
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	struct kt_thread *r = kt_thread_new(long_recv, NULL);
	uint64_t va = kt_va(1), va2 = kt_va(1);

	/* The receiver's IPC buffer is a frame from its own small untyped. */
	KT_EQ(kt_invoke(ut, FL_UNTYPED_RETYPE, 4, KT_WORDS(FL_OBJ_FRAME, 0, frame, 1), 1,
	                KT_CAPS(CN), NULL),
	      FL_OK);
	KT_EQ(kt_map(frame, va, FL_MAP_RW), FL_OK);
	KT_EQ(kt_invoke(r->tcb, FL_TCB_CONFIGURE, 3, KT_WORDS(0, 0, va), 3, KT_CAPS(CN, VS, frame),
	                NULL),
	      FL_OK);
	r->arg[0] = ep;
	kt_thread_start(r);
	uint64_t end = kt_now_us() + 2000000;
	while (kt_thread_state(r) != 3 && kt_now_us() < end)
		fl_yield();
	KT_EQ(kt_thread_state(r), 3);
	/* The frame goes away (with the TCB's own copy of its cap) and its memory becomes a new
	 * frame. */
	KT_EQ(kt_inv(CN, FL_CNODE_REVOKE, ut), FL_OK);
	KT_EQ(kt_cap_type(frame), FL_OBJ_NULL);
	KT_EQ(kt_invoke(ut, FL_UNTYPED_RETYPE, 4, KT_WORDS(FL_OBJ_FRAME, 0, frame, 1), 1,
	                KT_CAPS(CN), NULL),
	      FL_OK);
	KT_EQ(kt_map(frame, va2, FL_MAP_RW), FL_OK);
	volatile uint64_t *fresh = (volatile uint64_t *)va2;
	KT_EQ(fresh[FL_MSG_REG_COUNT], 0);
	/* A long message to the receiver must not land in memory it no longer owns. */
	for (unsigned i = FL_MSG_REG_COUNT; i < 20; i++)
		b->msg[i] = 0xbad0 + i;
	struct fl_msg m = {.info = fl_msginfo(1, 20, 0)};
	fl_send(ep, &m);
	KT_EQ(kt_error(&m), FL_OK);
	KT_CHECK(kt_wait_flag(&r->done, 2000), "receiver did not get the message");
	KT_CHECK(fresh[FL_MSG_REG_COUNT] == 0,
	         "the kernel wrote message word 6 (%llx) into a frame that was "
	         "the receiver's revoked IPC buffer",
	         (unsigned long long)fresh[FL_MSG_REG_COUNT]);
	KT_EQ(fl_msginfo_length(r->out[0]), FL_MSG_REG_COUNT);
}

const struct kt_test kt_vm_tests[] = {
    {"vm.frame_map_unmap_remap_rights", test_frame_map_unmap_remap_rights, 1},
    {"vm.vspace_range_operations", test_vspace_range_operations, 1},
    {"vm.vspace_map_copy", test_vspace_map_copy, 1},
    {"vm.tcb_configure_keeps_ipc_buffer_mapping", test_tcb_configure_keeps_ipc_buffer_mapping, 1},
    {"vm.revoked_ipc_buffer_is_not_written", test_revoked_ipc_buffer_is_not_written, 1},
    {NULL, NULL, 0},
};
