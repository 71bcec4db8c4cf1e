/*
 * merge.c: chunk records read, checked and combined (merge.h).
 * Rule: nothing in a record is trusted: every member is checked for its kind and
 * range, the state's checksum and its agreement with the record's parameters, before
 * any number of it is used.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "montecarlo/merge.h"
#include "tk/json.h"
#include "tk/tk.h"

#define MAX_RECORD (64u << 20) /* a record is a few KiB; its world map grows with ranks */

static int range_cmp(const void *a, const void *b)
{
	const tk_mc_range *x = a, *y = b;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->samples != y->samples)
		return x->samples < y->samples ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

int tk_mc_ranges_tile(tk_mc_range *r, size_t n, uint64_t *first, uint64_t *samples)
{
	qsort(r, n, sizeof *r, range_cmp);
	for (size_t i = 0; i + 1 < n; i++) {
		const tk_mc_range *a = &r[i], *b = &r[i + 1];
		unsigned long long a0 = a->first, a1 = a->first + a->samples, b0 = b->first,
		                   b1 = b->first + b->samples;
		TK_REQUIRE(b0 >= a1, TK_EUSAGE,
		           "merge: %s [%llu, %llu) and %s [%llu, %llu) overlap (samples [%llu, "
		           "%llu) are in both)",
		           a->name, a0, a1, b->name, b0, b1, b0, a1 < b1 ? a1 : b1);
		TK_REQUIRE(b0 == a1, TK_EUSAGE,
		           "merge: a gap: samples [%llu, %llu) are in no chunk (between %s [%llu, "
		           "%llu) and %s [%llu, %llu))",
		           a1, b0, a->name, a0, a1, b->name, b0, b1);
	}
	*first = r[0].first;
	*samples = r[n - 1].first + r[n - 1].samples - r[0].first;
	return 0;
}

/* ---- reading a record --------------------------------------------------------- */

static int slurp(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY);
	TK_REQUIRE(fd >= 0, TK_EIO, "merge: %s: cannot open: %s", path, strerror(errno));
	char *buf = tk_alloc(MAX_RECORD + 1, 1);
	if (!buf) {
		close(fd);
		return TK_ENOMEM;
	}
	size_t n = 0;
	int err = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, MAX_RECORD + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = errno;
		if (r <= 0 || (n += (size_t)r) > MAX_RECORD)
			break;
	}
	close(fd);
	if (err || n > MAX_RECORD) {
		tk_free(buf);
		return err ? tk_error_set(TK_EIO, "merge: %s: cannot read: %s", path, strerror(err))
		           : tk_error_set(TK_EIO, "merge: %s: larger than a run record (%u MiB)",
		                          path, MAX_RECORD >> 20);
	}
	*text = buf;
	*len = n;
	return 0;
}

/* JSON Lines: one record per line.  More than one line with a value is refused by
 * name, before the reader would call it "text after the value". */
static int one_record(const char *path, const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	if (!nl)
		return 0;
	for (const char *q = nl; q < text + len; q++)
		TK_REQUIRE(*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r', TK_EIO,
		           "merge: %s: more than one record (merge reads one run's record per "
		           "file)", path);
	return 0;
}

static const tk_json *member(const char *path, const tk_json *o, const char *key, int kind)
{
	const tk_json *v = tk_json_get(o, key);
	if (!v || (int)v->kind != kind) {
		tk_error_set(TK_EIO, "merge: %s: not a chunk record (no %s \"%s\")", path,
		             kind == TK_JSON_STRING ? "string" :
		             kind == TK_JSON_OBJECT ? "object" :
		             kind == TK_JSON_ARRAY  ? "array" : "number", key);
		return NULL;
	}
	return v;
}

static int get_u64(const char *path, const tk_json *o, const char *key, uint64_t *out)
{
	const tk_json *v = member(path, o, key, TK_JSON_NUMBER);
	if (!v)
		return TK_EIO;
	TK_REQUIRE(tk_json_u64(v, out) == 0, TK_EIO,
	           "merge: %s: chunk member \"%s\" is not a whole number from 0 to 2^64 - 1",
	           path, key);
	return 0;
}

static int get_f64(const char *path, const tk_json *o, const char *key, double *out)
{
	const tk_json *v = member(path, o, key, TK_JSON_NUMBER);
	if (!v)
		return TK_EIO;
	*out = tk_json_f64(v);
	return 0;
}

static int get_str(const char *path, const tk_json *o, const char *key, char *out,
                   size_t cap)
{
	const tk_json *v = member(path, o, key, TK_JSON_STRING);
	if (!v)
		return TK_EIO;
	TK_REQUIRE(v->len < cap && strlen(v->text) == v->len, TK_EIO,
	           "merge: %s: \"%s\" is not a name this toolkit writes", path, key);
	memcpy(out, v->text, v->len + 1);
	return 0;
}

/* What montecarlo's option table and checks let through (the kernels trust their
 * parameters, so a record's are checked here as the command line's are there). */
