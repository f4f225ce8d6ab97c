/* pftest_history.c: the history of pftest_history.h.
 *   c1 main       cpu_base  heap_base  bench_base   2024-05-01 (first: no baseline)
 *   c2 main       cpu_noise1 heap_noise1 bench_noise1 2024-05-02
 *   c3 main       bench_base only (no profiles)      2024-05-03
 *   c4 main       cpu_cand heap_cand bench_cand, AI_GATE_ENABLE=true: fail  2024-05-04
 *   c5 feature-x  cpu_cand heap_cand bench_cand      2024-05-04 (same day, other branch)
 *   c6 main       cpu_noise2 heap_noise2 bench_noise2 2024-05-06
 *   c7 other/main cpu_base                           2024-05-02 */
#include "pftest_history.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "pftest_srv.h"
#include "testutil.h"

static void up(const char *base, const char *tok, const char *project, const char *branch,
               const char *commit, const char *cpu, const char *heap, const char *bench,
               const char *extra)
{
	char f[5][700], *fx = pf_test_fixture_path("");
	const char *files[3][2] = {{"cpu", cpu}, {"heap", heap}, {"bench", bench}};
	const char *fields[7];
	int n = 0;
	for (int i = 0; i < 3; i++) {
		if (!files[i][1])
			continue;
		snprintf(f[n], sizeof f[n], "%s=@%s%s", files[i][0], fx, files[i][1]);
		fields[n] = f[n];
		n++;
	}
	snprintf(f[n], sizeof f[n], "branch=%s", branch);
	fields[n] = f[n];
	n++;
	snprintf(f[n], sizeof f[n], "commit=%s", commit);
	fields[n] = f[n];
	n++;
	if (extra)
		fields[n++] = extra;
	fields[n] = NULL;
	free(fx);
	struct pft_resp r;
	pft_upload(base, project, tok, fields, NULL, NULL, &r);
	ck_assert_msg(r.status == 201, "upload %s: %ld %.300s", commit, r.status, r.body);
	pft_resp_free(&r);
}

void pft_seed_history(const char *base, const char *db, const char *tok)
{
	up(base, tok, "shop", "main", "c1", "cpu_base.pb.gz", "heap_base.pb.gz", "bench_base.txt",
	   NULL);
	up(base, tok, "shop", "main", "c2", "cpu_noise1.pb.gz", "heap_noise1.pb.gz",
	   "bench_noise1.txt", NULL);
	up(base, tok, "shop", "main", "c3", NULL, NULL, "bench_base.txt", NULL);
	up(base, tok, "shop", "main", "c4", "cpu_cand.pb.gz", "heap_cand.pb.gz", "bench_cand.txt",
	   "AI_GATE_ENABLE=true");
	up(base, tok, "shop", "feature-x", "c5", "cpu_cand.pb.gz", "heap_cand.pb.gz",
	   "bench_cand.txt", NULL);
	up(base, tok, "shop", "main", "c6", "cpu_noise2.pb.gz", "heap_noise2.pb.gz",
	   "bench_noise2.txt", NULL);
	up(base, tok, "other", "main", "c7", "cpu_base.pb.gz", NULL, NULL, NULL);
	char *out = pft_sql(
	        db, "UPDATE runs SET created_at = timestamptz '2024-05-01 12:00:00+00' + "
	            "(CASE commit_sha WHEN 'c5' THEN 3 WHEN 'c6' THEN 5 WHEN 'c7' THEN 1 "
	            "ELSE substr(commit_sha, 2)::int - 1 END) * interval '1 day'"
	            " + CASE commit_sha WHEN 'c5' THEN interval '1 hour' ELSE interval '0' END;"
	            " UPDATE baselines b SET promoted_at = r.created_at + interval '1 minute'"
	            " FROM runs r WHERE r.id = b.run_id");
	free(out);
}
