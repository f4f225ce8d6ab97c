/* pftest_history.h: a small history for the trend and Grafana suites:
 * the Go-made fixtures uploaded as runs on two branches of project "shop"
 * (and one of "other"), then dated by SQL one day apart (2024-05-01 ...)
 * so ranges can be tested. */
#ifndef PF_PFTEST_HISTORY_H
#define PF_PFTEST_HISTORY_H

/* Upload the history through base with an upload token and date it in
 * conninfo's database. Commits c1..c7 (see pftest_history.c). Aborts the
 * test on a failed upload. */
void pft_seed_history(const char *base, const char *conninfo, const char *upload_token);

/* Epoch ms of 2024-05-01T12:00:00Z: run cN is at day N-1 after it. */
#define PFT_DAY0_MS ((long long)1714564800000)
#define PFT_DAY_MS  ((long long)86400000)

#endif
