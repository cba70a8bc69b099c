/*
 * The host loopback transport: a small in-process model of Faultline's IPC,
 * so that generated client stubs and server dispatch can be tested on the
 * host exactly as they run on the target, only with fl_syscall() landing here
 * instead of in the kernel. It follows the kernel's rules (abi.h):
 *
 * - Send/Call need WRITE on the endpoint cap, Recv needs READ; Call on a
 *   notification is an error, Send on one signals it.
 * - At most FL_MSG_MAX_WORDS words (else FL_E_TRUNCATED to the sender);
 *   words 0..5 travel in the registers, the rest between IPC buffers.
 * - Caps go only if the sender's endpoint cap has GRANT (a reply: if the
 *   caller's cap had GRANT_REPLY). Cap i goes from send_caps[i] into the
 *   receiver's empty recv_slots[i], with recv_badges[i] and recv_capinfo[i]
 *   filled; transfer stops at the first empty source or unusable slot. A cap
 *   to the very endpoint the message travels through is unwrapped: only its
 *   badge arrives, and its bit is set in the unwrapped mask.
 * - The receiver gets the badge of the sender's cap in x0.
 *
 * One global lock (like the kernel's big lock) and one condition variable
 * guard everything; every waiter re-checks its condition after each wakeup.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/ipc.h>

/* A thread blocked in Send or Call, queued on an endpoint. */
struct sender {
	struct sender *next;
	struct fl_msg msg;         /* the message; for a Call, then the reply */
	struct fl_ipc_buffer *buf; /* the sender's IPC buffer */
	uint64_t badge;            /* badge of the cap it sent through */
	uint64_t rights;           /* rights of that cap */
	bool call;                 /* waits for a reply after delivery */
	bool done;                 /* delivered (Send) or replied to (Call) */
};

/* A kernel object: the fields of its type are used, the rest stay zero. */
struct object {
	unsigned type;
	uint64_t id;
	struct sender *queue_head, *queue_tail; /* endpoint: blocked senders */
	unsigned receivers;                     /* endpoint: threads blocked in Recv */
	uint64_t word;                          /* notification: pending badges */
	struct sender *caller;                  /* reply: caller waiting for a reply */
};

struct slot {
	bool allocated;
	struct object *obj; /* NULL: empty */
	uint64_t rights;
	uint64_t badge;
};

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct slot cspace[FL_HOST_SLOTS]; /* protected by big_lock */
static uint64_t next_object_id = 1;       /* protected by big_lock */
static char debug_out[1 << 16];           /* protected by big_lock */
static size_t debug_len;                  /* protected by big_lock */
static _Thread_local struct fl_ipc_buffer *current_buffer;

/* The slot named by cptr if it holds a cap, else NULL. Caller holds big_lock. */
static struct slot *lookup(uint64_t cptr)
{
	if (cptr == 0 || cptr >= FL_HOST_SLOTS || cspace[cptr].obj == NULL)
		return NULL;
	return &cspace[cptr];
}

/* A free slot's cptr, now allocated and empty; 0 if none. Caller holds big_lock. */
static fl_cptr_t alloc_slot_locked(void)
{
	for (fl_cptr_t c = 1; c < FL_HOST_SLOTS; c++) {
		if (!cspace[c].allocated) {
			cspace[c].allocated = true;
			cspace[c].obj = NULL;
			return c;
		}
	}
	return 0;
}

static void set_error(struct fl_msg *m, uint64_t err)
{
	m->info = fl_msginfo(err, 0, 0) | FL_MSGINFO_ERROR;
	m->badge = 0;
}

/*
 * Copy message (sm, sb) into (dm, db) under the transfer rules above; caps
 * only if may_grant; via is the endpoint travelled through (for unwrapping)
 * or NULL for a reply. Caller holds big_lock.
 */
