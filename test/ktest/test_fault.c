/*
 * Faults as IPC: each kind of user fault reaches the fault endpoint as a
 * message with the documented layout (label, IP, address, ESR, access kind,
 * SP, syscall number), and the handler's reply resumes, skips or leaves the
 * thread stopped. A thread without a handler is suspended alone.
 */
#include "ktest.h"

#define FAULT_BADGE 0xfa17
#define EC_IABT_LOW 0x20
#define EC_DABT_LOW 0x24
#define EC_UNKNOWN  0x00

static unsigned esr_ec(uint64_t esr)
{
	return (unsigned)(esr >> 26) & 0x3f;
}
static unsigned esr_fsc_kind(uint64_t esr)
{
	return (unsigned)(esr & 0x3c);
} /* level bits cleared */
#define FSC_TRANSLATION 0x04
#define FSC_PERMISSION  0x0c

struct handler {
	fl_cptr_t ep, reply;
};

static struct handler new_handler(void)
{
	return (struct handler){kt_obj(FL_OBJ_ENDPOINT, 0), kt_obj(FL_OBJ_REPLY, 0)};
}

/* A thread with h's endpoint as its fault handler, on cpu. */
static struct kt_thread *faulter(void (*fn)(struct kt_thread *), struct handler *h, int cpu)
{
	struct kt_thread_opts o = {.cpu = cpu, .fault_ep = h->ep, .fault_badge = FAULT_BADGE};

	return kt_thread_new(fn, &o);
}

/* Receive a fault on h and check its label, badge, IP, address and access. */
static void expect_fault(struct handler *h, struct kt_thread *t, struct fl_msg *m, uint64_t label,
                         uint64_t ip, uint64_t addr, uint64_t access)
{
	kt_recv(h->ep, h->reply, m, 3000);
	KT_EQ(fl_msginfo_label(m->info), label);
	KT_EQ(fl_msginfo_length(m->info), 6);
	KT_EQ(m->badge, FAULT_BADGE);
	KT_EQ(m->mr[0], ip);
	KT_EQ(m->mr[1], addr);
	KT_EQ(m->mr[3], access);
	KT_CHECK(m->mr[4] <= t->stack_top && m->mr[4] > t->stack_top - 4 * 4096,
	         "fault SP %llx is not on the "
	         "thread's stack (top %llx)",
	         (unsigned long long)m->mr[4], (unsigned long long)t->stack_top);
	KT_EQ(kt_thread_state(t), 4); /* waits for the handler's reply */
}

static void reply_label(struct handler *h, uint64_t label)
{
	struct fl_msg m = {.info = fl_msginfo(label, 0, 0)};

	fl_reply(h->reply, &m);
	KT_EQ(kt_error(&m), FL_OK);
}

/* Stores arg1 at arg0; out[0] = 1 once the store completed. */
static void store_thread(struct kt_thread *t)
{
	kt_asm_store((volatile uint64_t *)t->arg[0], t->arg[1]);
	t->out[0] = 1;
}

static void test_write_to_readonly_mapping(void)
{
	struct handler h = new_handler();
	fl_cptr_t f;
	volatile uint64_t *p = kt_page(FL_MAP_READ, &f);
	struct kt_thread *t = faulter(store_thread, &h, (int)kt_bi->ncpus - 1);
	struct fl_msg m = {0};

	t->arg[0] = (uint64_t)p + 16;
	t->arg[1] = 0x1234;
	kt_thread_start(t);
	expect_fault(&h, t, &m, FL_FAULT_VM, (uint64_t)kt_asm_store, (uint64_t)p + 16,
	             FL_ACCESS_WRITE);
	KT_EQ(esr_ec(m.mr[2]), EC_DABT_LOW);
	KT_EQ(esr_fsc_kind(m.mr[2]), FSC_PERMISSION);
	KT_EQ(m.mr[5], 0);
	KT_EQ(p[2], 0); /* the store did not happen */
	KT_CHECK(!t->out[0], "thread ran past the faulting store");
	/* The handler makes the page writable; replying retries the store. */
	KT_EQ(kt_inv(f, FL_FRAME_REMAP, FL_MAP_RW), FL_OK);
	reply_label(&h, 0);
	KT_CHECK(kt_wait_flag(&t->done, 2000), "thread did not resume after the reply");
	KT_EQ(p[2], 0x1234);
	KT_EQ(t->out[0], 1);
}

/* Loads from arg0 into out[0]. */
static void load_thread(struct kt_thread *t)
{
	t->out[0] = kt_asm_load((volatile const uint64_t *)t->arg[0]);
}

