/*
 * A tiny test harness for the IPC host tests: CHECK fails the run with the
 * file, line and expression; RUN runs one named test and prints its name.
 */
#ifndef IPC_TEST_CHECK_H
#define IPC_TEST_CHECK_H

#include <stdint.h>

/* Report a failed check and exit(1). */
void check_failed(const char *file, int line, const char *expr, uint64_t got, uint64_t want);

#define CHECK(expr)                                                                                \
	do {                                                                                       \
		if (!(expr))                                                                       \
			check_failed(__FILE__, __LINE__, #expr, 0, 0);                             \
	} while (0)

/* CHECK that two integers are equal, printing both if not. */
#define CHECK_EQ(got, want)                                                                        \
	do {                                                                                       \
		uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);                         \
		if (got_ != want_)                                                                 \
			check_failed(__FILE__, __LINE__, #got " == " #want, got_, want_);          \
	} while (0)

#define RUN(test)                                                                                  \
	do {                                                                                       \
		test();                                                                            \
		printf("ok %s\n", #test);                                                          \
	} while (0)

#endif
