/*
 * tmpfile.c: temporary output files beside their target, renamed into place, and the
 * SIGINT/SIGTERM handler that removes them (see tmpfile.h).
 * Rule: the signal handler calls only async-signal-safe functions (kill, waitpid,
 * poll, unlink, _exit) and reads only the slot table, which is written with atomic
 * stores: a slot's name is complete before the slot is marked in use.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tk/tk.h"
#include "tk/tmpfile.h"

/* temporary files being written now: one per writing thread is enough; a write that
 * finds no free slot still works, it is just not removed by a signal */
#define SLOTS 64
#define NAME_MAX_LEN 4096
static struct {
	int used; /* 0 free, 1 being filled, 2 registered (atomic) */
	char name[NAME_MAX_LEN];
} slots[SLOTS];
static volatile sig_atomic_t child_pgid;
static volatile sig_atomic_t deferring, pending;
static int creating; /* threads between mkstemp and slot_add (atomic) */

static void slot_add(const char *name)
{
	if (strlen(name) >= NAME_MAX_LEN)
		return;
	for (int i = 0; i < SLOTS; i++) {
		int free_ = 0;
		if (__atomic_compare_exchange_n(&slots[i].used, &free_, 1, 0, __ATOMIC_ACQ_REL,
		                                __ATOMIC_RELAXED)) {
			memcpy(slots[i].name, name, strlen(name) + 1);
			__atomic_store_n(&slots[i].used, 2, __ATOMIC_RELEASE);
			return;
		}
	}
}

static void slot_remove(const char *name)
{
	for (int i = 0; i < SLOTS; i++)
		if (__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) == 2 &&
		    strcmp(slots[i].name, name) == 0) {
			__atomic_store_n(&slots[i].used, 0, __ATOMIC_RELEASE);
			return;
		}
}

int tk_tmp_open(const char *what, const char *path, mode_t mode, char **tmp)
{
	size_t n = strlen(path);
	char *t = malloc(n + 12);
	if (!t)
		return tk_error_set(TK_ENOMEM, "%s: out of memory", what ? what : path);
	memcpy(t, path, n);
	memcpy(t + n, ".tmp.XXXXXX", 12);
	/* No signal may remove the files between the file's creation and its
	 * registration: SIGINT/SIGTERM are held in this thread, and a handler running in
	 * another thread waits while `creating` says a file is on its way */
	sigset_t hold, old;
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &hold, &old);
	__atomic_add_fetch(&creating, 1, __ATOMIC_ACQ_REL);
	int fd = mkstemp(t); /* O_CREAT | O_EXCL, mode 0600: never an existing file */
	if (fd >= 0)
		slot_add(t);
	__atomic_sub_fetch(&creating, 1, __ATOMIC_ACQ_REL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		int e = errno;
		free(t);
		if (!what)
			return tk_error_set(TK_EIO, "%s: cannot create (%s)", path, strerror(e));
		return tk_error_set(TK_EIO, "%s: cannot write %s: %s", what, path, strerror(e));
	}
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, mode & ~mask) != 0) {
		/* not fatal: the file stays 0600, narrower than asked */
	}
	*tmp = t;
	return fd;
}

int tk_tmp_commit(const char *what, char *tmp, const char *path)
{
	int rc = 0;
	if (rename(tmp, path) != 0) {
		rc = tk_error_set(TK_EIO, "%s%s%s: cannot rename %s into place (%s)",
		                  what ? what : "", what ? ": " : "", path, tmp, strerror(errno));
		unlink(tmp);
	}
	slot_remove(tmp);
	free(tmp);
	return rc;
}

void tk_tmp_discard(char *tmp)
{
	if (!tmp)
		return;
	unlink(tmp);
	slot_remove(tmp);
	free(tmp);
}

static int write_error(const char *what, const char *path, int e)
{
	if (!what)
		return tk_error_set(TK_EIO, "%s: cannot write (%s)", path, strerror(e));
	return tk_error_set(TK_EIO, "%s: cannot write %s: %s", what, path, strerror(e));
}

int tk_tmp_fopen(const char *what, const char *path, mode_t mode, FILE **f, char **tmp)
{
	int fd = tk_tmp_open(what, path, mode, tmp);
	if (fd < 0)
		return fd;
	*f = fdopen(fd, "wb");
	if (!*f) {
		int e = errno;
		close(fd);
		tk_tmp_discard(*tmp);
		return write_error(what, path, e);
	}
	return 0;
}

int tk_tmp_fcommit(const char *what, FILE *f, char *tmp, const char *path, int status)
{
	int bad = fflush(f) != 0 || ferror(f);
	int e = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (status < 0 || bad) {
		tk_tmp_discard(tmp);
		return status < 0 ? status : write_error(what, path, e);
	}
	return tk_tmp_commit(what, tmp, path);
}

static void on_signal(int sig)
{
	if (deferring && (sig == SIGTERM || sig == SIGUSR1)) {
		pending = sig; /* the run writes its checkpoint, then exits 128 + sig */
		return;
	}
	pid_t g = (pid_t)child_pgid;
	if (g > 0) {
		/* the child runs in its own process group (bench): pass the signal on, give
		 * it up to 2 s to finish, then kill what is left, and reap it */
		kill(-g, sig);
		for (int i = 0; i < 40 && waitpid(g, NULL, WNOHANG) == 0; i++)
			poll(NULL, 0, 50);
		kill(-g, SIGKILL);
		waitpid(g, NULL, 0);
	}
	/* a thread between mkstemp and slot_add (it holds the signals, so it is another
	 * thread than this one) is a few instructions from registering its file: wait for
	 * it, bounded (about 0.1 s at most, poll is async-signal-safe) */
	for (int i = 0; i < 100 && __atomic_load_n(&creating, __ATOMIC_ACQUIRE) > 0; i++)
		poll(NULL, 0, 1);
	for (int i = 0; i < SLOTS; i++)
		if (__atomic_load_n(&slots[i].used, __ATOMIC_ACQUIRE) == 2)
			unlink(slots[i].name);
	_exit(128 + sig);
}

void tk_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask); /* one handler at a time */
	static const int sigs[] = {SIGINT, SIGTERM};
	for (size_t i = 0; i < TK_ARRAY_SIZE(sigs); i++) {
		struct sigaction old;
		/* a signal ignored at start stays ignored (nohup, background jobs) */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void tk_signals_defer(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGUSR1, &sa, NULL);
	deferring = 1;
}

int tk_signals_pending(void) { return (int)pending; }

void tk_signals_child(pid_t pgid)
{
	child_pgid = (sig_atomic_t)pgid;
}
