/* config.c: the declarative key table, parsing of KEY=value files and the
 * environment into struct pf_config. Reads files; never touches the
 * database or the network. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "pf_mem.h"

enum key_type {
	T_LISTEN, /* host:port */
	T_STRING, /* free text */
	T_URL,    /* http:// or https:// */
	T_AUTH,   /* required | off */
	T_THREADS,
	T_MB,     /* positive integer megabytes */
	T_LOGFMT, /* text | json */
	T_LOGLVL,
	T_INT, /* whole number in the range of int_keys[] */
};

struct key {
	const char *name;
	enum key_type type;
	const char *def; /* NULL: unset by default */
	bool secret;
	const char *help;
};

static const struct key keys[] = {
        {"PERFGATE_LISTEN", T_LISTEN, "127.0.0.1:8080", false,
         "address:port the daemon listens on ([::1]:8080 for IPv6; port 0 picks a free one)"},
        {"PERFGATE_DATABASE_URL", T_STRING, NULL, true,
         "libpq conninfo or postgresql:// URL of the database (make run starts a private one when "
         "unset)"},
        {"PERFGATE_AUTH", T_AUTH, "required", false,
         "required: every /v1 and /grafana call needs a bearer token; off: no tokens (loopback "
         "only)"},
        {"PERFGATE_THREADS", T_THREADS, "0", false,
         "worker threads running requests in arrival order, each with its own database connection "
         "(0 = number of cores)"},
        {"PERFGATE_MAX_UPLOAD_MB", T_MB, "64", false,
         "largest request body accepted, in MiB (413 past it)"},
        {"PERFGATE_MAX_PROFILE_MB", T_MB, "256", false,
         "largest decompressed profile, in MiB (stops gzip bombs)"},
        {"PERFGATE_PUBLIC_URL", T_URL, NULL, false,
         "external base URL used for links in reports and comments"},
        {"PERFGATE_LOG_FORMAT", T_LOGFMT, "text", false, "log line format: text or json"},
        {"PERFGATE_LOG_LEVEL", T_LOGLVL, "info", false, "debug, info, warn or error"},
        {"PERFGATE_SLACK_WEBHOOK_URL", T_URL, NULL, true,
         "default Slack incoming-webhook URL for notifications"},
        {"PERFGATE_GITHUB_TOKEN", T_STRING, NULL, true,
         "GitHub token for PR comments, labels and issues"},
        {"PERFGATE_GITHUB_API_URL", T_URL, "https://api.github.com", false,
         "GitHub REST API base URL (GitHub Enterprise: https://HOST/api/v3)"},
        {"PERFGATE_NOTIFY_MAX_ATTEMPTS", T_INT, "8", false,
         "notification delivery attempts before an event is marked failed (1..100)"},
        {"PERFGATE_NOTIFY_BACKOFF_MS", T_INT, "2000", false,
         "first retry delay of a notification, doubled per attempt with jitter (ms)"},
        {"PERFGATE_NOTIFY_TIMEOUT_S", T_INT, "10", false,
         "timeout of one Slack or GitHub request, in seconds"},
        {"PERFGATE_NOTIFY_LEASE_S", T_INT, "120", false,
         "a claimed notification is claimed again after this many seconds if its daemon died"},
        {"PERFGATE_NOTIFY_POLL_MS", T_INT, "1000", false,
         "how often the delivery thread looks for due notifications (ms)"},
};

/* T_INT keys: where the value goes and its range. */
static const struct {
	const char *name;
	size_t offset;
	int64_t min, max;
} int_keys[] = {
        {"PERFGATE_NOTIFY_MAX_ATTEMPTS", offsetof(struct pf_config, notify_max_attempts), 1, 100},
        {"PERFGATE_NOTIFY_BACKOFF_MS", offsetof(struct pf_config, notify_backoff_ms), 1, 3600000},
        {"PERFGATE_NOTIFY_TIMEOUT_S", offsetof(struct pf_config, notify_timeout_s), 1, 300},
        {"PERFGATE_NOTIFY_LEASE_S", offsetof(struct pf_config, notify_lease_s), 2, 86400},
        {"PERFGATE_NOTIFY_POLL_MS", offsetof(struct pf_config, notify_poll_ms), 10, 60000},
};

