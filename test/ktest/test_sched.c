/*
 * Scheduling and thread control: priorities, preemption on wake, round
 * robin by the timer tick, threads running in parallel on other CPUs, and
 * the TCB invocations (registers, suspend/resume, priority limits,
 * affinity).
 */
#include "ktest.h"

static volatile uint64_t order[8];
static volatile unsigned order_n;

static void log_event(uint64_t what)
{
	order[__atomic_fetch_add(&order_n, 1, __ATOMIC_RELAXED)] = what;
}

/* Logs arg1, signals notification arg0 (its badge says who). */
static void log_and_signal(struct kt_thread *t)
{
	log_event(t->arg[1]);
	fl_signal(t->arg[0]);
}

/* Waits (blocking) until ntfn has all bits; the root blocks, so lower priorities run. */
static void block_for_bits(fl_cptr_t ntfn, uint64_t bits)
{
	uint64_t word = 0;

	while ((word & bits) != bits)
		word |= fl_wait(ntfn);
}

static fl_cptr_t badged(fl_cptr_t n, uint64_t badge)
{
	fl_cptr_t s = kt_slot();

	KT_EQ(kt_inv(FL_CAP_ROOT_CNODE, FL_CNODE_MINT, s, n, FL_RIGHTS_ALL, badge), FL_OK);
	return s;
}

static void test_higher_priority_runs_first(void)
{
	fl_cptr_t n = kt_obj(FL_OBJ_NOTIFICATION, 0);
	struct kt_thread_opts lo = {.prio = 40, .cpu = 0}, hi = {.prio = 60, .cpu = 0};
	struct kt_thread *l = kt_thread_new(log_and_signal, &lo),
	                 *h = kt_thread_new(log_and_signal, &hi);

	order_n = 0;
	l->arg[0] = badged(n, 1);
	l->arg[1] = 'L';
	h->arg[0] = badged(n, 2);
	h->arg[1] = 'H';
	kt_thread_start(l);
	kt_thread_start(h);
	KT_CHECK(!l->started && !h->started,
	         "a lower priority thread ran while the root was runnable");
	block_for_bits(n, 3);
	KT_EQ(order_n, 2);
	KT_CHECK(order[0] == 'H' && order[1] == 'L', "ran in order %c%c, expected HL",
	         (char)order[0], (char)order[1]);
}

/* Logs L1, resumes the TCB in arg2, logs L2, signals arg0. */
static void resume_other(struct kt_thread *t)
{
	log_event('1');
	kt_inv(t->arg[2], FL_TCB_RESUME, 0);
	log_event('2');
	fl_signal(t->arg[0]);
}

static void test_wake_of_higher_priority_preempts(void)
{
	fl_cptr_t n = kt_obj(FL_OBJ_NOTIFICATION, 0);
	struct kt_thread_opts lo = {.prio = 40, .cpu = 0}, hi = {.prio = 60, .cpu = 0};
	struct kt_thread *l = kt_thread_new(resume_other, &lo),
	                 *h = kt_thread_new(log_and_signal, &hi);

	order_n = 0;
	l->arg[0] = badged(n, 1);
	l->arg[2] = h->tcb;
	h->arg[0] = badged(n, 2);
	h->arg[1] = 'H';
	kt_thread_start(l);
	block_for_bits(n, 3);
	KT_EQ(order_n, 3);
	KT_CHECK(order[0] == '1' && order[1] == 'H' && order[2] == '2',
	         "ran in order %c%c%c, expected 1H2 (the woken higher priority thread first)",
	         (char)order[0], (char)order[1], (char)order[2]);
}

static volatile uint64_t spin_count[2];

/*
 * Spinner arg1 (0 or 1): counts, and counts how often the other spinner's
 * counter moved between two of its own steps (it was preempted and the
 * other ran). Stops after 5 such switches or 5 s; out[0] = switches.
 */
static void spinner(struct kt_thread *t)
{
	unsigned me = (unsigned)t->arg[1];
	uint64_t seen = spin_count[!me], end = kt_now_us() + 5000000;

	while (t->out[0] < 5 && kt_now_us() < end) {
		spin_count[me]++;
		if (spin_count[!me] != seen) {
			seen = spin_count[!me];
			t->out[0]++;
		}
	}
	fl_signal(t->arg[0]);
}

