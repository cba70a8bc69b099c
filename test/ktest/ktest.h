/*
 * ktest: the kernel's in-system test framework. The suite runs as the root
 * task; each test is a function run between a fresh per-test environment
 * (an Untyped carved from BootInfo's memory, a range of empty root CNode
 * slots, a private virtual address window) and its teardown, which revokes
 * that Untyped so every object the test made is destroyed.
 *
 * Console contract (tools/qemu/console.py): `RUN name`, then `PASS name` or
 * `FAIL name: reason`; `SKIP name: reason` for a test that cannot run on this
 * machine (no RUN line); at the end `N passed, N failed`, then power off.
 *
 * KT_CHECK and the kt_* helpers may only be used by the root thread: a
 * failure jumps back to the runner. Worker threads report through memory
 * (struct kt_thread) and IPC, and never print.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdbool.h>
#include <stdint.h>

#include <faultline/abi.h>
#include <faultline/bootinfo.h>
#include <faultline/invocations.h>
#include <faultline/ipc.h>

struct kt_test {
	const char *name;
	void (*fn)(void);
	unsigned min_cpus; /* skipped (with a reason) on machines with fewer CPUs */
};

extern const struct fl_bootinfo *kt_bi;

/* Fail the running test with a message; does not return. */
void kt_fail(int line, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

#define KT_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			kt_fail(__LINE__, __VA_ARGS__);                                            \
	} while (0)
#define KT_EQ(a, b)                                                                                \
	do {                                                                                       \
		uint64_t kt_a_ = (uint64_t)(a), kt_b_ = (uint64_t)(b);                             \
		if (kt_a_ != kt_b_)                                                                \
			kt_fail(__LINE__, "%s is %#llx, expected %s = %#llx", #a,                  \
			        (unsigned long long)kt_a_, #b, (unsigned long long)kt_b_);         \
	} while (0)

/* --- invocations and errors --- */

/* Call an object cap with label and words (MR0..; up to 6), caps (cptrs sent
 * through send_caps[]); returns the reply's label (0 = success) with the
 * results in *out if given. */
uint64_t kt_invoke(fl_cptr_t cap, uint64_t label, unsigned nwords, const uint64_t *words,
                   unsigned ncaps, const fl_cptr_t *caps, struct fl_msg *out);
#define KT_WORDS(...) ((const uint64_t[]){__VA_ARGS__})
#define KT_CAPS(...)  ((const fl_cptr_t[]){__VA_ARGS__})
#define kt_inv(cap, label, ...)                                                                    \
	kt_invoke(cap, label, sizeof(KT_WORDS(__VA_ARGS__)) / 8, KT_WORDS(__VA_ARGS__), 0, NULL,   \
	          NULL)
/* The kernel error in a syscall result, or FL_OK if it is not an error. */
uint64_t kt_error(const struct fl_msg *m);

/* --- the per-test environment --- */

/* An empty slot in the root CNode (from the test's range). */
fl_cptr_t kt_slot(void);
/* A new object of type (size_bits for CNode radix / Untyped size) in a new slot. */
fl_cptr_t kt_obj(unsigned type, unsigned size_bits);
/* The test's own Untyped (revoked at the end of the test). */
fl_cptr_t kt_untyped(void);
/* Fresh page-aligned virtual addresses in the test's window (nothing mapped). */
uint64_t kt_va(unsigned pages);
/* Map frame cap at va with rights, adding page tables as needed; returns the error. */
uint64_t kt_map(fl_cptr_t frame, uint64_t va, uint64_t rights);
/* A new frame mapped at a fresh address; *frame gets its cap if given. */
void *kt_page(uint64_t rights, fl_cptr_t *frame);
/* Type of the cap in slot (FL_OBJ_NULL if empty), via CNode_Identify. */
unsigned kt_cap_type(fl_cptr_t slot);

/* --- time --- */

uint64_t kt_now_us(void);
/* Yield until *flag is non-zero or ms pass; returns whether it became set. */
bool kt_wait_flag(volatile int *flag, unsigned ms);
/* NBRecv on ep (with reply object reply, or 0) until a message comes, yielding
 * in between; fails the test after ms. */
void kt_recv(fl_cptr_t ep, fl_cptr_t reply, struct fl_msg *m, unsigned ms);
/* Poll notification ntfn until its word has all of bits; returns the word. */
uint64_t kt_wait_bits(fl_cptr_t ntfn, uint64_t bits, unsigned ms);

/* --- worker threads --- */

#define KT_PRIO        100 /* the root thread's priority (also its maximum) */
#define KT_MAX_THREADS 8

struct kt_thread {
	fl_cptr_t tcb;
	fl_cptr_t ipc_frame;          /* 0: the thread has no IPC buffer */
	struct fl_ipc_buffer *ipcbuf; /* its IPC buffer as the root sees it */
	uint64_t stack_top;
	void (*fn)(struct kt_thread *t);
	uint64_t arg[4];
	volatile uint64_t out[16]; /* results the thread reports */
	volatile int started, done;
};

struct kt_thread_opts {
	unsigned prio;      /* 0 means KT_PRIO */
	int cpu;            /* affinity; -1 means CPU 0 */
	fl_cptr_t fault_ep; /* 0: no fault handler */
	uint64_t fault_badge;
	bool no_ipcbuf;
};

/* Create (but do not start) a thread running fn(t) in the root's address
 * space and CSpace. When fn returns, the thread sets t->done and suspends. */
struct kt_thread *kt_thread_new(void (*fn)(struct kt_thread *t), const struct kt_thread_opts *o);
void kt_thread_start(struct kt_thread *t);
/* The thread state word (enum thread_state: 0 inactive, 1 runnable, 2 send,
 * 3 recv, 4 reply, 5 notification) from TCB_ReadRegisters. */
uint64_t kt_thread_state(struct kt_thread *t);

/* --- assembly helpers (asm.S): each faulting instruction is the first of its function --- */
void kt_asm_store(volatile uint64_t *p, uint64_t v);
uint64_t kt_asm_load(volatile const uint64_t *p);
uint64_t kt_asm_svc(uint64_t number, uint64_t x0);
void kt_asm_udf(void);
void kt_asm_jump(uint64_t target);
extern const uint32_t kt_asm_ret_insn;

/* The tests, by area. */
extern const struct kt_test kt_ipc_tests[], kt_ntfn_tests[], kt_sched_tests[], kt_cap_tests[],
    kt_vm_tests[], kt_fault_tests[], kt_fault_reply_tests[], kt_ipclog_tests[];

#endif
