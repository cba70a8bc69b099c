/*
 * Host tests of the test server's portable parts: each group is one ctest
 * (testserver.<group>), run as `testserver_test <group>`.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

/* The generated list the selection code runs over, here a fixed one. */
const char *const ts_tests[] = {"cow_fork", "cow_oom", "heap_grow", NULL};
const unsigned ts_ntests = 3;

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		if (strcmp((got), (want)) != 0) {                                                  \
			printf("%s:%d: got \"%s\"\n  want \"%s\"\n", __FILE__, __LINE__, (got),    \
			       (want));                                                            \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void test_glob(void)
{
	CHECK(ts_glob_match("cow_fork", "cow_fork"));
	CHECK(!ts_glob_match("cow_fork", "cow_forks"));
	CHECK(!ts_glob_match("cow_forks", "cow_fork"));
	CHECK(ts_glob_match("cow*", "cow_fork"));
	CHECK(ts_glob_match("cow*", "cow"));
	CHECK(!ts_glob_match("cow*", "co"));
	CHECK(ts_glob_match("*", ""));
	CHECK(ts_glob_match("*", "anything"));
	CHECK(!ts_glob_match("", "a"));
	CHECK(ts_glob_match("", ""));
	CHECK(ts_glob_match("*_writes", "fork_parent_writes"));
	CHECK(!ts_glob_match("*_writes", "fork_parent_writer"));
	CHECK(ts_glob_match("fork_*_writes", "fork_parent_writes"));
	CHECK(ts_glob_match("f?rk", "fork"));
	CHECK(!ts_glob_match("f?rk", "frk"));
	CHECK(!ts_glob_match("?", ""));
	CHECK(ts_glob_match("a*b*c", "axxbyyc"));
	CHECK(ts_glob_match("a*b*c", "abcbc"));
	CHECK(!ts_glob_match("a*b*c", "abcb"));
	/* Backtracking: the first `b` is not the one that lets the rest match. */
	CHECK(ts_glob_match("*ab", "aab"));
	CHECK(ts_glob_match("*a?c", "abaxc"));
	CHECK(ts_glob_match("**x", "x"));
	CHECK(!ts_glob_match("x*", "yx"));
}

static void test_selection(void)
{
	CHECK(ts_selected("", "anything"));
	CHECK(ts_selected(NULL, "anything"));
	CHECK(ts_selected("cow*", "cow_fork"));
	CHECK(!ts_selected("cow*", "heap_grow"));
	CHECK(ts_selected("heap_grow,cow*", "heap_grow"));
	CHECK(ts_selected("heap_grow,cow*", "cow_oom"));
	CHECK(!ts_selected("heap_grow,cow*", "stack_grow"));
	CHECK(ts_selected("x,,heap*", "heap_grow"));
	CHECK(ts_selected("heap*,", "heap_grow"));
	CHECK(!ts_selected(",", "heap_grow"));
	CHECK(!ts_selected("heap", "heap_grow"));
}

static void test_wanted(void)
{
	struct ts_options o = {.tests = "", .skip = "swap_*,heap_grow"};

	CHECK(ts_wanted(&o, "cow_fork"));
	CHECK(!ts_wanted(&o, "swap_full"));
	CHECK(!ts_wanted(&o, "heap_grow"));
	memcpy(o.tests, "heap*,swap*", sizeof "heap*,swap*");
	CHECK(!ts_wanted(&o, "cow_fork"));
	CHECK(!ts_wanted(&o, "swap_full"));
	CHECK(ts_wanted(&o, "heap_shrink"));
	o.skip[0] = '\0';
	CHECK(ts_wanted(&o, "swap_full"));
}

/* Parse argv (NULL-terminated after argv[0]) into o; returns 0 or -1 with err. */
static int parse(struct ts_options *o, char *err, const char *a1, const char *a2)
{
	char *argv[] = {"testserver", (char *)a1, (char *)a2, NULL};
	int argc = 1 + (a1 != NULL) + (a2 != NULL);

	err[0] = '\0';
	return ts_options_parse(argc, argv, o, err, TS_REASON_MAX);
}

static void test_options(void)
{
	struct ts_options o;
	char err[TS_REASON_MAX];
	char longlist[TS_PATTERN_MAX + 16] = "tests=";

	CHECK(parse(&o, err, NULL, NULL) == 0);
	CHECK_STR(o.tests, "");
	CHECK_STR(o.skip, "");
	CHECK(parse(&o, err, "tests.skip=swap_*,x", NULL) == 0);
	CHECK_STR(o.skip, "swap_*,x");
	CHECK_STR(o.tests, "");
	CHECK(o.timeout_s == TS_TIMEOUT_DEFAULT && o.stress_s == 0);
	CHECK(ts_time_limit(&o) == TS_TIMEOUT_DEFAULT);

	/* Bootargs arrive as separate words or as one string; others' words pass. */
	CHECK(parse(&o, err, "kernel.tickcheck tests=cow*,heap_grow pager.frames=4096",
	            "tests.timeout=5") == 0);
	CHECK_STR(o.tests, "cow*,heap_grow");
	CHECK(o.timeout_s == 5);
	CHECK(parse(&o, err, "  stress.seconds=100  ", NULL) == 0);
	CHECK(o.stress_s == 100 && ts_time_limit(&o) == TS_TIMEOUT_DEFAULT + 100);
	/* The last word wins, as on a kernel command line. */
	CHECK(parse(&o, err, "tests=a", "tests=b") == 0);
	CHECK_STR(o.tests, "b");
	CHECK(parse(&o, err, "tests=", NULL) == 0);
	CHECK_STR(o.tests, "");
	/* Words that only start like ours are someone else's. */
	CHECK(parse(&o, err, "tests.other=1 teststimeout=x", NULL) == 0);

	CHECK(parse(&o, err, "tests.timeout=abc", NULL) == -1);
	CHECK_STR(err, "'tests.timeout=abc': want a whole number of seconds from 1 to 86400");
	CHECK(parse(&o, err, "tests.timeout=0", NULL) == -1);
	CHECK(parse(&o, err, "tests.timeout=", NULL) == -1);
	CHECK(parse(&o, err, "tests.timeout=86401", NULL) == -1);
	CHECK(parse(&o, err, "tests.timeout=99999999999999999999", NULL) == -1);
	CHECK(parse(&o, err, "tests.timeout=86400", NULL) == 0 && o.timeout_s == 86400);
	CHECK(parse(&o, err, "stress.seconds=-1", NULL) == -1);
	CHECK_STR(err, "'stress.seconds=-1': want a whole number of seconds from 1 to 86400");
	memset(longlist + 6, 'a', TS_PATTERN_MAX + 1);
	CHECK(parse(&o, err, longlist, NULL) == -1);
	CHECK_STR(err, "tests=: the pattern list is longer than 200 characters");
	longlist[6 + TS_PATTERN_MAX] = '\0';
	CHECK(parse(&o, err, longlist, NULL) == 0 && strlen(o.tests) == TS_PATTERN_MAX);
}

static void test_leak(void)
{
	struct ts_accounting a = {100, 20, 5, 300, 40, 2, 0}, b = a;
	char buf[TS_REASON_MAX];

	CHECK(ts_accounting_same(&a, &b, buf, sizeof buf));
	CHECK_STR(buf, "");
	b.frames_free = 97;
	b.frames_user = 23;
	CHECK(!ts_accounting_same(&a, &b, buf, sizeof buf));
	CHECK_STR(buf, "free frames: 100 before, 97 after; user frames: 20 before, 23 after");
	b = a;
	b.slots_used = 301;
	b.processes = 3;
	CHECK(!ts_accounting_same(&a, &b, buf, sizeof buf));
	CHECK_STR(buf, "pager cap slots: 300 before, 301 after; processes: 2 before, 3 after");
	/* A swap slot left in use is a leak even when every frame came back. */
	b = a;
	b.swap_slots_used = 1;
	CHECK(!ts_accounting_same(&a, &b, buf, sizeof buf));
	CHECK_STR(buf, "swap slots: 0 before, 1 after");
	/* More free than before is wrong too: the accounting must balance. */
	b = a;
	b.frames_free = 101;
	b.kobj_blocks_used = 39;
	b.frames_pager = 4;
	CHECK(!ts_accounting_same(&a, &b, buf, sizeof buf));
	CHECK_STR(buf, "free frames: 100 before, 101 after; pager frames: 5 before, 4 after; "
	               "kernel object blocks: 40 before, 39 after");
	/* A short buffer is cut, never overrun, and the answer stays right. */
	CHECK(!ts_accounting_same(&a, &b, buf, 10));
	CHECK(strlen(buf) == 9);
}

static void test_verdict(void)
{
	char buf[TS_REASON_MAX];
	struct ts_end e = {.how = TS_END_EXITED, .code = 0, .limit_s = 60};

	CHECK(ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "");
	e.code = 3;
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "exited with status 3");
	e = (struct ts_end){.how = TS_END_KILLED, .code = 11};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "killed by the pager (signal 11)");
	e = (struct ts_end){.how = TS_END_TIMED_OUT, .limit_s = 60};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "no exit within the 60s time limit; killed");
	e = (struct ts_end){.how = TS_END_SPAWN_FAILED, .detail = "spawn: No such file"};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "could not start: spawn: No such file");
	e = (struct ts_end){.how = TS_END_LOST, .detail = "waitpid(3): No child"};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "lost: waitpid(3): No child");
	/* A passing exit that leaked fails; a failure that leaked says both. */
	e = (struct ts_end){
	    .how = TS_END_EXITED, .leaked = true, .leak = "free frames: 100 before, 97 after"};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "leaked: free frames: 100 before, 97 after");
	e.how = TS_END_KILLED;
	e.code = 11;
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf,
	          "killed by the pager (signal 11); leaked: free frames: 100 before, 97 after");
}

