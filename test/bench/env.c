/*
 * The benchmark program's kernel objects and threads: objects retyped from
 * the biggest RAM Untyped of BootInfo into consecutive root CNode slots,
 * frames mapped into a private virtual window (page tables made on demand),
 * and threads that share the root's address space and CSpace. Nothing is
 * ever freed: the program runs once and powers the machine off.
 */
#include <stddef.h>
#include <string.h>

#include "bench.h"

#define VA_BASE     0x8000000000ULL /* level-0 entry 1: nothing of the root image lives there */
#define STACK_PAGES 4
#define MAX_THREADS 32

static fl_cptr_t untyped;             /* the biggest RAM untyped */
static fl_cptr_t slot_next, slot_end; /* free root CNode slots */
static uint64_t va_next = VA_BASE;
static fl_cptr_t done_ntfn;   /* a thread whose function returned signals it */
static fl_cptr_t done_signal; /* done_ntfn with badge 1: a wait must see a non-zero word */
static struct bench_thread threads[MAX_THREADS];
static unsigned nthreads;

uint64_t bench_invoke(fl_cptr_t cap, uint64_t label, unsigned nwords, const uint64_t *words,
                      unsigned ncaps, const fl_cptr_t *caps, struct fl_msg *out)
{
	struct fl_msg m = {.info = fl_msginfo(label, nwords, ncaps)};
	struct fl_ipc_buffer *b = fl_ipc_buffer();

	for (unsigned i = 0; i < nwords && i < FL_MSG_REG_COUNT; i++)
		m.mr[i] = words[i];
	for (unsigned i = 0; i < ncaps; i++)
		b->send_caps[i] = caps[i];
	fl_call(cap, &m);
	if (out)
		*out = m;
	return fl_msginfo_label(m.info);
}

fl_cptr_t bench_slots(unsigned count)
{
	if (slot_end - slot_next < count)
		return 0;
	slot_next += count;
	return slot_next - count;
}

fl_cptr_t bench_obj(unsigned type, unsigned size_bits)
{
	fl_cptr_t s = bench_slots(1);
	const uint64_t w[] = {type, size_bits, s, 1};
	const fl_cptr_t cnode[] = {FL_CAP_ROOT_CNODE};

	if (!s || bench_invoke(untyped, FL_UNTYPED_RETYPE, 4, w, 1, cnode, NULL) != FL_OK)
		return 0;
	return s;
}

fl_cptr_t bench_mint(fl_cptr_t cap, uint64_t badge)
{
	fl_cptr_t s = bench_slots(1);
	const uint64_t w[] = {s, cap, FL_RIGHTS_ALL, badge};

	if (!s || bench_invoke(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, 4, w, 0, NULL, NULL) != FL_OK)
		return 0;
	return s;
}

/* Map a new frame at va (read-write), adding page tables as the kernel asks
 * for them; returns the frame cap or 0. */
static fl_cptr_t map_page(uint64_t va)
{
	fl_cptr_t f = bench_obj(FL_OBJ_FRAME, 0);
	const fl_cptr_t vspace[] = {FL_CAP_ROOT_VSPACE};
	const uint64_t fw[] = {va, FL_MAP_RW}, pw[] = {va};

	if (!f)
		return 0;
	for (int level = 0; level < 4; level++) {
		uint64_t err = bench_invoke(f, FL_FRAME_MAP, 2, fw, 1, vspace, NULL);
		if (err == FL_OK)
			return f;
		if (err != FL_E_MAPPING)
			return 0;
		fl_cptr_t pt = bench_obj(FL_OBJ_PAGE_TABLE, 0);
		if (!pt || bench_invoke(pt, FL_PAGE_TABLE_MAP, 1, pw, 1, vspace, NULL) != FL_OK)
			return 0;
	}
	return 0;
}

/* pages fresh mapped pages (with an unmapped guard page after them). */
static void *map_pages(unsigned pages, fl_cptr_t *first_frame)
{
	uint64_t va = va_next;

	va_next += (uint64_t)(pages + 1) * 4096;
	for (unsigned i = 0; i < pages; i++) {
		fl_cptr_t f = map_page(va + (uint64_t)i * 4096);
		if (!f)
			return NULL;
		if (i == 0 && first_frame)
			*first_frame = f;
	}
	return (void *)va;
}

