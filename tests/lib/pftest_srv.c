/* pftest_srv.c: processes, databases and HTTP for the integration suites. */
#include "pftest_srv.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "pf_mem.h"
#include "testutil.h"

static void die(const char *what)
{
	fprintf(stderr, "pftest: %s\n", what);
	abort();
}

/* Single-quote s for the shell into a new string. */
static char *shq(const char *s)
{
	struct pf_buf b;
	pf_buf_init(&b, 0);
	pf_buf_puts(&b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			pf_buf_puts(&b, "'\\''");
		else
			pf_buf_append(&b, s, 1);
	}
	pf_buf_puts(&b, "'");
	return pf_buf_steal(&b, NULL);
}

char *pft_sql(const char *conninfo, const char *sql)
{
	char *qc = shq(conninfo), *qs = shq(sql);
	size_t n = strlen(qc) + strlen(qs) + 64;
	char *cmd = pf_xmalloc(n);
	int st;
	snprintf(cmd, n, "psql %s -v ON_ERROR_STOP=1 -Atqc %s 2>&1", qc, qs);
	char *out = pf_test_run(cmd, &st);
	free(cmd);
	free(qc);
	free(qs);
	size_t l = strlen(out);
	while (l && (out[l - 1] == '\n' || out[l - 1] == ' '))
		out[--l] = '\0';
	return out;
}

char *pft_fresh_db(const char *name)
{
	const char *base = getenv("PERFGATE_TEST_DATABASE_URL");
	char sql[256], *out, *ci;
	size_t n;

	if (!base || !*base)
		die("PERFGATE_TEST_DATABASE_URL is not set (run through make test)");
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS pft_%s WITH (FORCE)", name);
	free(pft_sql(base, sql));
	snprintf(sql, sizeof sql, "CREATE DATABASE pft_%s", name);
	out = pft_sql(base, sql);
	if (*out) {
		fprintf(stderr, "%s\n", out);
		die("cannot create the test database");
	}
	free(out);
	/* the base conninfo ends with dbname=perfgate user=...: override */
	n = strlen(base) + strlen(name) + 32;
	ci = pf_xmalloc(n);
	snprintf(ci, n, "%s dbname=pft_%s", base, name);
	return ci;
}

int pft_migrate(const char *conninfo)
{
	char *q = shq(conninfo), cmd[2048];
	int st;
	snprintf(cmd, sizeof cmd, "PERFGATE_DATABASE_URL=%s %s migrate 2>&1", q, pf_test_bin());
	free(q);
	free(pf_test_run(cmd, &st));
	return st;
}

char *pft_token(const char *conninfo, const char *scope, const char *project)
{
	char *q = shq(conninfo), cmd[2048];
	int st;
	snprintf(cmd, sizeof cmd,
	         "PERFGATE_DATABASE_URL=%s %s token create --scope %s %s%s 2>/dev/null", q,
	         pf_test_bin(), scope, project ? "--project " : "", project ? project : "");
	free(q);
	char *out = pf_test_run(cmd, &st);
	size_t l = strlen(out);
	while (l && out[l - 1] == '\n')
		out[--l] = '\0';
	if (st != 0 || strncmp(out, "pfg_", 4) != 0)
		die("perfgate token create failed");
	return out;
}

int pft_free_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &l) != 0)
		die("cannot find a free port");
	close(s);
	return ntohs(a.sin_port);
}

int pft_daemon_start(struct pft_daemon *d, const char *conninfo, const char *const *env,
                     int *exit_status)
{
	const char *tmp = getenv("TMPDIR");
	memset(d, 0, sizeof *d);
	d->port = pft_free_port();
	snprintf(d->base, sizeof d->base, "http://127.0.0.1:%d", d->port);
	snprintf(d->log, sizeof d->log, "%s/pftest-daemon-%d-%d.log", tmp && *tmp ? tmp : "/tmp",
	         (int)getpid(), d->port);
	d->pid = fork();
	if (d->pid < 0)
		die("fork");
	if (d->pid == 0) {
		char listen[64];
		FILE *lf = freopen(d->log, "w", stderr);
		(void)lf;
		snprintf(listen, sizeof listen, "127.0.0.1:%d", d->port);
		setenv("PERFGATE_LISTEN", listen, 1);
		setenv("PERFGATE_CONFIG", "/dev/null", 1);
		setenv("PERFGATE_THREADS", "4", 1);
		if (conninfo)
			setenv("PERFGATE_DATABASE_URL", conninfo, 1);
		else
			unsetenv("PERFGATE_DATABASE_URL");
		for (size_t i = 0; env && env[i]; i++) {
			char *kv = pf_xstrdup(env[i]);
			char *eq = strchr(kv, '=');
			if (eq) {
				*eq = '\0';
				setenv(kv, eq + 1, 1);
			}
			free(kv);
		}
		execl(pf_test_bin(), pf_test_bin(), "serve", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		int st;
		struct pft_resp r;
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			if (exit_status)
				*exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			d->pid = 0;
			return -1;
		}
		char url[128];
		snprintf(url, sizeof url, "%s/healthz", d->base);
		pft_http("GET", url, NULL, NULL, NULL, 0, NULL, &r);
		long s = r.status;
		pft_resp_free(&r);
		if (s == 200)
			return 0;
		usleep(50 * 1000);
	}
	pft_daemon_stop(d);
	return -1;
}

