/* test_trend.c: the pure parts of the history reads: metric names, time
 * expressions (RFC 3339, dates, epoch ms, now-30d), durations, the
 * downsampling bucket and RFC 3339 formatting. Table-driven. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "trend.h"
#include "pftest_run.h"

/* 2024-05-01T12:00:00Z */
#define NOW ((int64_t)1714564800000)

START_TEST(metric_names)
{
	enum pf_trend_metric m;
	for (int i = 0; i < PF_TREND__COUNT; i++) {
		const char *name = pf_trend_metric_info((enum pf_trend_metric)i)->name;
		ck_assert(pf_trend_metric_parse(name, &m));
		ck_assert_int_eq(m, i);
		ck_assert_ptr_nonnull(strstr(pf_trend_metric_names(), name));
	}
	ck_assert(!pf_trend_metric_parse("rating", &m));
	ck_assert(!pf_trend_metric_parse("", &m));
	ck_assert(!pf_trend_metric_parse(NULL, &m));
}
END_TEST

static const struct {
	const char *in;
	int64_t want;
} good_times[] = {
        {"2024-05-01T12:00:00Z", NOW},
        {"2024-05-01t12:00:00z", NOW},
        {"2024-05-01 12:00:00Z", NOW},
        {"2024-05-01T12:00:00.123Z", NOW + 123},
        {"2024-05-01T12:00:00.5Z", NOW + 500},
        {"2024-05-01T12:00:00.123456789Z", NOW + 123},
        {"2024-05-01T14:00:00+02:00", NOW},
        {"2024-05-01T07:30:00-04:30", NOW},
        {"2024-05-01", NOW - 12 * 3600 * 1000},
        {"1970-01-01T00:00:00Z", 0},
        {"2024-02-29T00:00:00Z", 1709164800000},
        {"2016-10-31T06:33:44.866Z", 1477895624866},
        {"1714564800000", NOW},
        {"now", NOW},
        {"now-30d", NOW - (int64_t)30 * 86400 * 1000},
        {"now-6h", NOW - 6 * 3600 * 1000},
        {"now-90s", NOW - 90 * 1000},
        {"now-15m", NOW - 15 * 60 * 1000},
        {"now-2w", NOW - (int64_t)14 * 86400 * 1000},
        {"now-1M", NOW - (int64_t)30 * 86400 * 1000},
        {"now-1y", NOW - (int64_t)365 * 86400 * 1000},
        {"now+1h", NOW + 3600 * 1000},
};

START_TEST(times_good)
{
	struct pf_err err;
	int64_t v = -1;
	ck_assert_msg(pf_trend_parse_time(good_times[_i].in, NOW, "from", &v, &err) == PF_OK,
	              "%s: %s", good_times[_i].in, err.msg);
	ck_assert_msg(v == good_times[_i].want, "%s: %lld, want %lld", good_times[_i].in,
	              (long long)v, (long long)good_times[_i].want);
}
END_TEST

static const char *bad_times[] = {
        "",
        "yesterday",
        "now-",
        "now-30",
        "now-30x",
        "now-d",
        "now30d",
        "now-30dd",
        "2024-13-01",
        "2024-02-30",
        "2023-02-29T00:00:00Z",
        "2024-05-01T12:00:00",
        "2024-05-01T25:00:00Z",
        "2024-05-01T12:00Z",
        "2024-05-01T12:00:00+0200",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00:00Zjunk",
        "24-05-01",
        "12345",
        "-1714564800000",
        "1969-12-31T23:59:59Z",
};

START_TEST(times_bad)
{
	struct pf_err err;
	int64_t v;
	pf_err_clear(&err);
	ck_assert_msg(pf_trend_parse_time(bad_times[_i], NOW, "to", &v, &err) == PF_E_BAD_REQUEST,
	              "accepted '%s'", bad_times[_i]);
	ck_assert_str_eq(err.field, "to");
	ck_assert_ptr_nonnull(strstr(err.msg, "RFC 3339"));
	ck_assert(pf_trend_parse_time(NULL, NOW, "to", &v, &err) == PF_E_BAD_REQUEST);
}
END_TEST