/* The biggest RAM untyped of bi, as a root slot (0 if there is none). */
static fl_cptr_t biggest_untyped(const struct fl_bootinfo *bi)
{
	unsigned best = ~0u;

	for (unsigned i = 0; i < bi->untyped_count && i < FL_BOOTINFO_MAX_UNTYPED; i++)
		if (!bi->untyped[i].is_device &&
		    (best == ~0u || bi->untyped[i].size_bits > bi->untyped[best].size_bits))
			best = i;
	return best == ~0u ? 0 : bi->untyped_first + best;
}

const char *bench_env_init(const struct fl_bootinfo *bi)
{
	if (bi->magic != FL_BOOTINFO_MAGIC)
		return "BootInfo has the wrong magic";
	untyped = biggest_untyped(bi);
	if (!untyped)
		return "BootInfo lists no RAM untyped";
	slot_next = bi->empty_first;
	slot_end = bi->empty_first + bi->empty_count;
	done_ntfn = bench_obj(FL_OBJ_NOTIFICATION, 0);
	done_signal = done_ntfn ? bench_mint(done_ntfn, 1) : 0;
	if (!done_signal)
		return "cannot make a notification from the untyped";
	return NULL;
}

/* Every bench thread starts here (x0 = its struct); when its function
 * returns it tells the root and waits to be suspended. */
static void __attribute__((noreturn)) thread_entry(struct bench_thread *t)
{
	t->fn(t);
	fl_signal(done_signal);
	for (;;)
		fl_yield();
}

struct bench_thread *bench_thread_new(void (*fn)(struct bench_thread *t), unsigned prio)
{
	struct bench_thread *t;
	fl_cptr_t ipc_frame = 0;
	uint64_t tpidr;

	if (nthreads == MAX_THREADS)
		return NULL;
	t = &threads[nthreads++];
	memset(t, 0, sizeof *t);
	t->fn = fn;
	t->tcb = bench_obj(FL_OBJ_TCB, 0);
	char *stack = map_pages(STACK_PAGES, NULL);
	void *ipcbuf = map_pages(1, &ipc_frame);
	if (!t->tcb || !stack || !ipcbuf)
		return NULL;
	const uint64_t conf[] = {0, 0, (uint64_t)ipcbuf};
	const fl_cptr_t caps[] = {FL_CAP_ROOT_CNODE, FL_CAP_ROOT_VSPACE, ipc_frame};
	if (bench_invoke(t->tcb, FL_TCB_CONFIGURE, 3, conf, 3, caps, NULL) != FL_OK)
		return NULL;
	const uint64_t p[] = {prio}, cpu[] = {0};
	if (bench_invoke(t->tcb, FL_TCB_SET_PRIORITY, 1, p, 0, NULL, NULL) != FL_OK ||
	    bench_invoke(t->tcb, FL_TCB_SET_AFFINITY, 1, cpu, 0, NULL, NULL) != FL_OK)
		return NULL;
	/* The thread shares the root thread's TLS: bench threads use no
	 * thread-local state of their own (errno at most, never concurrently). */
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(tpidr));
	const uint64_t regs[] = {
	    (uint64_t)thread_entry, (uint64_t)stack + STACK_PAGES * 4096, (uint64_t)t, 0, tpidr, 0};
	if (bench_invoke(t->tcb, FL_TCB_WRITE_REGISTERS, 6, regs, 0, NULL, NULL) != FL_OK)
		return NULL;
	return t;
}

uint64_t bench_thread_start(struct bench_thread *t)
{
	return bench_invoke(t->tcb, FL_TCB_RESUME, 0, NULL, 0, NULL, NULL);
}

const char *bench_thread_run(struct bench_thread *client)
{
	if (bench_thread_start(client) != FL_OK)
		return "TCB_Resume of the client failed";
	/* The root runs above every bench thread, so it sleeps here until the
	 * client's function has returned, and then stops the client before it
	 * can run again. */
	fl_wait(done_ntfn);
	if (bench_invoke(client->tcb, FL_TCB_SUSPEND, 0, NULL, 0, NULL, NULL) != FL_OK)
		return "TCB_Suspend of the client failed";
	return NULL;
}

const char *bench_pair_run(struct bench_thread *server, struct bench_thread *client)
{
	if (bench_thread_start(server) != FL_OK)
		return "TCB_Resume of the server failed";
	return bench_thread_run(client);
}