static void test_unmapped_read_resumed_after_map(void)
{
	struct handler h = new_handler();
	struct kt_thread *t = faulter(load_thread, &h, -1);
	uint64_t va = kt_va(1);
	struct fl_msg m = {0};

	t->arg[0] = va + 0x88;
	kt_thread_start(t);
	expect_fault(&h, t, &m, FL_FAULT_VM, (uint64_t)kt_asm_load, va + 0x88, FL_ACCESS_READ);
	KT_EQ(esr_ec(m.mr[2]), EC_DABT_LOW);
	KT_EQ(esr_fsc_kind(m.mr[2]), FSC_TRANSLATION);
	/* The pager's job: map a page with the data, then resume. */
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0);
	KT_EQ(kt_map(f, va, FL_MAP_RW), FL_OK);
	((volatile uint64_t *)va)[0x11] = 0xfeed;
	reply_label(&h, 0);
	KT_CHECK(kt_wait_flag(&t->done, 2000), "thread did not resume after the page was mapped");
	KT_EQ(t->out[0], 0xfeed);
}

/* Jumps to arg0; out[0] = 1 when control comes back. */
static void jump_thread(struct kt_thread *t)
{
	kt_asm_jump(t->arg[0]);
	t->out[0] = 1;
}

/* Where the handler restarts the jumping thread: returns to its caller. */
static void landing(void)
{
	__asm__ volatile("" ::: "memory");
}

static void test_instruction_fetch_from_nx_page(void)
{
	struct handler h = new_handler();
	volatile uint32_t *code = kt_page(FL_MAP_RW, NULL);
	struct kt_thread *t = faulter(jump_thread, &h, -1);
	struct fl_msg m = {0};

	code[0] = kt_asm_ret_insn;
	t->arg[0] = (uint64_t)code;
	kt_thread_start(t);
	expect_fault(&h, t, &m, FL_FAULT_VM, (uint64_t)code, (uint64_t)code, FL_ACCESS_EXEC);
	KT_EQ(esr_ec(m.mr[2]), EC_IABT_LOW);
	KT_EQ(esr_fsc_kind(m.mr[2]), FSC_PERMISSION);
	/* Any other reply label leaves the thread stopped. */
	reply_label(&h, 0x77);
	KT_EQ(kt_thread_state(t), 0);
	KT_CHECK(!t->out[0], "thread went on after a stopping reply");
	/* Restart it elsewhere: x30 still returns into jump_thread. */
	KT_EQ(kt_invoke(t->tcb, FL_TCB_READ_REGISTERS, 0, NULL, 0, NULL, &m), FL_OK);
	KT_EQ(m.mr[0], (uint64_t)code);
	KT_EQ(kt_inv(t->tcb, FL_TCB_WRITE_REGISTERS, (uint64_t)landing, m.mr[1], m.mr[2], m.mr[3],
	             m.mr[4], 1),
	      FL_OK);
	KT_CHECK(kt_wait_flag(&t->done, 2000), "thread did not run from its new pc");
	KT_EQ(t->out[0], 1);
}

static void test_user_access_to_kernel_address(void)
{
	struct handler h = new_handler();
	struct kt_thread *t = faulter(load_thread, &h, -1);
	uint64_t kaddr = 0xffff000040000000ULL; /* the kernel's physmap of RAM */
	struct fl_msg m = {0};

	t->arg[0] = kaddr;
	kt_thread_start(t);
	expect_fault(&h, t, &m, FL_FAULT_VM, (uint64_t)kt_asm_load, kaddr, FL_ACCESS_READ);
	KT_EQ(esr_ec(m.mr[2]), EC_DABT_LOW);
	/* Skip the load: the thread goes on after it. */
	reply_label(&h, FL_FAULT_REPLY_SKIP);
	KT_CHECK(kt_wait_flag(&t->done, 2000), "thread did not resume after a skip reply");
}

/* Makes syscall number arg0 with x0 = arg1; out[0] = x0 returned. */
static void svc_thread(struct kt_thread *t)
{
	t->out[0] = kt_asm_svc(t->arg[0], t->arg[1]);
}

