/*
 * The AArch64 syscall primitive: x8 = syscall number, x0 = cptr, x1 = info,
 * x2..x7 = MR0..MR5, x9 = reply object; on return x0 = badge, x1 = info,
 * x2..x7 = MR0..MR5 (abi.h). Included by ipc.h; do not include directly.
 */
#ifndef FAULTLINE_IPC_AARCH64_H
#define FAULTLINE_IPC_AARCH64_H

/*
 * Enter the kernel with syscall sys on cap (x0) and reply object reply (x9),
 * sending in->info and in->mr; the kernel's x0, x1 and x2..x7 go to
 * m->badge, m->info and m->mr (in and m may be the same message: fl_syscall).
 * "memory" because the kernel reads and writes the IPC buffer; the message
 * itself never leaves registers.
 */
static inline void fl_syscall_io(uint64_t sys, uint64_t cap, uint64_t reply,
                                 const struct fl_msg *in, struct fl_msg *m)
{
	register uint64_t x0 __asm__("x0") = cap;
	register uint64_t x1 __asm__("x1") = in->info;
	register uint64_t x2 __asm__("x2") = in->mr[0];
	register uint64_t x3 __asm__("x3") = in->mr[1];
	register uint64_t x4 __asm__("x4") = in->mr[2];
	register uint64_t x5 __asm__("x5") = in->mr[3];
	register uint64_t x6 __asm__("x6") = in->mr[4];
	register uint64_t x7 __asm__("x7") = in->mr[5];
	register uint64_t x8 __asm__("x8") = sys;
	register uint64_t x9 __asm__("x9") = reply;

	__asm__ volatile("svc #0"
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6),
	                   "+r"(x7)
	                 : "r"(x8), "r"(x9)
	                 : "memory");
	m->badge = x0;
	m->info = x1;
	m->mr[0] = x2;
	m->mr[1] = x3;
	m->mr[2] = x4;
	m->mr[3] = x5;
	m->mr[4] = x6;
	m->mr[5] = x7;
}

static inline void fl_syscall(uint64_t sys, uint64_t cap, uint64_t reply, struct fl_msg *m)
{
	fl_syscall_io(sys, cap, reply, m, m);
}

/*
 * The calling thread's IPC buffer, from TPIDRRO_EL0. Not volatile: the value
 * is fixed for the thread's life, so the compiler may drop an unused read.
 */
static inline struct fl_ipc_buffer *fl_ipc_buffer(void)
{
	uint64_t p;

	__asm__("mrs %0, tpidrro_el0" : "=r"(p));
	return (struct fl_ipc_buffer *)p;
}

#endif