static int *int_slot(const struct pf_config *cfg, const char *name, int64_t *min, int64_t *max)
{
	for (size_t i = 0; i < sizeof int_keys / sizeof int_keys[0]; i++)
		if (strcmp(int_keys[i].name, name) == 0) {
			*min = int_keys[i].min;
			*max = int_keys[i].max;
			return (int *)((char *)cfg + int_keys[i].offset);
		}
	return NULL;
}

#define NKEYS (sizeof keys / sizeof keys[0])

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? pf_xstrdup(v) : NULL;
}

static enum pf_code bad(struct pf_err *err, const char *key, const char *value, const char *why)
{
	return pf_err_set(err, PF_E_BAD_CONFIG, key, "%s: invalid value '%s': %s", key, value, why);
}

static enum pf_code parse_listen(struct pf_config *cfg, const char *key, const char *v,
                                 struct pf_err *err)
{
	const char *colon;
	char host[sizeof cfg->listen_host];
	int64_t port;
	size_t hl;

	if (v[0] == '[') {
		const char *close = strchr(v, ']');
		if (!close || close[1] != ':')
			return bad(err, key, v, "expected [ipv6]:port");
		hl = (size_t)(close - v - 1);
		if (hl == 0 || hl >= sizeof host)
			return bad(err, key, v, "bad IPv6 address");
		memcpy(host, v + 1, hl);
		colon = close + 1;
	} else {
		colon = strrchr(v, ':');
		if (!colon)
			return bad(err, key, v, "expected address:port");
		hl = (size_t)(colon - v);
		if (hl == 0 || hl >= sizeof host)
			return bad(err, key, v, "expected address:port");
		memcpy(host, v, hl);
	}
	host[hl] = '\0';
	if (!pf_parse_i64(colon + 1, &port) || port < 0 || port > 65535)
		return bad(err, key, v, "port must be 0..65535");
	for (size_t i = 0; i < hl; i++)
		if (!isalnum((unsigned char)host[i]) && !strchr(".:-", host[i]))
			return bad(err, key, v, "bad address");
	memcpy(cfg->listen_host, host, hl + 1);
	cfg->listen_port = (uint16_t)port;
	return PF_OK;
}

static bool valid_url(const char *v)
{
	return (strncmp(v, "http://", 7) == 0 && v[7]) || (strncmp(v, "https://", 8) == 0 && v[8]);
}

enum pf_code pf_config_set(struct pf_config *cfg, const char *key, const char *v,
                           struct pf_err *err)
{
	const struct key *k = find_key(key);
	enum pf_policy_key pk;
	int64_t n;

	if (!k && pf_policy_key_find(key, &pk)) {
		/* AI_GATE_*: the engine's policy parser is the one judge */
		enum pf_code rc = pf_policy_check(pk, v, err);
		if (rc == PF_OK)
			set_str(&cfg->gate[pk], v);
		return rc;
	}
	if (!k)
		return pf_err_set(err, PF_E_BAD_CONFIG, key, "unknown configuration key '%s'", key);
	switch (k->type) {
	case T_LISTEN:
		return parse_listen(cfg, key, v, err);
	case T_STRING:
		if (!*v)
			return bad(err, key, v, "must not be empty");
		set_str(strcmp(key, "PERFGATE_DATABASE_URL") == 0 ? &cfg->database_url
		                                                  : &cfg->github_token,
		        v);
		return PF_OK;
	case T_URL: {
		char **slot = strcmp(key, "PERFGATE_PUBLIC_URL") == 0 ? &cfg->public_url
		              : strcmp(key, "PERFGATE_SLACK_WEBHOOK_URL") == 0
		                      ? &cfg->slack_webhook_url
		                      : &cfg->github_api_url;
		if (!valid_url(v))
			return bad(err, key, v, "expected an http:// or https:// URL");
		set_str(slot, v);
		/* links are built by appending paths: drop a trailing slash */
		size_t l = strlen(*slot);
		while (l > 0 && (*slot)[l - 1] == '/')
			(*slot)[--l] = '\0';
		return PF_OK;
	}
	case T_AUTH:
		if (strcmp(v, "required") == 0)
			cfg->auth_off = false;
		else if (strcmp(v, "off") == 0)
			cfg->auth_off = true;
		else
			return bad(err, key, v, "expected required or off");
		return PF_OK;
	case T_THREADS:
		if (!pf_parse_i64(v, &n) || n < 0 || n > 1024)
			return bad(err, key, v, "expected 0..1024");
		if (n == 0) {
			long c = sysconf(_SC_NPROCESSORS_ONLN);
			n = c > 0 ? c : 2;
		}
		cfg->threads = (int)n;
		return PF_OK;
	case T_MB:
		if (!pf_parse_i64(v, &n) || n < 1 || n > 65536)
			return bad(err, key, v, "expected a whole number of MiB, 1..65536");
		if (strcmp(key, "PERFGATE_MAX_UPLOAD_MB") == 0)
			cfg->max_upload_mb = n;
		else
			cfg->max_profile_mb = n;
		return PF_OK;
	case T_LOGFMT:
		if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
			return bad(err, key, v, "expected text or json");
		cfg->log_json = strcmp(v, "json") == 0;
		return PF_OK;
	case T_LOGLVL:
		if (!pf_log_parse_level(v, &cfg->log_level))
			return bad(err, key, v, "expected debug, info, warn or error");
		return PF_OK;
	case T_INT: {
		int64_t lo = 0, hi = 0;
		int *slot = int_slot(cfg, key, &lo, &hi);
		char why[64];
		snprintf(why, sizeof why, "expected a whole number %lld..%lld", (long long)lo,
		         (long long)hi);
		if (!slot || !pf_parse_i64(v, &n) || n < lo || n > hi)
			return bad(err, key, v, why);
		*slot = (int)n;
		return PF_OK;
	}
	}
	return PF_OK;
}

