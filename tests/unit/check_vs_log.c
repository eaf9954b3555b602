/* Unit tests of vs_log: prefixes, levels, truncation, and throttling of repeated failures. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vs_check.h"
#include "vs_log.h"

#define MAX_LINES 16

static char lines[MAX_LINES][4096];
static int n_lines;
static int n_formatted;

static void capture(vs_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)ctx;
    if (n_lines < MAX_LINES)
        snprintf(lines[n_lines], sizeof(lines[0]), "%s", line);
    n_lines++;
}

/* An argument whose evaluation is counted, to prove VS_LOG skips formatting. */
static const char *counted(void)
{
    n_formatted++;
    return "x";
}

static void setup(void)
{
    n_lines = 0;
    n_formatted = 0;
    vs_log_init("vs-test", VS_LOG_INFO);
    vs_log_set_sink(capture, NULL);
}

START_TEST(line_has_component_and_target_prefix)
{
    VS_LOG(VS_LOG_ERR, "hv1", "connection lost: %s", "EOF");
    VS_LOG(VS_LOG_NOTICE, NULL, "started");
    ck_assert_int_eq(n_lines, 2);
    ck_assert_str_eq(lines[0], "vs-test: hv1: connection lost: EOF");
    ck_assert_str_eq(lines[1], "vs-test: started");
}
END_TEST

START_TEST(level_filter_skips_formatting)
{
    VS_LOG(VS_LOG_DEBUG, "hv1", "detail %s", counted());
    ck_assert_int_eq(n_lines, 0);
    ck_assert_int_eq(n_formatted, 0);
    VS_LOG(VS_LOG_INFO, "hv1", "detail %s", counted());
    ck_assert_int_eq(n_lines, 1);
    ck_assert_int_eq(n_formatted, 1);
}
END_TEST

START_TEST(level_names_parse)
{
    vs_log_level l;
    ck_assert_int_eq(vs_log_level_parse("debug", &l), 0);
    ck_assert_int_eq(l, VS_LOG_DEBUG);
    ck_assert_int_eq(vs_log_level_parse("WARNING", &l), 0);
    ck_assert_int_eq(l, VS_LOG_WARNING);
    ck_assert_int_eq(vs_log_level_parse("loud", &l), -1);
}
END_TEST

START_TEST(long_line_is_cut_with_marker)
{
    char big[5000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    VS_LOG(VS_LOG_ERR, "t", "%s", big);
    ck_assert_int_eq(n_lines, 1);
    size_t len = strlen(lines[0]);
    ck_assert_uint_lt(len, 4096);
    ck_assert_str_eq(lines[0] + len - 3, "...");
    n_lines = 0;
    VS_LOG(VS_LOG_ERR, "t", "short");
    ck_assert_str_eq(lines[0], "vs-test: t: short");
}
END_TEST

START_TEST(repeated_failure_logged_once_then_throttled)
{
    vs_complaint c = VS_COMPLAINT_INIT;
    vs_complain(&c, 100.0, VS_LOG_ERR, "hv1", "cannot connect");
    for (int i = 1; i <= 9; i++)
        vs_complain(&c, 100.0 + i, VS_LOG_ERR, "hv1", "cannot connect");
    ck_assert_int_eq(n_lines, 1);
    ck_assert_str_eq(lines[0], "vs-test: hv1: cannot connect");
    /* An outage shorter than the first interval (a minute) stays one line... */
    vs_complain(&c, 159.0, VS_LOG_ERR, "hv1", "cannot connect");
    ck_assert_int_eq(n_lines, 1);
    /* ...after it, one line with the count held back. */
    vs_complain(&c, 160.0, VS_LOG_ERR, "hv1", "cannot connect");
    ck_assert_int_eq(n_lines, 2);
    ck_assert_str_eq(lines[1], "vs-test: hv1: cannot connect (10 more since the last report)");
    /* The interval doubles: nothing until 280 s. */
    vs_complain(&c, 279.0, VS_LOG_ERR, "hv1", "cannot connect");
    ck_assert_int_eq(n_lines, 2);
    vs_complain(&c, 280.0, VS_LOG_ERR, "hv1", "cannot connect");
    ck_assert_int_eq(n_lines, 3);
}
END_TEST

START_TEST(recovery_logged_once_and_only_after_failure)
{
    vs_complaint c = VS_COMPLAINT_INIT;
    ck_assert_int_eq(vs_complain_release(&c, VS_LOG_NOTICE, "hv1", "connected"), 0);
    ck_assert_int_eq(n_lines, 0);
    vs_complain(&c, 1.0, VS_LOG_ERR, "hv1", "lost");
    ck_assert_int_eq(vs_complain_release(&c, VS_LOG_NOTICE, "hv1", "connected again"), 1);
    ck_assert_int_eq(vs_complain_release(&c, VS_LOG_NOTICE, "hv1", "connected again"), 0);
    ck_assert_int_eq(n_lines, 2);
    ck_assert_str_eq(lines[1], "vs-test: hv1: connected again");
    /* A new outage is reported at once again. */
    vs_complain(&c, 2.0, VS_LOG_ERR, "hv1", "lost");
    ck_assert_int_eq(n_lines, 3);
}
END_TEST

START_TEST(interval_caps_at_one_hour)
{
    vs_complaint c = VS_COMPLAINT_INIT;
    double t = 0;
    vs_complain(&c, t, VS_LOG_ERR, "h", "down");
    for (int i = 0; i < 20; i++) {
        t = c.next_at;
        vs_complain(&c, t, VS_LOG_ERR, "h", "down");
    }
    ck_assert_double_eq(c.interval, 3600.0);
    ck_assert_int_eq(n_lines, 21);
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("vs_log");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, line_has_component_and_target_prefix);
    tcase_add_test(tc, level_filter_skips_formatting);
    tcase_add_test(tc, level_names_parse);
    tcase_add_test(tc, long_line_is_cut_with_marker);
    tcase_add_test(tc, repeated_failure_logged_once_then_throttled);
    tcase_add_test(tc, recovery_logged_once_and_only_after_failure);
    tcase_add_test(tc, interval_caps_at_one_hour);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(log_suite)
