/* test_concurrency.c: two daemons on one database (DESIGN §5): 64
 * concurrent uploads, 16 of them sharing 4 Idempotency-Keys, give exactly
 * one run per key and no 5xx; concurrent promotions leave one consistent
 * baseline set. */
#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pftest_srv.h"
#include "testutil.h"
#include "pftest_run.h"

static char *db, *tok;
static struct pft_daemon d1, d2;

static void setup(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
	db = pft_fresh_db("concurrency");
	ck_assert_int_eq(pft_migrate(db), 0);
	tok = pft_token(db, "upload", NULL);
	ck_assert_int_eq(pft_daemon_start(&d1, db, NULL, NULL), 0);
	ck_assert_int_eq(pft_daemon_start(&d2, db, NULL, NULL), 0);
}

static void teardown(void)
{
	ck_assert_int_eq(pft_daemon_stop(&d1), 0);
	ck_assert_int_eq(pft_daemon_stop(&d2), 0);
}

struct job {
	int i;
	long status;
	char key[64];
	char cpu[600], bench[600];
};

static void *upload_one(void *arg)
{
	struct job *j = arg;
	struct pft_resp r;
	char hdr[128], branch[64];
	const char *fields[5] = {j->cpu, j->bench, branch, "commit=abc", NULL};
	snprintf(branch, sizeof branch, "branch=load-%d", j->i % 3);
	snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", j->key);
	pft_upload(j->i % 2 ? d2.base : d1.base, "load", tok, fields, NULL, j->key[0] ? hdr : NULL,
	           &r);
	j->status = r.status;
	pft_resp_free(&r);
	return NULL;
}

START_TEST(uploads_with_shared_keys)
{
	enum { N = 64 };
	struct job jobs[N];
	pthread_t th[N];
	char *cpu = pf_test_fixture_path("cpu_noise1.pb.gz");
	char *bench = pf_test_fixture_path("bench_noise1.txt");
	for (int i = 0; i < N; i++) {
		memset(&jobs[i], 0, sizeof jobs[i]);
		jobs[i].i = i;
		snprintf(jobs[i].cpu, sizeof jobs[i].cpu, "cpu=@%s", cpu);
		snprintf(jobs[i].bench, sizeof jobs[i].bench, "bench=@%s", bench);
		if (i < 16)
			snprintf(jobs[i].key, sizeof jobs[i].key, "shared-%d", i % 4);
		else
			snprintf(jobs[i].key, sizeof jobs[i].key, "own-%d", i);
	}
	free(cpu);
	free(bench);
	/* 16 at a time: the machine has 2 cores and each daemon 4 workers */
	for (int start = 0; start < N; start += 16) {
		for (int i = start; i < start + 16; i++)
			pthread_create(&th[i], NULL, upload_one, &jobs[i]);
		for (int i = start; i < start + 16; i++)
			pthread_join(th[i], NULL);
	}
	int created = 0, replayed = 0;
	for (int i = 0; i < N; i++) {
		ck_assert_msg(jobs[i].status == 201 || jobs[i].status == 200, "upload %d: %ld", i,
		              jobs[i].status);
		created += jobs[i].status == 201;
		replayed += jobs[i].status == 200;
	}
	ck_assert_int_eq(created, N - 12);
	ck_assert_int_eq(replayed, 12);
	char *runs = pft_sql(db, "SELECT count(*) FROM runs");
	ck_assert_str_eq(runs, "52");
	free(runs);
	char *dups = pft_sql(db, "SELECT count(*) FROM (SELECT idempotency_key FROM runs"
	                         " GROUP BY idempotency_key HAVING count(*) > 1) x");
	ck_assert_str_eq(dups, "0");
	free(dups);
	/* every stored run is whole: its artifacts, stats and gates */
	char *whole =
	        pft_sql(db, "SELECT count(*) FROM runs r WHERE"
	                    " (SELECT count(*) FROM artifacts a WHERE a.run_id = r.id) = 2"
	                    " AND EXISTS (SELECT 1 FROM function_stats f WHERE f.run_id = r.id)"
	                    " AND EXISTS (SELECT 1 FROM bench_stats b WHERE b.run_id = r.id)"
	                    " AND (SELECT count(*) FROM gate_results g WHERE g.run_id = r.id) = 5");
	ck_assert_str_eq(whole, "52");
	free(whole);
}
END_TEST

struct promo {
	const char *base;
	long long run;
	long status;
};

static void *promote_one(void *arg)
{
	struct promo *p = arg;
	struct pft_resp r;
	char url[256];
	snprintf(url, sizeof url, "%s/v1/runs/%lld/promote", p->base, p->run);
	pft_http("POST", url, tok, NULL, NULL, 0, NULL, &r);
	p->status = r.status;
	pft_resp_free(&r);
	return NULL;
}

START_TEST(concurrent_promotions)
{
	enum { N = 20 };
	struct promo p[N];
	pthread_t th[N];
	char *ids = pft_sql(
	        db, "SELECT string_agg(id::text, ' ' ORDER BY id) FROM"
	            " (SELECT id FROM runs WHERE branch <> 'load-2' ORDER BY id LIMIT 20) x");
	char *s = ids;
	for (int i = 0; i < N; i++) {
		p[i].base = i % 2 ? d2.base : d1.base;
		p[i].run = strtoll(s, &s, 10);
		ck_assert_int_gt(p[i].run, 0);
	}
	free(ids);
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, promote_one, &p[i]);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < N; i++)
		ck_assert_msg(p[i].status == 201, "promotion %d: %ld", i, p[i].status);
	char *n = pft_sql(db, "SELECT count(*), count(DISTINCT run_id) FROM baselines"
	                      " WHERE branch <> 'load-2'");
	ck_assert_str_eq(n, "20|20");
	free(n);
	/* the same run promoted 20 times at once: one row */
	char *one = pft_sql(db, "SELECT min(id) FROM runs WHERE branch = 'load-2'");
	for (int i = 0; i < N; i++)
		p[i].run = strtoll(one, NULL, 10);
	free(one);
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, promote_one, &p[i]);
	int created = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		ck_assert(p[i].status == 201 || p[i].status == 200);
		created += p[i].status == 201;
	}
	ck_assert_int_eq(created, 1);
	n = pft_sql(db, "SELECT count(*) FROM baselines WHERE branch = 'load-2'");
	ck_assert_str_eq(n, "1");
	free(n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = tcase_create("two daemons");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, uploads_with_shared_keys);
	tcase_add_test(tc, concurrent_promotions);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
