/* testutil.h: helpers shared by the Check suites: fixture paths and
 * loading, temporary files, running the perfgate binary. */
#ifndef PF_TESTUTIL_H
#define PF_TESTUTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Path of a file under tests/fixtures/ (static buffer per call site is not
 * used: the result is malloc'ed, free() it). Honours PERFGATE_FIXTURES. */
char *pf_test_fixture_path(const char *name);
/* A file of the source tree (docs/, config/, deploy/): under
 * $PERFGATE_SRCDIR when set, else relative to the working directory (the
 * repository's root, where tests/run.sh runs them). malloc'ed. */
char *pf_test_source_path(const char *name);
/* Read a whole file (fixture name relative to tests/fixtures/, or an
 * absolute path); aborts the test on failure. free() the result. */
uint8_t *pf_test_read_fixture(const char *name, size_t *len);
uint8_t *pf_test_read_file(const char *path, size_t *len);
/* A JSON fixture (name as pf_test_read_fixture's), parsed; aborts the test
 * on a missing or invalid file. json_decref() the result. */
json_t *pf_test_json_fixture(const char *name);
/* The first element of a JSON array whose string member key equals value;
 * NULL when there is none. */
json_t *pf_test_json_find(const json_t *array, const char *key, const char *value);
/* Path of the perfgate binary under test (PERFGATE_BIN or build/perfgate). */
const char *pf_test_bin(void);
/* Write len bytes to a new temporary file; returns its malloc'ed path. */
char *pf_test_write_temp(const void *data, size_t len, const char *suffix);
/* Run a shell command, capture stdout (malloc'ed, NUL-terminated) and the
 * exit status (-1 when killed by a signal). */
char *pf_test_run(const char *cmd, int *status);

#endif
