/* pprof_convert.c: protobuf-c messages -> the arena model of pprof.h, with
 * the validity rules of spec/pprof.md §3 (string indices, ids, references,
 * value counts). Each embedded message is unpacked by protobuf-c into the
 * scratch allocator and dropped right after conversion, so memory stays
 * near the size of the model. No I/O, no logging. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pprof_int.h"
#include "profile.pb-c.h"

#define ARENA_ARRAY(d, ptr, n)                                                                     \
	do {                                                                                       \
		(ptr) = pf_arena_calloc((d)->a, (n) ? (n) : 1, sizeof *(ptr));                     \
		if (!(ptr))                                                                        \
			return pf_pp_nomem(d);                                                     \
	} while (0)

enum pf_code pf_pp_alloc(struct pf_pp_dec *d)
{
	struct pf_profile *p;
	ARENA_ARRAY(d, p, 1);
	d->p = p;
	p->decoded_bytes = d->len;
	p->narrow_locs = d->n_locations <= UINT16_MAX;
	p->time_nanos = d->time_nanos;
	p->duration_nanos = d->duration_nanos;
	p->period = d->period;
	p->default_type = "";
	p->period_type.type = p->period_type.unit = "";
	ARENA_ARRAY(d, d->strings, d->n_strings);
	ARENA_ARRAY(d, p->types, d->n_types);
	ARENA_ARRAY(d, p->comments, d->n_comments);
	ARENA_ARRAY(d, p->functions, d->n_functions);
	ARENA_ARRAY(d, p->mappings, d->n_mappings);
	ARENA_ARRAY(d, p->locations, d->n_locations);
	ARENA_ARRAY(d, p->samples, d->stream ? 0 : d->n_samples);
	if (!pf_pp_idmap_init(&d->funcs, d->n_functions) ||
	    !pf_pp_idmap_init(&d->locs, d->n_locations) ||
	    !pf_pp_idmap_init(&d->maps, d->n_mappings))
		return pf_pp_nomem(d);
	return PF_OK;
}

/* pass 2: the string table (Go writes it last, so nothing else can be
 * resolved before this pass). */
enum pf_code pf_pp_pass2(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                         const uint8_t *body, size_t at)
{
	(void)wt;
	(void)at;
	if (f != 6)
		return PF_OK;
	char *s = pf_arena_strndup(d->a, (const char *)body, (size_t)v);
	if (!s)
		return pf_pp_nomem(d);
	d->strings[d->i_strings++] = s;
	return PF_OK;
}

enum pf_code pf_pp_strings_done(struct pf_pp_dec *d)
{
	if (d->n_strings == 0)
		return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                  "no string_table (entry 0 must be the empty string)");
	if (d->strings[0][0] != '\0')
		return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                  "string_table[0] must be the empty string, is \"%.40s\"",
		                  d->strings[0]);
	if (d->default_type < 0 || (uint64_t)d->default_type >= d->n_strings)
		return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                  "default_sample_type: string index %" PRId64
		                  " out of range (string_table has %zu entries)",
		                  d->default_type, d->n_strings);
	d->p->default_type = d->strings[d->default_type];
	return PF_OK;
}

static enum pf_code value_type(struct pf_pp_dec *d, const uint8_t *body, size_t n,
                               struct pf_pprof_vtype *out, const char *what, size_t idx)
{
	Perftools__Profiles__ValueType *m =
	        perftools__profiles__value_type__unpack(&d->pa, n, body);
	if (!m)
		return pf_pp_bad_msg(d, PF_PB_VALUETYPE, what, idx, body, n);
	enum pf_code rc = pf_pp_str_at(d, m->type, &out->type, what, idx, 0);
	if (rc == PF_OK)
		rc = pf_pp_str_at(d, m->unit, &out->unit, what, idx, 0);
	pf_pp_scratch_reset(&d->scratch);
	return rc;
}

static enum pf_code function(struct pf_pp_dec *d, const uint8_t *body, size_t n)
{
	size_t i = d->i_functions++;
	Perftools__Profiles__Function *m = perftools__profiles__function__unpack(&d->pa, n, body);
	if (!m)
		return pf_pp_bad_msg(d, PF_PB_FUNCTION, "function", i, body, n);
	struct pf_pprof_function *fn = &d->p->functions[i];
	bool oom = false;
	fn->id = m->id;
	fn->start_line = m->start_line;
	enum pf_code rc = PF_OK;
	if (m->id == 0)
		rc = pf_err_set(d->err, PF_E_BAD_PROFILE, NULL, "function #%zu has id 0", i);
	else if (!pf_pp_idmap_put(&d->funcs, m->id, (uint32_t)i, &oom))
		rc = oom ? pf_pp_nomem(d)
		         : pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                      "function #%zu: duplicate function id %" PRIu64, i, m->id);
	if (rc == PF_OK)
		rc = pf_pp_str_at(d, m->name, &fn->name, "function", i, m->id);
	if (rc == PF_OK)
		rc = pf_pp_str_at(d, m->system_name, &fn->system_name, "function", i, m->id);
	if (rc == PF_OK)
		rc = pf_pp_str_at(d, m->filename, &fn->filename, "function", i, m->id);
	pf_pp_scratch_reset(&d->scratch);
	return rc;
}

