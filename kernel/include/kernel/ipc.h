/*
 * Message passing: endpoints, reply objects, notifications and faults.
 * Caller must hold the big kernel lock.
 */
#ifndef FAULTLINE_KERNEL_IPC_H
#define FAULTLINE_KERNEL_IPC_H

#include "kernel/object.h"

/* The syscalls, for the current thread t. Each sets t's return registers
 * (or blocks t); kernel_exit then decides who runs. */
void sys_send(struct tcb *t, bool blocking, bool call);
void sys_recv(struct tcb *t, bool blocking);
void sys_reply(struct tcb *t);
void sys_reply_recv(struct tcb *t);

/* Deliver a fault of t to its fault endpoint (t->fault_words are filled). */
void fault_deliver(struct tcb *t, uint64_t label);

/* Take a waiting receiver off ep (EP_RECV), preferring one on this CPU. */
struct tcb *ep_take_receiver(struct endpoint *ep);

/* Remove t from any endpoint, notification or reply it waits on. */
void ipc_cancel(struct tcb *t);

/* Set t's syscall return registers to a kernel error. */
static inline void set_error(struct tcb *t, unsigned err)
{
	t->ctx.x[0] = 0;
	t->ctx.x[1] = fl_msginfo(err, 0, 0) | FL_MSGINFO_ERROR;
}

void tcb_init(struct tcb *t);

#endif