static void test_unknown_syscall(void)
{
	struct handler h = new_handler();
	struct kt_thread *t = faulter(svc_thread, &h, -1);
	uint64_t svc_ip = (uint64_t)kt_asm_svc + 8; /* mov, mov, svc */
	struct fl_msg m = {0};

	t->arg[0] = 999;
	t->arg[1] = 5;
	kt_thread_start(t);
	expect_fault(&h, t, &m, FL_FAULT_UNKNOWN_SYSCALL, svc_ip, 0, FL_ACCESS_EXEC);
	KT_EQ(m.mr[5], 999);
	/* Label 0 retries the instruction: the same syscall faults again. */
	reply_label(&h, 0);
	expect_fault(&h, t, &m, FL_FAULT_UNKNOWN_SYSCALL, svc_ip, 0, FL_ACCESS_EXEC);
	KT_EQ(m.mr[5], 999);
	/* Skip (an emulated syscall): the thread continues right after the svc. */
	reply_label(&h, FL_FAULT_REPLY_SKIP);
	KT_CHECK(kt_wait_flag(&t->done, 2000), "thread did not continue after a skipped syscall");
	KT_EQ(t->out[0], 5);
}

static void udf_thread(struct kt_thread *t)
{
	kt_asm_udf();
	t->out[0] = 1;
}

static void test_undefined_instruction(void)
{
	struct handler h = new_handler();
	struct kt_thread *t = faulter(udf_thread, &h, -1);
	struct fl_msg m = {0};

	kt_thread_start(t);
	expect_fault(&h, t, &m, FL_FAULT_USER_EXCEPTION, (uint64_t)kt_asm_udf, 0, FL_ACCESS_READ);
	KT_EQ(esr_ec(m.mr[2]), EC_UNKNOWN);
	reply_label(&h, FL_FAULT_REPLY_SKIP);
	KT_CHECK(kt_wait_flag(&t->done, 2000),
	         "thread did not continue after the skipped instruction");
}

static void counter(struct kt_thread *t)
{
	for (;;)
		t->out[0]++;
}

static void test_no_handler_suspends_only_that_thread(void)
{
	struct kt_thread *c = kt_thread_new(counter, NULL);
	struct kt_thread *t = kt_thread_new(store_thread, NULL);

	t->arg[0] = kt_va(1);
	kt_thread_start(c);
	kt_thread_start(t);
	uint64_t end = kt_now_us() + 2000000;
	while ((!t->started || kt_thread_state(t) != 0) && kt_now_us() < end)
		fl_yield();
	KT_CHECK(t->started, "faulting thread never ran");
	KT_EQ(kt_thread_state(t), 0); /* suspended */
	KT_CHECK(!t->out[0] && !t->done, "thread without a handler went past its fault");
	/* Everything else goes on. */
	uint64_t at = c->out[0];
	end = kt_now_us() + 2000000;
	while (c->out[0] < at + 1000 && kt_now_us() < end)
		fl_yield();
	KT_CHECK(c->out[0] >= at + 1000, "other thread stopped counting after the fault");
	KT_EQ(kt_inv(c->tcb, FL_TCB_SUSPEND, 0), FL_OK);
	/* A fault handler that is deleted while a fault waits leaves the faulter stopped too. */
	struct handler h = new_handler();
	struct kt_thread *u = faulter(store_thread, &h, -1);
	u->arg[0] = kt_va(1);
	kt_thread_start(u);
	end = kt_now_us() + 2000000;
	while (kt_thread_state(u) != 2 && kt_now_us() < end)
		fl_yield();
	KT_EQ(kt_thread_state(u), 2); /* the fault waits in the endpoint's queue */
	/* The TCB keeps its own copy of the fault endpoint cap, derived from
	 * h.ep: revoking h.ep removes it, deleting h.ep then destroys the endpoint. */
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_REVOKE, h.ep), FL_OK);
	KT_EQ(kt_thread_state(u), 2);
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_DELETE, h.ep), FL_OK);
	KT_EQ(kt_thread_state(u), 0);
	KT_CHECK(!u->done, "faulter ran on after its handler went away");
}

const struct kt_test kt_fault_tests[] = {
    {"fault.write_to_readonly_mapping", test_write_to_readonly_mapping, 1},
    {"fault.unmapped_read_resumed_after_map", test_unmapped_read_resumed_after_map, 1},
    {"fault.instruction_fetch_from_nx_page", test_instruction_fetch_from_nx_page, 1},
    {"fault.user_access_to_kernel_address", test_user_access_to_kernel_address, 1},
    {"fault.unknown_syscall", test_unknown_syscall, 1},
    {"fault.undefined_instruction", test_undefined_instruction, 1},
    {"fault.no_handler_suspends_only_that_thread", test_no_handler_suspends_only_that_thread, 1},
    {NULL, NULL, 0},
};
