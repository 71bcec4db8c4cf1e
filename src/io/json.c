/*
 * json.c: the strict JSON reader of tk/json.h, by recursive descent.
 *
 * Rule: every byte is checked against RFC 8259 before it is believed; the first error
 * stops the parse with its place.  Values and decoded strings live in one arena owned
 * by the document, freed at once by tk_json_free.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tk/json.h"
#include "tk/tk.h"

/* ---- the arena ------------------------------------------------------------------- */

typedef struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
} block;

static void *arena_alloc(void **arena, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	block *b = *arena;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 8192 ? n : 8192;
		block *nb = malloc(sizeof *nb + cap);
		if (!nb)
			return NULL;
		nb->next = b;
		nb->used = 0;
		nb->cap = cap;
		*arena = b = nb;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

void tk_json_free(tk_json_doc *doc)
{
	for (block *b = doc->arena, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	doc->arena = NULL;
	doc->root = NULL;
}

/* ---- the parser ------------------------------------------------------------------ */

typedef struct parser {
	const unsigned char *s;
	size_t n, i;
	int depth;
	void **arena;
	const char *what; /* the first error, NULL while none */
	size_t at;
	int nomem;
} parser;

static int fail(parser *p, size_t at, const char *what)
{
	if (!p->what) {
		p->what = what;
		p->at = at;
	}
	return -1;
}

static void *alloc(parser *p, size_t n)
{
	void *m = arena_alloc(p->arena, n);
	if (!m) {
		p->nomem = 1;
		fail(p, p->i, "out of memory");
	}
	return m;
}

static void skip_ws(parser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
	                       p->s[p->i] == '\r'))
		p->i++;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int hex4(parser *p, size_t at, unsigned *out)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		if (at + (size_t)k >= p->n)
			return fail(p, p->n, "input ends inside a \\u escape");
		int c = p->s[at + (size_t)k];
		v <<= 4;
		if (is_digit(c))
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(p, at + (size_t)k, "\\u needs four hex digits");
	}
	*out = v;
	return 0;
}

static size_t put_utf8(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of the well-formed UTF-8 sequence at s[0, left) (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (left < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return n;
}

/* A string at p->i (its opening quote): decoded into the arena. */
static int parse_string(parser *p, const char **text, size_t *len)
{
	size_t start = ++p->i, end = start;
	/* the closing quote first: the decoded string is never longer than the raw one */
	while (end < p->n && p->s[end] != '"')
		end += p->s[end] == '\\' && end + 1 < p->n ? 2 : 1;
	if (end >= p->n)
		return fail(p, p->n, "input ends inside a string");
	unsigned char *o = alloc(p, end - start + 1);
	if (!o)
		return -1;
	size_t k = 0;
	while (p->i < end) {
		unsigned c = p->s[p->i];
		if (c < 0x20)
			return fail(p, p->i, "control character in a string (escape it)");
		if (c >= 0x80) {
			size_t u = utf8_len(p->s + p->i, end - p->i);
			if (!u)
				return fail(p, p->i, "invalid UTF-8 in a string");
			memcpy(o + k, p->s + p->i, u);
			k += u;
			p->i += u;
			continue;
		}
		if (c != '\\') {
			o[k++] = (unsigned char)c;
			p->i++;
			continue;
		}
		size_t esc = p->i;
		c = p->s[p->i + 1];
		p->i += 2;
		switch (c) {
		case '"': o[k++] = '"'; break;
		case '\\': o[k++] = '\\'; break;
		case '/': o[k++] = '/'; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (hex4(p, p->i, &cp))
				return -1;
			p->i += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(p, esc, "lone low surrogate in a \\u escape");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (p->i + 6 > end || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
					return fail(p, esc, "high surrogate not followed by a low one");
				if (hex4(p, p->i + 2, &lo))
					return -1;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(p, p->i, "high surrogate not followed by a low one");
				p->i += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			/* at most 6 raw bytes give at most 4 decoded ones: o has room */
			k += put_utf8(o + k, cp);
			break;
		}
		default: return fail(p, esc, "unknown escape in a string");
		}
	}
	p->i = end + 1;
	o[k] = '\0';
	*text = (const char *)o;
	*len = k;
	return 0;
}

/* A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, its text kept. */
static int parse_number(parser *p, tk_json *v)
{
	size_t start = p->i;
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n)
		return fail(p, p->i, "input ends inside a number");
	if (p->s[p->i] == '0') {
		p->i++;
		if (p->i < p->n && is_digit(p->s[p->i]))
			return fail(p, p->i, "leading zero in a number");
	} else if (is_digit(p->s[p->i])) {
		while (p->i < p->n && is_digit(p->s[p->i]))
			p->i++;
	} else {
		return fail(p, p->i, "expected a digit");
	}
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (p->i >= p->n || !is_digit(p->s[p->i]))
			return fail(p, p->i, "expected a digit after the decimal point");
		while (p->i < p->n && is_digit(p->s[p->i]))
			p->i++;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (p->i >= p->n || !is_digit(p->s[p->i]))
			return fail(p, p->i, "expected a digit in the exponent");
		while (p->i < p->n && is_digit(p->s[p->i]))
			p->i++;
	}
	char *t = alloc(p, p->i - start + 1);
	if (!t)
		return -1;
	memcpy(t, p->s + start, p->i - start);
	t[p->i - start] = '\0';
	v->kind = TK_JSON_NUMBER;
	v->text = t;
	v->len = p->i - start;
	return 0;
}

