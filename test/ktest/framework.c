/*
 * The ktest runner and the per-test environment: object allocation from a
 * per-test Untyped, root CNode slots, a private virtual address window with
 * page tables made on demand, worker threads, timeouts, the console lines of
 * the test contract and the power-off at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <faultline/runtime.h>

#include "ktest.h"

#define TEST_UNTYPED_BITS  23              /* 8 MiB of objects per test */
#define TEST_SLOTS         2048            /* root CNode slots per test */
#define TEST_VA_BASE       0x8000000000ULL /* level-0 entry 1: nothing of the root image lives there */
#define THREAD_STACK_PAGES 4

const struct fl_bootinfo *kt_bi;

static const char *current_name;
static jmp_buf fail_jump;
static char fail_reason[200];

static fl_cptr_t parent_untyped; /* the biggest RAM untyped of BootInfo */
static fl_cptr_t test_untyped;
static fl_cptr_t slot_base, slot_next;
static uint64_t va_next;
static struct kt_thread threads[KT_MAX_THREADS];
static unsigned nthreads;

void kt_fail(int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(fail_reason, sizeof fail_reason, "line %d: ", line);

	va_start(ap, fmt);
	vsnprintf(fail_reason + n, sizeof fail_reason - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = fail_reason; *p; p++)
		if (*p == '\n')
			*p = ' ';
	longjmp(fail_jump, 1);
}

uint64_t kt_error(const struct fl_msg *m)
{
	return fl_msginfo_is_error(m->info) ? fl_msginfo_label(m->info) : FL_OK;
}

uint64_t kt_invoke(fl_cptr_t cap, uint64_t label, unsigned nwords, const uint64_t *words,
                   unsigned ncaps, const fl_cptr_t *caps, struct fl_msg *out)
{
	struct fl_msg m = {.info = fl_msginfo(label, nwords, ncaps)};
	struct fl_ipc_buffer *b = fl_ipc_buffer();

	for (unsigned i = 0; i < nwords && i < FL_MSG_REG_COUNT; i++)
		m.mr[i] = words[i];
	for (unsigned i = FL_MSG_REG_COUNT; i < nwords; i++)
		b->msg[i] = words[i];
	for (unsigned i = 0; i < ncaps; i++)
		b->send_caps[i] = caps[i];
	fl_call(cap, &m);
	if (out)
		*out = m;
	return fl_msginfo_label(m.info);
}

fl_cptr_t kt_slot(void)
{
	if (slot_next >= slot_base + TEST_SLOTS)
		kt_fail(__LINE__, "test used more than %d root CNode slots", TEST_SLOTS);
	return slot_next++;
}

/* Retype one object of type from ut into a new root CNode slot. */
static fl_cptr_t retype(fl_cptr_t ut, unsigned type, unsigned size_bits)
{
	fl_cptr_t s = kt_slot();
	uint64_t err = kt_invoke(ut, FL_UNTYPED_RETYPE, 4, KT_WORDS(type, size_bits, s, 1), 1,
	                         KT_CAPS(FL_CAP_ROOT_CNODE), NULL);

	if (err)
		kt_fail(__LINE__, "retype of type %u (bits %u) failed with error %llu", type,
		        size_bits, (unsigned long long)err);
	return s;
}

fl_cptr_t kt_obj(unsigned type, unsigned size_bits)
{
	return retype(test_untyped, type, size_bits);
}

fl_cptr_t kt_untyped(void)
{
	return test_untyped;
}

uint64_t kt_va(unsigned pages)
{
	uint64_t va = va_next;

	va_next += (uint64_t)(pages + 1) * 4096; /* one unmapped page between allocations */
	return va;
}

