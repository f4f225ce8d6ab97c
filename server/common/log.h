/* log.h: levelled one-line logging for the daemon and CLI (STYLE §15).
 * The engine never logs. Thread-safe: one write(2) per line. */
#ifndef PF_LOG_H
#define PF_LOG_H

#include <stdbool.h>

enum pf_log_level { PF_LOG_DEBUG = 0, PF_LOG_INFO, PF_LOG_WARN, PF_LOG_ERROR };

/* Parse "debug|info|warn|error" / "text|json"; false when unknown. */
bool pf_log_parse_level(const char *s, enum pf_log_level *out);
void pf_log_configure(enum pf_log_level min, bool json);
bool pf_log_enabled(enum pf_log_level lvl);

/* One line to stderr; req_id may be NULL. Message is printf-formatted. */
void pf_log(enum pf_log_level lvl, const char *req_id, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#define pf_debug(...) pf_log(PF_LOG_DEBUG, NULL, __VA_ARGS__)
#define pf_info(...)  pf_log(PF_LOG_INFO, NULL, __VA_ARGS__)
#define pf_warn(...)  pf_log(PF_LOG_WARN, NULL, __VA_ARGS__)
#define pf_error(...) pf_log(PF_LOG_ERROR, NULL, __VA_ARGS__)

#endif
