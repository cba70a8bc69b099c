/*
 * The host loopback transport (libs/ipc/host/loopback.c): an in-process model
 * of the kernel's IPC for host tests. Threads are pthreads; one global CSpace
 * holds every cap; endpoints, notifications and reply objects behave as the
 * kernel's do for message words, length limits, cap transfer (type, rights,
 * badge into recv_slots/recv_badges/recv_capinfo, GRANT and GRANT_REPLY
 * rules, unwrapping) and badges. Included by ipc.h when FL_IPC_HOST is set.
 */
#ifndef FAULTLINE_IPC_HOST_H
#define FAULTLINE_IPC_HOST_H

#define FL_HOST_SLOTS 1024 /* cptrs 1..FL_HOST_SLOTS-1 name slots; 0 is the null cap */

/* Run syscall sys as the kernel would, for the calling thread. */
void fl_host_syscall(uint64_t sys, uint64_t cap, uint64_t reply, struct fl_msg *m);

/* The calling thread's IPC buffer (set by fl_host_thread_init). */
struct fl_ipc_buffer *fl_host_ipc_buffer(void);

/* Give the calling thread an IPC buffer, zeroed here; every thread that makes
 * syscalls must call this first. */
void fl_host_thread_init(struct fl_ipc_buffer *buf);

/* Create an object of type with a cap (rights, badge) in a new slot; returns
 * the cptr, or 0 when the CSpace is full. */
fl_cptr_t fl_host_create(unsigned type, uint64_t rights, uint64_t badge);

/* Copy src's cap into a new slot with rights reduced to rights and the badge
 * set; returns the cptr, or 0 if src is empty or the CSpace is full. */
fl_cptr_t fl_host_mint(fl_cptr_t src, uint64_t rights, uint64_t badge);

/* A new empty slot, for recv_slots; 0 when the CSpace is full. */
fl_cptr_t fl_host_alloc_slot(void);

/* Empty slot cptr (the object lives on while other caps name it). */
void fl_host_delete(fl_cptr_t cptr);

/* Describe slot cptr: returns 0 and fills type, rights, badge and an id of
 * its object (equal ids = same object), or -1 if the slot is empty. */
int fl_host_cap(fl_cptr_t cptr, unsigned *type, uint64_t *rights, uint64_t *badge,
                uint64_t *object);

/* Bytes written by FL_SYS_DEBUG_WRITE so far (a test reads them back). */
size_t fl_host_debug_output(char *buf, size_t size);

static inline void fl_syscall(uint64_t sys, uint64_t cap, uint64_t reply, struct fl_msg *m)
{
	fl_host_syscall(sys, cap, reply, m);
}

static inline void fl_syscall_io(uint64_t sys, uint64_t cap, uint64_t reply,
                                 const struct fl_msg *in, struct fl_msg *m)
{
	*m = *in;
	fl_host_syscall(sys, cap, reply, m);
}

static inline struct fl_ipc_buffer *fl_ipc_buffer(void)
{
	return fl_host_ipc_buffer();
}

#endif
