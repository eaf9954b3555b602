/* Unit tests of vs_range: the Nagios range grammar (what it takes and what it refuses, with
 * the reason), alerting and clearing with hysteresis for every form, and text round trips. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "vs_check.h"
#include "vs_range.h"

static const struct {
    const char *text;
    double start, end;
    int inside;
} valid[] = {
    { "10", 0, 10, 0 },           { "0", 0, 0, 0 },
    { "10:", 10, INFINITY, 0 },   { "-5:", -5, INFINITY, 0 },
    { "~:10", -INFINITY, 10, 0 }, { "~:-2.5", -INFINITY, -2.5, 0 },
    { "10:20", 10, 20, 0 },       { "10:10", 10, 10, 0 },
    { "-20:-10", -20, -10, 0 },   { "1.5:2.25", 1.5, 2.25, 0 },
    { "1e3:2e3", 1000, 2000, 0 }, { "@10:20", 10, 20, 1 },
    { "@10", 0, 10, 1 },          { "@~:0", -INFINITY, 0, 1 },
    { "@5:", 5, INFINITY, 1 },
};

START_TEST(parse_accepts_every_nagios_form)
{
    vs_range r;
    char err[256] = "";
    ck_assert_msg(vs_range_parse(valid[_i].text, &r, err, sizeof(err)) == 0, "%s: %s",
                  valid[_i].text, err);
    ck_assert_msg(r.start == valid[_i].start, "%s: start %g", valid[_i].text, r.start);
    ck_assert_msg(r.end == valid[_i].end, "%s: end %g", valid[_i].text, r.end);
    ck_assert_int_eq(r.inside, valid[_i].inside);
}
END_TEST

static const struct {
    const char *text;
    const char *why; /* a part of the message */
} invalid[] = {
    { "", "empty" },
    { "@", "nothing follows '@'" },
    { "10:5", "start 10 is greater than the end 5" },
    { "@20:10", "greater than the end" },
    { "-5", "below 0" },
    { "abc", "'abc' is not a decimal number" },
    { "10:abc", "the end 'abc'" },
    { "x:10", "the start 'x'" },
    { ":10", "nothing comes before ':'" },
    { "1:2:3", "more than one ':'" },
    { "10:~", "'~' (minus infinity) can only start" },
    { "~", "can only start" },
    { "~:", "never alert" },
    { "@~:", "always alert" },
    { " 10", "blank" },
    { "10 ", "blank" },
    { "inf", "not a decimal number" },
    { "~:nan", "not a decimal number" },
    { "0x10", "not a decimal number" },
    { "10%", "not a decimal number" },
    { "@@10", "not a decimal number" },
    { "1e999", "not a decimal number" },
};

START_TEST(parse_refuses_junk_and_says_why)
{
    vs_range r = { 1, 2, 0, 0 };
    char err[256] = "";
    ck_assert_msg(vs_range_parse(invalid[_i].text, &r, err, sizeof(err)) == -1, "'%s' accepted",
                  invalid[_i].text);
    ck_assert_msg(strstr(err, invalid[_i].why) != NULL, "'%s': message '%s' lacks '%s'",
                  invalid[_i].text, err, invalid[_i].why);
    /* The output is untouched on error. */
    ck_assert(r.start == 1 && r.end == 2 && r.inside == 0);
}
END_TEST

START_TEST(parse_refuses_null_and_tolerates_no_err_buffer)
{
    vs_range r;
    ck_assert_int_eq(vs_range_parse(NULL, &r, NULL, 0), -1);
    ck_assert_int_eq(vs_range_parse("10:5", &r, NULL, 0), -1);
}
END_TEST

static vs_range parse(const char *text)
{
    vs_range r;
    char err[256];
    ck_assert_msg(vs_range_parse(text, &r, err, sizeof(err)) == 0, "%s: %s", text, err);
    return r;
}

START_TEST(alert_single_value_is_outside_zero_to_n)
{
    vs_range r = parse("10");
    ck_assert(vs_range_alert(&r, -0.1));
    ck_assert(!vs_range_alert(&r, 0));
    ck_assert(!vs_range_alert(&r, 10));
    ck_assert(vs_range_alert(&r, 10.001));
}
END_TEST

