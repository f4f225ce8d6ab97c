/* test_router.c: the static route table: matching with {params}, 405 with
 * the allowed methods, project-name validation, and the route table and
 * docs/openapi.json listing the same routes. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"
#include "testutil.h"
#include "pftest_run.h"

static int find(const char *method, const char *path, bool *known, char *allow, const char **names,
                char (*values)[256], int *n)
{
	return pf_route_find(method, path, known, allow, 64, names, values, n);
}

START_TEST(matches_params)
{
	bool known;
	char allow[64], values[PF_MAX_PARAMS][256];
	const char *names[PF_MAX_PARAMS];
	int n = 0;
	int i = find("GET", "/v1/projects/shop", &known, allow, names, values, &n);
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(pf_routes[i].pattern, "/v1/projects/{p}");
	ck_assert_int_eq(n, 1);
	ck_assert(strncmp(names[0], "p}", 2) == 0);
	ck_assert_str_eq(values[0], "shop");
	ck_assert_int_ge(find("HEAD", "/healthz", &known, allow, names, values, &n), 0);
}
END_TEST

START_TEST(unknown_and_wrong_method)
{
	bool known;
	char allow[64], values[PF_MAX_PARAMS][256];
	const char *names[PF_MAX_PARAMS];
	int n;
	ck_assert_int_eq(find("GET", "/nope", &known, allow, names, values, &n), -1);
	ck_assert(!known);
	ck_assert_int_eq(find("GET", "/v1/projects/", &known, allow, names, values, &n), -1);
	ck_assert(!known);
	ck_assert_int_eq(find("GET", "/v1/projects/a/b/c/d/e", &known, allow, names, values, &n),
	                 -1);
	ck_assert_int_eq(find("DELETE", "/healthz", &known, allow, names, values, &n), -1);
	ck_assert(known);
	ck_assert_str_eq(allow, "GET");
	ck_assert_int_eq(find("GET", "/healthz/", &known, allow, names, values, &n), -1);
	ck_assert(!known);
}
END_TEST

START_TEST(project_names)
{
	ck_assert(pf_valid_project_name("shop"));
	ck_assert(pf_valid_project_name("my-app.v2_x"));
	ck_assert(!pf_valid_project_name(""));
	ck_assert(!pf_valid_project_name(".."));
	ck_assert(!pf_valid_project_name("-x"));
	ck_assert(!pf_valid_project_name("a/b"));
	ck_assert(!pf_valid_project_name("a b"));
	ck_assert(!pf_valid_project_name("a%2f"));
	char long_name[70];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	ck_assert(!pf_valid_project_name(long_name));
}
END_TEST

/* Every route is in docs/openapi.json and every documented path is a route
 * (OpenAPI's {name} syntax is the route table's). */
START_TEST(openapi_lists_the_route_table)
{
	json_error_t je;
	char *path = pf_test_source_path("docs/openapi.json");
	json_t *doc = json_load_file(path, 0, &je);
	free(path);
	ck_assert_msg(doc != NULL, "docs/openapi.json: %s (line %d)", je.text, je.line);
	json_t *paths = json_object_get(doc, "paths");
	ck_assert_ptr_nonnull(paths);
	size_t documented = 0;
	const char *p;
	json_t *ops;
	json_object_foreach(paths, p, ops)
	{
		const char *m;
		json_t *op;
		json_object_foreach(ops, m, op)
		{
			if (strcmp(m, "parameters") == 0)
				continue;
			bool found = false;
			for (size_t i = 0; i < pf_routes_count; i++)
				if (strcmp(pf_routes[i].pattern, p) == 0 &&
				    strcasecmp(pf_routes[i].method, m) == 0)
					found = true;
			ck_assert_msg(found, "documented but not routed: %s %s", m, p);
			documented++;
		}
	}
	for (size_t i = 0; i < pf_routes_count; i++) {
		char lower[8];
		size_t k;
		for (k = 0; pf_routes[i].method[k] && k < 7; k++)
			lower[k] = (char)(pf_routes[i].method[k] | 0x20);
		lower[k] = '\0';
		json_t *o = json_object_get(json_object_get(paths, pf_routes[i].pattern), lower);
		ck_assert_msg(o != NULL, "routed but not documented: %s %s", pf_routes[i].method,
		              pf_routes[i].pattern);
	}
	ck_assert_uint_eq(documented, pf_routes_count);
	json_decref(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("routes");
	tcase_add_test(tc, matches_params);
	tcase_add_test(tc, unknown_and_wrong_method);
	tcase_add_test(tc, project_names);
	tcase_add_test(tc, openapi_lists_the_route_table);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