void pf_config_defaults(struct pf_config *cfg)
{
	struct pf_err err;
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NKEYS; i++) {
		if (!keys[i].def)
			continue;
		enum pf_code rc = pf_config_set(cfg, keys[i].name, keys[i].def, &err);
		(void)rc;
	}
}

void pf_config_free(struct pf_config *cfg)
{
	free(cfg->database_url);
	free(cfg->public_url);
	free(cfg->slack_webhook_url);
	free(cfg->github_token);
	free(cfg->github_api_url);
	for (int i = 0; i < PF_PK__COUNT; i++)
		free(cfg->gate[i]);
	memset(cfg, 0, sizeof *cfg);
}

static char *trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static enum pf_code load_file(struct pf_config *cfg, const char *path, bool must_exist,
                              struct pf_err *err)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0;

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return PF_OK;
		return pf_err_set(err, PF_E_BAD_CONFIG, "PERFGATE_CONFIG",
		                  "cannot read configuration file %s: %s", path, strerror(errno));
	}
	while (fgets(line, sizeof line, f)) {
		char *s, *eq, *key, *val;
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return pf_err_set(err, PF_E_BAD_CONFIG, NULL, "%s:%d: line too long", path,
			                  lineno);
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			fclose(f);
			return pf_err_set(err, PF_E_BAD_CONFIG, NULL,
			                  "%s:%d: expected KEY=value, got '%s'", path, lineno, s);
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		/* allow the value in double quotes, as shell-style env files do */
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		if (pf_config_set(cfg, key, val, err) != PF_OK) {
			fclose(f);
			pf_err_prefix(err, path);
			return err->code;
		}
	}
	fclose(f);
	return PF_OK;
}

bool pf_config_listen_is_loopback(const struct pf_config *cfg)
{
	const char *h = cfg->listen_host;
	return strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 || strcmp(h, "localhost") == 0;
}

enum pf_code pf_config_validate(const struct pf_config *cfg, struct pf_err *err)
{
	if (cfg->auth_off && !pf_config_listen_is_loopback(cfg))
		return pf_err_set(err, PF_E_BAD_CONFIG, "PERFGATE_AUTH",
		                  "PERFGATE_AUTH=off is only accepted on a loopback address, "
		                  "not on PERFGATE_LISTEN=%s",
		                  cfg->listen_host);
	return PF_OK;
}

enum pf_code pf_config_load(struct pf_config *cfg, const char *path, struct pf_err *err)
{
	bool explicit_path = path != NULL;
	enum pf_code rc;

	pf_config_defaults(cfg);
	if (!path) {
		path = getenv("PERFGATE_CONFIG");
		explicit_path = path && *path;
		if (!explicit_path)
			path = "config/perfgate.conf";
	}
	rc = load_file(cfg, path, explicit_path, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < NKEYS + PF_PK__COUNT; i++) {
		const char *name = i < NKEYS ? keys[i].name
		                             : pf_policy_key_name((enum pf_policy_key)(i - NKEYS));
		const char *v = getenv(name);
		if (!v)
			continue;
		rc = pf_config_set(cfg, name, v, err);
		if (rc) {
			pf_err_prefix(err, "environment");
			return rc;
		}
	}
	return pf_config_validate(cfg, err);
}