START_TEST(alert_open_end_is_below_start)
{
    vs_range r = parse("10:");
    ck_assert(vs_range_alert(&r, 9.99));
    ck_assert(!vs_range_alert(&r, 10));
    ck_assert(!vs_range_alert(&r, 1e300));
}
END_TEST

START_TEST(alert_tilde_start_is_above_end)
{
    vs_range r = parse("~:10");
    ck_assert(!vs_range_alert(&r, -1e300));
    ck_assert(!vs_range_alert(&r, 10));
    ck_assert(vs_range_alert(&r, 10.5));
}
END_TEST

START_TEST(alert_inside_range_is_inclusive)
{
    vs_range r = parse("@10:20");
    ck_assert(!vs_range_alert(&r, 9.9));
    ck_assert(vs_range_alert(&r, 10));
    ck_assert(vs_range_alert(&r, 20));
    ck_assert(!vs_range_alert(&r, 20.1));
}
END_TEST

START_TEST(alert_and_clear_ignore_nan)
{
    vs_range r = parse("10");
    ck_assert(!vs_range_alert(&r, NAN));
    ck_assert(!vs_range_clear(&r, NAN, 0));
    vs_range in = parse("@10:20");
    ck_assert(!vs_range_alert(&in, NAN));
    ck_assert(!vs_range_clear(&in, NAN, 0));
}
END_TEST

START_TEST(clear_outside_range_needs_hysteresis_inside_both_ends)
{
    vs_range r = parse("10:20");
    /* Clear only inside [12, 18]. */
    ck_assert(!vs_range_clear(&r, 9, 2));
    ck_assert(!vs_range_clear(&r, 11.9, 2));
    ck_assert(vs_range_clear(&r, 12, 2));
    ck_assert(vs_range_clear(&r, 18, 2));
    ck_assert(!vs_range_clear(&r, 18.5, 2));
    ck_assert(!vs_range_clear(&r, 21, 2));
}
END_TEST

START_TEST(clear_single_value_needs_hysteresis_below_n)
{
    vs_range r = parse("95");
    ck_assert(!vs_range_clear(&r, 95, 5));
    ck_assert(!vs_range_clear(&r, 90.1, 5));
    ck_assert(vs_range_clear(&r, 90, 5));
    ck_assert(vs_range_clear(&r, 5, 5));
    /* The 0 of "N" is implied, not a threshold: no band there, an idle value clears. */
    ck_assert(vs_range_clear(&r, 4, 5));
    ck_assert(vs_range_clear(&r, 0, 5));
    ck_assert(!vs_range_clear(&r, -0.1, 5));
    vs_range at = parse("@10");
    ck_assert(!vs_range_clear(&at, 10.5, 1));
    ck_assert(vs_range_clear(&at, 11.5, 1));
    ck_assert(vs_range_clear(&at, -0.5, 1));
    vs_range zero = parse("0:95"); /* a 0 written out is a threshold like any other */
    ck_assert(!vs_range_clear(&zero, 4, 5));
    ck_assert(vs_range_clearable(&r, 47.5));
    ck_assert(vs_range_clearable(&r, 95));
    ck_assert(!vs_range_clearable(&zero, 47.6));
}
END_TEST

START_TEST(clear_open_sides_stay_open)
{
    vs_range lo = parse("10:");
    ck_assert(!vs_range_clear(&lo, 11, 2));
    ck_assert(vs_range_clear(&lo, 12, 2));
    ck_assert(vs_range_clear(&lo, 1e300, 2));
    vs_range hi = parse("~:10");
    ck_assert(!vs_range_clear(&hi, 9, 2));
    ck_assert(vs_range_clear(&hi, 8, 2));
    ck_assert(vs_range_clear(&hi, -1e300, 2));
}
END_TEST

START_TEST(clear_inside_range_needs_hysteresis_outside_both_ends)
{
    vs_range r = parse("@10:20");
    /* Clear only outside [8, 22]. */
    ck_assert(!vs_range_clear(&r, 15, 2));
    ck_assert(!vs_range_clear(&r, 9, 2));
    ck_assert(!vs_range_clear(&r, 8, 2));
    ck_assert(vs_range_clear(&r, 7.9, 2));
    ck_assert(!vs_range_clear(&r, 22, 2));
    ck_assert(vs_range_clear(&r, 22.1, 2));
    vs_range open = parse("@5:");
    ck_assert(!vs_range_clear(&open, 1e300, 1));
    ck_assert(vs_range_clear(&open, 3.9, 1));
}
END_TEST

