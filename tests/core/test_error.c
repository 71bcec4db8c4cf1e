/* test_error.c: error recording, exit codes, splitting of index ranges. */
#include <string.h>

#include "tk/tk.h"
#include "tk_test.h"

static void first_error_wins(void)
{
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_error_set(TK_EIO, "%s: truncated", "a.npy"), TK_EIO);
	tk_error_set(TK_EUSAGE, "later");
	CU_ASSERT_STRING_EQUAL(tk_error_message(), "a.npy: truncated");
	CU_ASSERT_EQUAL(tk_error_code(), TK_EIO);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_error_code(), 0);
}

static void exit_codes(void)
{
	CU_ASSERT_EQUAL(tk_exit_code(0), 0);
	CU_ASSERT_EQUAL(tk_exit_code(TK_EVERIFY), 1);
	CU_ASSERT_EQUAL(tk_exit_code(TK_EUSAGE), 2);
	CU_ASSERT_EQUAL(tk_exit_code(TK_EIO), 3);
	CU_ASSERT_EQUAL(tk_exit_code(TK_ENOMEM), 4);
	CU_ASSERT_EQUAL(tk_exit_code(-77), 5);
}

static void alloc_overflow_is_enomem(void)
{
	tk_error_clear();
	CU_ASSERT_PTR_NULL(tk_alloc(SIZE_MAX / 2, 4));
	CU_ASSERT_EQUAL(tk_error_code(), TK_ENOMEM);
	tk_error_clear();
}

/* One rank: the agreement is this rank's own status, and share keeps its message
 * (or names an unknown error when none was recorded). */
static void agreement_on_one_rank(void)
{
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_error_share(0), 0);
	CU_ASSERT_EQUAL(tk_error_agree(0), 0);
	tk_error_set(TK_EIO, "a.npy: truncated");
	CU_ASSERT_EQUAL(tk_error_share(TK_EIO), TK_EIO);
	CU_ASSERT_STRING_EQUAL(tk_error_message(), "a.npy: truncated");
	CU_ASSERT_EQUAL(tk_error_code(), TK_EIO);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_error_share(TK_ENOMEM), TK_ENOMEM);
	CU_ASSERT_STRING_EQUAL(tk_error_message(), "unknown error");
	CU_ASSERT_EQUAL(tk_error_code(), TK_ENOMEM);
	tk_error_clear();
}

static const tk_test tests[] = {
	{"first error wins", first_error_wins},
	{"exit codes", exit_codes},
	{"alloc overflow is ENOMEM", alloc_overflow_is_enomem},
	{"agreement on one rank", agreement_on_one_rank},
	{NULL, NULL},
};
const tk_suite tk_suite_error = {"error", tests};
