/*
 * The IPC log, read through the rings the kernel maps read-only into the root
 * task (bootinfo.trace_vaddr): a fault and its reply appear in order with the
 * faulting address and the handler's invocation between them, and a ring
 * that fills up overwrites its oldest records and counts them as dropped.
 * Each test turns recording on (FL_TRACE_ENABLE) and restores what it found.
 */
#include <faultline/ipclog.h>

#include "ktest.h"

#define LOG_BADGE 0x10c

static const volatile struct fl_ipclog_ring *ring(unsigned cpu)
{
	return (const volatile struct fl_ipclog_ring *)kt_bi->trace_vaddr + cpu;
}

/* Turn recording on or off; returns whether it was on. */
static bool set_tracing(bool on)
{
	bool was = ring(0)->enabled != 0;

	KT_EQ(kt_inv(FL_CAP_TRACE, FL_TRACE_ENABLE, on ? 1 : 0), FL_OK);
	KT_EQ(ring(0)->enabled, on ? 1 : 0);
	return was;
}

/* The record with sequence number seq of cpu's ring (it must still be there). */
static struct fl_ipclog_record record(unsigned cpu, uint64_t seq)
{
	struct fl_ipclog_record r;
	const volatile struct fl_ipclog_record *src = &ring(cpu)->rec[seq % FL_IPCLOG_RECORDS];

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r.timestamp = src->timestamp;
	r.kind = src->kind;
	r.cpu = src->cpu;
	r.flags = src->flags;
	r.from = src->from;
	r.to = src->to;
	r.label = src->label;
	for (unsigned i = 0; i < 3; i++)
		r.words[i] = src->words[i];
	return r;
}

static uint64_t thread_id(fl_cptr_t tcb)
{
	struct fl_msg m;

	KT_EQ(kt_invoke(tcb, FL_TCB_GET_ID, 0, NULL, 0, NULL, &m), FL_OK);
	return m.mr[0];
}

static void store_thread(struct kt_thread *t)
{
	kt_asm_store((volatile uint64_t *)t->arg[0], t->arg[1]);
	t->out[0] = 1;
}

static void test_fault_and_reply_in_order(void)
{
	bool was = set_tracing(true);
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), reply = kt_obj(FL_OBJ_REPLY, 0), frame;
	volatile uint64_t *p = kt_page(FL_MAP_READ, &frame);
	struct kt_thread_opts o = {.cpu = 0, .fault_ep = ep, .fault_badge = LOG_BADGE};
	struct kt_thread *t = kt_thread_new(store_thread, &o);
	uint64_t tid = thread_id(t->tcb), root = kt_bi->root_thread_id;
	uint64_t start = ring(0)->head;
	struct fl_msg m = {0};

	t->arg[0] = (uint64_t)p + 8;
	t->arg[1] = 77;
	kt_thread_start(t);
	kt_recv(ep, reply, &m, 3000);
	KT_EQ(kt_inv(frame, FL_FRAME_REMAP, FL_MAP_RW), FL_OK);
	m = (struct fl_msg){.info = fl_msginfo(0, 0, 0)};
	fl_reply(reply, &m);
	KT_CHECK(kt_wait_flag((volatile int *)&t->out[0], 3000), "the thread did not resume");
	set_tracing(was);

	/* On CPU 0 (both threads run there): FAULT, then Frame_Remap, then FAULT_REPLY. */
	uint64_t end = ring(0)->head;
	KT_CHECK(end - start < FL_IPCLOG_RECORDS, "the ring wrapped during the test");
	int step = 0;
	for (uint64_t s = start; s < end && step < 3; s++) {
		struct fl_ipclog_record r = record(0, s);
		if (step == 0 && r.kind == FL_LOG_FAULT && r.from == tid) {
			KT_EQ(r.to, root);
			KT_EQ(r.label, FL_FAULT_VM);
			KT_EQ(r.words[0], (uint64_t)kt_asm_store);
			KT_EQ(r.words[1], (uint64_t)p + 8);
			KT_EQ(r.flags, FL_ACCESS_WRITE);
			step = 1;
		} else if (step == 1 && r.kind == FL_LOG_INVOKE && r.from == root &&
		           r.label == FL_FRAME_REMAP) {
			KT_EQ(r.words[0], FL_MAP_RW);
			KT_EQ(r.flags, FL_OK);
			step = 2;
		} else if (step == 2 && r.kind == FL_LOG_FAULT_REPLY && r.to == tid) {
			KT_EQ(r.from, root);
			KT_EQ(r.words[0], 0); /* resumed */
			step = 3;
		} else {
			KT_CHECK(!(r.kind == FL_LOG_FAULT_REPLY && r.to == tid),
			         "fault reply before step %d", step);
		}
	}
	KT_CHECK(step == 3, "only %d of fault, remap, reply found in order in records %llu..%llu",
	         step, (unsigned long long)start, (unsigned long long)end);
}