START_TEST(clear_without_hysteresis_is_not_alert)
{
    static const char *const forms[] = { "10", "10:", "~:10", "10:20", "@10:20", "@~:0" };
    static const double values[] = { -1e9, -1, 0, 5, 10, 15, 20, 25, 1e9 };
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        vs_range r = parse(forms[f]);
        for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
            ck_assert_msg(vs_range_clear(&r, values[v], 0) == !vs_range_alert(&r, values[v]),
                          "%s at %g", forms[f], values[v]);
    }
}
END_TEST

START_TEST(clearable_refuses_bands_wider_than_the_range)
{
    vs_range r = parse("10:20");
    ck_assert(vs_range_clearable(&r, 5));
    ck_assert(!vs_range_clearable(&r, 5.01));
    vs_range open = parse("10:");
    ck_assert(vs_range_clearable(&open, 1e6));
    vs_range in = parse("@10:20");
    ck_assert(vs_range_clearable(&in, 1e6));
}
END_TEST

START_TEST(format_gives_text_that_parses_back_the_same)
{
    vs_range r = parse(valid[_i].text), back;
    char buf[64], err[256];
    ck_assert_int_eq(vs_range_format(&r, buf, sizeof(buf)), 0);
    ck_assert_msg(vs_range_parse(buf, &back, err, sizeof(err)) == 0, "%s -> %s: %s", valid[_i].text,
                  buf, err);
    ck_assert(back.start == r.start && back.end == r.end && back.inside == r.inside);
}
END_TEST

START_TEST(format_uses_the_short_forms)
{
    static const struct {
        const char *in, *out;
    } cases[] = { { "0:10", "10" },        { "10:", "10:" },
                  { "~:10", "~:10" },      { "10:20", "10:20" },
                  { "@10:20", "@10:20" },  { "@0:0.1", "@0.1" },
                  { "-1:1e3", "-1:1000" }, { "0.30000000000000004:", "0.30000000000000004:" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vs_range r = parse(cases[i].in);
        char buf[64];
        ck_assert_int_eq(vs_range_format(&r, buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, cases[i].out);
    }
}
END_TEST

START_TEST(format_fails_cleanly_when_the_buffer_is_short)
{
    vs_range r = parse("@10.5:20.25");
    char buf[6] = "xxxxx";
    ck_assert_int_eq(vs_range_format(&r, buf, sizeof(buf)), -1);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(vs_range_format(&r, buf, 0), -1);
}
END_TEST

static Suite *range_suite(void)
{
    Suite *s = suite_create("vs_range");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, parse_accepts_every_nagios_form, 0, sizeof(valid) / sizeof(valid[0]));
    tcase_add_loop_test(tc, parse_refuses_junk_and_says_why, 0,
                        sizeof(invalid) / sizeof(invalid[0]));
    tcase_add_test(tc, parse_refuses_null_and_tolerates_no_err_buffer);
    suite_add_tcase(s, tc);
    tc = tcase_create("evaluate");
    tcase_add_test(tc, alert_single_value_is_outside_zero_to_n);
    tcase_add_test(tc, alert_open_end_is_below_start);
    tcase_add_test(tc, alert_tilde_start_is_above_end);
    tcase_add_test(tc, alert_inside_range_is_inclusive);
    tcase_add_test(tc, alert_and_clear_ignore_nan);
    tcase_add_test(tc, clear_outside_range_needs_hysteresis_inside_both_ends);
    tcase_add_test(tc, clear_single_value_needs_hysteresis_below_n);
    tcase_add_test(tc, clear_open_sides_stay_open);
    tcase_add_test(tc, clear_inside_range_needs_hysteresis_outside_both_ends);
    tcase_add_test(tc, clear_without_hysteresis_is_not_alert);
    tcase_add_test(tc, clearable_refuses_bands_wider_than_the_range);
    suite_add_tcase(s, tc);
    tc = tcase_create("format");
    tcase_add_loop_test(tc, format_gives_text_that_parses_back_the_same, 0,
                        sizeof(valid) / sizeof(valid[0]));
    tcase_add_test(tc, format_uses_the_short_forms);
    tcase_add_test(tc, format_fails_cleanly_when_the_buffer_is_short);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(range_suite)
