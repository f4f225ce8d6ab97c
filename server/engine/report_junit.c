/* report_junit.c: the JUnit XML of a report (DESIGN §4), so CI test-report
 * views show the gates: one <testsuite>, one <testcase> per gate. A
 * failed gate has a <failure>; a warning (soft gate) passes with the
 * reason in <system-out> (CI views then show it green with a message,
 * not as a skip); a skipped or off gate has <skipped message=…>.
 * Everything is escaped; bytes XML 1.0 forbids become '?'. Pure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate.h"

/* Length of the valid UTF-8 sequence at s (1-4) that XML 1.0 allows, or
 * 0 for an invalid byte, a forbidden control character or U+FFFE/U+FFFF. */
static size_t xml_char(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
	size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
	if (!n || (c >= 0xF5))
		return 0;
	unsigned cp = c & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

/* s escaped for text and attribute values. */
static void put_xml(struct pf_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	while (*s) {
		size_t n = xml_char(s);
		switch (n ? *s : 0) {
		case '&':
			pf_buf_puts(b, "&amp;");
			break;
		case '<':
			pf_buf_puts(b, "&lt;");
			break;
		case '>':
			pf_buf_puts(b, "&gt;");
			break;
		case '"':
			pf_buf_puts(b, "&quot;");
			break;
		case '\'':
			pf_buf_puts(b, "&apos;");
			break;
		case '\n':
			pf_buf_puts(b, "&#10;");
			break;
		case '\r':
			pf_buf_puts(b, "&#13;");
			break;
		case '\t':
			pf_buf_puts(b, "&#9;");
			break;
		case 0: /* one '?' for the byte and its continuation bytes */
			pf_buf_puts(b, "?");
			for (n = 1; (s[n] & 0xC0) == 0x80; n++)
				;
			break;
		default:
			pf_buf_append(b, s, n);
		}
		s += n;
	}
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* One line per violation: "name base% -> cand% (+delta)" or the bench
 * and rating forms. */
static void violation_lines(struct pf_buf *b, const json_t *g)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(g, "violations"), i, v)
	{
		char num[160];
		if (json_object_get(v, "function")) {
			put_xml(b, jstr(v, "function"));
			snprintf(num, sizeof num, ": %.2f%% -> %.2f%% (%+.2f points)",
			         json_number_value(json_object_get(v, "base")),
			         json_number_value(json_object_get(v, "cand")),
			         json_number_value(json_object_get(v, "delta")));
		} else if (json_object_get(v, "benchmark")) {
			put_xml(b, jstr(v, "benchmark"));
			snprintf(num, sizeof num, ": %+.2f%% %s, p=%.3g%s",
			         json_number_value(json_object_get(v, "delta_pct")),
			         jstr(v, "unit"), json_number_value(json_object_get(v, "p_value")),
			         json_is_true(json_object_get(v, "insufficient_samples"))
			                 ? " (insufficient samples: threshold alone)"
			                 : "");
		} else {
			snprintf(num, sizeof num, "rating %.1f",
			         json_number_value(json_object_get(v, "rating")));
		}
		put_xml(b, num);
		pf_buf_puts(b, "\n");
	}
}

/* The reason sentence of a gate: reasons[] holds one per violated gate,
 * in gate order; find the one that belongs to gate index gi. */
static const char *gate_reason(const json_t *r, size_t gi)
{
	size_t k = 0, i;
	json_t *g;
	json_array_foreach(json_object_get(r, "gates"), i, g)
	{
		if (i == gi)
			break;
		k += json_array_size(json_object_get(g, "violations")) > 0 &&
		     (strcmp(jstr(g, "status"), "fail") == 0 ||
		      strcmp(jstr(g, "status"), "warn") == 0);
	}
	const char *s = json_string_value(json_array_get(json_object_get(r, "reasons"), k));
	return s ? s : "";
}

static void testcase(struct pf_buf *b, const json_t *r, const json_t *g, size_t gi, const char *cls)
{
	const char *st = jstr(g, "status"), *mode = jstr(g, "mode");
	pf_buf_puts(b, "  <testcase classname=\"");
	put_xml(b, cls);
	pf_buf_puts(b, "\" name=\"");
	put_xml(b, jstr(g, "id"));
	pf_buf_puts(b, "\" time=\"0\">\n");
	if (strcmp(st, "fail") == 0) {
		pf_buf_puts(b, "    <failure type=\"");
		put_xml(b, jstr(g, "id"));
		pf_buf_puts(b, "\" message=\"");
		put_xml(b, gate_reason(r, gi));
		pf_buf_puts(b, "\">");
		violation_lines(b, g);
		pf_buf_puts(b, "</failure>\n");
	} else if (strcmp(st, "warn") == 0) {
		pf_buf_puts(b, "    <system-out>WARNING (");
		put_xml(b, mode);
		pf_buf_puts(b, " gate, does not fail the verdict): ");
		put_xml(b, gate_reason(r, gi));
		pf_buf_puts(b, "\n");
		violation_lines(b, g);
		pf_buf_puts(b, "</system-out>\n");
	} else if (strcmp(st, "skipped") == 0 || strcmp(st, "off") == 0) {
		pf_buf_puts(b, "    <skipped message=\"");
		put_xml(b, strcmp(st, "off") == 0 ? "gate mode off" : jstr(g, "reason"));
		pf_buf_puts(b, "\"/>\n");
	}
	pf_buf_puts(b, "  </testcase>\n");
}

char *pf_report_junit(const json_t *r)
{
	struct pf_buf b, cls;
	size_t i, nf = 0, ns = 0;
	json_t *g;
	const json_t *gates = json_object_get(r, "gates");

	json_array_foreach(gates, i, g)
	{
		nf += strcmp(jstr(g, "status"), "fail") == 0;
		ns += strcmp(jstr(g, "status"), "skipped") == 0 ||
		      strcmp(jstr(g, "status"), "off") == 0;
	}
	pf_buf_init(&cls, 0);
	pf_buf_printf(&cls, "perfgate.%s", *jstr(r, "project") ? jstr(r, "project") : "gates");
	pf_buf_init(&b, 0);
	pf_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"perfgate");
	if (*jstr(r, "project")) {
		pf_buf_puts(&b, " ");
		put_xml(&b, jstr(r, "project"));
		if (*jstr(r, "branch")) {
			pf_buf_puts(&b, "/");
			put_xml(&b, jstr(r, "branch"));
		}
	}
	pf_buf_printf(&b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
	              json_array_size(gates), nf, ns);
	pf_buf_puts(&b, "  <properties>\n    <property name=\"verdict\" value=\"");
	put_xml(&b, jstr(r, "verdict"));
	pf_buf_puts(&b, "\"/>\n    <property name=\"summary\" value=\"");
	put_xml(&b, jstr(r, "summary"));
	pf_buf_puts(&b, "\"/>\n  </properties>\n");
	json_array_foreach(gates, i, g)
	{
		testcase(&b, r, g, i, cls.data);
	}
	pf_buf_puts(&b, "</testsuite>\n");
	pf_buf_free(&cls);
	if (b.failed) {
		pf_buf_free(&b);
		return NULL;
	}
	return pf_buf_steal(&b, NULL);
}