static int check_params(const char *path, const tk_mc_chunk *c)
{
	const tk_mc_params *p = &c->p;
	int opt = strcmp(c->model, "option") == 0;
	TK_REQUIRE(p->samples >= (opt ? 2u : 1u) && p->samples <= TK_MC_MAX_SAMPLES &&
	                   p->first_sample <= TK_MC_MAX_INDEX - p->samples,
	           TK_EIO, "merge: %s: a chunk range that montecarlo does not run (first_sample "
	           "%llu, samples %llu)",
	           path, (unsigned long long)p->first_sample, (unsigned long long)p->samples);
	if (!opt)
		return 0;
	TK_REQUIRE(p->first_sample % TK_MC_BLOCK == 0, TK_EIO,
	           "merge: %s: an option chunk whose first_sample %llu is not a multiple of 2^16",
	           path, (unsigned long long)p->first_sample);
	TK_REQUIRE(p->spot > 0 && p->strike > 0 && p->sigma > 0 && p->maturity > 0 &&
	                   isfinite(p->spot) && isfinite(p->strike) && isfinite(p->sigma) &&
	                   isfinite(p->maturity) && isfinite(p->rate),
	           TK_EIO, "merge: %s: option parameters that montecarlo does not run", path);
	return 0;
}

/* The chunk object's parameters into c->p: the range and seed, then the model's own. */
static int read_params(const char *path, const tk_json *ch, tk_mc_chunk *c)
{
	tk_mc_params_default(&c->p);
	TK_CHECK(get_u64(path, ch, "first_sample", &c->p.first_sample));
	TK_CHECK(get_u64(path, ch, "samples", &c->p.samples));
	TK_CHECK(get_u64(path, ch, "seed", &c->p.seed));
	size_t want = 4; /* the three above and "state" */
	if (strcmp(c->model, "option") == 0) {
		TK_CHECK(get_f64(path, ch, "spot", &c->p.spot));
		TK_CHECK(get_f64(path, ch, "strike", &c->p.strike));
		TK_CHECK(get_f64(path, ch, "rate", &c->p.rate));
		TK_CHECK(get_f64(path, ch, "sigma", &c->p.sigma));
		TK_CHECK(get_f64(path, ch, "maturity", &c->p.maturity));
		uint64_t put;
		TK_CHECK(get_u64(path, ch, "put", &put));
		TK_REQUIRE(put <= 1, TK_EIO, "merge: %s: chunk member \"put\" is not 0 or 1", path);
		c->p.put = (int)put;
		want += 6;
	}
	TK_REQUIRE(ch->count == want, TK_EIO,
	           "merge: %s: the chunk object has %zu members, a %s chunk %zu", path,
	           ch->count, c->model, want);
	return check_params(path, c);
}

/* The state: the words of a checkpoint, decoded and checked against the parameters. */
static int read_state(const char *path, const tk_json *ch, tk_mc_chunk *c)
{
	const tk_json *w = member(path, ch, "state", TK_JSON_ARRAY);
	if (!w)
		return TK_EIO;
	tk_ckpt want;
	TK_CHECK(tk_mc_chunk_ident(c->model, &c->p, &want));
	TK_REQUIRE(w->count <= 4096, TK_EIO, "merge: %s: the chunk state is too long", path);
	unsigned char *buf = tk_alloc(w->count + 1, 8);
	if (!buf)
		return TK_ENOMEM;
	size_t k = 0;
	for (const tk_json *e = w->child; e; e = e->next, k++) {
		uint64_t v;
		if (tk_json_u64(e, &v) != 0) {
			tk_free(buf);
			return tk_error_set(TK_EIO, "merge: %s: the chunk state holds a word that is "
			                            "not a 64-bit whole number", path);
		}
		for (int b = 0; b < 8; b++)
			buf[8 * k + (size_t)b] = (unsigned char)(v >> (8 * b));
	}
	int rc = tk_ckpt_decode(path, buf, 8 * k, &c->st);
	tk_free(buf);
	TK_CHECK(rc);
	if (tk_ckpt_match(path, &c->st, &want) != 0 || c->st.done != c->st.total) {
		tk_error_clear();
		return tk_error_set(TK_EIO, "merge: %s: the chunk state does not match the "
		                            "record's parameters (an altered record)", path);
	}
	return 0;
}

