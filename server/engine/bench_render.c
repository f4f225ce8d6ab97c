/* bench_render.c: a comparison rendered as benchstat's text table (the
 * layout of cmd/benchstat/internal/benchtab and texttab, reproduced cell by
 * cell so the output is byte-equal) or as the JSON array the API serves.
 * Pure: appends to the caller's buffer or returns a new json_t. */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* ---- texttab: fixed-width layout with margins, spans and alignment ---- */

enum align { LEFT, CENTER, RIGHT };

struct cell {
	int row, col, span;
	const char *value, *margin;
	enum align align;
};

struct tab {
	struct pf_arena *a;
	struct cell *cells;
	size_t n, cap;
	int cols, cur_row, cur_col;
	bool shrink[64];
	bool failed;
};

static int runes(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

static void tt_row(struct tab *t)
{
	if (t->n > 0)
		t->cur_row++;
	t->cur_col = 0;
}

static void tt_col(struct tab *t, int col)
{
	if (col >= t->cur_col)
		t->cur_col = col;
}

/* margin NULL: benchstat's default, " " except in column 0 or when empty. */
static void tt_span(struct tab *t, int span, const char *value, enum align al, const char *margin)
{
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct cell *c =
		        pf_arena_realloc(t->a, t->cells, t->n * sizeof *c, ncap * sizeof *c);
		if (!c) {
			t->failed = true;
			return;
		}
		t->cells = c;
		t->cap = ncap;
	}
	if (!value) {
		t->failed = true;
		return;
	}
	if (!margin)
		margin = t->cur_col == 0 || !*value ? "" : " ";
	t->cells[t->n++] = (struct cell){t->cur_row, t->cur_col, span, value, margin, al};
	t->cur_col += span;
	if (t->cur_col > t->cols)
		t->cols = t->cur_col;
}

static void tt_cell(struct tab *t, const char *value, enum align al, const char *margin)
{
	tt_span(t, 1, value, al, margin);
}

static void tt_shrink(struct tab *t, int col)
{
	if (col >= 0 && col < 64)
		t->shrink[col] = true;
}

static void spaces(struct pf_buf *b, int n)
{
	if (n < 0)
		n = -n; /* Go's %*s with a negative width pads as well */
	for (int i = 0; i < n; i++)
		pf_buf_append(b, " ", 1);
}

/* texttab.Table.Format */
static void tt_format(struct tab *t, struct pf_buf *out)
{
	int cols = t->cols, maxspan = 1;
	int *lm = pf_arena_calloc(t->a, (size_t)cols + 1, sizeof *lm);
	int *ws = pf_arena_calloc(t->a, (size_t)cols + 1, sizeof *ws);
	int *offs = pf_arena_calloc(t->a, (size_t)cols + 2, sizeof *offs);
	int *sc = pf_arena_calloc(t->a, (size_t)cols + 1, sizeof *sc);
	if (!lm || !ws || !offs || !sc) {
		t->failed = true;
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		int m = runes(t->cells[i].margin);
		if (m > lm[t->cells[i].col])
			lm[t->cells[i].col] = m;
		if (t->cells[i].span > maxspan)
			maxspan = t->cells[i].span;
	}
	/* widths: cells in increasing span */
	for (int span = 1; span <= maxspan; span++) {
		for (size_t i = 0; i < t->n; i++) {
			const struct cell *c = &t->cells[i];
			if (c->span != span)
				continue;
			int w = runes(c->value) + lm[c->col];
			if (span == 1) {
				if (w > ws[c->col])
					ws[c->col] = w;
				continue;
			}
			int tw = 0, nsc = 0;
			for (int col = c->col; col < c->col + span; col++)
				tw += ws[col];
			if (tw >= w)
				continue;
			for (int col = c->col; col < c->col + span; col++) {
				if (col < 64 && t->shrink[col])
					w -= ws[col];
				else
					sc[nsc++] = col;
			}
			/* widest first (insertion sort, stable) */
			for (int x = 1; x < nsc; x++)
				for (int y = x; y > 0 && ws[sc[y]] > ws[sc[y - 1]]; y--) {
					int tmp = sc[y];
					sc[y] = sc[y - 1];
					sc[y - 1] = tmp;
				}
			int left = nsc;
			for (int x = 0; x < nsc; x++) {
				int avg = (w + left - 1) / left;
				if (avg > ws[sc[x]])
					ws[sc[x]] = avg;
				w -= ws[sc[x]];
				left--;
			}
		}
	}
	int off = 0;
	for (int i = 0; i < cols; i++) {
		offs[i] = off;
		off += ws[i];
	}
	offs[cols] = off;

	int row = 0;
	off = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct cell *c = &t->cells[i];
		if (blank(c->value) && blank(c->margin))
			continue;
		while (c->row > row) {
			pf_buf_append(out, "\n", 1);
			row++;
			off = 0;
		}
		int sp = offs[c->col] - off;
		spaces(out, sp);
		spaces(out, lm[c->col] - runes(c->margin));
		pf_buf_puts(out, c->margin);
		off += sp + lm[c->col];
		int tw = offs[c->col + c->span] - offs[c->col] - lm[c->col];
		int vr = runes(c->value), pad = 0;
		if (c->align == CENTER)
			pad = (tw - vr) / 2;
		else if (c->align == RIGHT)
			pad = tw - vr > 0 ? tw - vr : 0;
		spaces(out, pad);
		pf_buf_puts(out, c->value);
		off += (pad < 0 ? -pad : pad) + vr;
	}
	if (t->n > 0)
		pf_buf_append(out, "\n", 1);
}

