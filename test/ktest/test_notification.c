/*
 * Notifications: signal before and after wait, poll, badges ORed into the
 * word, and a bound notification delivered to a thread waiting on an
 * endpoint.
 */
#include "ktest.h"

/* Waiter: out[0] = the word fl_wait returned (arg0 = notification). */
static void waiter(struct kt_thread *t)
{
	t->out[0] = fl_wait(t->arg[0]);
}

static void test_signal_before_wait(void)
{
	fl_cptr_t n = kt_obj(FL_OBJ_NOTIFICATION, 0), b1 = kt_slot(), b2 = kt_slot();

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b1, n, FL_RIGHTS_ALL, 0x1), FL_OK);
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b2, n, FL_RIGHTS_ALL, 0x4), FL_OK);
	KT_EQ(fl_signal(b1), 0);
	KT_EQ(fl_signal(b2), 0);
	KT_EQ(fl_signal(b1), 0);
	/* Pending badges are ORed; a wait takes them at once and clears the word. */
	KT_EQ(fl_wait(n), 0x5);
	KT_EQ(fl_poll(n), 0);
}

static void test_signal_after_wait_wakes_waiter(void)
{
	fl_cptr_t n = kt_obj(FL_OBJ_NOTIFICATION, 0), b = kt_slot();
	struct kt_thread *w = kt_thread_new(waiter, NULL);

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b, n, FL_RIGHTS_ALL, 0x30), FL_OK);
	w->arg[0] = n;
	kt_thread_start(w);
	uint64_t end = kt_now_us() + 2000000;
	while (kt_thread_state(w) != 5 && kt_now_us() < end)
		fl_yield();
	KT_EQ(kt_thread_state(w), 5); /* blocked on the notification */
	KT_CHECK(!w->done, "waiter returned before any signal");
	fl_signal(b);
	KT_CHECK(kt_wait_flag(&w->done, 2000), "signal did not wake the waiter");
	KT_EQ(w->out[0], 0x30);
	/* The word was handed over, not left pending. */
	KT_EQ(fl_poll(n), 0);
}

static void test_poll_does_not_block(void)
{
	fl_cptr_t n = kt_obj(FL_OBJ_NOTIFICATION, 0), b = kt_slot(), ro = kt_slot();
	struct fl_msg m = {0};

	KT_EQ(fl_poll(n), 0);
	fl_syscall(FL_SYS_NBRECV, n, 0, &m);
	KT_EQ(kt_error(&m), FL_OK);
	KT_EQ(m.badge, 0);
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b, n, FL_RIGHTS_ALL, 0x8), FL_OK);
	fl_signal(b);
	KT_EQ(fl_poll(n), 0x8);
	KT_EQ(fl_poll(n), 0);
	/* Signalling needs the write right, waiting the read right. */
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_COPY, ro, b, FL_RIGHT_READ), FL_OK);
	KT_EQ(fl_msginfo_label(fl_signal(ro)), FL_E_INVALID_CAPABILITY);
	KT_EQ(fl_poll(n), 0);
}

/* Server waiting on an endpoint: out[0] info, out[1] badge of what arrived. */
static void endpoint_waiter(struct kt_thread *t)
{
	struct fl_msg m = {0};

	fl_recv(t->arg[0], t->arg[1], &m);
	t->out[0] = m.info;
	t->out[1] = m.badge;
}

static void test_bound_notification_reaches_endpoint_recv(void)
{
	fl_cptr_t ep = kt_obj(FL_OBJ_ENDPOINT, 0), n = kt_obj(FL_OBJ_NOTIFICATION, 0),
	          b = kt_slot();
	struct kt_thread *w = kt_thread_new(endpoint_waiter, NULL);

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b, n, FL_RIGHTS_ALL, 0x200), FL_OK);
	KT_EQ(kt_invoke(n, FL_NOTIFICATION_BIND, 0, NULL, 1, KT_CAPS(w->tcb), NULL), FL_OK);
	/* A second binding of either side is refused. */
	KT_EQ(kt_invoke(n, FL_NOTIFICATION_BIND, 0, NULL, 1, KT_CAPS(w->tcb), NULL),
	      FL_E_ILLEGAL_OPERATION);
	w->arg[0] = ep;
	w->arg[1] = kt_obj(FL_OBJ_REPLY, 0);
	kt_thread_start(w);
	uint64_t end = kt_now_us() + 2000000;
	while (kt_thread_state(w) != 3 && kt_now_us() < end)
		fl_yield();
	KT_EQ(kt_thread_state(w), 3); /* blocked receiving on the endpoint */
	fl_signal(b);
	KT_CHECK(kt_wait_flag(&w->done, 2000),
	         "bound notification did not wake the endpoint receiver");
	KT_EQ(fl_msginfo_label(w->out[0]), FL_NOTIFICATION_LABEL);
	KT_EQ(w->out[1], 0x200);

	/* Signalled before the Recv: the pending word is taken at once. */
	struct kt_thread *w2 = kt_thread_new(endpoint_waiter, NULL);
	fl_cptr_t n2 = kt_obj(FL_OBJ_NOTIFICATION, 0);
	KT_EQ(kt_invoke(n2, FL_NOTIFICATION_BIND, 0, NULL, 1, KT_CAPS(w2->tcb), NULL), FL_OK);
	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b = kt_slot(), n2, FL_RIGHTS_ALL, 0x3),
	      FL_OK);
	fl_signal(b);
	w2->arg[0] = ep;
	w2->arg[1] = 0;
	kt_thread_start(w2);
	KT_CHECK(kt_wait_flag(&w2->done, 2000), "pending bound notification not delivered at Recv");
	KT_EQ(fl_msginfo_label(w2->out[0]), FL_NOTIFICATION_LABEL);
	KT_EQ(w2->out[1], 0x3);
}

static void test_signal_across_cpus(void)
{
	fl_cptr_t n = kt_obj(FL_OBJ_NOTIFICATION, 0), b = kt_slot();
	struct kt_thread_opts o = {.cpu = (int)kt_bi->ncpus - 1};

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, b, n, FL_RIGHTS_ALL, 0x40), FL_OK);
	for (int i = 0; i < 4; i++) {
		struct kt_thread *w = kt_thread_new(waiter, &o);
		w->arg[0] = n;
		kt_thread_start(w);
		uint64_t end = kt_now_us() + 2000000;
		while (kt_thread_state(w) != 5 && kt_now_us() < end)
			fl_yield();
		KT_EQ(kt_thread_state(w), 5);
		fl_signal(b);
		KT_CHECK(kt_wait_flag(&w->done, 2000), "remote waiter %d was not woken", i);
		KT_EQ(w->out[0], 0x40);
		/* Reuse the thread slot: delete the thread's TCB. */
		KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_DELETE, w->tcb), FL_OK);
	}
}

const struct kt_test kt_ntfn_tests[] = {
    {"ntfn.signal_before_wait", test_signal_before_wait, 1},
    {"ntfn.signal_after_wait_wakes_waiter", test_signal_after_wait_wakes_waiter, 1},
    {"ntfn.poll_does_not_block", test_poll_does_not_block, 1},
    {"ntfn.bound_notification_reaches_endpoint_recv", test_bound_notification_reaches_endpoint_recv,
     1},
    {"ntfn.signal_across_cpus", test_signal_across_cpus, 2},
    {NULL, NULL, 0},
};
