/* log.c: levelled logging, text or JSON lines on stderr. The only global
 * state is the configured level and format, set once at start-up. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum pf_log_level min_level = PF_LOG_INFO;
static bool json_format;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool pf_log_parse_level(const char *s, enum pf_log_level *out)
{
	for (unsigned i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum pf_log_level)i;
			return true;
		}
	}
	return false;
}

void pf_log_configure(enum pf_log_level min, bool json)
{
	min_level = min;
	json_format = json;
}

bool pf_log_enabled(enum pf_log_level lvl)
{
	return lvl >= min_level;
}

/* Append s to out as JSON string contents; returns the new length. */
static size_t json_escape(char *out, size_t pos, size_t cap, const char *s)
{
	for (; *s && pos + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[pos++] = '\\';
			out[pos++] = (char)c;
		} else if (c < 0x20) {
			pos += (size_t)snprintf(out + pos, cap - pos, "\\u%04x", c);
		} else {
			out[pos++] = (char)c;
		}
	}
	return pos;
}

void pf_log(enum pf_log_level lvl, const char *req_id, const char *fmt, ...)
{
	char msg[2048], line[4608], ts[40];
	struct timespec now;
	struct tm tm;
	size_t n;
	va_list ap;

	if (lvl < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof ts - n, ".%03ldZ", now.tv_nsec / 1000000);

	if (json_format) {
		n = (size_t)snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",", ts,
		                     level_names[lvl]);
		if (req_id) {
			n += (size_t)snprintf(line + n, sizeof line - n, "\"request_id\":\"");
			n = json_escape(line, n, sizeof line, req_id);
			n += (size_t)snprintf(line + n, sizeof line - n, "\",");
		}
		n += (size_t)snprintf(line + n, sizeof line - n, "\"msg\":\"");
		n = json_escape(line, n, sizeof line, msg);
		n += (size_t)snprintf(line + n, sizeof line - n, "\"}\n");
	} else if (req_id) {
		n = (size_t)snprintf(line, sizeof line, "%s %-5s [%s] %s\n", ts, level_names[lvl],
		                     req_id, msg);
	} else {
		n = (size_t)snprintf(line, sizeof line, "%s %-5s %s\n", ts, level_names[lvl], msg);
	}
	if (n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
}