static int parse_value(parser *p, tk_json *v);

static int key_cmp(const void *a, const void *b)
{
	const tk_json *x = *(const tk_json *const *)a, *y = *(const tk_json *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);
	return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Duplicate names make "the" value of a member ambiguous (RFC 8259 4): an error.  Sorted
 * copies of the member pointers, so a large object costs n log n, not n^2. */
static int check_unique(parser *p, const tk_json *obj, size_t at)
{
	if (obj->count < 2)
		return 0;
	const tk_json **m = malloc(obj->count * sizeof *m);
	if (!m) {
		p->nomem = 1;
		return fail(p, at, "out of memory");
	}
	size_t k = 0;
	for (const tk_json *c = obj->child; c; c = c->next)
		m[k++] = c;
	qsort(m, k, sizeof *m, key_cmp);
	int dup = 0;
	for (size_t i = 1; i < k && !dup; i++)
		dup = key_cmp(&m[i - 1], &m[i]) == 0;
	free(m);
	return dup ? fail(p, at, "duplicate member name in an object") : 0;
}

/* An array or object at p->i (its opening bracket). */
static int parse_container(parser *p, tk_json *v, int object)
{
	size_t open = p->i;
	char close = object ? '}' : ']';
	if (++p->depth > TK_JSON_MAX_DEPTH)
		return fail(p, p->i, "nested deeper than TK_JSON_MAX_DEPTH");
	v->kind = object ? TK_JSON_OBJECT : TK_JSON_ARRAY;
	p->i++;
	skip_ws(p);
	tk_json **tail = &v->child;
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return 0;
	}
	for (;;) {
		tk_json *e = alloc(p, sizeof *e);
		if (!e)
			return -1;
		memset(e, 0, sizeof *e);
		if (object) {
			if (p->i >= p->n)
				return fail(p, p->i, "input ends inside an object");
			if (p->s[p->i] != '"')
				return fail(p, p->i, "expected a member name in double quotes");
			if (parse_string(p, &e->key, &e->key_len))
				return -1;
			skip_ws(p);
			if (p->i >= p->n)
				return fail(p, p->i, "input ends inside an object");
			if (p->s[p->i] != ':')
				return fail(p, p->i, "expected ':' after a member name");
			p->i++;
			skip_ws(p);
		}
		if (parse_value(p, e))
			return -1;
		*tail = e;
		tail = &e->next;
		v->count++;
		skip_ws(p);
		if (p->i >= p->n)
			return fail(p, p->i, object ? "input ends inside an object"
			                            : "input ends inside an array");
		if (p->s[p->i] == close)
			break;
		if (p->s[p->i] != ',')
			return fail(p, p->i, object ? "expected ',' or '}'" : "expected ',' or ']'");
		p->i++;
		skip_ws(p);
		if (p->i < p->n && p->s[p->i] == close)
			return fail(p, p->i, "trailing comma");
	}
	p->i++;
	p->depth--;
	return object ? check_unique(p, v, open) : 0;
}

