/*
 * tk_test.h: how our CUnit suites are declared.  Each tests/test_<module>.c defines one
 * `const tk_suite tk_suite_<module>` whose tests are a table ending in {NULL, NULL};
 * tests/runner.c lists the suites and exits with the number of failures.
 */
#ifndef TK_TEST_H
#define TK_TEST_H

#include <stdint.h>

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
/* The pi model's hits among samples [lo, hi), written directly from its definition
 * (tests/montecarlo/test_montecarlo.c), the reference the kernels are checked against. */
uint64_t tk_test_pi_hits(uint64_t seed, uint64_t lo, uint64_t hi);

/* Parse and check "COMMAND ARGS..." (space-separated) as `toolkit COMMAND ARGS --quiet`
 * would, without running the kernel (tk_run_ctx.dry_run): 0, or the command's status
 * (TK_EUSAGE ...).  Thread count and SIMD variant are left as they were.
 * (tests/core/test_registry.c) */
int tk_test_dry_run(const char *line);

#endif