uint64_t kt_map(fl_cptr_t frame, uint64_t va, uint64_t rights)
{
	struct fl_msg m = {0};

	for (int tries = 0; tries < 4; tries++) {
		uint64_t err = kt_invoke(frame, FL_FRAME_MAP, 2, KT_WORDS(va, rights), 1,
		                         KT_CAPS(FL_CAP_ROOT_VSPACE), &m);
		if (err != FL_E_MAPPING)
			return err;
		fl_cptr_t pt = kt_obj(FL_OBJ_PAGE_TABLE, 0);
		err = kt_invoke(pt, FL_PAGE_TABLE_MAP, 1, KT_WORDS(va), 1,
		                KT_CAPS(FL_CAP_ROOT_VSPACE), NULL);
		if (err)
			kt_fail(__LINE__, "PageTable_Map at %llx failed with %llu",
			        (unsigned long long)va, (unsigned long long)err);
	}
	return FL_E_MAPPING;
}

void *kt_page(uint64_t rights, fl_cptr_t *frame)
{
	fl_cptr_t f = kt_obj(FL_OBJ_FRAME, 0);
	uint64_t va = kt_va(1);
	uint64_t err = kt_map(f, va, rights);

	if (err)
		kt_fail(__LINE__, "Frame_Map at %llx failed with %llu", (unsigned long long)va,
		        (unsigned long long)err);
	if (frame)
		*frame = f;
	return (void *)va;
}

unsigned kt_cap_type(fl_cptr_t slot)
{
	struct fl_msg m = {0};
	uint64_t err =
	    kt_invoke(FL_CAP_ROOT_CNODE, FL_CNODE_IDENTIFY, 1, KT_WORDS(slot), 0, NULL, &m);

	if (err)
		kt_fail(__LINE__, "CNode_Identify(%llu) failed with %llu", (unsigned long long)slot,
		        (unsigned long long)err);
	return fl_capinfo_type(m.mr[0]);
}

/* --- time --- */

uint64_t kt_now_us(void)
{
	uint64_t c;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(c));
	return c / (kt_bi->timer_frequency / 1000000);
}

bool kt_wait_flag(volatile int *flag, unsigned ms)
{
	uint64_t end = kt_now_us() + (uint64_t)ms * 1000;

	while (!*flag) {
		if (kt_now_us() > end)
			return false;
		fl_yield();
	}
	return true;
}

void kt_recv(fl_cptr_t ep, fl_cptr_t reply, struct fl_msg *m, unsigned ms)
{
	uint64_t end = kt_now_us() + (uint64_t)ms * 1000;

	for (;;) {
		fl_nbrecv(ep, reply, m);
		uint64_t err = kt_error(m);
		if (err == FL_OK)
			return;
		if (err != FL_E_WOULD_BLOCK)
			kt_fail(__LINE__, "NBRecv on %llu failed with %llu", (unsigned long long)ep,
			        (unsigned long long)err);
		if (kt_now_us() > end)
			kt_fail(__LINE__, "no message on endpoint %llu within %u ms",
			        (unsigned long long)ep, ms);
		fl_yield();
	}
}

uint64_t kt_wait_bits(fl_cptr_t ntfn, uint64_t bits, unsigned ms)
{
	uint64_t end = kt_now_us() + (uint64_t)ms * 1000, word = 0;

	while ((word & bits) != bits) {
		word |= fl_poll(ntfn);
		if ((word & bits) == bits)
			break;
		if (kt_now_us() > end)
			kt_fail(__LINE__,
			        "notification %llu has %#llx within %u ms, waited for %#llx",
			        (unsigned long long)ntfn, (unsigned long long)word, ms,
			        (unsigned long long)bits);
		fl_yield();
	}
	return word;
}

/* --- threads --- */

static void __attribute__((noreturn)) thread_entry(struct kt_thread *t)
{
	t->started = 1;
	t->fn(t);
	t->done = 1;
	struct fl_msg m = {.info = fl_msginfo(FL_TCB_SUSPEND, 0, 0)};
	fl_call(t->tcb, &m);
	for (;;)
		fl_yield();
}

