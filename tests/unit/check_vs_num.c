/* Unit tests of vs_num: what each parser accepts and everything it must refuse. */
#include "config.h"

#include <limits.h>

#include "vs_check.h"
#include "vs_num.h"

START_TEST(parse_long_accepts_in_range)
{
    long v = 0;
    ck_assert_int_eq(vs_num_parse_long("42", 0, 100, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(vs_num_parse_long("  -7", -10, 10, &v), 0);
    ck_assert_int_eq(v, -7);
    ck_assert_int_eq(vs_num_parse_long("+5", 0, 10, &v), 0);
    ck_assert_int_eq(v, 5);
}
END_TEST

START_TEST(parse_long_refuses_junk_and_range)
{
    long v = 99;
    const char *bad[] = { "", "   ", "4x", "x4", "4 ", "1e3", "0x10", "--1", "12.5" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(vs_num_parse_long(bad[i], LONG_MIN, LONG_MAX, &v) == -1, "accepted '%s'",
                      bad[i]);
    }
    ck_assert_int_eq(vs_num_parse_long("101", 0, 100, &v), -1);
    ck_assert_int_eq(vs_num_parse_long("-1", 0, 100, &v), -1);
    ck_assert_int_eq(vs_num_parse_long("99999999999999999999999", LONG_MIN, LONG_MAX, &v), -1);
    ck_assert_int_eq(vs_num_parse_long(NULL, 0, 1, &v), -1);
    ck_assert_int_eq(v, 99);
}
END_TEST

START_TEST(parse_unsigned_refuses_minus)
{
    unsigned long v = 7;
    unsigned long long w = 7;
    ck_assert_int_eq(vs_num_parse_ulong("-1", ULONG_MAX, &v), -1);
    ck_assert_int_eq(vs_num_parse_u64(" -0", ULLONG_MAX, &w), -1);
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(vs_num_parse_ulong("4294967295", 4294967295UL, &v), 0);
    ck_assert_uint_eq(v, 4294967295UL);
    ck_assert_int_eq(vs_num_parse_ulong("4294967296", 4294967295UL, &v), -1);
    ck_assert_int_eq(vs_num_parse_u64("18446744073709551615", ULLONG_MAX, &w), 0);
    ck_assert(w == ULLONG_MAX);
    ck_assert_int_eq(vs_num_parse_u64("18446744073709551616", ULLONG_MAX, &w), -1);
}
END_TEST

START_TEST(parse_double_accepts_decimal_only)
{
    double d = 0;
    ck_assert_int_eq(vs_num_parse_double("97.5", &d), 0);
    ck_assert_double_eq(d, 97.5);
    ck_assert_int_eq(vs_num_parse_double("-2e3", &d), 0);
    ck_assert_double_eq(d, -2000.0);
    const char *bad[] = { "", "nan", "inf", "0x1p3", "1.5.2", "5%", "1e999" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(vs_num_parse_double(bad[i], &d) == -1, "accepted '%s'", bad[i]);
}
END_TEST

static Suite *num_suite(void)
{
    Suite *s = suite_create("vs_num");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parse_long_accepts_in_range);
    tcase_add_test(tc, parse_long_refuses_junk_and_range);
    tcase_add_test(tc, parse_unsigned_refuses_minus);
    tcase_add_test(tc, parse_double_accepts_decimal_only);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(num_suite)
