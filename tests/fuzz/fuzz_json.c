/*
 * fuzz_json.c: the JSON reader (include/tk/json.h, the one bench reads its runs' records
 * with).  Promise: any bytes give 0 and a tree whose counts match its lists, or TK_EIO
 * with the error's place inside the input; never more nesting than the limit.
 */
#include "fuzz.h"
#include "tk/json.h"

/* walk v: each container's count is the length of its child list; depth is bounded */
static void walk(const tk_json *v, int depth)
{
	FUZZ_ASSERT(depth <= TK_JSON_MAX_DEPTH + 1);
	size_t n = 0;
	for (const tk_json *c = v->child; c; c = c->next) {
		FUZZ_ASSERT(v->kind == TK_JSON_ARRAY || v->kind == TK_JSON_OBJECT);
		FUZZ_ASSERT((v->kind == TK_JSON_OBJECT) == (c->key != NULL));
		walk(c, depth + 1);
		n++;
	}
	FUZZ_ASSERT(n == v->count || (v->kind != TK_JSON_ARRAY && v->kind != TK_JSON_OBJECT));
	if (v->kind == TK_JSON_STRING)
		FUZZ_ASSERT(v->text && v->text[v->len] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tk_json_doc d;
	int st = tk_json_parse(&d, "fuzz", (const char *)data, size);
	fuzz_check_status(st);
	if (st == 0)
		walk(d.root, 1);
	else
		FUZZ_ASSERT(d.err_offset <= size && d.err_what);
	tk_json_free(&d);
	return 0;
}