/*
 * Recording may already be on (bootarg kernel.trace) and other threads may
 * log on CPU 0 meanwhile, so the test reads everything it checks before it
 * restores the tracing state (that invocation is logged too when recording
 * stays on) and allows for foreign records among its own.
 */
static void test_full_ring_counts_dropped(void)
{
	bool was = set_tracing(true);
	unsigned cpu = 0, ours = 0;
	uint64_t root = kt_bi->root_thread_id;
	struct fl_ipclog_record oldest;

	/* The root runs on CPU 0 (ktest's runner); each TCB_GetId logs one INVOKE there. */
	KT_EQ(kt_inv(FL_CAP_ROOT_TCB, FL_TCB_SET_AFFINITY, cpu), FL_OK);
	uint64_t head0 = ring(cpu)->head, dropped0 = ring(cpu)->dropped;
	for (unsigned i = 0; i < FL_IPCLOG_RECORDS + 100; i++)
		thread_id(FL_CAP_ROOT_TCB);
	uint64_t head1 = ring(cpu)->head, dropped1 = ring(cpu)->dropped;
	oldest = record(cpu, head1 - FL_IPCLOG_RECORDS);
	for (uint64_t s = head1 - FL_IPCLOG_RECORDS; s < head1; s++) {
		struct fl_ipclog_record r = record(cpu, s);
		ours += r.kind == FL_LOG_INVOKE && r.from == root && r.label == FL_TCB_GET_ID;
	}
	uint64_t head2 = ring(cpu)->head;
	set_tracing(was);

	KT_CHECK(head1 - head0 >= FL_IPCLOG_RECORDS + 100, "head moved by %llu",
	         (unsigned long long)(head1 - head0));
	/* Every record past the first RECORDS of the ring's life was dropped. */
	uint64_t over0 = head0 > FL_IPCLOG_RECORDS ? head0 - FL_IPCLOG_RECORDS : 0;
	KT_EQ(dropped1 - dropped0, head1 - FL_IPCLOG_RECORDS - over0);
	/* The whole ring is the loop's records, but for what others logged on
	 * CPU 0 during the loop and while the test read the ring. */
	uint64_t foreign = head1 - head0 - (FL_IPCLOG_RECORDS + 100) + (head2 - head1);
	KT_CHECK(ours + foreign >= FL_IPCLOG_RECORDS,
	         "only %u of the %u kept records are the loop's", ours, FL_IPCLOG_RECORDS);
	if (!foreign) {
		/* The oldest record still in the ring is one of ours. */
		KT_EQ(oldest.kind, FL_LOG_INVOKE);
		KT_EQ(oldest.from, root);
		KT_EQ(oldest.label, FL_TCB_GET_ID);
	}
}

/*
 * The log's frame caps carry read only (the pager hands copies of them to
 * processes that call pager.trace_map): even a full-rights copy of one maps
 * read-only and is refused write access, so no user program can write the
 * log the kernel records into.
 */
static void test_log_frames_never_map_writable(void)
{
	fl_cptr_t copy = kt_slot();
	uint64_t va = kt_va(1);

	KT_CHECK(kt_bi->trace_frames_count >= 1, "no trace frames in BootInfo");
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_COPY, copy, kt_bi->trace_frames_first,
	             FL_RIGHTS_ALL),
	      FL_OK);
	KT_EQ(kt_map(copy, va, FL_MAP_RW), FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_map(copy, va, FL_MAP_READ), FL_OK);
	KT_EQ(kt_inv(copy, FL_FRAME_REMAP, FL_MAP_RW), FL_E_INVALID_CAPABILITY);
	/* What it shows is the ring of CPU 0, as the root task's own view does. */
	KT_EQ(((const volatile struct fl_ipclog_ring *)va)->nrecords, FL_IPCLOG_RECORDS);
	KT_EQ(((const volatile struct fl_ipclog_ring *)va)->cpu, 0);
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_DELETE, copy), FL_OK);
}

const struct kt_test kt_ipclog_tests[] = {
    {"ipclog.fault_and_reply_in_order", test_fault_and_reply_in_order, 1},
    {"ipclog.full_ring_counts_dropped", test_full_ring_counts_dropped, 1},
    {"ipclog.log_frames_never_map_writable", test_log_frames_never_map_writable, 1},
    {NULL, NULL, 0},
};
