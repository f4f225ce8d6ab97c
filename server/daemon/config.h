/* config.h: the one configuration key table and the read-only struct it
 * fills (STYLE §14, DESIGN §3). Sources, lowest first: defaults, the file
 * (config/perfgate.conf or $PERFGATE_CONFIG, KEY=value lines), the
 * environment. An unknown key in the file or an invalid value anywhere is an
 * error naming the key and the value. */
#ifndef PF_CONFIG_H
#define PF_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "pf_err.h"
#include "policy.h"

struct pf_config {
	char listen_host[128]; /* numeric address or "localhost" */
	uint16_t listen_port;
	char *database_url; /* NULL when unset */
	bool auth_off;      /* PERFGATE_AUTH=off (loopback only) */
	int threads;
	int64_t max_upload_mb;
	int64_t max_profile_mb;
	char *public_url;
	bool log_json;
	enum pf_log_level log_level;
	char *slack_webhook_url;
	char *github_token;
	char *github_api_url;
	/* notifications: delivery thread (notify.c) */
	int notify_max_attempts;
	int notify_backoff_ms;
	int notify_timeout_s;
	int notify_lease_s;
	int notify_poll_ms;
	/* AI_GATE_* values as set here (NULL = not set): the daemon's layer
	 * of the gate policy, validated by the engine's policy parser */
	char *gate[PF_PK__COUNT];
};

/* Fill the defaults. Free with pf_config_free. */
void pf_config_defaults(struct pf_config *cfg);
void pf_config_free(struct pf_config *cfg);

/* Set one key from its string form (file or environment); PF_E_BAD_CONFIG
 * with the key in err->field for an unknown key or an invalid value. */
enum pf_code pf_config_set(struct pf_config *cfg, const char *key, const char *value,
                           struct pf_err *err) PF_MUSTCHECK;

/* Defaults, then the file, then the environment. `path` NULL means
 * $PERFGATE_CONFIG, else config/perfgate.conf if it exists. A file named
 * explicitly must exist. Checks the cross-key rules at the end (auth off
 * only on loopback). */
enum pf_code pf_config_load(struct pf_config *cfg, const char *path,
                            struct pf_err *err) PF_MUSTCHECK;

/* Cross-key rules: PERFGATE_AUTH=off only on a loopback listen address. */
enum pf_code pf_config_validate(const struct pf_config *cfg, struct pf_err *err) PF_MUSTCHECK;

/* True when the listen host is a loopback address. */
bool pf_config_listen_is_loopback(const struct pf_config *cfg);

/* The daemon's layer of the gate policy (borrows cfg's strings). */
void pf_config_policy_layer(const struct pf_config *cfg, struct pf_policy_layer *layer);

/* Print the effective values as KEY=value lines, secrets masked. */
void pf_config_print(const struct pf_config *cfg, FILE *out);
/* Print the example file: every key, its default and one line of help. */
void pf_config_print_example(FILE *out);

#endif