static enum pf_code mapping(struct pf_pp_dec *d, const uint8_t *body, size_t n)
{
	size_t i = d->i_mappings++;
	Perftools__Profiles__Mapping *m = perftools__profiles__mapping__unpack(&d->pa, n, body);
	if (!m)
		return pf_pp_bad_msg(d, PF_PB_MAPPING, "mapping", i, body, n);
	struct pf_pprof_mapping *mp = &d->p->mappings[i];
	bool oom = false;
	mp->id = m->id;
	mp->memory_start = m->memory_start;
	mp->memory_limit = m->memory_limit;
	mp->file_offset = m->file_offset;
	enum pf_code rc = PF_OK;
	if (m->id == 0)
		rc = pf_err_set(d->err, PF_E_BAD_PROFILE, NULL, "mapping #%zu has id 0", i);
	else if (!pf_pp_idmap_put(&d->maps, m->id, (uint32_t)i, &oom))
		rc = oom ? pf_pp_nomem(d)
		         : pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                      "mapping #%zu: duplicate mapping id %" PRIu64, i, m->id);
	if (rc == PF_OK)
		rc = pf_pp_str_at(d, m->filename, &mp->filename, "mapping", i, m->id);
	if (rc == PF_OK)
		rc = pf_pp_str_at(d, m->build_id, &mp->build_id, "mapping", i, m->id);
	pf_pp_scratch_reset(&d->scratch);
	return rc;
}

/* pass 2b: everything that only needs strings. */
enum pf_code pf_pp_pass2b(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                          const uint8_t *body, size_t at)
{
	(void)at;
	switch (f) {
	case 1: {
		size_t i = d->i_types++;
		return value_type(d, body, (size_t)v, &d->p->types[i], "sample_type", i);
	}
	case 11:
		return value_type(d, body, (size_t)v, &d->p->period_type, "period_type", 0);
	case 13: {
		const uint8_t *q = body, *qe = wt == 2 ? body + v : body;
		uint64_t x = v;
		do {
			if (wt == 2 && pf_pb_varint(&q, qe, &x))
				break; /* checked in pass 1 */
			if ((int64_t)x < 0 || x >= d->n_strings)
				return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
				                  "comment #%zu: string index %" PRId64
				                  " out of range (string_table has %zu entries)",
				                  d->i_comments, (int64_t)x, d->n_strings);
			d->p->comments[d->i_comments++] = d->strings[x];
		} while (q < qe);
		return PF_OK;
	}
	case 5:
		return pf_pp_function_fast(d, body, (size_t)v) ? PF_OK
		                                               : function(d, body, (size_t)v);
	case 3:
		return mapping(d, body, (size_t)v);
	}
	return PF_OK;
}

static enum pf_code location(struct pf_pp_dec *d, const uint8_t *body, size_t n)
{
	size_t i = d->i_locations++;
	Perftools__Profiles__Location *m = perftools__profiles__location__unpack(&d->pa, n, body);
	if (!m)
		return pf_pp_bad_msg(d, PF_PB_LOCATION, "location", i, body, n);
	struct pf_pprof_location *l = &d->p->locations[i];
	enum pf_code rc = PF_OK;
	l->id = m->id;
	l->address = m->address;
	l->mapping = PF_PPROF_NO_MAPPING;
	if (m->mapping_id)
		(void)pf_pp_idmap_get(&d->maps, m->mapping_id, &l->mapping); /* dangling: none */
	if (m->id == 0) {
		rc = pf_err_set(d->err, PF_E_BAD_PROFILE, NULL, "location #%zu has id 0", i);
		goto out;
	}
	bool oom = false;
	if (!pf_pp_idmap_put(&d->locs, m->id, (uint32_t)i, &oom)) {
		rc = oom ? pf_pp_nomem(d)
		         : pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                      "location #%zu: duplicate location id %" PRIu64, i, m->id);
		goto out;
	}
	if (m->n_line > UINT32_MAX) {
		rc = pf_err_set(d->err, PF_E_LIMIT, NULL, "location #%zu: too many lines", i);
		goto out;
	}
	l->n_lines = (uint32_t)m->n_line;
	l->lines = pf_arena_alloc(d->a, (m->n_line ? m->n_line : 1) * sizeof *l->lines);
	if (!l->lines) {
		rc = pf_pp_nomem(d);
		goto out;
	}
	for (size_t j = 0; j < m->n_line; j++) {
		uint64_t fid = m->line[j]->function_id;
		if (!pf_pp_idmap_get(&d->funcs, fid, &l->lines[j].func)) {
			rc = pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
			                "location #%zu (id %" PRIu64 "): line #%zu references "
			                "function id %" PRIu64 ", which does not exist",
			                i, m->id, j, fid);
			goto out;
		}
		l->lines[j].line = m->line[j]->line;
	}
