/* report_md.c: the markdown PR comment of a report (DESIGN §4): the hidden
 * marker first (so one comment is updated instead of piling up), verdict
 * line, gate table, reasons, top changes, benchmarks with p-values,
 * rating, baseline, links, notes. Reads only the report JSON (fresh or
 * stored), tolerating missing fields. Bounded: lists are cut with
 * "… and N more" until the text fits max_len (GitHub: 65 536). Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate.h"

#define NAME_MAX_CHARS 200 /* longer names are cut with "…" */

size_t pf_report_marker(const char *project, const char *branch, char *out, size_t cap)
{
	struct pf_buf b;
	pf_buf_init(&b, 0);
	pf_buf_puts(&b, "<!-- perfgate:");
	for (int part = 0; part < 2; part++) {
		const char *s = part ? branch : project;
		if (part)
			pf_buf_puts(&b, "/");
		for (; s && *s; s++) {
			unsigned char c = (unsigned char)*s;
			bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			             (c >= '0' && c <= '9') || strchr("._/+", c) ||
			             (c == '-' && s[1] != '-' && s[1] != '>');
			if (plain)
				pf_buf_append(&b, s, 1);
			else
				pf_buf_printf(&b, "%%%02X", c);
		}
	}
	pf_buf_puts(&b, " -->");
	size_t n = b.failed ? 0 : b.len;
	if (cap)
		snprintf(out, cap, "%s", b.data && !b.failed ? b.data : "");
	pf_buf_free(&b);
	return n;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Text outside code spans: markdown punctuation escaped, line breaks
 * flattened, at most max bytes of s (cut on a UTF-8 boundary, "…"). */
static void put_text(struct pf_buf *b, const char *s, size_t max)
{
	size_t n = 0;
	for (; *s; s++, n++) {
		if (n >= max && ((unsigned char)*s & 0xC0) != 0x80) {
			pf_buf_puts(b, "…");
			return;
		}
		char c = *s;
		if (c == '\n' || c == '\r' || c == '\t')
			pf_buf_puts(b, " ");
		else if (strchr("\\`*_[]<|~", c))
			pf_buf_printf(b, "\\%c", c);
		else if (c == '&')
			pf_buf_puts(b, "&amp;");
		else
			pf_buf_append(b, &c, 1);
	}
}

/* A name as a code span: backticks become ', | is escaped (tables), line
 * breaks flattened, long names cut. */
static void put_code(struct pf_buf *b, const char *s)
{
	size_t n = 0;
	pf_buf_puts(b, "`");
	for (; *s; s++, n++) {
		if (n >= NAME_MAX_CHARS && ((unsigned char)*s & 0xC0) != 0x80) {
			pf_buf_puts(b, "…");
			break;
		}
		char c = *s;
		if (c == '`')
			c = '\'';
		else if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c == '|')
			pf_buf_puts(b, "\\|");
		else
			pf_buf_append(b, &c, 1);
	}
	pf_buf_puts(b, "`");
}

/* A known identifier (gate id, mode, status): only | and line breaks
 * could hurt a table row. */
static void put_word(struct pf_buf *b, const char *s)
{
	for (; *s; s++)
		if (*s != '|' && *s != '\n' && *s != '\r')
			pf_buf_append(b, s, 1);
}

static void put_num(struct pf_buf *b, const json_t *v, const char *fmt)
{
	if (json_is_number(v))
		pf_buf_printf(b, fmt, json_number_value(v));
	else
		pf_buf_puts(b, "–");
}

static const char *status_icon(const char *st)
{
	return strcmp(st, "fail") == 0   ? "❌ "
	       : strcmp(st, "warn") == 0 ? "⚠️ "
	       : strcmp(st, "pass") == 0 ? "✅ "
	                                 : "";
}

static void worst_offender(struct pf_buf *b, const json_t *g)
{
	const json_t *v = json_array_get(json_object_get(g, "violations"), 0);
	const char *reason = jstr(g, "reason");
	if (!v) {
		if (*reason) {
			pf_buf_puts(b, "*");
			put_text(b, reason, 300);
			pf_buf_puts(b, "*");
		} else {
			pf_buf_puts(b, "–");
		}
		return;
	}
	if (json_object_get(v, "function")) {
		put_code(b, jstr(v, "function"));
		put_num(b, json_object_get(v, "base"), " %.1f%% → ");
		put_num(b, json_object_get(v, "cand"), "%.1f%%");
		put_num(b, json_object_get(v, "delta"), " (%+.1f pts)");
	} else if (json_object_get(v, "benchmark")) {
		put_code(b, jstr(v, "benchmark"));
		put_num(b, json_object_get(v, "delta_pct"), " %+.1f%%");
		if (json_is_true(json_object_get(v, "insufficient_samples")))
			pf_buf_puts(b, " (too few runs)");
		else
			put_num(b, json_object_get(v, "p_value"), " (p=%.2g)");
	} else {
		put_num(b, json_object_get(v, "rating"), "%.1f/10");
	}
	size_t n = json_array_size(json_object_get(g, "violations"));
	if (n > 1)
		pf_buf_printf(b, " (+%zu more)", n - 1);
}