/* expect (testserver.idl) changes what passes; failed checks fail any end. */
static void test_expect(void)
{
	char buf[TS_REASON_MAX];
	struct ts_end e = {.how = TS_END_KILLED, .code = 11, .expect = TS_EXPECT_KILLED};

	/* A declared kill, any signal or the one named, passes. */
	CHECK(ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "");
	CHECK(ts_outcome_of(&e, true) == TS_OUTCOME_PASSED);
	e.expect_value = 11;
	CHECK(ts_verdict(&e, buf, sizeof buf));
	e.expect_value = 9;
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "killed by the pager (signal 11), expected signal 9");
	CHECK(ts_outcome_of(&e, false) == TS_OUTCOME_FAILED);
	/* Expected a kill, exited instead (even with 0). */
	e = (struct ts_end){.how = TS_END_EXITED, .code = 0, .expect = TS_EXPECT_KILLED};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "exited with status 0, expected a kill by the pager");
	e.expect_value = 11;
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "exited with status 0, expected a kill by the pager (signal 11)");
	/* Another exit status declared. */
	e = (struct ts_end){.how = TS_END_EXITED, .code = 3, .expect_value = 3};
	CHECK(ts_verdict(&e, buf, sizeof buf));
	e.code = 0;
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "exited with status 0, expected 3");
	/* A timeout is never what a test expects. */
	e = (struct ts_end){.how = TS_END_TIMED_OUT, .limit_s = 5, .expect = TS_EXPECT_KILLED};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK(ts_outcome_of(&e, false) == TS_OUTCOME_TIMED_OUT);
	/* Failed sub-checks fail a test that exited 0, and say which. */
	e = (struct ts_end){
	    .how = TS_END_EXITED, .checks_failed = 1, .first_failure = "copies: 2, want 1"};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "check failed: copies: 2, want 1");
	CHECK(ts_outcome_of(&e, false) == TS_OUTCOME_FAILED);
	e.checks_failed = 3;
	e.how = TS_END_KILLED;
	e.code = 11;
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf,
	          "killed by the pager (signal 11); 3 checks failed, the first: copies: 2, want 1");
	/* Only a leak: the outcome says leaked; a leak beside a failure is a failure. */
	e = (struct ts_end){
	    .how = TS_END_EXITED, .leaked = true, .leak = "swap slots: 0 before, 1 after"};
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK(ts_outcome_of(&e, false) == TS_OUTCOME_LEAKED);
	e.checks_failed = 1;
	e.first_failure = "x: y";
	CHECK(!ts_verdict(&e, buf, sizeof buf));
	CHECK_STR(buf, "check failed: x: y; leaked: swap slots: 0 before, 1 after");
	CHECK(ts_outcome_of(&e, false) == TS_OUTCOME_FAILED);
}

