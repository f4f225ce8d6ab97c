/* pprof.h: the decoded pprof profile (spec/pprof.md §2-§6) and its decoder.
 * The model is plain C: strings resolved, ids resolved to array indices,
 * everything allocated from the caller's arena. Only pprof*.c sees
 * protobuf-c types; the rest of perfgate uses this model. */
#ifndef PF_PPROF_H
#define PF_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "pf_err.h"

/* Input bounds (STYLE §9). A value of 0 means "no limit" for counts; the
 * byte limit applies to the protobuf after gunzip (or to raw input). */
struct pf_pprof_limits {
	size_t max_bytes;     /* decompressed size (PERFGATE_MAX_PROFILE_MB) */
	size_t max_samples;   /* Profile.sample messages */
	size_t max_locations; /* Profile.location messages */
	size_t max_functions; /* Profile.function messages */
	size_t max_mappings;  /* Profile.mapping messages */
	size_t max_strings;   /* Profile.string_table entries */
	/* Not a bound: pf_pprof_functab reads the samples in two threads
	 * (one more than the caller's) once they span this many bytes;
	 * 0 = always one thread. */
	size_t split_bytes;
};

/* 256 MiB, 4M samples, 2M locations, 1M functions, 64Ki mappings, 4M
 * strings; two threads for 2 MiB of samples or more. */
struct pf_pprof_limits pf_pprof_limits_default(void);

struct pf_pprof_vtype {
	const char *type; /* "cpu", "alloc_space", ... ("" when unset) */
	const char *unit; /* "nanoseconds", "bytes", "count", ... */
};

/* A sample label (§6): string when str != NULL, else numeric. Labels with
 * neither a string nor a non-zero num/num_unit are dropped, as pprof does. */
struct pf_pprof_label {
	const char *key;
	const char *str; /* NULL for a numeric label */
	int64_t num;
	const char *num_unit; /* "" when unset */
};

struct pf_pprof_sample {
	/* location indices, leaf first (location_id order): 16-bit when the
	 * profile has at most 65535 locations (pf_profile.narrow_locs), else
	 * 32-bit. Read them with pf_pprof_sample_loc. */
	union {
		uint32_t *locs;
		uint16_t *locs16;
	};
	int64_t *values; /* n_types values, one per sample_type */
	/* shared by the samples that carry the same label bytes */
	const struct pf_pprof_label *labels;
	uint32_t n_locs;
	uint32_t n_labels;
};

struct pf_pprof_line {
	uint32_t func; /* index into functions[] */
	int64_t line;  /* source line, 0 = unknown */
};

#define PF_PPROF_NO_MAPPING UINT32_MAX

struct pf_pprof_location {
	uint64_t id;
	uint64_t address;
	uint32_t mapping; /* index into mappings[] or PF_PPROF_NO_MAPPING */
	uint32_t n_lines;
	struct pf_pprof_line *lines; /* line[0] innermost (inlined callee) */
};

struct pf_pprof_function {
	uint64_t id;
	const char *name;
	const char *system_name;
	const char *filename;
	int64_t start_line;
};

struct pf_pprof_mapping {
	uint64_t id;
	uint64_t memory_start, memory_limit, file_offset;
	const char *filename;
	const char *build_id;
};

struct pf_profile {
	size_t n_types;
	struct pf_pprof_vtype *types;
	const char *default_type; /* default_sample_type's name, "" if unset */
	struct pf_pprof_vtype period_type;
	int64_t period;
	int64_t time_nanos;
	int64_t duration_nanos;
	size_t n_comments;
	const char **comments;

	size_t n_samples;
	struct pf_pprof_sample *samples;
	size_t n_locations;
	struct pf_pprof_location *locations;
	size_t n_functions;
	struct pf_pprof_function *functions;
	size_t n_mappings;
	struct pf_pprof_mapping *mappings;

	size_t decoded_bytes; /* protobuf size after gunzip */
	bool narrow_locs;     /* samples hold 16-bit location indices */
};

/* Location index j (0 = leaf) of sample s of p. */
static inline uint32_t pf_pprof_sample_loc(const struct pf_profile *p,
                                           const struct pf_pprof_sample *s, uint32_t j)
{
	return p->narrow_locs ? s->locs16[j] : s->locs[j];
}

/* Decode a pprof profile: gzip (sniffed, bounded by lim->max_bytes) or raw
 * protobuf, then validate (spec/pprof.md §3): string_table[0] == "" and every
 * string index in range, ids non-zero and unique, every location and
 * function reference resolvable, value count == sample_type count, samples
 * only with sample types, counts within the limits.
 * lim may be NULL (defaults). *out and everything it points to are
 * allocated from arena and borrowed until pf_arena_free(arena); data is
 * not referenced after the call. Returns PF_OK, PF_E_BAD_PROFILE (malformed,
 * message names what and the byte offset or message index),
 * PF_E_TOO_LARGE (decompressed size), PF_E_LIMIT (a count), PF_E_EMPTY
 * (zero bytes) or PF_E_NOMEM (arena ceiling or malloc). Never aborts. */
enum pf_code pf_pprof_decode(const uint8_t *data, size_t len, const struct pf_pprof_limits *lim,
                             struct pf_arena *arena, struct pf_profile **out,
                             struct pf_err *err) PF_MUSTCHECK;

struct pf_functab;

/* The gate's function table straight from the bytes: the same result and
 * the same errors as pf_pprof_decode, then the sample index (NULL: the
 * gate default, pf_pprof_gate_index, "profile has no sample types" when
 * there is none; else pf_pprof_sample_index(name)), then
 * pf_functab_build(..., NULL opts, ...); but the samples are accumulated
 * as they are read and never stored, so it is faster and smaller; from
 * lim->split_bytes of samples on, a second thread (started and joined
 * within the call, using no arena) reads part of them. *out in arena as
 * pf_functab_build's; data not referenced after the call. */
enum pf_code pf_pprof_functab(const uint8_t *data, size_t len, const struct pf_pprof_limits *lim,
                              const char *sample_index, struct pf_arena *arena,
                              struct pf_functab **out, struct pf_err *err) PF_MUSTCHECK;

/* Sample index by name as pprof's -sample_index: NULL or "" selects the
 * pprof default (default_sample_type if it names a type, else the last);
 * a decimal number is an index; otherwise a type name ("inuse_" prefix
 * tolerated). Returns the index, or -1 with a message listing the types. */
int pf_pprof_sample_index(const struct pf_profile *p, const char *name, struct pf_err *err);

/* perfgate's gate default (DESIGN §4): "cpu" when the profile has it, else
 * the pprof default. -1 when the profile has no sample types. */
int pf_pprof_gate_index(const struct pf_profile *p);

/* The column a caller asked for by name (pf_pprof_sample_index), or the
 * gate default when name is NULL; -1 with the message in err (when
 * non-NULL) if there is none. */
int pf_pprof_choose_index(const struct pf_profile *p, const char *name, struct pf_err *err);

/* The sample index a profile of an upload's kind ("cpu", "heap") is gated
 * at, as a name for pf_pprof_functab: NULL (the gate default) for cpu,
 * "alloc_space" for heap (DESIGN §4). */
const char *pf_pprof_kind_index(const char *kind);

/* Index of the `samples`/`count` column (CPU profiles), or -1. Its values
 * are the sample counts used by the significance test (DESIGN §4). */
int pf_pprof_count_index(const struct pf_profile *p);

#endif
