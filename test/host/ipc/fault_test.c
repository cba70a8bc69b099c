/*
 * The kernel's fault messages through the generated fault_dispatch (from
 * idl/fault.idl): the message is built as the kernel builds it (abi.h), the
 * handler gets typed arguments, its reply label resumes the thread, and a
 * malformed or wrongly answered fault is never replied to.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fault.h"
#include "pager.h"
#include "swapd.h"

static struct fl_ipc_buffer buf;
static unsigned long calls;
static uint64_t seen_addr;
static enum fault_access seen_access;
static int vm_answer = FAULT_REPLY_RETRY;

static int on_vm(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                 enum fault_access access, uint64_t sp, uint64_t reserved)
{
	(void)ctx, (void)badge, (void)ip, (void)esr, (void)sp, (void)reserved;
	calls++;
	seen_addr = addr;
	seen_access = access;
	return vm_answer;
}

static int on_unknown_syscall(void *ctx, uint64_t badge, uint64_t ip, uint64_t addr, uint64_t esr,
                              uint64_t access, uint64_t sp, uint64_t sysno)
{
	(void)ctx, (void)badge, (void)ip, (void)addr, (void)esr, (void)access, (void)sp;
	calls++;
	return sysno == 99 ? FAULT_REPLY_SKIP : FAULT_REPLY_RETRY;
}

static const struct fault_handlers handlers = {.vm = on_vm, .unknown_syscall = on_unknown_syscall};

/* The message the kernel sends for a fault of kind label (abi.h layout). */
static struct fl_msg kernel_fault(uint64_t label, uint64_t addr, uint64_t access, uint64_t sysno)
{
	struct fl_msg m = {.info = fl_msginfo(label, 6, 0),
	                   .badge = 0x42,
	                   .mr = {0x400000, addr, 0x92000047, access, 0x7fff0000, sysno}};
	return m;
}

static void vm_fault_reaches_handler_typed_and_retries(void)
{
	struct fl_msg m = kernel_fault(FL_FAULT_VM, 0xdead000, FL_ACCESS_WRITE, 0);

	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_REPLY);
	CHECK_EQ(calls, 1);
	CHECK_EQ(seen_addr, 0xdead000);
	CHECK_EQ(seen_access, FAULT_ACCESS_WRITE);
	CHECK_EQ(fl_msginfo_label(m.info), 0);
	CHECK_EQ(fl_msginfo_length(m.info), 0);
}

static void unknown_syscall_can_be_skipped(void)
{
	struct fl_msg m = kernel_fault(FL_FAULT_UNKNOWN_SYSCALL, 0, 0, 99);

	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_REPLY);
	CHECK_EQ(fl_msginfo_label(m.info), FL_FAULT_REPLY_SKIP);
}

static void undeclared_resume_label_leaves_thread_blocked(void)
{
	struct fl_msg m = kernel_fault(FL_FAULT_VM, 0x1000, FL_ACCESS_READ, 0);

	vm_answer = FAULT_REPLY_SKIP; /* vm faults may only be retried */
	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_NO_REPLY);
	vm_answer = FAULT_REPLY_RETRY;
}

static void deferred_fault_is_not_replied_now(void)
{
	struct fl_msg m = kernel_fault(FL_FAULT_VM, 0x1000, FL_ACCESS_READ, 0);

	vm_answer = FL_IDL_DEFER;
	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_NO_REPLY);
	vm_answer = FAULT_REPLY_RETRY;
}

static void malformed_fault_never_reaches_handler_nor_replies(void)
{
	unsigned long before = calls;
	struct fl_msg m = kernel_fault(FL_FAULT_VM, 0x1000, 3, 0); /* no such access kind */

	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_NO_REPLY);
	CHECK_EQ(fl_msginfo_label(m.info), FL_IDL_E_BAD_ARGUMENT);
	CHECK_EQ(m.mr[0], 3);
	m = kernel_fault(FL_FAULT_VM, 0x1000, FL_ACCESS_READ, 0);
	m.info = fl_msginfo(FL_FAULT_VM, 5, 0);
	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_NO_REPLY);
	m = kernel_fault(FL_FAULT_USER_EXCEPTION, 0, 0, 0); /* no handler installed */
	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_NO_REPLY);
	m = kernel_fault(FL_KERNEL_LABEL_BASE + 0x77, 0, 0, 0);
	CHECK_EQ(fault_dispatch(&handlers, NULL, &m), FL_IDL_NO_REPLY);
	CHECK_EQ(calls, before);
}

static void fault_labels_are_told_apart_from_pager_labels(void)
{
	CHECK(fault_owns_label(FL_FAULT_VM));
	CHECK(!fault_owns_label(PAGER_SBRK_LABEL));
	CHECK(pager_owns_label(PAGER_SBRK_LABEL));
	CHECK(!pager_owns_label(FL_FAULT_VM));
	CHECK(!pager_owns_label(SWAPD_SWAP_OUT_LABEL));
}

int main(void)
{
	fl_host_thread_init(&buf);
	RUN(vm_fault_reaches_handler_typed_and_retries);
	RUN(unknown_syscall_can_be_skipped);
	RUN(undeclared_resume_label_leaves_thread_blocked);
	RUN(deferred_fault_is_not_replied_now);
	RUN(malformed_fault_never_reaches_handler_nor_replies);
	RUN(fault_labels_are_told_apart_from_pager_labels);
	return 0;
}
