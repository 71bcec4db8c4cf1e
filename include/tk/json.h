/*
 * json.h: a strict JSON reader (RFC 8259): a document parsed into a tree of values.
 *
 * Rule: input is never trusted.  Anything RFC 8259 does not allow is an error that
 * names the place (line, column and byte offset): trailing commas, single quotes,
 * comments, leading zeros, NaN/Infinity, control characters in strings, invalid UTF-8,
 * lone surrogates in \u escapes, duplicate member names, text after the value, input cut
 * short.  Nesting deeper than TK_JSON_MAX_DEPTH is an error, so a hostile document
 * cannot exhaust the stack.
 *
 * Numbers keep their exact text: tk_json_u64 reads an integer exactly (a 64-bit digest
 * or a byte count does not pass through a double), tk_json_f64 converts with strtod
 * (correctly rounded, so a double printed with %.17g reads back to the same bits).
 * Strings are decoded (escapes resolved, surrogate pairs joined) to UTF-8 with a
 * terminating NUL; len counts bytes, so a string holding \u0000 is kept whole.
 *
 * The writer stays where it is (tk_json_string in tk/report.h); this is the reader.
 */
#ifndef TK_JSON_H
#define TK_JSON_H

#include <stddef.h>
#include <stdint.h>

#define TK_JSON_MAX_DEPTH 64

typedef enum tk_json_kind {
	TK_JSON_NULL,
	TK_JSON_FALSE,
	TK_JSON_TRUE,
	TK_JSON_NUMBER,
	TK_JSON_STRING,
	TK_JSON_ARRAY,
	TK_JSON_OBJECT,
} tk_json_kind;

typedef struct tk_json tk_json;
struct tk_json {
	tk_json_kind kind;
	const char *key;   /* the member's name inside an object (decoded), else NULL */
	size_t key_len;
	const char *text;  /* STRING: decoded bytes; NUMBER: the number's text as written */
	size_t len;        /* bytes of text */
	tk_json *child;    /* ARRAY, OBJECT: the first element or member, NULL when empty */
	tk_json *next;     /* the next element or member of the parent */
	size_t count;      /* ARRAY, OBJECT: elements or members */
};

/* A parsed document: its root and the memory every value lives in. */
typedef struct tk_json_doc {
	tk_json *root;
	void *arena;       /* private */
	size_t err_offset; /* after a syntax error: the byte where it was found, */
	int err_line, err_col; /* its line and column (1-based, in bytes) */
	const char *err_what;  /* and what was wrong ("trailing comma") */
} tk_json_doc;

/* Parse text[0, len) as one JSON value with only whitespace around it.  name labels the
 * error recorded with tk_error_set ("name: invalid JSON at line L, column C (byte B):
 * what"); with name NULL nothing is recorded (the caller reads doc->err_*).  Errors:
 * TK_EIO (malformed; doc->err_* say where), TK_ENOMEM.  doc is always safe to free. */
int tk_json_parse(tk_json_doc *doc, const char *name, const char *text, size_t len);
void tk_json_free(tk_json_doc *doc);

/* Member key of object v: the value, or NULL when v is not an object or has none. */
const tk_json *tk_json_get(const tk_json *v, const char *key);
/* Element i of array v, or NULL. */
const tk_json *tk_json_at(const tk_json *v, size_t i);
/* The member reached by the dotted path "time.kernel_s" from v, or NULL. */
const tk_json *tk_json_path(const tk_json *v, const char *path);

/* v's text when it is a string, else NULL. */
const char *tk_json_str(const tk_json *v);
/* v as a double (strtod of its text) when it is a number, else NAN (null, missing). */
double tk_json_f64(const tk_json *v);
/* v exactly as an unsigned 64-bit integer: 0, or TK_EUSAGE when v is not a number
 * written as an integer from 0 to 2^64 - 1 (no fraction, no exponent). */
int tk_json_u64(const tk_json *v, uint64_t *out);
/* 1 for true, 0 for false, -1 for anything else. */
int tk_json_bool(const tk_json *v);

#endif
