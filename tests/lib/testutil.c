/* testutil.c: fixture and process helpers for the Check suites. Tests may
 * do I/O; the engine under test does not. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "pf_mem.h"

/* name under the folder $env names (else under fallback; NULL: as it is),
 * an absolute name as it is. malloc'ed. */
static char *path_under(const char *env, const char *fallback, const char *name)
{
	const char *dir = getenv(env);
	if (!dir || !*dir)
		dir = fallback;
	if (!dir || name[0] == '/')
		return pf_xstrdup(name);
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = pf_xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *pf_test_source_path(const char *name)
{
	return path_under("PERFGATE_SRCDIR", NULL, name);
}

char *pf_test_fixture_path(const char *name)
{
	return path_under("PERFGATE_FIXTURES", "tests/fixtures", name);
}

uint8_t *pf_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct pf_buf b;
	char chunk[65536];
	size_t got;

	if (!f) {
		fprintf(stderr, "testutil: cannot open %s\n", path);
		abort();
	}
	pf_buf_init(&b, 0);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (pf_buf_append(&b, chunk, got) != PF_OK)
			abort();
	fclose(f);
	if (!b.data && pf_buf_append(&b, "", 0) != PF_OK)
		abort();
	return (uint8_t *)pf_buf_steal(&b, len);
}

uint8_t *pf_test_read_fixture(const char *name, size_t *len)
{
	char *p = pf_test_fixture_path(name);
	uint8_t *d = pf_test_read_file(p, len);
	free(p);
	return d;
}

json_t *pf_test_json_fixture(const char *name)
{
	json_error_t je;
	char *p = pf_test_fixture_path(name);
	json_t *j = json_load_file(p, 0, &je);
	if (!j) {
		fprintf(stderr, "testutil: %s: %s\n", p, je.text);
		abort();
	}
	free(p);
	return j;
}

json_t *pf_test_json_find(const json_t *array, const char *key, const char *value)
{
	size_t i;
	json_t *e;
	json_array_foreach(array, i, e)
	{
		const char *v = json_string_value(json_object_get(e, key));
		if (v && strcmp(v, value) == 0)
			return e;
	}
	return NULL;
}

const char *pf_test_bin(void)
{
	const char *b = getenv("PERFGATE_BIN");
	return b && *b ? b : "build/perfgate";
}

char *pf_test_write_temp(const void *data, size_t len, const char *suffix)
{
	const char *tmp = getenv("TMPDIR");
	char *path;
	size_t n;
	int fd;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (!suffix)
		suffix = "";
	n = strlen(tmp) + strlen(suffix) + 32;
	path = pf_xmalloc(n);
	snprintf(path, n, "%s/pftest-XXXXXX%s", tmp, suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len)) {
		fprintf(stderr, "testutil: cannot write %s\n", path);
		abort();
	}
	close(fd);
	return path;
}

char *pf_test_run(const char *cmd, int *status)
{
	FILE *p = popen(cmd, "r");
	struct pf_buf b;
	char chunk[65536];
	size_t got;
	int st;

	if (!p) {
		fprintf(stderr, "testutil: cannot run %s\n", cmd);
		abort();
	}
	pf_buf_init(&b, 0);
	while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
		if (pf_buf_append(&b, chunk, got) != PF_OK)
			abort();
	st = pclose(p);
	if (pf_buf_append(&b, "", 0) != PF_OK)
		abort();
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return pf_buf_steal(&b, NULL);
}