struct kt_thread *kt_thread_new(void (*fn)(struct kt_thread *t), const struct kt_thread_opts *o)
{
	static const struct kt_thread_opts defaults = {.cpu = -1};
	struct kt_thread *t;
	uint64_t err, tpidr;

	if (!o)
		o = &defaults;
	if (nthreads == KT_MAX_THREADS)
		kt_fail(__LINE__, "more than %d threads in one test", KT_MAX_THREADS);
	t = &threads[nthreads++];
	memset((void *)t, 0, sizeof *t);
	t->fn = fn;
	t->tcb = kt_obj(FL_OBJ_TCB, 0);
	uint64_t stack = kt_va(THREAD_STACK_PAGES);
	for (unsigned i = 0; i < THREAD_STACK_PAGES; i++)
		if ((err = kt_map(kt_obj(FL_OBJ_FRAME, 0), stack + i * 4096, FL_MAP_RW)))
			kt_fail(__LINE__, "mapping a thread stack failed with %llu",
			        (unsigned long long)err);
	t->stack_top = stack + THREAD_STACK_PAGES * 4096;
	if (!o->no_ipcbuf)
		t->ipcbuf = kt_page(FL_MAP_RW, &t->ipc_frame);
	err = kt_invoke(t->tcb, FL_TCB_CONFIGURE, 3,
	                KT_WORDS(o->fault_ep, o->fault_badge, (uint64_t)t->ipcbuf),
	                o->no_ipcbuf ? 2 : 3,
	                KT_CAPS(FL_CAP_ROOT_CNODE, FL_CAP_ROOT_VSPACE, t->ipc_frame), NULL);
	KT_CHECK(err == FL_OK, "TCB_Configure failed with %llu", (unsigned long long)err);
	err = kt_inv(t->tcb, FL_TCB_SET_PRIORITY, o->prio ? o->prio : KT_PRIO);
	KT_CHECK(err == FL_OK, "TCB_SetPriority failed with %llu", (unsigned long long)err);
	err = kt_inv(t->tcb, FL_TCB_SET_AFFINITY, o->cpu < 0 ? 0 : (uint64_t)o->cpu);
	KT_CHECK(err == FL_OK, "TCB_SetAffinity(%d) failed with %llu", o->cpu,
	         (unsigned long long)err);
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(tpidr));
	err = kt_inv(t->tcb, FL_TCB_WRITE_REGISTERS, (uint64_t)thread_entry, t->stack_top,
	             (uint64_t)t, 0, tpidr, 0);
	KT_CHECK(err == FL_OK, "TCB_WriteRegisters failed with %llu", (unsigned long long)err);
	return t;
}

void kt_thread_start(struct kt_thread *t)
{
	uint64_t err = kt_inv(t->tcb, FL_TCB_RESUME, 0);

	KT_CHECK(err == FL_OK, "TCB_Resume failed with %llu", (unsigned long long)err);
}

uint64_t kt_thread_state(struct kt_thread *t)
{
	struct fl_msg m = {0};
	uint64_t err = kt_invoke(t->tcb, FL_TCB_READ_REGISTERS, 0, NULL, 0, NULL, &m);

	KT_CHECK(err == FL_OK, "TCB_ReadRegisters failed with %llu", (unsigned long long)err);
	return m.mr[5];
}

/* --- the runner --- */

/* Carve this test's Untyped and reset its slots, addresses and threads. */
static void setup(void)
{
	slot_next = slot_base;
	va_next = TEST_VA_BASE;
	nthreads = 0;
	test_untyped = retype(parent_untyped, FL_OBJ_UNTYPED, TEST_UNTYPED_BITS);
}

/* Destroy everything the test made: revoke its Untyped (objects, their
 * derived caps, threads, mappings, page tables) and empty its slots.
 * Returns a problem description or NULL. */