static int read_doc(const char *path, const tk_json *root, tk_mc_chunk *c)
{
	char s[32];
	TK_CHECK(get_str(path, root, "schema", s, sizeof s));
	TK_REQUIRE(strcmp(s, "toolkit.run/1") == 0, TK_EIO,
	           "merge: %s: a record of schema %s, merge reads toolkit.run/1", path, s);
	TK_CHECK(get_str(path, root, "command", s, sizeof s));
	TK_REQUIRE(strcmp(s, "montecarlo") == 0, TK_EIO,
	           "merge: %s: a %s record; merge reads montecarlo pi and option records", path,
	           s);
	TK_CHECK(get_str(path, root, "kernel", c->model, sizeof c->model));
	const tk_json *prov = member(path, root, "provenance", TK_JSON_OBJECT);
	if (!prov)
		return TK_EIO;
	TK_CHECK(get_str(path, prov, "version", c->version, sizeof c->version));
	const tk_json *t = tk_json_path(root, "time.kernel_s");
	c->kernel_s = t && t->kind == TK_JSON_NUMBER ? tk_json_f64(t) : 0;
	const tk_json *ch = tk_json_get(root, "chunk");
	if (!ch || ch->kind != TK_JSON_OBJECT) {
		/* montecarlo ep (no chunks), or a record from before chunks existed */
		tk_ckpt any;
		TK_CHECK(tk_mc_chunk_ident(c->model, &c->p, &any));
		return tk_error_set(TK_EIO, "merge: %s: the record has no chunk object (written "
		                            "by a toolkit without montecarlo --first-sample?)", path);
	}
	TK_CHECK(read_params(path, ch, c));
	return read_state(path, ch, c);
}

int tk_mc_chunk_read(const char *path, tk_mc_chunk *c)
{
	memset(c, 0, sizeof *c);
	c->path = path;
	tk_mc_params_default(&c->p);
	char *text = NULL;
	size_t len = 0;
	TK_CHECK(slurp(path, &text, &len));
	int rc = one_record(path, text, len);
	tk_json_doc doc = {0};
	if (rc == 0) {
		char name[4200];
		snprintf(name, sizeof name, "merge: %s", path);
		rc = tk_json_parse(&doc, name, text, len);
	}
	if (rc == 0)
		rc = doc.root->kind == TK_JSON_OBJECT
		             ? read_doc(path, doc.root, c)
		             : tk_error_set(TK_EIO, "merge: %s: not a run record (not a JSON "
		                                    "object)", path);
	tk_json_free(&doc);
	tk_free(text);
	return rc;
}

/* ---- combining ---------------------------------------------------------------- */

/* b against a (the first): same model, version, and every parameter but the range. */
static int same_run(const tk_mc_chunk *a, const tk_mc_chunk *b)
{
	TK_REQUIRE(strcmp(a->model, b->model) == 0, TK_EUSAGE,
	           "merge: %s is a --model %s chunk, %s a --model %s one", b->path, b->model,
	           a->path, a->model);
	TK_REQUIRE(strcmp(a->version, b->version) == 0, TK_EUSAGE,
	           "merge: %s was written by toolkit %s, %s by %s (chunks of one run come from "
	           "one version)",
	           b->path, b->version, a->path, a->version);
	tk_ckpt ia, ib;
	TK_CHECK(tk_mc_chunk_ident(a->model, &a->p, &ia));
	TK_CHECK(tk_mc_chunk_ident(b->model, &b->p, &ib));
	for (int i = 0; i < ia.nparams; i++) {
		const char *name = ia.param_names[i] ? ia.param_names[i] : "parameter";
		if (strcmp(name, "--samples") == 0 || strcmp(name, "--first-sample") == 0)
			continue;
		if (strcmp(name, "--seed") == 0)
			TK_REQUIRE(ia.params[i] == ib.params[i], TK_EUSAGE,
			           "merge: %s has --seed %llu, %s --seed %llu (chunks of one run share "
			           "every parameter)",
			           b->path, (unsigned long long)ib.params[i], a->path,
			           (unsigned long long)ia.params[i]);
		TK_REQUIRE(ia.params[i] == ib.params[i], TK_EUSAGE,
		           "merge: %s and %s differ in %s (chunks of one run share every "
		           "parameter)",
		           b->path, a->path, name);
	}
	return 0;
}

int tk_mc_chunks_merge(tk_mc_chunk *c, size_t n, tk_mc_params *p, tk_ckpt *st)
{
	for (size_t i = 1; i < n; i++)
		TK_CHECK(same_run(&c[0], &c[i]));
	tk_mc_range *r = tk_alloc(n, sizeof *r);
	tk_mc_chunk *sorted = tk_alloc(n, sizeof *sorted);
	int rc = r && sorted ? 0 : TK_ENOMEM;
	uint64_t first = 0, samples = 0;
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			r[i] = (tk_mc_range){c[i].path, c[i].p.first_sample, c[i].p.samples, i};
		rc = tk_mc_ranges_tile(r, n, &first, &samples);
	}
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			sorted[i] = c[r[i].index];
		memcpy(c, sorted, n * sizeof *c);
	}
	tk_free(r);
	tk_free(sorted);
	TK_CHECK(rc);
	*p = c[0].p;
	p->first_sample = first;
	p->samples = samples;
	TK_CHECK(tk_mc_chunk_ident(c[0].model, p, st));
	for (int k = 0; k < st->nx; k++)
		tk_xsum_init(&st->x[k]);
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < st->nu; k++)
			st->u[k] += c[i].st.u[k];
		for (int k = 0; k < st->nx; k++)
			tk_xsum_merge(&st->x[k], &c[i].st.x[k]);
	}
	st->done = st->total;
	return 0;
}