out:
	pf_pp_scratch_reset(&d->scratch);
	return rc;
}

enum pf_code pf_pp_pass3(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                         const uint8_t *body, size_t at)
{
	(void)wt;
	(void)at;
	if (f != 4 || pf_pp_location_fast(d, body, (size_t)v))
		return PF_OK;
	return location(d, body, (size_t)v);
}

static enum pf_code labels(struct pf_pp_dec *d, size_t i, Perftools__Profiles__Sample *m,
                           struct pf_pprof_sample *s)
{
	size_t kept = 0;
	struct pf_pprof_label *out = pf_arena_alloc(d->a, m->n_label * sizeof *out);
	if (!out)
		return pf_pp_nomem(d);
	s->labels = out;
	for (size_t j = 0; j < m->n_label; j++) {
		const Perftools__Profiles__Label *lb = m->label[j];
		struct pf_pprof_label *o = &out[kept];
		const char *unit = "";
		PF_PP_TRY(pf_pp_str_at(d, lb->key, &o->key, "sample", i, 0));
		PF_PP_TRY(pf_pp_str_at(d, lb->num_unit, &unit, "sample", i, 0));
		o->num_unit = unit;
		o->str = NULL;
		o->num = lb->num;
		if (lb->str != 0) {
			PF_PP_TRY(pf_pp_str_at(d, lb->str, &o->str, "sample", i, 0));
		} else if (lb->num == 0 && lb->num_unit == 0) {
			continue; /* pprof drops it (spec §6) */
		}
		kept++;
	}
	s->n_labels = (uint32_t)kept;
	return PF_OK;
}

enum pf_code pf_pp_sample_into(struct pf_pp_dec *d, const uint8_t *body, size_t n,
                               struct pf_pprof_sample *s)
{
	size_t i = d->i_samples++;
	Perftools__Profiles__Sample *m = perftools__profiles__sample__unpack(&d->pa, n, body);
	if (!m)
		return pf_pp_bad_msg(d, PF_PB_SAMPLE, "sample", i, body, n);
	enum pf_code rc = PF_OK;
	size_t off = (size_t)(body - d->base);
	if (m->n_value != d->n_types) {
		rc = pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
		                "sample #%zu at byte %zu has %zu values, expected %zu (one per "
		                "sample_type)",
		                i, off, m->n_value, d->n_types);
		goto out;
	}
	if (m->n_location_id > UINT32_MAX || m->n_label > UINT32_MAX) {
		rc = pf_err_set(d->err, PF_E_LIMIT, NULL, "sample #%zu: too many locations", i);
		goto out;
	}
	s->values = pf_arena_alloc(d->a, (d->n_types ? d->n_types : 1) * sizeof *s->values);
	s->locs = pf_arena_alloc(d->a, (m->n_location_id ? m->n_location_id : 1) *
	                                       (d->p->narrow_locs ? 2 : 4));
	if (!s->values || !s->locs) {
		rc = pf_pp_nomem(d);
		goto out;
	}
	if (d->n_types)
		memcpy(s->values, m->value, d->n_types * sizeof *s->values);
	s->n_locs = (uint32_t)m->n_location_id;
	for (size_t j = 0; j < m->n_location_id; j++) {
		uint32_t li;
		if (!pf_pp_idmap_get(&d->locs, m->location_id[j], &li)) {
			rc = pf_err_set(d->err, PF_E_BAD_PROFILE, NULL,
			                "sample #%zu at byte %zu: location id %" PRIu64
			                " does not exist",
			                i, off, m->location_id[j]);
			goto out;
		}
		if (d->p->narrow_locs)
			s->locs16[j] = (uint16_t)li;
		else
			s->locs[j] = li;
	}
	if (m->n_label)
		rc = labels(d, i, m, s);
out:
	pf_pp_scratch_reset(&d->scratch);
	return rc;
}

enum pf_code pf_pp_pass4(struct pf_pp_dec *d, uint64_t f, unsigned wt, uint64_t v,
                         const uint8_t *body, size_t at)
{
	(void)wt;
	(void)at;
	if (f != 2 || pf_pp_sample_fast(d, body, (size_t)v))
		return PF_OK;
	return pf_pp_sample_into(d, body, (size_t)v, &d->p->samples[d->i_samples]);
}

enum pf_code pf_pp_finish(struct pf_pp_dec *d)
{
	struct pf_profile *p = d->p;
	p->n_types = d->n_types;
	p->n_comments = d->i_comments;
	p->n_functions = d->n_functions;
	p->n_mappings = d->n_mappings;
	p->n_locations = d->n_locations;
	p->n_samples = d->n_samples;
	if (d->n_samples > 0 && d->n_types == 0)
		return pf_err_set(d->err, PF_E_BAD_PROFILE, NULL, "%zu samples but no sample_type",
		                  d->n_samples);
	return PF_OK;
}
