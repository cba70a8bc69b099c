/*
 * The user-level syscall runtime: one message (info word, badge, MR0..MR5) as
 * a struct the compiler keeps in registers, and the IPC syscalls of abi.h as
 * inline functions over one primitive, fl_syscall(). The primitive is an `svc`
 * on AArch64 (ipc_aarch64.h) or, when FL_IPC_HOST is defined, a call into the
 * host loopback transport (ipc_host.h) that simulates the kernel's transfer
 * rules in-process, so the same generated stubs and dispatch run on both.
 */
#ifndef FAULTLINE_IPC_H
#define FAULTLINE_IPC_H

#include <stddef.h>
#include <stdint.h>

#include <faultline/abi.h>

/* A capability pointer: a slot address in the caller's CSpace. */
typedef uint64_t fl_cptr_t;

/*
 * One message as it passes through the registers: x1 (info), x0 on return
 * (badge) and x2..x7 (MR0..MR5). MR6 and up live in the IPC buffer. Kept as a
 * local whose address never escapes an inline function, it stays in registers.
 */
struct fl_msg {
	uint64_t info;  /* message info word (abi.h fl_msginfo) */
	uint64_t badge; /* receive side: badge of the cap the message came through */
	uint64_t mr[FL_MSG_REG_COUNT];
};

#ifdef FL_IPC_HOST
#include <faultline/ipc_host.h>
#else
#include <faultline/ipc_aarch64.h>
#endif

/* Send m to dest and wait for the reply, which replaces m. */
static inline void fl_call(fl_cptr_t dest, struct fl_msg *m)
{
	fl_syscall(FL_SYS_CALL, dest, 0, m);
}

/* Reply with m through reply, then wait on src; the next message replaces m. */
static inline void fl_reply_recv(fl_cptr_t src, fl_cptr_t reply, struct fl_msg *m)
{
	fl_syscall(FL_SYS_REPLY_RECV, src, reply, m);
}

/* Send m to dest, blocking until a receiver takes it. m->info reports an error. */
static inline void fl_send(fl_cptr_t dest, struct fl_msg *m)
{
	fl_syscall(FL_SYS_SEND, dest, 0, m);
}

/* Send m to dest only if a receiver is waiting; otherwise it is dropped. */
static inline void fl_nbsend(fl_cptr_t dest, struct fl_msg *m)
{
	fl_syscall(FL_SYS_NBSEND, dest, 0, m);
}

/* Wait for a message on src; a Call's caller is bound to the reply object. */
static inline void fl_recv(fl_cptr_t src, fl_cptr_t reply, struct fl_msg *m)
{
	m->info = 0;
	fl_syscall(FL_SYS_RECV, src, reply, m);
}

/* Take a message from src if a sender waits; else m->info is error WOULD_BLOCK. */
static inline void fl_nbrecv(fl_cptr_t src, fl_cptr_t reply, struct fl_msg *m)
{
	m->info = 0;
	fl_syscall(FL_SYS_NBRECV, src, reply, m);
}

/* Reply with m to the caller bound to reply. */
static inline void fl_reply(fl_cptr_t reply, struct fl_msg *m)
{
	fl_syscall(FL_SYS_REPLY, 0, reply, m);
}

/* Give up the rest of the time slice. */
static inline void fl_yield(void)
{
	struct fl_msg m = {0};

	fl_syscall(FL_SYS_YIELD, 0, 0, &m);
}

/* Signal the notification ntfn: OR its badge into the notification word. */
static inline uint64_t fl_signal(fl_cptr_t ntfn)
{
	struct fl_msg m = {0};

	fl_syscall(FL_SYS_SEND, ntfn, 0, &m);
	return m.info;
}

/* Wait until ntfn is signalled; returns (and clears) its word of badges. */
static inline uint64_t fl_wait(fl_cptr_t ntfn)
{
	struct fl_msg m = {0};

	fl_syscall(FL_SYS_RECV, ntfn, 0, &m);
	return m.badge;
}

/* Return (and clear) ntfn's word of badges without blocking; 0 if none. */
static inline uint64_t fl_poll(fl_cptr_t ntfn)
{
	struct fl_msg m = {0};

	fl_syscall(FL_SYS_NBRECV, ntfn, 0, &m);
	return fl_msginfo_is_error(m.info) ? 0 : m.badge;
}

/* Write n bytes of s to the kernel's debug console, through the IPC buffer. */
static inline void fl_debug_write(const char *s, size_t n)
{
	struct fl_ipc_buffer *b = fl_ipc_buffer();
	unsigned char *dst = (unsigned char *)b->msg;

	while (n > 0) {
		size_t chunk = n < FL_DEBUG_WRITE_MAX ? n : FL_DEBUG_WRITE_MAX;
		struct fl_msg m = {0};

		for (size_t i = 0; i < chunk; i++)
			dst[i] = (unsigned char)s[i];
		fl_syscall(FL_SYS_DEBUG_WRITE, chunk, 0, &m);
		s += chunk;
		n -= chunk;
	}
}

#endif
