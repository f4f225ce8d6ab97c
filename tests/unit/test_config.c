/* test_config.c: the configuration key table: defaults, file and
 * environment layers, every invalid value naming its key, the loopback
 * rule for PERFGATE_AUTH=off, and the example file kept in step. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"
#include "pftest_run.h"

START_TEST(defaults)
{
	struct pf_config c;
	pf_config_defaults(&c);
	ck_assert_str_eq(c.listen_host, "127.0.0.1");
	ck_assert_uint_eq(c.listen_port, 8080);
	ck_assert(!c.auth_off);
	ck_assert_int_gt(c.threads, 0);
	ck_assert_int_eq(c.max_upload_mb, 64);
	ck_assert_int_eq(c.max_profile_mb, 256);
	ck_assert_ptr_null(c.database_url);
	ck_assert_str_eq(c.github_api_url, "https://api.github.com");
	ck_assert_ptr_null(c.gate[PF_PK_ENABLE]);
	pf_config_free(&c);
}
END_TEST

static const struct {
	const char *key, *value, *why;
} bad_values[] = {
        {"PERFGATE_LISTEN", "8080", "expected address:port"},
        {"PERFGATE_LISTEN", "127.0.0.1:99999", "port must be"},
        {"PERFGATE_LISTEN", "[::1:80", "expected [ipv6]:port"},
        {"PERFGATE_LISTEN", "a b:80", "bad address"},
        {"PERFGATE_AUTH", "maybe", "expected required or off"},
        {"PERFGATE_THREADS", "-1", "expected 0..1024"},
        {"PERFGATE_THREADS", "2x", "expected 0..1024"},
        {"PERFGATE_MAX_UPLOAD_MB", "0", "whole number of MiB"},
        {"PERFGATE_MAX_PROFILE_MB", "1.5", "whole number of MiB"},
        {"PERFGATE_PUBLIC_URL", "ftp://x", "http:// or https://"},
        {"PERFGATE_LOG_FORMAT", "xml", "text or json"},
        {"PERFGATE_LOG_LEVEL", "loud", "debug, info, warn or error"},
        {"PERFGATE_DATABASE_URL", "", "must not be empty"},
        {"AI_GATE_ENABLE", "yesplease", "true or false"},
        {"AI_GATE_CPU_REG_MAX", "-3", "number >= 0"},
        {"AI_GATE_CPU_REG_MAX", "nan", "number >= 0"},
        {"AI_GATE_ALPHA", "1.5", "between 0 and 1"},
        {"AI_GATE_BASELINE_RUNS", "0", "1..100"},
        {"AI_GATE_MODE_CPU", "strict", "off, soft or hard"},
};

START_TEST(invalid_values_name_key_and_value)
{
	struct pf_config c;
	struct pf_err e;
	pf_config_defaults(&c);
	for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
		ck_assert_int_eq(pf_config_set(&c, bad_values[i].key, bad_values[i].value, &e),
		                 PF_E_BAD_CONFIG);
		ck_assert_str_eq(e.field, bad_values[i].key);
		ck_assert_msg(strstr(e.msg, bad_values[i].key) && strstr(e.msg, bad_values[i].why),
		              "message for %s=%s: %s", bad_values[i].key, bad_values[i].value,
		              e.msg);
	}
	ck_assert_int_eq(pf_config_set(&c, "PERFGATE_LISTN", "x", &e), PF_E_BAD_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown configuration key 'PERFGATE_LISTN'"));
	pf_config_free(&c);
}
END_TEST

START_TEST(valid_values)
{
	struct pf_config c;
	struct pf_err e;
	pf_config_defaults(&c);
	ck_assert_int_eq(pf_config_set(&c, "PERFGATE_LISTEN", "[::1]:9000", &e), PF_OK);
	ck_assert_str_eq(c.listen_host, "::1");
	ck_assert_uint_eq(c.listen_port, 9000);
	ck_assert(pf_config_listen_is_loopback(&c));
	ck_assert_int_eq(pf_config_set(&c, "PERFGATE_PUBLIC_URL", "https://pg.example/", &e),
	                 PF_OK);
	ck_assert_str_eq(c.public_url, "https://pg.example");
	ck_assert_int_eq(pf_config_set(&c, "AI_GATE_MODE_CPU", "soft", &e), PF_OK);
	ck_assert_str_eq(c.gate[PF_PK_MODE_CPU], "soft");
	ck_assert_int_eq(pf_config_set(&c, "PERFGATE_THREADS", "0", &e), PF_OK);
	ck_assert_int_gt(c.threads, 0);
	pf_config_free(&c);
}
END_TEST

START_TEST(file_then_environment)
{
	const char *text = "# comment\n\nPERFGATE_LISTEN = 127.0.0.1:9999\n"
	                   "PERFGATE_LOG_LEVEL=\"debug\"\nAI_GATE_ENABLE=true\n";
	char *path = pf_test_write_temp(text, strlen(text), ".conf");
	struct pf_config c;
	struct pf_err e;
	setenv("PERFGATE_LOG_LEVEL", "warn", 1);
	ck_assert_int_eq(pf_config_load(&c, path, &e), PF_OK);
	ck_assert_uint_eq(c.listen_port, 9999);
	ck_assert_int_eq(c.log_level, PF_LOG_WARN); /* the environment wins */
	ck_assert_str_eq(c.gate[PF_PK_ENABLE], "true");
	pf_config_free(&c);
	unsetenv("PERFGATE_LOG_LEVEL");
	unlink(path);
	free(path);
}
END_TEST