/* Look key up among argv's words; returns what ts_bootarg returns, the value in out. */
static int lookup(const char *args, const char *key, char *out, size_t len)
{
	char *argv[] = {"testserver", (char *)args, "pager.frames=3072", NULL};

	out[0] = '\0';
	return ts_bootarg(3, argv, key, out, len);
}

static void test_bootarg(void)
{
	char v[16];

	CHECK(lookup("tests=cow* stress.seconds=5", "stress.seconds", v, sizeof v) == 0);
	CHECK_STR(v, "5");
	CHECK(lookup("tests=cow*", "pager.frames", v, sizeof v) == 0);
	CHECK_STR(v, "3072");
	/* The last word counts; a bare word is ""; an empty value is "". */
	CHECK(lookup("a=1 b a=2", "a", v, sizeof v) == 0);
	CHECK_STR(v, "2");
	CHECK(lookup("a=1 b a=2", "b", v, sizeof v) == 0);
	CHECK_STR(v, "");
	CHECK(lookup("  c=  ", "c", v, sizeof v) == 0);
	CHECK_STR(v, "");
	/* Prefixes and suffixes of a key are other keys. */
	CHECK(lookup("tests.skip=x", "tests", v, sizeof v) == -1);
	CHECK(lookup("tests=x", "test", v, sizeof v) == -1);
	CHECK(lookup("xtests=x", "tests", v, sizeof v) == -1);
	CHECK(lookup("a=1", "", v, sizeof v) == -1);
	CHECK(lookup("a=1", "a=1", v, sizeof v) == -1);
	/* A value that does not fit is refused, not cut. */
	CHECK(lookup("k=0123456789abcdef", "k", v, sizeof v) == -2);
	CHECK(lookup("k=0123456789abcde", "k", v, sizeof v) == 0);
	CHECK_STR(v, "0123456789abcde");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} groups[] = {
	    {"glob", test_glob},       {"selection", test_selection}, {"wanted", test_wanted},
	    {"options", test_options}, {"leak", test_leak},           {"verdict", test_verdict},
	    {"expect", test_expect},   {"bootarg", test_bootarg},
	};

	if (argc != 2) {
		fprintf(stderr, "usage: testserver_test GROUP\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		if (strcmp(argv[1], groups[i].name) == 0) {
			groups[i].fn();
			printf("%s: %s\n", groups[i].name, failures ? "FAILED" : "ok");
			return failures ? 1 : 0;
		}
	}
	fprintf(stderr, "testserver_test: no group '%s'\n", argv[1]);
	return 2;
}