static void gate_table(struct pf_buf *b, const json_t *r)
{
	size_t i;
	json_t *g;
	pf_buf_puts(b, "| gate | mode | status | threshold | worst offender |\n"
	               "| --- | --- | --- | --- | --- |\n");
	json_array_foreach(json_object_get(r, "gates"), i, g)
	{
		pf_buf_puts(b, "| ");
		put_word(b, jstr(g, "id"));
		pf_buf_puts(b, " | ");
		put_word(b, jstr(g, "mode"));
		pf_buf_printf(b, " | %s", status_icon(jstr(g, "status")));
		put_word(b, jstr(g, "status"));
		pf_buf_puts(b, " | ");
		put_num(b, json_object_get(g, "threshold"), "%g");
		pf_buf_puts(b, " | ");
		worst_offender(b, g);
		pf_buf_puts(b, " |\n");
	}
}

/* A bullet list of strings (the analyzer's `name: A% -> B% (...)` form:
 * the name goes into a code span), at most limit items. */
static void string_list(struct pf_buf *b, const json_t *r, const char *key, const char *title,
                        size_t limit, bool names)
{
	const json_t *a = json_object_get(r, key);
	size_t n = json_array_size(a);
	if (!n)
		return;
	pf_buf_printf(b, "\n**%s** (%zu)\n\n", title, n);
	for (size_t i = 0; i < n && i < limit; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		const char *sep = s && names ? strstr(s, ": ") : NULL;
		pf_buf_puts(b, "- ");
		if (sep) {
			char *name = strndup(s, (size_t)(sep - s));
			put_code(b, name ? name : "");
			free(name);
			put_text(b, sep, 300);
		} else {
			put_text(b, s ? s : "", 600);
		}
		pf_buf_puts(b, "\n");
	}
	if (n > limit)
		pf_buf_printf(b, "- … and %zu more\n", n - limit);
}

static void bench_table(struct pf_buf *b, const json_t *r, size_t limit)
{
	const json_t *a = json_object_get(r, "bench");
	size_t i, shown = 0, listed = 0;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		listed += json_is_string(json_object_get(v, "change"));
	}
	if (!json_array_size(a))
		return;
	pf_buf_printf(b,
	              "\n#### Benchmarks\n\n%zu compared, %zu changed (significant and at least "
	              "the report minimum)\n",
	              json_array_size(a), listed);
	if (!listed)
		return;
	pf_buf_puts(b, "\n| benchmark | unit | base | cand | delta | p | n |\n"
	               "| --- | --- | --- | --- | --- | --- | --- |\n");
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(json_object_get(v, "change")))
			continue;
		if (shown++ >= limit)
			continue;
		const json_t *n = json_object_get(v, "n");
		pf_buf_puts(b, "| ");
		put_code(b, jstr(v, "name"));
		pf_buf_puts(b, " | ");
		put_text(b, jstr(v, "unit"), 40);
		put_num(b, json_object_get(v, "base"), " | %.4g");
		put_num(b, json_object_get(v, "cand"), " | %.4g");
		put_num(b, json_object_get(v, "delta_pct"), " | %+.2f%%");
		put_num(b, json_object_get(v, "p_value"), " | %.3g");
		pf_buf_printf(b, " | %lld/%lld",
		              (long long)json_integer_value(json_array_get(n, 0)),
		              (long long)json_integer_value(json_array_get(n, 1)));
		if (json_is_true(json_object_get(v, "insufficient_samples")))
			pf_buf_puts(b, " (too few)");
		pf_buf_puts(b, " |\n");
	}
	if (shown > limit)
		pf_buf_printf(b, "\n… and %zu more\n", shown - limit);
}

static void rating_line(struct pf_buf *b, const json_t *r)
{
	const json_t *rt = json_object_get(r, "rating");
	if (!json_is_number(json_object_get(rt, "overall")))
		return;
	put_num(b, json_object_get(rt, "overall"), "\n**Rating %.1f/10**");
	static const char *const dims[] = {"cpu", "memory", "bench"};
	const char *sep = " (";
	for (int i = 0; i < 3; i++) {
		const json_t *v = json_object_get(rt, dims[i]);
		if (!json_is_number(v))
			continue;
		pf_buf_printf(b, "%s%s %.1f", sep, dims[i], json_number_value(v));
		sep = ", ";
	}
	pf_buf_puts(b, *sep == ',' ? ")" : "");
	const json_t *an = json_object_get(
	        json_object_get(json_object_get(r, "analyzer"), "rating"), "overall");
	if (json_is_number(an))
		pf_buf_printf(b, "; analyzer %.1f/10", json_number_value(an));
	pf_buf_puts(b, "\n");
}