START_TEST(file_errors_name_line_and_key)
{
	const char *text = "PERFGATE_LISTEN=127.0.0.1:1\nnot a pair\n";
	char *path = pf_test_write_temp(text, strlen(text), ".conf");
	struct pf_config c;
	struct pf_err e;
	ck_assert_int_eq(pf_config_load(&c, path, &e), PF_E_BAD_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, ":2: expected KEY=value"));
	pf_config_free(&c);
	unlink(path);
	free(path);
	text = "AI_GATE_ALPHA=2\n";
	path = pf_test_write_temp(text, strlen(text), ".conf");
	ck_assert_int_eq(pf_config_load(&c, path, &e), PF_E_BAD_CONFIG);
	ck_assert_str_eq(e.field, "AI_GATE_ALPHA");
	ck_assert_ptr_nonnull(strstr(e.msg, "'2'"));
	pf_config_free(&c);
	unlink(path);
	free(path);
	ck_assert_int_eq(pf_config_load(&c, "/nonexistent/perfgate.conf", &e), PF_E_BAD_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/perfgate.conf"));
	pf_config_free(&c);
}
END_TEST

START_TEST(auth_off_only_on_loopback)
{
	struct pf_config c;
	struct pf_err e;
	pf_config_defaults(&c);
	ck_assert_int_eq(pf_config_set(&c, "PERFGATE_AUTH", "off", &e), PF_OK);
	ck_assert_int_eq(pf_config_validate(&c, &e), PF_OK);
	ck_assert_int_eq(pf_config_set(&c, "PERFGATE_LISTEN", "0.0.0.0:8080", &e), PF_OK);
	ck_assert_int_eq(pf_config_validate(&c, &e), PF_E_BAD_CONFIG);
	ck_assert_str_eq(e.field, "PERFGATE_AUTH");
	ck_assert_int_eq(pf_config_set(&c, "PERFGATE_LISTEN", "localhost:8080", &e), PF_OK);
	ck_assert_int_eq(pf_config_validate(&c, &e), PF_OK);
	pf_config_free(&c);
}
END_TEST

/* config/perfgate.conf.example is exactly what the key table prints. */
START_TEST(example_file_in_step)
{
	char *buf = NULL;
	size_t len = 0, flen;
	FILE *f = open_memstream(&buf, &len);
	pf_config_print_example(f);
	fclose(f);
	char *path = pf_test_source_path("config/perfgate.conf.example");
	uint8_t *file = pf_test_read_file(path, &flen);
	ck_assert_msg(flen == len && memcmp(file, buf, len) == 0,
	              "config/perfgate.conf.example is out of step with the key table: "
	              "regenerate it with `perfgate check-config --example`");
	free(file);
	free(path);
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, invalid_values_name_key_and_value);
	tcase_add_test(tc, valid_values);
	tcase_add_test(tc, file_then_environment);
	tcase_add_test(tc, file_errors_name_line_and_key);
	tcase_add_test(tc, auth_off_only_on_loopback);
	tcase_add_test(tc, example_file_in_step);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
