/* Unit tests of vs_buf: appending, formatting, the size limit and ownership. */
#include "config.h"

#include <string.h>

#include "vs_buf.h"
#include "vs_check.h"

START_TEST(empty_buffer_reads_as_empty_string)
{
    vs_buf b;
    vs_buf_init(&b, 16);
    ck_assert_str_eq(vs_buf_str(&b), "");
    ck_assert_uint_eq(b.len, 0);
    vs_buf_free(&b);
}
END_TEST

START_TEST(append_and_format_concatenate)
{
    vs_buf b;
    vs_buf_init(&b, 1024);
    ck_assert_int_eq(vs_buf_append_str(&b, "vm "), 0);
    ck_assert_int_eq(vs_buf_appendf(&b, "%d:%s", 42, "up"), 0);
    ck_assert_str_eq(vs_buf_str(&b), "vm 42:up");
    ck_assert_uint_eq(b.len, 8);
    vs_buf_free(&b);
}
END_TEST

START_TEST(growth_past_initial_allocation_keeps_content)
{
    vs_buf b;
    vs_buf_init(&b, 100000);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(vs_buf_appendf(&b, "%03d,", i % 1000), 0);
    ck_assert_uint_eq(b.len, 4000);
    ck_assert(strncmp(vs_buf_str(&b), "000,001,002,", 12) == 0);
    ck_assert_str_eq(vs_buf_str(&b) + 3996, "999,");
    vs_buf_free(&b);
}
END_TEST

START_TEST(limit_refuses_and_leaves_buffer_unchanged)
{
    vs_buf b;
    vs_buf_init(&b, 8);
    ck_assert_int_eq(vs_buf_append_str(&b, "12345"), 0);
    ck_assert_int_eq(vs_buf_append_str(&b, "6789"), -1);
    ck_assert_str_eq(vs_buf_str(&b), "12345");
    ck_assert_int_eq(vs_buf_appendf(&b, "%s", "abcd"), -1);
    ck_assert_str_eq(vs_buf_str(&b), "12345");
    ck_assert_int_eq(vs_buf_append_str(&b, "678"), 0);
    ck_assert_str_eq(vs_buf_str(&b), "12345678");
    ck_assert_int_eq(vs_buf_append(&b, "x", 1), -1);
    vs_buf_free(&b);
}
END_TEST

START_TEST(binary_data_and_reset)
{
    vs_buf b;
    vs_buf_init(&b, 64);
    ck_assert_int_eq(vs_buf_append(&b, "a\0b", 3), 0);
    ck_assert_uint_eq(b.len, 3);
    ck_assert(memcmp(b.data, "a\0b", 4) == 0);
    vs_buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(vs_buf_str(&b), "");
    vs_buf_free(&b);
}
END_TEST

START_TEST(steal_hands_over_ownership)
{
    vs_buf b;
    vs_buf_init(&b, 64);
    char *empty = vs_buf_steal(&b);
    ck_assert_str_eq(empty, "");
    free(empty);
    ck_assert_int_eq(vs_buf_append_str(&b, "mine"), 0);
    char *s = vs_buf_steal(&b);
    ck_assert_str_eq(s, "mine");
    ck_assert_ptr_null(b.data);
    ck_assert_str_eq(vs_buf_str(&b), "");
    free(s);
    vs_buf_free(&b);
    vs_buf_free(NULL);
}
END_TEST

static Suite *buf_suite(void)
{
    Suite *s = suite_create("vs_buf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, empty_buffer_reads_as_empty_string);
    tcase_add_test(tc, append_and_format_concatenate);
    tcase_add_test(tc, growth_past_initial_allocation_keeps_content);
    tcase_add_test(tc, limit_refuses_and_leaves_buffer_unchanged);
    tcase_add_test(tc, binary_data_and_reset);
    tcase_add_test(tc, steal_hands_over_ownership);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(buf_suite)
