/*
 * runner.c: the CUnit runner.  Lists every suite once; exits with the number of
 * failed assertions and tests (CU_get_number_of_failures), never CU_get_error().
 * `run_tests [SUITE...]` runs only the named suites.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk_test.h"
#include "tk/comm.h"

extern const tk_suite tk_suite_error;
extern const tk_suite tk_suite_opt;
extern const tk_suite tk_suite_registry;
extern const tk_suite tk_suite_tmpfile;
extern const tk_suite tk_suite_rng;
extern const tk_suite tk_suite_montecarlo;
extern const tk_suite tk_suite_merge;
extern const tk_suite tk_suite_tkmath;
extern const tk_suite tk_suite_xsum;
extern const tk_suite tk_suite_checkpoint;
extern const tk_suite tk_suite_npy;
extern const tk_suite tk_suite_json;
extern const tk_suite tk_suite_array_stream;
extern const tk_suite tk_suite_reduce;
extern const tk_suite tk_suite_reduce_simd;
extern const tk_suite tk_suite_stats;
extern const tk_suite tk_suite_image;
extern const tk_suite tk_suite_filter;
extern const tk_suite tk_suite_pool;
extern const tk_suite tk_suite_decomp;
extern const tk_suite tk_suite_pack;
extern const tk_suite tk_suite_stencil;
extern const tk_suite tk_suite_topology;

static const tk_suite *const suites[] = {
	&tk_suite_error,
	&tk_suite_opt,
	&tk_suite_registry,
	&tk_suite_tmpfile,
	&tk_suite_rng,
	&tk_suite_montecarlo,
	&tk_suite_merge,
	&tk_suite_tkmath,
	&tk_suite_xsum,
	&tk_suite_checkpoint,
	&tk_suite_npy,
	&tk_suite_json,
	&tk_suite_array_stream,
	&tk_suite_reduce,
	&tk_suite_reduce_simd,
	&tk_suite_stats,
	&tk_suite_image,
	&tk_suite_filter,
	&tk_suite_pool,
	&tk_suite_decomp,
	&tk_suite_pack,
	&tk_suite_stencil,
	&tk_suite_topology,
};

const char *tk_test_data_dir(void)
{
	const char *d = getenv("TK_TEST_DATA");
	return d && *d ? d : "tests/data";
}

static int wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	tk_comm_init(&argc, &argv);
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "run_tests: cannot initialise CUnit\n");
		return 99;
	}
	for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
		if (!wanted(suites[s]->name, argc, argv))
			continue;
		CU_pSuite suite = CU_add_suite(suites[s]->name, NULL, NULL);
		for (const tk_test *t = suites[s]->tests; suite && t->name; t++)
			CU_add_test(suite, t->name, t->fn);
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	tk_comm_finalize();
	if (ran == 0) {
		fprintf(stderr, "run_tests: no test ran\n");
		return 99;
	}
	return failures > 255 ? 255 : (int)failures;
}