static void transfer(const struct fl_msg *sm, const struct fl_ipc_buffer *sb, bool may_grant,
                     const struct object *via, struct fl_msg *dm, struct fl_ipc_buffer *db)
{
	unsigned len = fl_msginfo_length(sm->info);
	unsigned ncaps = may_grant ? fl_msginfo_caps(sm->info) : 0;
	unsigned moved = 0, unwrapped = 0;

	for (unsigned k = 0; k < FL_MSG_REG_COUNT; k++)
		dm->mr[k] = k < len ? sm->mr[k] : 0;
	for (unsigned k = FL_MSG_REG_COUNT; k < len; k++)
		db->msg[k] = sb->msg[k];
	for (unsigned i = 0; i < ncaps; i++) {
		struct slot *src = lookup(sb->send_caps[i]);
		uint64_t dst = db->recv_slots[i];

		if (src == NULL)
			break;
		if (via != NULL && src->obj == via) {
			unwrapped |= 1u << i;
		} else {
			if (dst == 0 || dst >= FL_HOST_SLOTS || !cspace[dst].allocated ||
			    cspace[dst].obj != NULL)
				break;
			cspace[dst] = *src;
		}
		db->recv_badges[i] = src->badge;
		db->recv_capinfo[i] = fl_capinfo(src->obj->type, src->rights);
		moved++;
	}
	for (unsigned i = moved; i < FL_MSG_MAX_CAPS; i++) {
		db->recv_badges[i] = 0;
		db->recv_capinfo[i] = 0;
	}
	dm->info = fl_msginfo(fl_msginfo_label(sm->info), len, moved) |
	           ((uint64_t)unwrapped << FL_MSGINFO_UNWRAPPED_SHIFT);
}

/* Check the send side of a message; 0 or an fl_error. */
static uint64_t check_outgoing(const struct fl_msg *m)
{
	if (fl_msginfo_length(m->info) > FL_MSG_MAX_WORDS)
		return FL_E_TRUNCATED;
	return FL_OK;
}

/* Send/Call/NBSend m through endpoint cap ep. Caller holds big_lock. */
static void do_send(struct slot *ep, struct fl_msg *m, bool call, bool nonblocking)
{
	struct sender self = {0};
	struct object *obj = ep->obj;

	if (!(ep->rights & FL_RIGHT_WRITE)) {
		set_error(m, FL_E_INVALID_CAPABILITY);
		return;
	}
	if (check_outgoing(m) != FL_OK) {
		set_error(m, check_outgoing(m));
		return;
	}
	if (nonblocking && obj->receivers == 0) {
		m->info = 0;
		return;
	}
	self.msg = *m;
	self.buf = current_buffer;
	self.badge = ep->badge;
	self.rights = ep->rights;
	self.call = call;
	if (obj->queue_tail != NULL)
		obj->queue_tail->next = &self;
	else
		obj->queue_head = &self;
	obj->queue_tail = &self;
	pthread_cond_broadcast(&changed);
	while (!self.done)
		pthread_cond_wait(&changed, &big_lock);
	if (call)
		*m = self.msg;
	else
		m->info = 0;
}

/* Recv/NBRecv on endpoint cap ep, binding a caller to reply cap rc. Caller holds big_lock. */
static void do_recv(struct slot *ep, uint64_t rc, struct fl_msg *m, bool nonblocking)
{
	struct object *obj = ep->obj;
	struct slot *reply = lookup(rc);
	struct sender *s;

	if (!(ep->rights & FL_RIGHT_READ) || reply == NULL || reply->obj->type != FL_OBJ_REPLY) {
		set_error(m, FL_E_INVALID_CAPABILITY);
		return;
	}
	if (nonblocking && obj->queue_head == NULL) {
		set_error(m, FL_E_WOULD_BLOCK);
		return;
	}
	obj->receivers++;
	while (obj->queue_head == NULL)
		pthread_cond_wait(&changed, &big_lock);
	obj->receivers--;
	s = obj->queue_head;
	obj->queue_head = s->next;
	if (obj->queue_head == NULL)
		obj->queue_tail = NULL;
	transfer(&s->msg, s->buf, (s->rights & FL_RIGHT_GRANT) != 0, obj, m, current_buffer);
	m->badge = s->badge;
	if (s->call)
		reply->obj->caller = s;
	else
		s->done = true;
	pthread_cond_broadcast(&changed);
}

