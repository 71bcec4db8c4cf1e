/*
 * tk_test.h: how our CUnit suites are declared.  Each tests/test_<module>.c defines one
 * `const tk_suite tk_suite_<module>` whose tests are a table ending in {NULL, NULL};
 * tests/runner.c lists the suites and exits with the number of failures.
 */
#ifndef TK_TEST_H
#define TK_TEST_H

#include <CUnit/CUnit.h>

typedef struct tk_test {
	const char *name;
	CU_TestFunc fn;
} tk_test;

typedef struct tk_suite {
	const char *name;
	const tk_test *tests;
} tk_suite;

/* Path of the test fixtures folder (tests/data), from TK_TEST_DATA or the default. */
const char *tk_test_data_dir(void);

#endif