static int literal(parser *p, const char *word, tk_json_kind kind, tk_json *v)
{
	size_t len = strlen(word);
	for (size_t k = 0; k < len; k++)
		if (p->i + k >= p->n)
			return fail(p, p->n, "input ends inside a literal");
		else if (p->s[p->i + k] != (unsigned char)word[k])
			return fail(p, p->i, "expected a value");
	p->i += len;
	v->kind = kind;
	return 0;
}

static int parse_value(parser *p, tk_json *v)
{
	if (p->i >= p->n)
		return fail(p, p->i, "expected a value, the input ends");
	switch (p->s[p->i]) {
	case '{': return parse_container(p, v, 1);
	case '[': return parse_container(p, v, 0);
	case '"':
		v->kind = TK_JSON_STRING;
		return parse_string(p, &v->text, &v->len);
	case 't': return literal(p, "true", TK_JSON_TRUE, v);
	case 'f': return literal(p, "false", TK_JSON_FALSE, v);
	case 'n': return literal(p, "null", TK_JSON_NULL, v);
	default:
		if (p->s[p->i] == '-' || is_digit(p->s[p->i]))
			return parse_number(p, v);
		return fail(p, p->i, "expected a value");
	}
}

int tk_json_parse(tk_json_doc *doc, const char *name, const char *text, size_t len)
{
	memset(doc, 0, sizeof *doc);
	parser p = {(const unsigned char *)text, len, 0, 0, &doc->arena, NULL, 0, 0};
	tk_json *root = alloc(&p, sizeof *root);
	if (root) {
		memset(root, 0, sizeof *root);
		skip_ws(&p);
		if (parse_value(&p, root) == 0) {
			skip_ws(&p);
			if (p.i < p.n)
				fail(&p, p.i, "text after the value");
		}
	}
	if (!p.what) {
		doc->root = root;
		return 0;
	}
	doc->err_offset = p.at;
	doc->err_line = 1;
	doc->err_col = 1;
	for (size_t k = 0; k < p.at && k < len; k++) {
		if (text[k] == '\n') {
			doc->err_line++;
			doc->err_col = 1;
		} else {
			doc->err_col++;
		}
	}
	doc->err_what = p.what;
	tk_json_free(doc);
	int code = p.nomem ? TK_ENOMEM : TK_EIO;
	if (!name)
		return code;
	if (p.nomem)
		return tk_error_set(TK_ENOMEM, "%s: out of memory reading JSON", name);
	return tk_error_set(TK_EIO, "%s: invalid JSON at line %d, column %d (byte %zu): %s", name,
	                    doc->err_line, doc->err_col, doc->err_offset, p.what);
}

/* ---- reading values -------------------------------------------------------------- */

const tk_json *tk_json_get(const tk_json *v, const char *key)
{
	if (!v || v->kind != TK_JSON_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (const tk_json *c = v->child; c; c = c->next)
		if (c->key_len == n && memcmp(c->key, key, n) == 0)
			return c;
	return NULL;
}

const tk_json *tk_json_at(const tk_json *v, size_t i)
{
	if (!v || v->kind != TK_JSON_ARRAY)
		return NULL;
	const tk_json *c = v->child;
	while (c && i--)
		c = c->next;
	return c;
}

const tk_json *tk_json_path(const tk_json *v, const char *path)
{
	char part[128];
	while (v && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof part)
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		v = tk_json_get(v, part);
		path += n + (path[n] == '.');
	}
	return v;
}

const char *tk_json_str(const tk_json *v)
{
	return v && v->kind == TK_JSON_STRING ? v->text : NULL;
}

double tk_json_f64(const tk_json *v)
{
	return v && v->kind == TK_JSON_NUMBER ? strtod(v->text, NULL) : NAN;
}

int tk_json_u64(const tk_json *v, uint64_t *out)
{
	if (!v || v->kind != TK_JSON_NUMBER || v->len == 0 || v->len > 20)
		return TK_EUSAGE;
	uint64_t x = 0;
	for (size_t k = 0; k < v->len; k++) {
		int d = v->text[k] - '0';
		if (d < 0 || d > 9 || x > (UINT64_MAX - (uint64_t)d) / 10)
			return TK_EUSAGE;
		x = x * 10 + (uint64_t)d;
	}
	*out = x;
	return 0;
}

int tk_json_bool(const tk_json *v)
{
	return v && v->kind == TK_JSON_TRUE ? 1 : v && v->kind == TK_JSON_FALSE ? 0 : -1;
}