/* Reply with m to the caller bound to reply cap rc. Caller holds big_lock. */
static void do_reply(uint64_t rc, struct fl_msg *m)
{
	struct slot *reply = lookup(rc);
	struct sender *caller;

	if (reply == NULL || reply->obj->type != FL_OBJ_REPLY) {
		set_error(m, FL_E_INVALID_CAPABILITY);
		return;
	}
	caller = reply->obj->caller;
	if (caller == NULL) {
		set_error(m, FL_E_NO_REPLY);
		return;
	}
	if (check_outgoing(m) != FL_OK) {
		set_error(m, check_outgoing(m));
		return;
	}
	transfer(m, current_buffer, (caller->rights & FL_RIGHT_GRANT_REPLY) != 0, NULL,
	         &caller->msg, caller->buf);
	caller->msg.badge = 0;
	caller->done = true;
	reply->obj->caller = NULL;
	m->info = 0;
	pthread_cond_broadcast(&changed);
}

/* Signal (Send), wait (Recv) or poll (NBRecv) notification cap n. Caller holds big_lock. */
static void do_notification(uint64_t sys, struct slot *n, struct fl_msg *m)
{
	struct object *obj = n->obj;

	if (sys == FL_SYS_SEND || sys == FL_SYS_NBSEND) {
		if (!(n->rights & FL_RIGHT_WRITE)) {
			set_error(m, FL_E_INVALID_CAPABILITY);
			return;
		}
		obj->word |= n->badge;
		m->info = 0;
		pthread_cond_broadcast(&changed);
		return;
	}
	if (!(n->rights & FL_RIGHT_READ)) {
		set_error(m, FL_E_INVALID_CAPABILITY);
		return;
	}
	if (sys == FL_SYS_NBRECV && obj->word == 0) {
		set_error(m, FL_E_WOULD_BLOCK);
		return;
	}
	while (obj->word == 0)
		pthread_cond_wait(&changed, &big_lock);
	m->badge = obj->word;
	m->info = 0;
	obj->word = 0;
}

/* fl_host_syscall: see ipc_host.h. */
void fl_host_syscall(uint64_t sys, uint64_t cap, uint64_t reply, struct fl_msg *m)
{
	struct slot *target;

	pthread_mutex_lock(&big_lock);
	if (sys == FL_SYS_YIELD) {
		pthread_mutex_unlock(&big_lock);
		sched_yield();
		return;
	}
	if (current_buffer == NULL)
		abort(); /* fl_host_thread_init was not called: a bug in the test */
	if (sys == FL_SYS_DEBUG_WRITE) {
		size_t n = cap <= FL_DEBUG_WRITE_MAX ? cap : FL_DEBUG_WRITE_MAX;

		if (n > sizeof(debug_out) - debug_len)
			n = sizeof(debug_out) - debug_len;
		memcpy(debug_out + debug_len, current_buffer->msg, n);
		debug_len += n;
		m->info = 0;
		goto out;
	}
	if (sys == FL_SYS_REPLY || sys == FL_SYS_REPLY_RECV) {
		struct fl_msg out = *m;

		do_reply(reply, &out);
		if (sys == FL_SYS_REPLY) {
			*m = out;
			goto out;
		}
	}
	target = lookup(cap);
	if (target == NULL) {
		set_error(m, FL_E_FAILED_LOOKUP);
		goto out;
	}
	if (target->obj->type == FL_OBJ_NOTIFICATION && sys != FL_SYS_CALL &&
	    sys != FL_SYS_REPLY_RECV) {
		do_notification(sys, target, m);
		goto out;
	}
	if (target->obj->type != FL_OBJ_ENDPOINT) {
		/* Object invocations are the kernel's; the loopback has none. */
		set_error(m, FL_E_ILLEGAL_OPERATION);
		goto out;
	}
	switch (sys) {
	case FL_SYS_CALL:
		do_send(target, m, true, false);
		break;
	case FL_SYS_SEND:
		do_send(target, m, false, false);
		break;
	case FL_SYS_NBSEND:
		do_send(target, m, false, true);
		break;
	case FL_SYS_RECV:
	case FL_SYS_REPLY_RECV:
		do_recv(target, reply, m, false);
		break;
	case FL_SYS_NBRECV:
		do_recv(target, reply, m, true);
		break;
	default:
		set_error(m, FL_E_ILLEGAL_OPERATION);
	}
out:
	pthread_mutex_unlock(&big_lock);
}

