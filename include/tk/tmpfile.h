/*
 * tmpfile.h: outputs written to a temporary file beside the target and renamed into
 * place when complete, and what SIGINT/SIGTERM do to them.
 *
 * Rule: every file the toolkit writes goes through tk_tmp_open/tk_tmp_commit.  The
 * temporary file is created by mkstemp (O_CREAT|O_EXCL, a random name in the target's
 * folder), so a planted file or symbolic link is never followed or overwritten; the
 * target itself is only ever replaced whole by rename.  While it exists the temporary
 * file is registered, and SIGINT/SIGTERM (tk_signals_install) remove it and exit with
 * 128 + the signal number.
 */
#ifndef TK_TMPFILE_H
#define TK_TMPFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Create "<path>.tmp.XXXXXX" with permissions mode & ~umask.  Returns the open file
 * descriptor and sets *tmp to its name (free with tk_tmp_commit or tk_tmp_discard), or
 * a negative TK_E* code with a message: "WHAT: cannot write PATH: why", or with what
 * NULL "PATH: cannot create (why)". */
int tk_tmp_open(const char *what, const char *path, mode_t mode, char **tmp);
/* Rename tmp onto path (the file must be closed and complete); frees tmp.  On failure
 * the temporary file is removed and TK_EIO recorded. */
int tk_tmp_commit(const char *what, char *tmp, const char *path);
/* Remove tmp and free it (a write failed). */
void tk_tmp_discard(char *tmp);

/* The same through stdio, for writers that print: tk_tmp_open's file as *f ("wb").
 * Returns 0, or a negative TK_E* code with a message as tk_tmp_open's. */
int tk_tmp_fopen(const char *what, const char *path, mode_t mode, FILE **f, char **tmp);
/* Close f and commit tmp onto path when status is 0 and every write reached the file
 * (a full disk shows at fflush or fclose: TK_EIO, "WHAT: cannot write PATH: why", or
 * "PATH: cannot write (why)" with what NULL); otherwise remove tmp.  Frees tmp; returns
 * 0, status when it was negative, or the error. */
int tk_tmp_fcommit(const char *what, FILE *f, char *tmp, const char *path, int status);

/* SIGINT and SIGTERM: forward the signal to the child process group set by
 * tk_signals_child (and reap it), remove every registered temporary file, and exit
 * 128 + signal.  Installed once at start-up; a signal ignored at start stays ignored. */
void tk_signals_install(void);
/* From now on SIGTERM and SIGUSR1 (Slurm's --signal) do not end the run: they are
 * remembered, and tk_signals_pending() returns the last one (0 for none), so a run
 * that checkpoints can stop at its next consistent point.  SIGINT still ends it. */
void tk_signals_defer(void);
int tk_signals_pending(void);
/* The process group of the child being waited for (bench), or 0 for none. */
void tk_signals_child(pid_t pgid);

#endif