static void baseline_and_links(struct pf_buf *b, const json_t *r)
{
	const json_t *bl = json_object_get(r, "baseline");
	pf_buf_puts(b, "\n#### Baseline\n\n");
	if (!json_is_object(bl)) {
		pf_buf_puts(b, "No baseline yet: nothing was compared.\n");
	} else {
		size_t i, n = json_array_size(json_object_get(bl, "runs"));
		json_t *v;
		pf_buf_puts(b, "Compared with ");
		if (*jstr(bl, "branch"))
			put_code(b, jstr(bl, "branch"));
		else
			pf_buf_puts(b, "the given baseline");
		if (n)
			pf_buf_printf(b, ", run%s ", n == 1 ? "" : "s");
		json_array_foreach(json_object_get(bl, "runs"), i, v)
		{
			if (i == 10) {
				pf_buf_printf(b, " and %zu more", n - 10);
				break;
			}
			pf_buf_printf(b, "%s%lld", i ? ", " : "", (long long)json_integer_value(v));
		}
		pf_buf_puts(b, ".\n");
	}
	const json_t *l = json_object_get(r, "links");
	if (*jstr(l, "self")) {
		pf_buf_puts(b, "\n[Full report](");
		put_text(b, jstr(l, "self"), 1000);
		pf_buf_puts(b, ")");
		if (*jstr(l, "junit")) {
			pf_buf_puts(b, " · [JUnit](");
			put_text(b, jstr(l, "junit"), 1000);
			pf_buf_puts(b, ")");
		}
		pf_buf_puts(b, "\n");
	}
}

static void render(struct pf_buf *b, const json_t *r, size_t limit)
{
	char marker[1200];
	const char *verdict = jstr(r, "verdict");
	pf_report_marker(json_string_value(json_object_get(r, "project")),
	                 json_string_value(json_object_get(r, "branch")), marker, sizeof marker);
	pf_buf_printf(b, "%s\n### perfgate: %s**", marker, status_icon(verdict));
	put_word(b, *verdict ? verdict : "unknown");
	pf_buf_puts(b, "**");
	if (*jstr(r, "branch")) {
		pf_buf_puts(b, " on ");
		put_code(b, jstr(r, "branch"));
	}
	if (*jstr(r, "commit")) {
		pf_buf_puts(b, " at ");
		put_code(b, jstr(r, "commit"));
	}
	pf_buf_puts(b, "\n\n");
	put_text(b, jstr(r, "summary"), 2000);
	pf_buf_puts(b, "\n\n");
	gate_table(b, r);
	string_list(b, r, "reasons", "Why", limit, false);
	rating_line(b, r);
	pf_buf_puts(b, "\n#### Top changes\n");
	size_t before = b->len;
	string_list(b, r, "cpu_regressions", "CPU regressions", limit, true);
	string_list(b, r, "new_hotspots", "New hotspots", limit, true);
	string_list(b, r, "alloc_regressions", "Allocation regressions", limit, true);
	string_list(b, r, "cpu_improvements", "CPU improvements", limit, true);
	string_list(b, r, "alloc_improvements", "Allocation improvements", limit, true);
	if (b->len == before)
		pf_buf_puts(b, "\nNo function moved by at least the report minimum.\n");
	bench_table(b, r, limit);
	baseline_and_links(b, r);
	string_list(b, r, "notes", "Notes", limit, false);
}

char *pf_report_markdown(const json_t *report, size_t max_len)
{
	static const size_t limits[] = {20, 10, 5, 2, 0};
	struct pf_buf b;
	pf_buf_init(&b, 0);
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		pf_buf_reset(&b);
		render(&b, report, limits[i]);
		if (b.failed)
			break;
		if (max_len == 0 || b.len <= max_len)
			return pf_buf_steal(&b, NULL);
	}
	if (b.failed) {
		pf_buf_free(&b);
		return NULL;
	}
	/* Still too long (huge reasons or notes): cut on a line boundary. */
	static const char tail[] = "\n… (truncated)\n";
	size_t keep = max_len > sizeof tail ? max_len - (sizeof tail - 1) : 0;
	while (keep && b.data[keep - 1] != '\n')
		keep--;
	b.len = keep;
	if (keep + sizeof tail - 1 <= max_len)
		pf_buf_puts(&b, tail);
	b.data[b.len] = '\0';
	return pf_buf_steal(&b, NULL);
}