static const char *teardown(void)
{
	if (kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_REVOKE, test_untyped))
		return "teardown: CNode_Revoke of the test untyped failed";
	if (kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_DELETE_RANGE, slot_base, TEST_SLOTS))
		return "teardown: CNode_DeleteRange of the test slots failed";
	return NULL;
}

static fl_cptr_t biggest_untyped(void)
{
	unsigned best = ~0u;

	for (unsigned i = 0; i < kt_bi->untyped_count; i++)
		if (!kt_bi->untyped[i].is_device &&
		    (best == ~0u || kt_bi->untyped[i].size_bits > kt_bi->untyped[best].size_bits))
			best = i;
	return best == ~0u ? 0 : kt_bi->untyped_first + best;
}

/* Whether the bootargs hold the bare token word. */
static bool bootarg_flag(const char *word)
{
	size_t n = strlen(word);

	for (const char *s = kt_bi->bootargs; (s = strstr(s, word)) != NULL; s += n)
		if ((s == kt_bi->bootargs || s[-1] == ' ') && (s[n] == 0 || s[n] == ' '))
			return true;
	return false;
}

/* Power the machine off; under kernel.trace, dump the IPC log to the console
 * first so that `run --trace` has something to decode (docs/tracing.md). */
static void poweroff(void)
{
	struct fl_msg m = {0};

	fflush(stdout);
	if (bootarg_flag("kernel.trace"))
		kt_inv(FL_CAP_TRACE, FL_TRACE_DUMP, 0);
	fl_syscall(FL_SYS_DEBUG_POWEROFF, FL_CAP_IRQ_CONTROL, 0, &m);
	printf("ktest: power-off failed (error %llu)\n", (unsigned long long)kt_error(&m));
}

static const struct kt_test *const groups[] = {kt_ipc_tests,         kt_ntfn_tests,  kt_sched_tests,
                                               kt_cap_tests,         kt_vm_tests,    kt_fault_tests,
                                               kt_fault_reply_tests, kt_ipclog_tests};

int main(void)
{
	static unsigned passed, failed;

	kt_bi = (const struct fl_bootinfo *)fl_startup_arg;
	printf("ktest: %llu cpus, %llu untyped caps, root CNode radix %llu\n",
	       (unsigned long long)kt_bi->ncpus, (unsigned long long)kt_bi->untyped_count,
	       (unsigned long long)kt_bi->cnode_radix);
	parent_untyped = biggest_untyped();
	slot_base = kt_bi->empty_first;
	if (kt_bi->magic != FL_BOOTINFO_MAGIC || !parent_untyped ||
	    kt_bi->empty_count < TEST_SLOTS ||
	    kt_inv(FL_CAP_ROOT_TCB, FL_TCB_SET_PRIORITY, KT_PRIO)) {
		printf("FAIL ktest.setup: bad BootInfo, no untyped memory, too few slots or no "
		       "priority\n");
		printf("0 passed, 1 failed\n");
		poweroff();
		return 1;
	}
	for (unsigned g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		for (const struct kt_test *t = groups[g]; t->name; t++) {
			if (kt_bi->ncpus < t->min_cpus) {
				printf("SKIP %s: needs %u CPUs, this machine has %llu\n", t->name,
				       t->min_cpus, (unsigned long long)kt_bi->ncpus);
				continue;
			}
			current_name = t->name;
			printf("RUN %s\n", t->name);
			volatile bool ok = false; /* set between setjmp and a longjmp */
			if (setjmp(fail_jump) == 0) {
				setup();
				t->fn();
				ok = true;
			}
			const char *problem = teardown();
			if (ok && problem) {
				ok = false;
				snprintf(fail_reason, sizeof fail_reason, "%s", problem);
			}
			if (ok) {
				printf("PASS %s\n", t->name);
				passed++;
			} else {
				printf("FAIL %s: %s\n", t->name, fail_reason);
				failed++;
			}
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	poweroff();
	return failed != 0;
}