int pft_daemon_stop(struct pft_daemon *d)
{
	int st = 0;
	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	for (int i = 0; i < 400; i++) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		usleep(25 * 1000);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
	return -1;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct pf_buf *b = arg;
	if (pf_buf_append(b, p, size * n) != PF_OK)
		return 0;
	return size * n;
}

/* Perform the request set up in c (URL, method, body) with the usual
 * headers; fill out (status 0 when the request failed). */
static void perform(CURL *c, const char *token, const char *ctype, const char *extra_header,
                    long timeout, struct pft_resp *out)
{
	struct curl_slist *h = NULL;
	struct pf_buf b, hb;
	char line[1024];

	memset(out, 0, sizeof *out);
	pf_buf_init(&b, 0);
	pf_buf_init(&hb, 0);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (token) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, line);
	}
	if (ctype) {
		snprintf(line, sizeof line, "Content-Type: %s", ctype);
		h = curl_slist_append(h, line);
	}
	if (extra_header)
		h = curl_slist_append(h, extra_header);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	pf_buf_append(&b, "", 0);
	pf_buf_append(&hb, "", 0);
	out->body = pf_buf_steal(&b, &out->len);
	out->headers = pf_buf_steal(&hb, NULL);
	curl_slist_free_all(h);
}

void pft_http(const char *method, const char *url, const char *token, const char *ctype,
              const void *body, size_t len, const char *extra_header, struct pft_resp *out)
{
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	perform(c, token, ctype, extra_header, 60L, out);
	curl_easy_cleanup(c);
}

char *pft_header(const struct pft_resp *r, const char *name)
{
	size_t nl = strlen(name);
	const char *p = r->headers;
	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		if (ll > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			return pf_xstrndup(v, ll - (size_t)(v - p));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

void pft_resp_free(struct pft_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof *r);
}

void pft_upload(const char *base, const char *project, const char *token, const char *const *fields,
                const char *query, const char *extra_header, struct pft_resp *out)
{
	CURL *c = curl_easy_init();
	curl_mime *mime = curl_mime_init(c);
	char url[1024];

	for (size_t i = 0; fields[i]; i++) {
		char *kv = pf_xstrdup(fields[i]);
		char *eq = strchr(kv, '=');
		if (!eq)
			die("pft_upload: field without '='");
		*eq = '\0';
		curl_mimepart *part = curl_mime_addpart(mime);
		curl_mime_name(part, kv);
		if (eq[1] == '@')
			curl_mime_filedata(part, eq + 2);
		else
			curl_mime_data(part, eq + 1, CURL_ZERO_TERMINATED);
		free(kv);
	}
	snprintf(url, sizeof url, "%s/v1/projects/%s/runs%s%s", base, project, query ? "?" : "",
	         query ? query : "");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	perform(c, token, NULL, extra_header, 120L, out);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
}

char *pft_row_counts(const char *conninfo)
{
	return pft_sql(conninfo, "SELECT 'projects=' || (SELECT count(*) FROM projects)"
	                         " || ' runs=' || (SELECT count(*) FROM runs)"
	                         " || ' artifacts=' || (SELECT count(*) FROM artifacts)"
	                         " || ' profile_totals=' || (SELECT count(*) FROM profile_totals)"
	                         " || ' function_stats=' || (SELECT count(*) FROM function_stats)"
	                         " || ' bench_stats=' || (SELECT count(*) FROM bench_stats)"
	                         " || ' gate_results=' || (SELECT count(*) FROM gate_results)"
	                         " || ' baselines=' || (SELECT count(*) FROM baselines)"
	                         " || ' feedback=' || (SELECT count(*) FROM feedback)");
}

char *pft_ref_cpu_hotspot(void)
{
	json_t *ref = pf_test_json_fixture("reference/pair_cpu_base_cand.json"), *e;
	char *name = NULL;
	size_t i;
	json_array_foreach(
	        json_object_get(json_object_get(ref, "gates_cpu"), "flat_regression_gt_8_pts"), i,
	        e)
	{
		if (!name && json_is_true(json_object_get(e, "significant_bonferroni")))
			name = pf_xstrdup(json_string_value(json_object_get(e, "name")));
	}
	json_decref(ref);
	return name;
}