/* ---- benchstat's cells ---- */

/* Go's %v of a float64: the shortest string that reads back the same. */
static void go_float(char *out, size_t cap, double v)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

static int sign(double x)
{
	return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/* Summary.PctRangeString */
static const char *pct_range(struct pf_arena *a, const struct pf_bench_summary *s)
{
	if (isinf(s->ci_low) || isinf(s->ci_high))
		return "\xe2\x88\x9e"; /* ∞ */
	int cs = sign(s->median);
	if (cs != sign(s->ci_low) || cs != sign(s->ci_high))
		return "?";
	if (s->median == 0)
		return "0%";
	double v = fmax(s->ci_high / s->median - 1, 1 - s->ci_low / s->median);
	return pf_arena_printf(a, "%.0f%%", 100 * v);
}

/* Comparison.FormatDelta */
static const char *fmt_delta(struct pf_arena *a, const struct pf_bench_cmp *cmp,
                             const struct pf_bench_row *r)
{
	if (r->p_value > cmp->opts.alpha)
		return "~";
	if (r->base.median == r->cand.median)
		return "0.00%";
	if (r->base.median == 0)
		return "?";
	return pf_arena_printf(a, "%+.2f%%", (r->cand.median / r->base.median - 1.0) * 100.0);
}

/* "(p=0.PPP n=N)" */
static const char *fmt_pn(struct pf_arena *a, const struct pf_bench_row *r)
{
	char p[32] = "";
	if (r->p_value != 0)
		snprintf(p, sizeof p, "p=%0.3f ", r->p_value);
	if (r->base.n == r->cand.n)
		return pf_arena_printf(a, "(%sn=%zu)", p, r->base.n);
	return pf_arena_printf(a, "(%sn=%zu+%zu)", p, r->base.n, r->cand.n);
}

struct notes {
	const char *msg[8];
	int n;
};

static const char *const superdigits[] = {
        "\xe2\x81\xb0", "\xc2\xb9",     "\xc2\xb2",     "\xc2\xb3",     "\xe2\x81\xb4",
        "\xe2\x81\xb5", "\xe2\x81\xb6", "\xe2\x81\xb7", "\xe2\x81\xb8", "\xe2\x81\xb9"};

/* The footnote marks of msgs (numbered per table in first-seen order). */
static const char *marks(struct pf_arena *a, struct notes *nt, const char *const *msgs, int nmsgs)
{
	char buf[128] = "";
	size_t o = 0;
	for (int i = 0; i < nmsgs; i++) {
		int k = 0;
		while (k < nt->n && strcmp(nt->msg[k], msgs[i]) != 0)
			k++;
		if (k == nt->n && nt->n < 8)
			nt->msg[nt->n++] = msgs[i];
		if (i > 0)
			o += (size_t)snprintf(buf + o, sizeof buf - o, " ");
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", superdigits[(k + 1) % 10]);
	}
	return pf_arena_strdup(a, buf);
}

struct msgs {
	const char *ci, *all_equal, *need;
};

static int start_col(int exp)
{
	return exp == 0 ? 1 : 1 + 3 + (exp - 1) * 6;
}

static const char *row_cell_center(struct pf_arena *a, const struct pf_bench_scaler *sc, double v)
{
	char buf[64];
	pf_bench_scale_format(sc, v, buf, sizeof buf);
	return pf_arena_strdup(a, buf);
}

static void table_text(struct tab *o, const struct pf_bench_cmp *cmp,
                       const struct pf_bench_table *t, const struct msgs *m, struct notes *nt)
{
	struct pf_arena *a = o->a;
	/* side[i]: what column i shows (0 base, 1 cand); the first column
	 * is the table's baseline */
	int side[2], ncols = 0;
	if (t->base_col)
		side[ncols++] = 0;
	if (t->cand_col)
		side[ncols++] = 1;
	int redge = start_col(ncols + 1);
	const char *labels[2] = {cmp->opts.base_label, cmp->opts.cand_label};
	bool binary = pf_bench_unit_binary(t->unit);

	tt_row(o);
	for (int i = 0; i < ncols; i++) {
		tt_col(o, start_col(i));
		tt_span(o, start_col(i + 1) - start_col(i), labels[side[i]], CENTER,
		        " \xe2\x94\x82 ");
	}
	tt_col(o, redge);
	tt_cell(o, "", LEFT, " \xe2\x94\x82");
	tt_row(o);
	for (int i = 0; i < ncols; i++) {
		int l = start_col(i);
		tt_col(o, l);
		tt_span(o, 3, t->unit, CENTER, " \xe2\x94\x82 ");
		if (i > 0)
			tt_span(o, 3, "vs base", LEFT, "  ");
		for (int j = l + 1; j < o->cur_col; j++)
			tt_shrink(o, j);
	}
	tt_col(o, redge);
	tt_cell(o, "", LEFT, " \xe2\x94\x82");

	for (size_t i = 0; i < t->nrows; i++) {
		const struct pf_bench_row *r = &cmp->rows[t->first_row + i];
		double centers[2];
		int nc = 0;
		if (r->has_base)
			centers[nc++] = r->base.median;
		if (r->has_cand && cmp->has_cand)
			centers[nc++] = r->cand.median;
		struct pf_bench_scaler sc = pf_bench_common_scale(centers, (size_t)nc, binary);
		tt_row(o);
		tt_cell(o, r->name, LEFT, NULL);
		for (int exp = 0; exp < ncols; exp++) {
			const struct pf_bench_summary *s = side[exp] == 0 ? &r->base : &r->cand;
			if (side[exp] == 0 ? !r->has_base : !r->has_cand)
				continue;
			unsigned ciw = side[exp] == 0 ? PF_BENCH_W_BASE_CI : PF_BENCH_W_CAND_CI;
			const char *w[2];
			int nw = 0;
			tt_col(o, start_col(exp));
			tt_cell(o, row_cell_center(a, &sc, s->median), RIGHT, NULL);
			tt_cell(o, pct_range(a, s), RIGHT, " \xc2\xb1 ");
			if (r->warnings & ciw)
				w[nw++] = m->ci;
			tt_cell(o, marks(a, nt, w, nw), LEFT, NULL);
			if (exp > 0 && r->has_base) {
				tt_cell(o, fmt_delta(a, cmp, r), RIGHT, NULL);
				tt_cell(o, fmt_pn(a, r), LEFT, NULL);
				nw = 0;
				if (r->warnings & PF_BENCH_W_ALL_EQUAL)
					w[nw++] = m->all_equal;
				if (r->warnings & PF_BENCH_W_NEED_SAMPLES)
					w[nw++] = m->need;
				tt_cell(o, marks(a, nt, w, nw), LEFT, NULL);
			}
		}
	}

	if (t->nrows > 1) {
		tt_row(o);
		tt_cell(o, "geomean", LEFT, NULL);
		for (int exp = 0; exp < ncols; exp++) {
			bool has = side[exp] == 0 ? t->has_base_gm : t->has_cand_gm;
			double gm = side[exp] == 0 ? t->base_gm : t->cand_gm;
			const char *w[3];
			int nw = 0;
			if (has) {
				struct pf_bench_scaler sc = pf_bench_common_scale(&gm, 1, binary);
				tt_col(o, start_col(exp));
				tt_cell(o, row_cell_center(a, &sc, gm), RIGHT, NULL);
			}
			if (exp > 0) {
				tt_col(o, start_col(exp) + 3);
				if (t->has_ratio)
					tt_cell(o,
					        pf_arena_printf(a, "%+.2f%%", (t->ratio - 1) * 100),
					        RIGHT, NULL);
				else
					tt_cell(o, "?", LEFT, NULL);
				if (t->set_differs)
					w[nw++] = "benchmark set differs from baseline; geomeans "
					          "may not be comparable";
				if (t->cand_gm_warn)
					w[nw++] = "summaries must be >0 to compute geomean";
				if (t->ratio_warn)
					w[nw++] = "ratios must be >0 to compute geomean";
			} else if (side[0] == 0 ? t->base_gm_warn : t->cand_gm_warn) {
				w[nw++] = "summaries must be >0 to compute geomean";
			}
			tt_col(o, start_col(exp + 1) - 1);
			tt_cell(o, marks(a, nt, w, nw), LEFT, NULL);
		}
	}
}

enum pf_code pf_bench_render_text(const struct pf_bench_cmp *cmp, struct pf_buf *out)
{
	struct pf_arena a;
	char conf[32], alpha[32];
	struct msgs m;
	enum pf_code rc = PF_OK;

	pf_arena_init(&a, 0);
	go_float(conf, sizeof conf, cmp->opts.confidence);
	go_float(alpha, sizeof alpha, cmp->opts.alpha);
	int ci_n = pf_stats_median_ci_min_n(cmp->opts.confidence);
	int u_n = pf_stats_utest_min_n(cmp->opts.alpha);
	m.ci = ci_n ? pf_arena_printf(&a, "need >= %d samples for confidence interval at level %s",
	                              ci_n, conf)
	            : pf_arena_printf(&a, "need > 50 samples for confidence interval at level %s",
	                              conf);
	m.all_equal = "all samples are equal";
	m.need = u_n < 10 ? pf_arena_printf(&a,
	                                    "need >= %d samples to detect a difference at alpha "
	                                    "level %s",
	                                    u_n, alpha)
	                  : pf_arena_printf(&a,
	                                    "need > 10 samples to detect a difference at alpha "
	                                    "level %s",
	                                    alpha);
	for (size_t i = 0; i < cmp->ntables; i++) {
		const struct pf_bench_table *t = &cmp->tables[i];
		const struct pf_bench_config *c = &cmp->configs[t->config];
		const struct pf_bench_config *prev =
		        i > 0 ? &cmp->configs[cmp->tables[i - 1].config] : NULL;
		if (i > 0)
			pf_buf_puts(out, "\n");
		for (size_t k = 0; k < c->n; k++)
			if (!prev || strcmp(prev->values[k], c->values[k]) != 0)
				pf_buf_printf(out, "%s: %s\n", c->keys[k], c->values[k]);
		struct tab o = {.a = &a};
		struct notes nt = {.n = 0};
		table_text(&o, cmp, t, &m, &nt);
		if (o.failed || !m.ci || !m.need) {
			rc = PF_E_NOMEM;
			break;
		}
		tt_format(&o, out);
		for (int k = 0; k < nt.n; k++)
			pf_buf_printf(out, "%s %s\n", superdigits[(k + 1) % 10], nt.msg[k]);
	}
	pf_arena_free(&a);
	if (rc == PF_OK)
		rc = pf_buf_status(out);
	return rc;
}

/* ---- JSON ---- */

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *side(const struct pf_bench_summary *s, bool has)
{
	if (!has)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:I}", "median", num(s->median), "ci_low", num(s->ci_low),
	                 "ci_high", num(s->ci_high), "n", (json_int_t)s->n);
}

json_t *pf_bench_render_json(const struct pf_bench_cmp *cmp)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	for (size_t i = 0; i < cmp->nrows; i++) {
		const struct pf_bench_row *r = &cmp->rows[i];
		bool both = r->has_base && r->has_cand;
		json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "name", r->name,
		                      "unit", r->unit, "base", side(&r->base, r->has_base), "cand",
		                      side(&r->cand, r->has_cand), "delta_pct",
		                      both ? num(r->delta_pct) : json_null(), "p_value",
		                      both ? num(r->p_value) : json_null(), "significant",
		                      json_boolean(both && r->significant), "insufficient_samples",
		                      json_boolean(both && r->insufficient_samples));
		if (!o || json_array_append_new(arr, o)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