static void value_of(const struct pf_config *cfg, const struct key *k, char *out, size_t n)
{
	const char *s = NULL;
	int64_t lo, hi;
	if (k->type == T_INT) {
		const int *slot = int_slot(cfg, k->name, &lo, &hi);
		snprintf(out, n, "%d", slot ? *slot : 0);
		return;
	}
	if (strcmp(k->name, "PERFGATE_LISTEN") == 0) {
		if (strchr(cfg->listen_host, ':'))
			snprintf(out, n, "[%s]:%u", cfg->listen_host, cfg->listen_port);
		else
			snprintf(out, n, "%s:%u", cfg->listen_host, cfg->listen_port);
		return;
	} else if (strcmp(k->name, "PERFGATE_DATABASE_URL") == 0) {
		s = cfg->database_url;
	} else if (strcmp(k->name, "PERFGATE_AUTH") == 0) {
		s = cfg->auth_off ? "off" : "required";
	} else if (strcmp(k->name, "PERFGATE_THREADS") == 0) {
		snprintf(out, n, "%d", cfg->threads);
		return;
	} else if (strcmp(k->name, "PERFGATE_MAX_UPLOAD_MB") == 0) {
		snprintf(out, n, "%lld", (long long)cfg->max_upload_mb);
		return;
	} else if (strcmp(k->name, "PERFGATE_MAX_PROFILE_MB") == 0) {
		snprintf(out, n, "%lld", (long long)cfg->max_profile_mb);
		return;
	} else if (strcmp(k->name, "PERFGATE_PUBLIC_URL") == 0) {
		s = cfg->public_url;
	} else if (strcmp(k->name, "PERFGATE_LOG_FORMAT") == 0) {
		s = cfg->log_json ? "json" : "text";
	} else if (strcmp(k->name, "PERFGATE_LOG_LEVEL") == 0) {
		static const char *const lv[] = {"debug", "info", "warn", "error"};
		s = lv[cfg->log_level];
	} else if (strcmp(k->name, "PERFGATE_SLACK_WEBHOOK_URL") == 0) {
		s = cfg->slack_webhook_url;
	} else if (strcmp(k->name, "PERFGATE_GITHUB_TOKEN") == 0) {
		s = cfg->github_token;
	} else if (strcmp(k->name, "PERFGATE_GITHUB_API_URL") == 0) {
		s = cfg->github_api_url;
	}
	if (s && k->secret)
		s = "(set, hidden)";
	snprintf(out, n, "%s", s ? s : "");
}

void pf_config_print(const struct pf_config *cfg, FILE *out)
{
	char v[1024];
	for (size_t i = 0; i < NKEYS; i++) {
		value_of(cfg, &keys[i], v, sizeof v);
		fprintf(out, "%s=%s\n", keys[i].name, v);
	}
	for (int k = 0; k < PF_PK__COUNT; k++) {
		const char *name = pf_policy_key_name((enum pf_policy_key)k);
		const char *def = pf_policy_key_default((enum pf_policy_key)k);
		if (cfg->gate[k])
			fprintf(out, "%s=%s\n", name, cfg->gate[k]);
		else
			fprintf(out, "%s=%s  # default\n", name,
			        def ? def : "(from AI_GATE_ENABLE)");
	}
}

void pf_config_print_example(FILE *out)
{
	fprintf(out,
	        "# perfgate configuration: KEY=value lines; the environment overrides "
	        "this file.\n"
	        "# Copy to config/perfgate.conf (or point PERFGATE_CONFIG at it).\n"
	        "# Generated by `perfgate check-config --example`; a test keeps it in step.\n");
	for (size_t i = 0; i < NKEYS; i++)
		fprintf(out, "\n# %s\n#%s=%s\n", keys[i].help, keys[i].name,
		        keys[i].def ? keys[i].def : "");
	for (int k = 0; k < PF_PK__COUNT; k++) {
		const char *def = pf_policy_key_default((enum pf_policy_key)k);
		fprintf(out, "\n# %s\n#%s=%s\n", pf_policy_key_help((enum pf_policy_key)k),
		        pf_policy_key_name((enum pf_policy_key)k), def ? def : "");
	}
}

void pf_config_policy_layer(const struct pf_config *cfg, struct pf_policy_layer *layer)
{
	for (int k = 0; k < PF_PK__COUNT; k++)
		layer->value[k] = cfg->gate[k];
}
