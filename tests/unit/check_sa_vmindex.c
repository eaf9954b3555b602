/* Unit tests of sa_vmindex: file names, index allocation and persistence, start times, writes
 * only on change, and corrupt or unreadable maps reported as FILE:LINE errors. */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sa_vmindex.h"
#include "vs_check.h"
#include "vs_log.h"

static char tmpdir[256];
static char logged[4096];

static void capture(vs_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)ctx;
    size_t n = strlen(logged);
    snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/check_sa_vmindex.XXXXXX",
             tmp != NULL && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    logged[0] = '\0';
    vs_log_init("test", VS_LOG_DEBUG);
    vs_log_set_sink(capture, NULL);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void teardown(void)
{
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    vs_log_set_sink(NULL, NULL);
}

static void uuid_of(int n, unsigned char uuid[16])
{
    memset(uuid, 0, 16);
    uuid[0] = 0x5a;
    uuid[14] = (unsigned char)(n >> 8);
    uuid[15] = (unsigned char)n;
}

static void write_map(const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/vmindex-hv.map", tmpdir);
    FILE *fp = fopen(p, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

START_TEST(file_names_are_escaped)
{
    const char *cases[][2] = {
        { "hv1", "vmindex-hv1.map" },         { "seoul.hv-01_a", "vmindex-seoul.hv-01_a.map" },
        { "a b/c", "vmindex-a%20b%2Fc.map" }, { ".hidden", "vmindex-%2Ehidden.map" },
        { "..", "vmindex-%2E..map" },         { "100%", "vmindex-100%25.map" },
        { "é", "vmindex-%C3%A9.map" },        { "", "vmindex-.map" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *f = sa_vmindex_file_name(cases[i][0]);
        ck_assert_str_eq(f, cases[i][1]);
        free(f);
    }
}
END_TEST

START_TEST(indexes_persist_and_are_never_reused)
{
    unsigned char u[16];
    sa_vmindex_entry e;
    char dir[512];

    snprintf(dir, sizeof(dir), "%s/sub/deeper", tmpdir);
    sa_vmindex *m = sa_vmindex_open(dir, "hv");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(sa_vmindex_count(m), 0);
    for (int i = 1; i <= 3; i++) {
        uuid_of(i, u);
        ck_assert_int_eq(sa_vmindex_find(m, u, &e), -1);
        ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
        ck_assert_int_eq(e.index, i);
        ck_assert_int_eq(e.domain_id, -1);
        ck_assert_int_eq(e.start_known, 0);
    }
    uuid_of(2, u);
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
    ck_assert_int_eq(e.index, 2);
    ck_assert_int_eq(sa_vmindex_set_run(m, u, 17, 1700000000, 1), 0);
    uuid_of(99, u);
    ck_assert_int_eq(sa_vmindex_set_run(m, u, 1, 1, 1), -1);
    ck_assert_int_eq(sa_vmindex_save(m), 0);
    sa_vmindex_free(m);

    m = sa_vmindex_open(dir, "hv");
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(sa_vmindex_count(m), 3);
    uuid_of(2, u);
    ck_assert_int_eq(sa_vmindex_find(m, u, &e), 0);
    ck_assert_int_eq(e.index, 2);
    ck_assert_int_eq(e.domain_id, 17);
    ck_assert_int_eq(e.start_known, 1);
    ck_assert_int_eq((int)(e.start_time - 1700000000), 0);
    uuid_of(4, u);
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
    ck_assert_int_eq(e.index, 4);
    sa_vmindex_free(m);
    /* Not saved: the next opening gives the new UUID a fresh index again, still not 1..3. */
    m = sa_vmindex_open(dir, "hv");
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
    ck_assert_int_eq(e.index, 4);
    sa_vmindex_free(m);
}
END_TEST

START_TEST(next_counter_wins_over_records)
{
    unsigned char u[16];
    sa_vmindex_entry e;

    write_map("# comment\n\nversion 1\nnext 10\n"
              "1 5a000000-0000-0000-0000-000000000001 -1 -\n"
              "7 5A000000-0000-0000-0000-000000000002 3 1600000000\n");
    sa_vmindex *m = sa_vmindex_open(tmpdir, "hv");
    ck_assert_ptr_nonnull(m);
    uuid_of(2, u);
    ck_assert_int_eq(sa_vmindex_find(m, u, &e), 0);
    ck_assert_int_eq(e.index, 7);
    ck_assert_int_eq(e.domain_id, 3);
    uuid_of(3, u);
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
    ck_assert_int_eq(e.index, 10);
    sa_vmindex_free(m);

    /* A record past "next" moves the counter past it. */
    write_map("version 1\nnext 2\n40 5a000000-0000-0000-0000-000000000001 -1 -\n");
    m = sa_vmindex_open(tmpdir, "hv");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
    ck_assert_int_eq(e.index, 41);
    sa_vmindex_free(m);
}
END_TEST

START_TEST(indexes_can_run_out)
{
    unsigned char u[16];
    sa_vmindex_entry e;

    write_map("version 1\nnext 2147483647\n");
    sa_vmindex *m = sa_vmindex_open(tmpdir, "hv");
    ck_assert_ptr_nonnull(m);
    uuid_of(1, u);
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
    ck_assert_int_eq(e.index, 2147483647);
    uuid_of(2, u);
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), -1);
    ck_assert_ptr_nonnull(strstr(logged, "every VM index has been handed out"));
    sa_vmindex_free(m);
}
END_TEST

START_TEST(written_only_when_changed)
{
    unsigned char u[16];
    sa_vmindex_entry e;
    char p[512];
    struct stat a, b;

    snprintf(p, sizeof(p), "%s/vmindex-hv.map", tmpdir);
    sa_vmindex *m = sa_vmindex_open(tmpdir, "hv");
    ck_assert_int_eq(sa_vmindex_save(m), 0);
    ck_assert_int_eq(stat(p, &a), -1); /* nothing to write yet */
    uuid_of(1, u);
    ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
    ck_assert_int_eq(sa_vmindex_save(m), 0);
    ck_assert_int_eq(stat(p, &a), 0);
    ck_assert_int_eq(sa_vmindex_set_run(m, u, -1, 0, 0), 0); /* the same as it holds */
    ck_assert_int_eq(sa_vmindex_save(m), 0);
    ck_assert_int_eq(stat(p, &b), 0);
    ck_assert_uint_eq(a.st_ino, b.st_ino);
    ck_assert_int_eq(sa_vmindex_set_run(m, u, 5, 1234, 1), 0);
    ck_assert_int_eq(sa_vmindex_save(m), 0);
    ck_assert_int_eq(stat(p, &b), 0);
    ck_assert_uint_ne(a.st_ino, b.st_ino); /* replaced by rename */
    snprintf(p, sizeof(p), "%s/vmindex-hv.map.tmp", tmpdir);
    ck_assert_int_eq(stat(p, &b), -1);
    ck_assert_str_eq(strrchr(sa_vmindex_path(m), '/'), "/vmindex-hv.map");
    sa_vmindex_free(m);
}
END_TEST

static const char *const corrupt_maps[][2] = {
    { "next 3\n", ":1: expected \"version 1\" first" },
    { "version 2\n", ":1: expected \"version 1\" first" },
    { "version 1\nnext x\n", ":2: \"x\" is not a next index" },
    { "version 1\n1 5a000000-0000-0000-0000-000000000001 -1\n", ":2: expected \"INDEX UUID" },
    { "version 1\n0 5a000000-0000-0000-0000-000000000001 -1 -\n", ":2: \"0\" is not a VM index" },
    { "version 1\n# c\n1 5a000000-0000-0000-0000-00000000001 -1 -\n", ":3: \"5a000000" },
    { "version 1\n1 5a000000-0000-0000-0000-000000000001 -2 -\n", ":2: \"-2\" is not a domain ID" },
    { "version 1\n1 5a000000-0000-0000-0000-000000000001 1 soon\n", ":2: \"soon\" is not a start" },
    { "version 1\n1 5a000000-0000-0000-0000-000000000001 -1 -\n"
      "2 5a000000-0000-0000-0000-000000000001 -1 -\n",
      ":3: UUID 5a000000-0000-0000-0000-000000000001 appears twice" },
    { "version 1\n1 5a000000-0000-0000-0000-000000000001 -1 -\n"
      "1 5a000000-0000-0000-0000-000000000002 -1 -\n",
      "vmindex-hv.map: two UUIDs share one VM index" },
    { "# only a comment\n", ":1: the VM index map has no \"version 1\" line" },
};

START_TEST(corrupt_map_names_file_and_line)
{
    write_map(corrupt_maps[_i][0]);
    ck_assert_ptr_null(sa_vmindex_open(tmpdir, "hv"));
    ck_assert_msg(strstr(logged, corrupt_maps[_i][1]) != NULL, "case %d logged: %s", _i, logged);
    ck_assert_ptr_nonnull(strstr(logged, "/vmindex-hv.map"));
}
END_TEST

START_TEST(unreadable_map_and_bad_state_dir)
{
    char p[512];

    snprintf(p, sizeof(p), "%s/vmindex-hv.map", tmpdir);
    ck_assert_int_eq(mkdir(p, 0755), 0); /* a directory where the map should be */
    ck_assert_ptr_null(sa_vmindex_open(tmpdir, "hv"));
    ck_assert_ptr_nonnull(strstr(logged, "vmindex-hv.map"));
    rmdir(p);
    logged[0] = '\0';
    write_map("version 1\n");
    ck_assert_ptr_null(sa_vmindex_open(p, "hv")); /* the state directory is a file */
    ck_assert_ptr_nonnull(strstr(logged, "cannot create the state directory"));
}
END_TEST

START_TEST(many_uuids)
{
    unsigned char u[16];
    sa_vmindex_entry e;

    sa_vmindex *m = sa_vmindex_open(tmpdir, "hv");
    for (int i = 0; i < 20000; i++) {
        uuid_of(i, u);
        u[3] = (unsigned char)(i * 7);
        ck_assert_int_eq(sa_vmindex_get(m, u, &e), 0);
        ck_assert_int_eq(e.index, i + 1);
    }
    for (int i = 0; i < 20000; i += 997) {
        uuid_of(i, u);
        u[3] = (unsigned char)(i * 7);
        ck_assert_int_eq(sa_vmindex_find(m, u, &e), 0);
        ck_assert_int_eq(e.index, i + 1);
    }
    ck_assert_int_eq(sa_vmindex_save(m), 0);
    sa_vmindex_free(m);
    m = sa_vmindex_open(tmpdir, "hv");
    ck_assert_uint_eq(sa_vmindex_count(m), 20000);
    sa_vmindex_free(m);
}
END_TEST

static Suite *vmindex_suite(void)
{
    Suite *s = suite_create("sa_vmindex");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, file_names_are_escaped);
    tcase_add_test(tc, indexes_persist_and_are_never_reused);
    tcase_add_test(tc, next_counter_wins_over_records);
    tcase_add_test(tc, indexes_can_run_out);
    tcase_add_test(tc, written_only_when_changed);
    tcase_add_loop_test(tc, corrupt_map_names_file_and_line, 0,
                        (int)(sizeof(corrupt_maps) / sizeof(corrupt_maps[0])));
    tcase_add_test(tc, unreadable_map_and_bad_state_dir);
    tcase_add_test(tc, many_uuids);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(vmindex_suite)