START_TEST(durations)
{
	struct pf_err err;
	int64_t v;
	ck_assert(pf_trend_parse_duration("24h", "since", &v, &err) == PF_OK);
	ck_assert_int_eq(v, (int64_t)24 * 3600 * 1000);
	ck_assert(pf_trend_parse_duration("7d", "since", &v, &err) == PF_OK);
	ck_assert_int_eq(v, (int64_t)7 * 86400 * 1000);
	ck_assert(pf_trend_parse_duration("90m", "since", &v, &err) == PF_OK);
	ck_assert_int_eq(v, 90 * 60 * 1000);
	ck_assert(pf_trend_parse_duration("0h", "since", &v, &err) == PF_E_BAD_REQUEST);
	ck_assert(pf_trend_parse_duration("24", "since", &v, &err) == PF_E_BAD_REQUEST);
	ck_assert(pf_trend_parse_duration("h", "since", &v, &err) == PF_E_BAD_REQUEST);
	ck_assert(pf_trend_parse_duration("-1h", "since", &v, &err) == PF_E_BAD_REQUEST);
	ck_assert_str_eq(err.field, "since");
	ck_assert(pf_trend_parse_duration(NULL, "since", &v, &err) == PF_E_BAD_REQUEST);
}
END_TEST

START_TEST(format_round_trip)
{
	char buf[32];
	struct pf_err err;
	int64_t v;
	pf_trend_format_time(NOW + 7, buf);
	ck_assert_str_eq(buf, "2024-05-01T12:00:00.007Z");
	pf_trend_format_time(0, buf);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
	pf_trend_format_time(1709164800000 + 86399999, buf);
	ck_assert_str_eq(buf, "2024-02-29T23:59:59.999Z");
	for (int64_t t = 0; t < (int64_t)4102444800000; t += 86400000LL * 37 + 12345) {
		pf_trend_format_time(t, buf);
		ck_assert(pf_trend_parse_time(buf, NOW, "t", &v, &err) == PF_OK);
		ck_assert_int_eq(v, t);
	}
}
END_TEST

START_TEST(buckets)
{
	int64_t day = 86400000;
	/* 90 days at 1000 points: 7776 s buckets */
	ck_assert_int_eq(pf_trend_bucket_ms(0, 90 * day, 1000, 0), 7776000);
	/* intervalMs is a floor */
	ck_assert_int_eq(pf_trend_bucket_ms(0, 90 * day, 1000, 10000000), 10000000);
	/* rounds up: never more than max_points buckets */
	ck_assert_int_eq(pf_trend_bucket_ms(0, 1001, 1000, 0), 2);
	ck_assert_int_eq(pf_trend_bucket_ms(0, 1000, 1000, 0), 1);
	ck_assert_int_eq(pf_trend_bucket_ms(5, 5, 1000, 0), 1);
	ck_assert_int_eq(pf_trend_bucket_ms(10, 5, 0, 0), 1);
}
END_TEST

START_TEST(verdicts)
{
	ck_assert_int_eq(pf_trend_verdict_value("pass"), 0);
	ck_assert_int_eq(pf_trend_verdict_value("warn"), 1);
	ck_assert_int_eq(pf_trend_verdict_value("fail"), 2);
	ck_assert_int_eq(pf_trend_verdict_value("FAIL"), -1);
	ck_assert_int_eq(pf_trend_verdict_value(NULL), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trend");
	TCase *tc = tcase_create("trend");
	tcase_add_test(tc, metric_names);
	tcase_add_loop_test(tc, times_good, 0, (int)(sizeof good_times / sizeof good_times[0]));
	tcase_add_loop_test(tc, times_bad, 0, (int)(sizeof bad_times / sizeof bad_times[0]));
	tcase_add_test(tc, durations);
	tcase_add_test(tc, format_round_trip);
	tcase_add_test(tc, buckets);
	tcase_add_test(tc, verdicts);
	suite_add_tcase(s, tc);
	return pft_run_suite(s);
}
