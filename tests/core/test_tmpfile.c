/* test_tmpfile.c: outputs written beside their target and renamed into place, through
 * stdio (tk_tmp_fopen / tk_tmp_fcommit): the target is whole or untouched, and no
 * temporary file is left behind. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk/tk.h"
#include "tk/tmpfile.h"
#include "tk_test.h"

static char dir[64];

static int files_in_dir(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void slurp(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void stdio_commit_and_discard(void)
{
	snprintf(dir, sizeof dir, "/tmp/tk-test-tmpfile-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char path[128], got[64];
	snprintf(path, sizeof path, "%s/out.txt", dir);
	FILE *f;
	char *tmp;
	tk_error_clear();
	CU_ASSERT_EQUAL_FATAL(tk_tmp_fopen("t", path, 0644, &f, &tmp), 0);
	fputs("first\n", f);
	CU_ASSERT_EQUAL(access(path, F_OK), -1); /* not there until committed */
	CU_ASSERT_EQUAL(tk_tmp_fcommit("t", f, tmp, path, 0), 0);
	slurp(path, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "first\n");
	CU_ASSERT_EQUAL(files_in_dir(), 1);
	/* a writer that failed: the old file stays whole, its status comes back */
	CU_ASSERT_EQUAL_FATAL(tk_tmp_fopen("t", path, 0644, &f, &tmp), 0);
	fputs("half", f);
	CU_ASSERT_EQUAL(tk_tmp_fcommit("t", f, tmp, path, TK_EUSAGE), TK_EUSAGE);
	slurp(path, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "first\n");
	CU_ASSERT_EQUAL(files_in_dir(), 1);
	/* a folder that does not exist: the message names the command and the path */
	char missing[160];
	snprintf(missing, sizeof missing, "%s/no/such/out.txt", dir);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_tmp_fopen("bench", missing, 0644, &f, &tmp), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "bench: cannot write "));
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "/no/such/out.txt"));
	tk_error_clear();
	unlink(path);
	rmdir(dir);
}

/* A full device: the bytes fit in stdio's buffer, the failure shows at the flush. */
static void full_device_is_eio(void)
{
	if (access("/dev/full", W_OK) != 0)
		return; /* no /dev/full here */
	FILE *f = fopen("/dev/full", "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* tk_tmp_fcommit takes any stream: hand it /dev/full with a temporary name to
	 * discard, and a target it must not create */
	char *tmp = malloc(64);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	snprintf(tmp, 64, "/tmp/tk-test-tmpfile-none-%d", (int)getpid());
	fputs("bytes", f);
	tk_error_clear();
	CU_ASSERT_EQUAL(tk_tmp_fcommit(NULL, f, tmp, "/tmp/tk-test-never-written", 0), TK_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(tk_error_message(), "/tmp/tk-test-never-written: cannot "
	                                                  "write (No space left on device)"));
	CU_ASSERT_EQUAL(access("/tmp/tk-test-never-written", F_OK), -1);
	tk_error_clear();
}

static const tk_test tests[] = {
	{"stdio writes commit whole or not at all", stdio_commit_and_discard},
	{"a full device is an I/O error", full_device_is_eio},
	{NULL, NULL},
};
const tk_suite tk_suite_tmpfile = {"tmpfile", tests};