/* fl_host_ipc_buffer: see ipc_host.h. */
struct fl_ipc_buffer *fl_host_ipc_buffer(void)
{
	return current_buffer;
}

/* fl_host_thread_init: see ipc_host.h. */
void fl_host_thread_init(struct fl_ipc_buffer *buf)
{
	memset(buf, 0, sizeof(*buf));
	current_buffer = buf;
}

/* fl_host_create: see ipc_host.h. */
fl_cptr_t fl_host_create(unsigned type, uint64_t rights, uint64_t badge)
{
	struct object *obj = calloc(1, sizeof(*obj));
	fl_cptr_t c;

	if (obj == NULL)
		return 0;
	pthread_mutex_lock(&big_lock);
	c = alloc_slot_locked();
	if (c != 0) {
		obj->type = type;
		obj->id = next_object_id++;
		cspace[c].obj = obj;
		cspace[c].rights = rights & FL_RIGHTS_ALL;
		cspace[c].badge = badge;
	}
	pthread_mutex_unlock(&big_lock);
	if (c == 0)
		free(obj);
	return c;
}

/* fl_host_mint: see ipc_host.h. */
fl_cptr_t fl_host_mint(fl_cptr_t src, uint64_t rights, uint64_t badge)
{
	struct slot *s;
	fl_cptr_t c = 0;

	pthread_mutex_lock(&big_lock);
	s = lookup(src);
	if (s != NULL) {
		c = alloc_slot_locked();
		if (c != 0) {
			cspace[c].obj = s->obj;
			cspace[c].rights = s->rights & rights;
			cspace[c].badge = badge;
		}
	}
	pthread_mutex_unlock(&big_lock);
	return c;
}

/* fl_host_alloc_slot: see ipc_host.h. */
fl_cptr_t fl_host_alloc_slot(void)
{
	fl_cptr_t c;

	pthread_mutex_lock(&big_lock);
	c = alloc_slot_locked();
	pthread_mutex_unlock(&big_lock);
	return c;
}

/* fl_host_delete: see ipc_host.h. */
void fl_host_delete(fl_cptr_t cptr)
{
	pthread_mutex_lock(&big_lock);
	if (cptr != 0 && cptr < FL_HOST_SLOTS)
		cspace[cptr].obj = NULL;
	pthread_mutex_unlock(&big_lock);
}

/* fl_host_cap: see ipc_host.h. */
int fl_host_cap(fl_cptr_t cptr, unsigned *type, uint64_t *rights, uint64_t *badge, uint64_t *object)
{
	struct slot *s;
	int ret = -1;

	pthread_mutex_lock(&big_lock);
	s = lookup(cptr);
	if (s != NULL) {
		*type = s->obj->type;
		*rights = s->rights;
		*badge = s->badge;
		*object = s->obj->id;
		ret = 0;
	}
	pthread_mutex_unlock(&big_lock);
	return ret;
}

/* fl_host_debug_output: see ipc_host.h. */
size_t fl_host_debug_output(char *buf, size_t size)
{
	size_t n;

	pthread_mutex_lock(&big_lock);
	n = debug_len < size ? debug_len : size;
	memcpy(buf, debug_out, n);
	pthread_mutex_unlock(&big_lock);
	return n;
}