static void test_round_robin_by_tick(void)
{
	fl_cptr_t n = kt_obj(FL_OBJ_NOTIFICATION, 0);
	struct kt_thread_opts o = {.prio = 50, .cpu = 0};
	struct kt_thread *a = kt_thread_new(spinner, &o), *b = kt_thread_new(spinner, &o);

	spin_count[0] = spin_count[1] = 0;
	a->arg[0] = badged(n, 1);
	a->arg[1] = 0;
	b->arg[0] = badged(n, 2);
	b->arg[1] = 1;
	kt_thread_start(a);
	kt_thread_start(b);
	block_for_bits(n, 3);
	/* Neither yields: only the tick can have switched between them. */
	KT_CHECK(a->out[0] >= 5 && b->out[0] >= 5,
	         "spinners saw each other run %llu and %llu times in 5 s, expected 5 each",
	         (unsigned long long)a->out[0], (unsigned long long)b->out[0]);
}

/* Counts in out[0] until suspended. */
static void counter(struct kt_thread *t)
{
	for (;;)
		t->out[0]++;
}

static void test_runs_in_parallel_on_other_cpu(void)
{
	struct kt_thread_opts o = {.prio = 50, .cpu = 1};
	struct kt_thread *c = kt_thread_new(counter, &o);

	kt_thread_start(c);
	/* The root never yields: a priority 50 thread can only count on another CPU. */
	uint64_t end = kt_now_us() + 3000000;
	while (c->out[0] < 100000 && kt_now_us() < end)
		;
	KT_CHECK(c->out[0] >= 100000, "thread on cpu 1 counted to %llu while cpu 0 was busy",
	         (unsigned long long)c->out[0]);
	KT_EQ(kt_inv(c->tcb, FL_TCB_SUSPEND, 0), FL_OK);
}

static void test_tcb_registers_read_write_copy(void)
{
	struct kt_thread *a = kt_thread_new(counter, NULL), *b = kt_thread_new(counter, NULL);
	struct fl_msg m = {0};

	KT_EQ(kt_inv(a->tcb, FL_TCB_WRITE_REGISTERS, 0x401000, 0x7000, 11, 22, 0x33, 0), FL_OK);
	KT_EQ(kt_invoke(a->tcb, FL_TCB_READ_REGISTERS, 0, NULL, 0, NULL, &m), FL_OK);
	KT_EQ(fl_msginfo_length(m.info), 6);
	KT_EQ(m.mr[0], 0x401000);
	KT_EQ(m.mr[1], 0x7000);
	KT_EQ(m.mr[2], 11);
	KT_EQ(m.mr[3], 22);
	KT_EQ(m.mr[4], 0x33);
	KT_EQ(m.mr[5], 0); /* not resumed: inactive */
	KT_EQ(kt_invoke(b->tcb, FL_TCB_COPY_REGISTERS, 1, KT_WORDS(99), 1, KT_CAPS(a->tcb), NULL),
	      FL_OK);
	KT_EQ(kt_invoke(b->tcb, FL_TCB_READ_REGISTERS, 0, NULL, 0, NULL, &m), FL_OK);
	KT_EQ(m.mr[0], 0x401000);
	KT_EQ(m.mr[1], 0x7000);
	KT_EQ(m.mr[2], 99); /* MR0 replaces x0 of the copy */
	KT_EQ(m.mr[3], 22);
	KT_EQ(m.mr[4], 0x33);
	/* A thread cannot overwrite its own registers, nor copy from itself. */
	KT_EQ(kt_inv(FL_CAP_ROOT_TCB, FL_TCB_WRITE_REGISTERS, 0, 0, 0, 0, 0, 0),
	      FL_E_ILLEGAL_OPERATION);
	KT_EQ(kt_invoke(a->tcb, FL_TCB_COPY_REGISTERS, 0, NULL, 1, KT_CAPS(a->tcb), NULL),
	      FL_E_ILLEGAL_OPERATION);
	KT_EQ(
	    kt_invoke(a->tcb, FL_TCB_COPY_REGISTERS, 0, NULL, 1, KT_CAPS(FL_CAP_ROOT_CNODE), NULL),
	    FL_E_INVALID_CAPABILITY);
	KT_EQ(kt_inv(a->tcb, FL_TCB_WRITE_REGISTERS, 1, 2, 3), FL_E_TRUNCATED);
	/* The thread id is stable and distinct. */
	KT_EQ(kt_invoke(a->tcb, FL_TCB_GET_ID, 0, NULL, 0, NULL, &m), FL_OK);
	uint64_t ida = m.mr[0];
	KT_EQ(kt_invoke(b->tcb, FL_TCB_GET_ID, 0, NULL, 0, NULL, &m), FL_OK);
	KT_CHECK(ida != m.mr[0] && ida != 0 && m.mr[0] != 0, "thread ids %llu and %llu",
	         (unsigned long long)ida, (unsigned long long)m.mr[0]);
}

