/* Unit tests of mgr_rate: rates from counters, wraps of narrow counters, and every kind of
 * discontinuity giving no sample instead of a spike. */
#include "config.h"

#include <stdint.h>

#include "mgr_rate.h"
#include "vs_check.h"

START_TEST(first_reading_gives_no_sample)
{
    mgr_counter c = MGR_COUNTER_INIT;
    double r = -1;
    ck_assert_int_eq(mgr_counter_update(&c, 1000, 10.0, 64, 0, 0, &r), -1);
    ck_assert(r == -1);
    ck_assert_int_eq(mgr_counter_update(&c, 1600, 20.0, 64, 0, 0, &r), 0);
    ck_assert(r == 60.0);
}
END_TEST

START_TEST(narrow_counter_wraps_once)
{
    mgr_counter c = MGR_COUNTER_INIT;
    double r = -1;
    ck_assert_int_eq(mgr_counter_update(&c, UINT32_MAX - 99, 0.0, 32, 0, 0, &r), -1);
    /* 99 to reach the top, 1 to wrap to 0, 900 more: 1000 in 10 s. */
    ck_assert_int_eq(mgr_counter_update(&c, 900, 10.0, 32, 0, 0, &r), 0);
    ck_assert(r == 100.0);
}
END_TEST

START_TEST(narrow_counter_wrap_limited_by_max_rate)
{
    mgr_counter c = MGR_COUNTER_INIT;
    double r = -1;
    mgr_counter_update(&c, UINT32_MAX - 99, 0.0, 32, 0, 0, &r);
    ck_assert_int_eq(mgr_counter_update(&c, 899, 10.0, 32, 0, 50.0, &r), -1);
    ck_assert(r == -1);
    /* A drop to a small value with more than half the range "wrapped" is a reset. */
    mgr_counter d = MGR_COUNTER_INIT;
    mgr_counter_update(&d, 1000000000u, 0.0, 32, 0, 0, &r);
    ck_assert_int_eq(mgr_counter_update(&d, 5, 10.0, 32, 0, 0, &r), -1);
    ck_assert(r == -1);
    /* The reading after the refused one is a new base. */
    ck_assert_int_eq(mgr_counter_update(&d, 105, 20.0, 32, 0, 0, &r), 0);
    ck_assert(r == 10.0);
}
END_TEST

START_TEST(wide_counter_going_down_is_a_reset)
{
    mgr_counter c = MGR_COUNTER_INIT;
    double r = -1;
    mgr_counter_update(&c, UINT64_C(1) << 40, 0.0, 64, 0, 0, &r);
    ck_assert_int_eq(mgr_counter_update(&c, 10, 10.0, 64, 0, 0, &r), -1);
    ck_assert(r == -1);
    ck_assert_int_eq(mgr_counter_update(&c, 110, 20.0, 64, 0, 0, &r), 0);
    ck_assert(r == 10.0);
}
END_TEST

START_TEST(changed_epoch_gives_no_sample)
{
    mgr_counter c = MGR_COUNTER_INIT;
    double r = -1;
    mgr_counter_update(&c, 100, 0.0, 64, 7, 0, &r);
    /* Went up, but the source says its counters restarted in between. */
    ck_assert_int_eq(mgr_counter_update(&c, 200, 10.0, 64, 8, 0, &r), -1);
    ck_assert(r == -1);
    ck_assert_int_eq(mgr_counter_update(&c, 300, 20.0, 64, 8, 0, &r), 0);
    ck_assert(r == 10.0);
}
END_TEST

START_TEST(time_must_advance_and_rate_be_believable)
{
    mgr_counter c = MGR_COUNTER_INIT;
    double r = -1;
    mgr_counter_update(&c, 100, 10.0, 64, 0, 0, &r);
    ck_assert_int_eq(mgr_counter_update(&c, 200, 10.0, 64, 0, 0, &r), -1);
    ck_assert_int_eq(mgr_counter_update(&c, 300, 5.0, 64, 0, 0, &r), -1);
    ck_assert_int_eq(mgr_counter_update(&c, 1000300, 6.0, 64, 0, 1000.0, &r), -1);
    ck_assert(r == -1);
    ck_assert_int_eq(mgr_counter_update(&c, 1000800, 7.0, 64, 0, 1000.0, &r), 0);
    ck_assert(r == 500.0);
}
END_TEST

static Suite *rate_suite(void)
{
    Suite *s = suite_create("mgr_rate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, first_reading_gives_no_sample);
    tcase_add_test(tc, narrow_counter_wraps_once);
    tcase_add_test(tc, narrow_counter_wrap_limited_by_max_rate);
    tcase_add_test(tc, wide_counter_going_down_is_a_reset);
    tcase_add_test(tc, changed_epoch_gives_no_sample);
    tcase_add_test(tc, time_must_advance_and_rate_be_believable);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(rate_suite)
