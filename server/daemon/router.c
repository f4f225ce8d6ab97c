/* router.c: the static route table (STYLE §5) and path matching with
 * {params}. Pure: no I/O. */
#include <stdio.h>
#include <string.h>

#include "daemon.h"

const struct pf_route pf_routes[] = {
        {"GET", "/healthz", pf_h_healthz, 0, PF_SCOPE_NONE, NULL, false, true},
        {"GET", "/readyz", pf_h_readyz, 0, PF_SCOPE_NONE, NULL, false, false},
        {"GET", "/metrics", pf_h_metrics, 0, PF_SCOPE_NONE, NULL, false, true},
        {"GET", "/openapi.json", pf_h_openapi, 0, PF_SCOPE_NONE, NULL, false, true},
        {"GET", "/v1/projects", pf_h_project_list, 0, PF_SCOPE_READ, NULL, false, false},
        {"GET", "/v1/projects/{p}", pf_h_project_get, 0, PF_SCOPE_READ, "p", false, false},
        {"PUT", "/v1/projects/{p}", pf_h_project_put, 64 * 1024, PF_SCOPE_ADMIN, "p", false, false},
        {"POST", "/v1/projects/{p}/runs", pf_h_run_upload, -1, PF_SCOPE_UPLOAD, "p", true, false},
        {"GET", "/v1/projects/{p}/runs", pf_h_project_runs, 0, PF_SCOPE_READ, "p", false, false},
        {"GET", "/v1/projects/{p}/baseline", pf_h_project_baseline, 0, PF_SCOPE_READ, "p", false,
         false},
        {"GET", "/v1/projects/{p}/gates/stats", pf_h_gate_stats, 0, PF_SCOPE_READ, "p", false,
         false},
        {"GET", "/v1/projects/{p}/notifications", pf_h_project_notifications, 0, PF_SCOPE_ADMIN,
         "p", false, false},
        {"GET", "/v1/projects/{p}/trend", pf_h_trend, 0, PF_SCOPE_READ, "p", false, false},
        /* Grafana JSON data source (docs/grafana.md); the project is in the body */
        {"GET", "/grafana", pf_h_grafana_root, 0, PF_SCOPE_READ, NULL, false, false},
        {"GET", "/grafana/", pf_h_grafana_root, 0, PF_SCOPE_READ, NULL, false, false},
        {"POST", "/grafana/metrics", pf_h_grafana_metrics, 64 * 1024, PF_SCOPE_READ, NULL, false,
         false},
        {"POST", "/grafana/search", pf_h_grafana_search, 64 * 1024, PF_SCOPE_READ, NULL, false,
         false},
        {"POST", "/grafana/metric-payload-options", pf_h_grafana_payload_options, 64 * 1024,
         PF_SCOPE_READ, NULL, false, false},
        {"POST", "/grafana/query", pf_h_grafana_query, 256 * 1024, PF_SCOPE_READ, NULL, false,
         false},
        {"POST", "/grafana/annotations", pf_h_grafana_annotations, 64 * 1024, PF_SCOPE_READ, NULL,
         false, false},
        {"POST", "/grafana/variable", pf_h_grafana_variable, 64 * 1024, PF_SCOPE_READ, NULL, false,
         false},
        {"POST", "/grafana/tag-keys", pf_h_grafana_tag_keys, 64 * 1024, PF_SCOPE_READ, NULL, false,
         false},
        {"POST", "/grafana/tag-values", pf_h_grafana_tag_values, 64 * 1024, PF_SCOPE_READ, NULL,
         false, false},
        {"POST", "/v1/runs/{id}/promote", pf_h_run_promote, 0, PF_SCOPE_UPLOAD, NULL, false, false},
        {"POST", "/v1/runs/{id}/feedback", pf_h_run_feedback, 16 * 1024, PF_SCOPE_READ, NULL, false,
         false},
        {"GET", "/v1/runs/{id}", pf_h_run_get, 0, PF_SCOPE_READ, NULL, false, false},
        {"GET", "/v1/runs/{id}/comment.md", pf_h_run_comment, 0, PF_SCOPE_READ, NULL, false, false},
        {"GET", "/v1/runs/{id}/junit.xml", pf_h_run_junit, 0, PF_SCOPE_READ, NULL, false, false},
        {"GET", "/v1/runs/{id}/profiles/{kind}", pf_h_run_profile, 0, PF_SCOPE_READ, NULL, false,
         false},
        {"GET", "/v1/runs/{id}/profiles/{kind}/speedscope.json", pf_h_run_speedscope, 0,
         PF_SCOPE_READ, NULL, false, false},
        {"GET", "/v1/runs/{id}/profiles/{kind}/top", pf_h_run_top, 0, PF_SCOPE_READ, NULL, false,
         false},
};
const size_t pf_routes_count = sizeof pf_routes / sizeof pf_routes[0];

/* Match one pattern against path; on success fill names/values. */
static bool match(const char *pattern, const char *path, const char **names, char (*values)[256],
                  int *nparams)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (!close || len == 0 || len >= 256 || n >= PF_MAX_PARAMS)
				return false;
			if (names) {
				names[n] = p + 1; /* up to '}' */
				memcpy(values[n], s, len);
				values[n][len] = '\0';
			}
			n++;
			p = close + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p || *s)
		return false;
	if (nparams)
		*nparams = n;
	return true;
}

int pf_route_find(const char *method, const char *path, bool *path_known, char *allow,
                  size_t allow_len, const char **names, char (*values)[256], int *nparams)
{
	size_t al = 0;
	int found = -1;

	*path_known = false;
	if (allow_len)
		allow[0] = '\0';
	for (size_t i = 0; i < pf_routes_count; i++) {
		if (!match(pf_routes[i].pattern, path, NULL, NULL, NULL))
			continue;
		*path_known = true;
		if (allow_len && !strstr(allow, pf_routes[i].method)) {
			int w = snprintf(allow + al, allow_len - al, "%s%s", al ? ", " : "",
			                 pf_routes[i].method);
			if (w > 0 && (size_t)w < allow_len - al)
				al += (size_t)w;
		}
		if (found < 0 &&
		    (strcmp(pf_routes[i].method, method) == 0 ||
		     (strcmp(method, "HEAD") == 0 && strcmp(pf_routes[i].method, "GET") == 0))) {
			found = (int)i;
			match(pf_routes[i].pattern, path, names, values, nparams);
		}
	}
	return found;
}

int pf_route_match(struct pf_req *req, const char *method, const char *path, bool *path_known,
                   char *allow, size_t allow_len)
{
	const char *names[PF_MAX_PARAMS];
	char values[PF_MAX_PARAMS][256];
	int n = 0;
	int idx = pf_route_find(method, path, path_known, allow, allow_len, names, values, &n);
	if (idx < 0)
		return -1;
	req->nparams = 0;
	for (int i = 0; i < n; i++) {
		const char *close = strchr(names[i], '}');
		req->param_name[i] =
		        pf_arena_strndup(&req->arena, names[i], (size_t)(close - names[i]));
		req->param_value[i] = pf_arena_strdup(&req->arena, values[i]);
		if (!req->param_name[i] || !req->param_value[i])
			return -1;
		req->nparams++;
	}
	return idx;
}

bool pf_valid_project_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum =
		        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || !strchr("._-", c)))
			return false;
	}
	return true;
}
