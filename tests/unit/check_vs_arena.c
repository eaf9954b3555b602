/* Unit tests of vs_arena: alignment, growth, large requests, copies, overflow and reuse. */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vs_arena.h"
#include "vs_check.h"

START_TEST(allocations_are_aligned_and_distinct)
{
    vs_arena a;
    vs_arena_init(&a, 1024);
    char *prev = NULL;
    for (int i = 1; i < 200; i++) {
        char *p = vs_arena_alloc(&a, (size_t)(i % 37) + 1);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % alignof(max_align_t), 0);
        ck_assert(p != prev);
        memset(p, i, (size_t)(i % 37) + 1);
        prev = p;
    }
    vs_arena_free(&a);
}
END_TEST

START_TEST(content_survives_growth)
{
    vs_arena a;
    vs_arena_init(&a, 256);
    char *s[500];
    char buf[32];
    for (int i = 0; i < 500; i++) {
        snprintf(buf, sizeof(buf), "vm-%d", i);
        s[i] = vs_arena_strdup(&a, buf);
        ck_assert_ptr_nonnull(s[i]);
    }
    for (int i = 0; i < 500; i++) {
        snprintf(buf, sizeof(buf), "vm-%d", i);
        ck_assert_str_eq(s[i], buf);
    }
    vs_arena_free(&a);
}
END_TEST

START_TEST(large_request_gets_own_chunk_and_keeps_current)
{
    vs_arena a;
    vs_arena_init(&a, 1024);
    char *small1 = vs_arena_strdup(&a, "before");
    char *big = vs_arena_alloc(&a, 100000);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 100000);
    char *small2 = vs_arena_strdup(&a, "after");
    ck_assert_str_eq(small1, "before");
    ck_assert_str_eq(small2, "after");
    /* The small allocations still share the first chunk. */
    ck_assert_uint_lt((size_t)(small2 > small1 ? small2 - small1 : small1 - small2), 1024);
    vs_arena_free(&a);
}
END_TEST

START_TEST(copies_and_zeroing)
{
    vs_arena a;
    vs_arena_init(&a, 512);
    ck_assert_str_eq(vs_arena_strdup(&a, NULL), "");
    ck_assert_str_eq(vs_arena_strndup(&a, "hypervisor", 5), "hyper");
    int *z = vs_arena_calloc(&a, 100, sizeof(int));
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(z[i], 0);
    ck_assert_ptr_null(vs_arena_calloc(&a, SIZE_MAX / 2, 4));
    ck_assert_ptr_null(vs_arena_alloc(&a, SIZE_MAX - 4));
    vs_arena_free(&a);
}
END_TEST

START_TEST(free_resets_for_reuse)
{
    vs_arena a;
    vs_arena_init(&a, 256);
    ck_assert_ptr_nonnull(vs_arena_strdup(&a, "one"));
    vs_arena_free(&a);
    ck_assert_ptr_null(a.head);
    ck_assert_uint_eq(a.used, 0);
    ck_assert_str_eq(vs_arena_strdup(&a, "two"), "two");
    vs_arena_free(&a);
    vs_arena_free(NULL);
}
END_TEST

static Suite *arena_suite(void)
{
    Suite *s = suite_create("vs_arena");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, allocations_are_aligned_and_distinct);
    tcase_add_test(tc, content_survives_growth);
    tcase_add_test(tc, large_request_gets_own_chunk_and_keeps_current);
    tcase_add_test(tc, copies_and_zeroing);
    tcase_add_test(tc, free_resets_for_reuse);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(arena_suite)
