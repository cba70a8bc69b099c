/*
 * Fault verdicts and the small text formatting they need (no libc printf in
 * a freestanding library): "<reason> at 0x<addr>".
 */
#include "internal.h"

/* Append s at pos (always NUL-terminated, truncated to len); return the new end. */
size_t vm_fmt_str(char *buf, size_t len, size_t pos, const char *s)
{
	while (*s && pos + 1 < len)
		buf[pos++] = *s++;
	if (pos < len)
		buf[pos] = '\0';
	return pos;
}

/* Append v in decimal. */
size_t vm_fmt_dec(char *buf, size_t len, size_t pos, uint64_t v)
{
	char tmp[21];
	int i = 20;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return vm_fmt_str(buf, len, pos, &tmp[i]);
}

/* Append v as 0x-prefixed hexadecimal. */
size_t vm_fmt_hex(char *buf, size_t len, size_t pos, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[19];
	int i = 18;

	tmp[i] = '\0';
	do {
		tmp[--i] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	return vm_fmt_str(buf, len, pos, &tmp[i]);
}

/* The page is in place: resume the thread. */
struct vm_verdict vm_verdict_resume(void)
{
	/* Stores of zero, not a memset call: this is every fault's verdict. */
	struct vm_verdict v = {.kind = VM_RESUME};

	return v;
}

/* Another thread is moving the page (eviction, a racing COW break): resume
 * the thread unchanged; it faults again and then finds a settled state. */
struct vm_verdict vm_verdict_retry(void)
{
	struct vm_verdict v = vm_verdict_resume();

	v.kind = VM_RETRY;
	return v;
}

/* vm_fault_noio's answer when the fault needs backing-store I/O. */
struct vm_verdict vm_verdict_need_io(void)
{
	struct vm_verdict v = vm_verdict_resume();

	v.kind = VM_NEED_IO;
	return v;
}

static const char *const reason_text[] = {
    [VM_KILL_NONE] = "no reason",
    [VM_KILL_NO_REGION] = "access outside every region",
    [VM_KILL_STACK_LIMIT] = "stack access beyond the stack limit",
    [VM_KILL_STACK_FAR_BELOW_SP] = "read of a never-written stack page far below SP",
    [VM_KILL_WRITE_READONLY] = "write to a read-only region",
    [VM_KILL_EXEC_NOEXEC] = "execute in a non-executable region",
    [VM_KILL_OOM] = "out of memory (no frame, nothing evictable, or swap full)",
    [VM_KILL_IO] = "backing store or file I/O error",
};

/* Kill the faulting process; msg names the reason and the address. */
struct vm_verdict vm_verdict_kill(enum vm_kill_reason reason, uint64_t addr)
{
	struct vm_verdict v = vm_verdict_resume();
	size_t n;

	v.kind = VM_KILL;
	v.reason = reason;
	v.addr = addr;
	n = vm_fmt_str(v.msg, sizeof(v.msg), 0, reason_text[reason]);
	n = vm_fmt_str(v.msg, sizeof(v.msg), n, " at ");
	vm_fmt_hex(v.msg, sizeof(v.msg), n, addr);
	return v;
}
