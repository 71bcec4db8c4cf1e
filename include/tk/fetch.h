/*
 * fetch.h: reading one item of a list (a local path or an http(s) URL) into memory.
 *
 * Rule: every failure is one TK_EIO line naming the item and the cause (HTTP status,
 * "connection refused", "timed out after N s", "not an image: the server sent
 * text/html"); a transient failure (connect error, timeout, HTTP 5xx or 429) is retried
 * up to `retries` times with a growing pause, a permanent one (404, unknown scheme) is
 * not.  Safe to call from many threads at once (each call has its own connection).
 * URLs need libcurl (TK_HAVE_CURL); without it a URL item fails with a line saying so.
 */
#ifndef TK_FETCH_H
#define TK_FETCH_H

#include <stddef.h>

typedef struct tk_fetch_opts {
	double connect_timeout; /* seconds to establish a connection */
	double timeout;         /* seconds for the whole transfer of one attempt */
	int retries;            /* further attempts after a transient failure */
} tk_fetch_opts;

#define TK_FETCH_OPTS_INIT {5.0, 30.0, 2}

/* Call once, before any thread calls tk_fetch (libcurl's global set-up). */
void tk_fetch_global_init(void);

/* Whether item is a URL (has a scheme "xxx://"); *known is set to whether toolkit can
 * fetch that scheme (http, https). */
int tk_fetch_is_url(const char *item, int *known);

/* Read item (path or URL) into *data (malloc'd, *len bytes; free with free()).
 * Returns 0 or TK_EIO / TK_ENOMEM with the message recorded. */
int tk_fetch(const char *item, const tk_fetch_opts *o, unsigned char **data, size_t *len);

/* libcurl's version ("libcurl/7.88.1 OpenSSL/3.0.x ...") or "none". */
const char *tk_fetch_library(void);

#endif
