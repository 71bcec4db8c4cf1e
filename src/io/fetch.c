/*
 * fetch.c: one list item, a path or an http(s) URL, read into memory (tk/fetch.h).
 *
 * Rule: a thread fetches whole items with its own curl handle, so T threads keep T
 * requests in flight; errors are one line per item; transient failures are retried.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tk/config.h"
#include "tk/fetch.h"
#include "tk/tk.h"

#if TK_HAVE_CURL
#include <curl/curl.h>
#endif

int tk_fetch_is_url(const char *item, int *known)
{
	const char *p = item;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '+' || *p == '-' || *p == '.')
		p++;
	int url = p > item && strncmp(p, "://", 3) == 0;
	size_t n = (size_t)(p - item);
	*known = url && ((n == 4 && strncasecmp(item, "http", 4) == 0) ||
	                 (n == 5 && strncasecmp(item, "https", 5) == 0));
	return url;
}

static int read_file(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	TK_REQUIRE(f, TK_EIO, "%s: cannot open (%s)", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return tk_error_set(TK_EIO, "%s: not a regular file", path);
	}
	size_t n = (size_t)st.st_size;
	unsigned char *buf = malloc(n ? n : 1);
	if (!buf) {
		fclose(f);
		return tk_error_set(TK_ENOMEM, "%s: out of memory for %zu bytes", path, n);
	}
	size_t got = fread(buf, 1, n, f);
	fclose(f);
	if (got != n) {
		free(buf);
		return tk_error_set(TK_EIO, "%s: read %zu of %zu bytes", path, got, n);
	}
	*data = buf;
	*len = n;
	return 0;
}

#if TK_HAVE_CURL

void tk_fetch_global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

const char *tk_fetch_library(void) { return curl_version(); }

typedef struct sink {
	unsigned char *buf;
	size_t len, cap;
	int oom;
} sink;

/* the largest body accepted: beyond any image toolkit would read */
#define FETCH_MAX_BYTES ((size_t)1 << 31)

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	sink *s = arg;
	size_t add = size * n;
	if (s->len + add > FETCH_MAX_BYTES)
		return 0;
	if (s->len + add > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		while (cap < s->len + add)
			cap *= 2;
		unsigned char *more = realloc(s->buf, cap);
		if (!more) {
			s->oom = 1;
			return 0;
		}
		s->buf = more;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, add);
	s->len += add;
	return add;
}

static void pause_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* One attempt; *transient says whether another may succeed.  Message in msg. */
static int attempt(CURL *h, const char *url, const tk_fetch_opts *o, sink *s, int *transient,
                   char *msg, size_t mn)
{
	char eb[CURL_ERROR_SIZE] = "";
	s->len = 0;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout * 1000));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, eb);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "toolkit/" TK_VERSION);
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	*transient = 0;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		*transient = 1;
		snprintf(msg, mn, "timed out (connect %.3g s, transfer %.3g s allowed)",
		         o->connect_timeout, o->timeout);
		return TK_EIO;
	}
	if (rc == CURLE_COULDNT_CONNECT) {
		long oe = 0;
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oe);
		*transient = 1;
		if (oe == ECONNREFUSED)
			snprintf(msg, mn, "connection refused");
		else
			snprintf(msg, mn, "cannot connect (%s)", eb[0] ? eb : curl_easy_strerror(rc));
		return TK_EIO;
	}
	if (rc == CURLE_WRITE_ERROR && s->oom)
		return snprintf(msg, mn, "out of memory"), TK_ENOMEM;
	if (rc != CURLE_OK) {
		*transient = rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
		             rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE;
		snprintf(msg, mn, "%s", eb[0] ? eb : curl_easy_strerror(rc));
		return TK_EIO;
	}
	if (code != 200) {
		*transient = code >= 500 || code == 429 || code == 408;
		snprintf(msg, mn, "HTTP %ld", code);
		return TK_EIO;
	}
	char *type = NULL;
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
	if (type && strncasecmp(type, "text/", 5) == 0) {
		snprintf(msg, mn, "not an image: the server sent %.60s", type);
		return TK_EIO;
	}
	return 0;
}

static int fetch_url(const char *url, const tk_fetch_opts *o, unsigned char **data,
                     size_t *len)
{
	CURL *h = curl_easy_init();
	TK_REQUIRE(h, TK_ENOMEM, "%s: cannot start a transfer (curl_easy_init)", url);
	sink s = {NULL, 0, 0, 0};
	char msg[CURL_ERROR_SIZE + 64] = "";
	int rc = 0, transient = 0, tries = 0;
	double wait = 0.1;
	for (;;) {
		tries++;
		rc = attempt(h, url, o, &s, &transient, msg, sizeof msg);
		if (rc == 0 || !transient || tries > o->retries)
			break;
		pause_s(wait);
		wait *= 2;
	}
	curl_easy_cleanup(h);
	if (rc < 0) {
		free(s.buf);
		if (tries > 1)
			return tk_error_set(rc, "%s: %s (%d attempts)", url, msg, tries);
		return tk_error_set(rc, "%s: %s", url, msg);
	}
	*data = s.buf ? s.buf : malloc(1);
	*len = s.len;
	return *data ? 0 : tk_error_set(TK_ENOMEM, "%s: out of memory", url);
}

#else /* !TK_HAVE_CURL */

void tk_fetch_global_init(void) {}

const char *tk_fetch_library(void) { return "none"; }

static int fetch_url(const char *url, const tk_fetch_opts *o, unsigned char **data,
                     size_t *len)
{
	(void)o;
	(void)data;
	(void)len;
	return tk_error_set(TK_EIO, "%s: this toolkit was built without libcurl (CURL=0), so "
	                            "it cannot fetch URLs (install libcurl4-openssl-dev, rebuild)",
	                    url);
}

#endif

int tk_fetch(const char *item, const tk_fetch_opts *o, unsigned char **data, size_t *len)
{
	int known;
	*data = NULL;
	*len = 0;
	if (!tk_fetch_is_url(item, &known))
		return read_file(item, data, len);
	TK_REQUIRE(known, TK_EIO, "%s: unknown URL scheme (only http:// and https:// are read)",
	           item);
	return fetch_url(item, o, data, len);
}