static void test_tcb_suspend_resume(void)
{
	struct kt_thread_opts o = {.cpu = (int)kt_bi->ncpus - 1};
	struct kt_thread *c = kt_thread_new(counter, &o);

	kt_thread_start(c);
	uint64_t end = kt_now_us() + 2000000;
	while (c->out[0] < 1000 && kt_now_us() < end)
		fl_yield();
	KT_CHECK(c->out[0] >= 1000, "counter did not run");
	KT_EQ(kt_inv(c->tcb, FL_TCB_SUSPEND, 0), FL_OK);
	KT_EQ(kt_thread_state(c), 0);
	uint64_t at = c->out[0];
	end = kt_now_us() + 100000;
	while (kt_now_us() < end)
		fl_yield();
	KT_CHECK(c->out[0] == at, "suspended thread went on counting (%llu -> %llu)",
	         (unsigned long long)at, (unsigned long long)c->out[0]);
	KT_EQ(kt_inv(c->tcb, FL_TCB_RESUME, 0), FL_OK);
	KT_EQ(kt_thread_state(c), 1);
	end = kt_now_us() + 2000000;
	while (c->out[0] < at + 1000 && kt_now_us() < end)
		fl_yield();
	KT_CHECK(c->out[0] >= at + 1000, "resumed thread did not count on");
	KT_EQ(kt_inv(c->tcb, FL_TCB_SUSPEND, 0), FL_OK);
}

static void test_tcb_priority_and_affinity_limits(void)
{
	struct kt_thread *c = kt_thread_new(counter, NULL);

	/* The root's maximum is KT_PRIO (it set its own priority at start). */
	KT_EQ(kt_inv(c->tcb, FL_TCB_SET_PRIORITY, KT_PRIO + 1), FL_E_RANGE);
	KT_EQ(kt_inv(c->tcb, FL_TCB_SET_PRIORITY, FL_PRIORITY_MAX), FL_E_RANGE);
	KT_EQ(kt_inv(FL_CAP_ROOT_TCB, FL_TCB_SET_PRIORITY, KT_PRIO + 1), FL_E_RANGE);
	KT_EQ(kt_inv(c->tcb, FL_TCB_SET_PRIORITY, KT_PRIO), FL_OK);
	KT_EQ(kt_inv(c->tcb, FL_TCB_SET_PRIORITY, 1), FL_OK);
	KT_EQ(kt_invoke(c->tcb, FL_TCB_SET_PRIORITY, 0, NULL, 0, NULL, NULL), FL_E_TRUNCATED);
	KT_EQ(kt_inv(c->tcb, FL_TCB_SET_AFFINITY, kt_bi->ncpus), FL_E_RANGE);
	KT_EQ(kt_inv(c->tcb, FL_TCB_SET_AFFINITY, kt_bi->ncpus - 1), FL_OK);
	KT_EQ(kt_inv(c->tcb, 0x7777), FL_E_ILLEGAL_OPERATION);
}

const struct kt_test kt_sched_tests[] = {
    {"sched.higher_priority_runs_first", test_higher_priority_runs_first, 1},
    {"sched.wake_of_higher_priority_preempts", test_wake_of_higher_priority_preempts, 1},
    {"sched.round_robin_by_tick", test_round_robin_by_tick, 1},
    {"sched.runs_in_parallel_on_other_cpu", test_runs_in_parallel_on_other_cpu, 2},
    {"tcb.registers_read_write_copy", test_tcb_registers_read_write_copy, 1},
    {"tcb.suspend_resume", test_tcb_suspend_resume, 1},
    {"tcb.priority_and_affinity_limits", test_tcb_priority_and_affinity_limits, 1},
    {NULL, NULL, 0},
};
