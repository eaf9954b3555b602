/* Unit tests of the RRD writer's pure parts: file names and their escaping, the arguments of
 * rrd create (data sources, archives, heartbeat), the text of updates and BATCH lines, and the
 * rrdcached client's address and answer parsing. No I/O. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgr_rrd.h"
#include "mgr_rrdcached.h"
#include "vs_check.h"
#include "vs_num.h"

/* Check that mgr_rrd_path(group, host, kind, id) is want (NULL: refused). */
static void path_is(const char *group, const char *host, mgr_res_kind kind, const char *id,
                    const char *want)
{
    char *got = mgr_rrd_path(group, host, kind, id);
    if (want == NULL)
        ck_assert_msg(got == NULL, "expected no name, got '%s'", got);
    else
        ck_assert_msg(got != NULL && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
                      got != NULL ? got : "(null)");
    free(got);
}

START_TEST(path_layout)
{
    path_is("seoul", "hv1", MGR_RES_VM, "6695eb01-f6a4-8304-79aa-97f2502e193f",
            "seoul/hv1/vm-6695eb01-f6a4-8304-79aa-97f2502e193f.rrd");
    path_is("seoul", "hv1", MGR_RES_HOST, "hv1", "seoul/hv1/host.rrd");
    path_is(NULL, "hv1", MGR_RES_HOST, NULL, "hv1/host.rrd");
    path_is("", "hv1", MGR_RES_IF, "eth0", "hv1/if-eth0.rrd");
    path_is("asia/seoul", "hv1.example.net", MGR_RES_IF, "eth0.100",
            "asia/seoul/hv1.example.net/if-eth0.100.rrd");
    path_is("/asia//seoul/", "hv1", MGR_RES_HOST, NULL, "asia/seoul/hv1/host.rrd");
}
END_TEST

START_TEST(path_escaping)
{
    path_is(NULL, "hv1", MGR_RES_FS, "/", "hv1/fs-%2F.rrd");
    path_is(NULL, "hv1", MGR_RES_FS, "/var/log", "hv1/fs-%2Fvar%2Flog.rrd");
    path_is(NULL, "hv1", MGR_RES_FS, "..", "hv1/fs-%2E..rrd");
    path_is(NULL, "hv1", MGR_RES_FS, "../../etc", "hv1/fs-%2E.%2F..%2Fetc.rrd");
    path_is(NULL, "hv1", MGR_RES_IF, ".hidden", "hv1/if-%2Ehidden.rrd");
    path_is(NULL, "hv1", MGR_RES_IF, "a.b", "hv1/if-a.b.rrd");
    path_is(NULL, "hv1", MGR_RES_IF, "Local Area Connection",
            "hv1/if-Local%20Area%20Connection.rrd");
    path_is(NULL, "hv1", MGR_RES_IF, "\xc3\xa9th0", "hv1/if-%C3%A9th0.rrd"); /* "éth0" */
    path_is(NULL, "hv1", MGR_RES_IF, "100%", "hv1/if-100%25.rrd");
    path_is(NULL, "hv1", MGR_RES_IF, "", "hv1/if-.rrd");
    path_is(NULL, "hv1", MGR_RES_IF, NULL, "hv1/if-.rrd");
    /* Group components and the host are single components too. */
    path_is("..", "../x", MGR_RES_HOST, NULL, "%2E./%2E.%2Fx/host.rrd");
    path_is(".", "hv 1", MGR_RES_HOST, NULL, "%2E/hv%201/host.rrd");
    /* Refused: no host, or a kind that does not exist. */
    path_is("g", "", MGR_RES_HOST, NULL, NULL);
    path_is("g", NULL, MGR_RES_HOST, NULL, NULL);
    path_is("g", "h", MGR_RES__COUNT, "x", NULL);
}
END_TEST

START_TEST(escape_every_byte)
{
    vs_buf b;
    char in[2] = { 0, 0 };

    for (int c = 1; c < 256; c++) {
        vs_buf_init(&b, 16);
        in[0] = (char)c;
        ck_assert_int_eq(mgr_rrd_escape(&b, in), 0);
        int keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                   || c == '_' || c == '-';
        if (keep) {
            ck_assert_uint_eq(b.len, 1);
        } else {
            char want[4];
            snprintf(want, sizeof(want), "%%%02X", c);
            ck_assert_str_eq(vs_buf_str(&b), want);
        }
        vs_buf_free(&b);
    }
    /* A dot is kept after the first byte; a full buffer fails. */
    vs_buf_init(&b, 16);
    ck_assert_int_eq(mgr_rrd_escape(&b, "a.."), 0);
    ck_assert_str_eq(vs_buf_str(&b), "a..");
    vs_buf_free(&b);
    vs_buf_init(&b, 4);
    ck_assert_int_eq(mgr_rrd_escape(&b, "/////"), -1);
    vs_buf_free(&b);
}
END_TEST

/* The index of s in args (of n), or -1. */
static int args_find(char **args, int n, const char *s)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(args[i], s) == 0)
            return i;
    }
    return -1;
}

START_TEST(create_args_data_sources)
{
    int n = 0;
    char **a = mgr_rrd_create_args(MGR_RES_HOST, 60, &n);

    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(n, MGR_H__COUNT + 2 * MGR_RRD_N_ARCHIVES);
    ck_assert_ptr_null(a[n]);
    /* Data sources first, in the metric order, heartbeat 2 steps, U for no bound. */
    ck_assert_str_eq(a[0], "DS:up:GAUGE:120:0:1");
    ck_assert_str_eq(a[MGR_H_CPU_UTIL], "DS:cpu_util:GAUGE:120:0:100");
    ck_assert_str_eq(a[MGR_H_LOAD], "DS:load:GAUGE:120:0:U");
    ck_assert_str_eq(a[MGR_H_VM_RUNNING], "DS:vm_running:GAUGE:120:0:U");
    mgr_rrd_args_free(a);

    a = mgr_rrd_create_args(MGR_RES_VM, 10, &n);
    ck_assert_int_eq(n, MGR_V__COUNT + 2 * MGR_RRD_N_ARCHIVES);
    ck_assert_str_eq(a[MGR_V_STATE], "DS:state:GAUGE:20:1:12");
    ck_assert_str_eq(a[MGR_V_NET_TX_BPS], "DS:net_tx_bps:GAUGE:20:0:U");
    mgr_rrd_args_free(a);

    a = mgr_rrd_create_args(MGR_RES_IF, 300, &n);
    ck_assert_int_eq(n, MGR_I__COUNT + 2 * MGR_RRD_N_ARCHIVES);
    ck_assert_str_eq(a[0], "DS:rx_bps:GAUGE:600:0:U");
    ck_assert_str_eq(a[2], "DS:errors:GAUGE:600:0:U");
    mgr_rrd_args_free(a);

    a = mgr_rrd_create_args(MGR_RES_FS, 60, &n);
    ck_assert_int_eq(n, 1 + 2 * MGR_RRD_N_ARCHIVES);
    ck_assert_str_eq(a[0], "DS:used_pct:GAUGE:120:0:100");
    mgr_rrd_args_free(a);

    ck_assert_ptr_null(mgr_rrd_create_args(MGR_RES_FS, 0, &n));
    mgr_rrd_args_free(NULL);
}
END_TEST

START_TEST(create_args_archives)
{
    static const char *const at60[] = {
        "RRA:AVERAGE:0.5:1:60",    "RRA:MAX:0.5:1:60",       "RRA:AVERAGE:0.5:5:288",
        "RRA:MAX:0.5:5:288",       "RRA:AVERAGE:0.5:30:336", "RRA:MAX:0.5:30:336",
        "RRA:AVERAGE:0.5:120:372", "RRA:MAX:0.5:120:372",    "RRA:AVERAGE:0.5:1440:366",
        "RRA:MAX:0.5:1440:366",
    };
    static const char *const at10[] = { "RRA:AVERAGE:0.5:1:360", "RRA:AVERAGE:0.5:30:288",
                                        "RRA:AVERAGE:0.5:180:336", "RRA:MAX:0.5:720:372",
                                        "RRA:MAX:0.5:8640:366" };
    int n;
    char **a = mgr_rrd_create_args(MGR_RES_FS, 60, &n);

    /* After the data sources, in this order. */
    for (size_t i = 0; i < sizeof(at60) / sizeof(at60[0]); i++)
        ck_assert_str_eq(a[1 + i], at60[i]);
    mgr_rrd_args_free(a);
    a = mgr_rrd_create_args(MGR_RES_FS, 10, &n);
    for (size_t i = 0; i < sizeof(at10) / sizeof(at10[0]); i++)
        ck_assert_msg(args_find(a, n, at10[i]) > 0, "step 10: no %s", at10[i]);
    mgr_rrd_args_free(a);
    /* A step that divides nothing: the hour rounds up, the day to 43 steps of 7 s. */
    a = mgr_rrd_create_args(MGR_RES_FS, 7, &n);
    ck_assert_int_gt(args_find(a, n, "RRA:AVERAGE:0.5:1:515"), 0);
    ck_assert_int_gt(args_find(a, n, "RRA:AVERAGE:0.5:43:288"), 0);
    mgr_rrd_args_free(a);
    /* A step as long as the hour: one row, then every point kept where finer was wanted. */
    a = mgr_rrd_create_args(MGR_RES_FS, 3600, &n);
    ck_assert_int_gt(args_find(a, n, "RRA:AVERAGE:0.5:1:1"), 0);
    ck_assert_int_gt(args_find(a, n, "RRA:AVERAGE:0.5:1:24"), 0);
    ck_assert_int_gt(args_find(a, n, "RRA:MAX:0.5:24:366"), 0);
    mgr_rrd_args_free(a);
}
END_TEST

START_TEST(archive_rows_in_range)
{
    static const unsigned long spans[MGR_RRD_N_ARCHIVES] = { 3600, 86400, 7 * 86400, 31 * 86400,
                                                             366 * 86400 };
    unsigned long pdp, rows;

    for (int step = 1; step <= 300; step++) {
        for (int i = 0; i < MGR_RRD_N_ARCHIVES; i++) {
            ck_assert_int_eq(mgr_rrd_archive(step, i, &pdp, &rows), 0);
            unsigned long covered = pdp * rows * (unsigned long)step;
            /* Each covers its span, with less than one row more. */
            ck_assert_msg(covered >= spans[i] && covered < spans[i] + pdp * (unsigned long)step,
                          "step %d archive %d: %lu x %lu", step, i, pdp, rows);
            if (i == 0)
                ck_assert_uint_eq(pdp, 1);
            else
                ck_assert_msg(rows >= 190 && rows <= 800, "step %d archive %d: %lu rows", step, i,
                              rows);
        }
    }
    ck_assert_int_eq(mgr_rrd_archive(0, 0, &pdp, &rows), -1);
    ck_assert_int_eq(mgr_rrd_archive(60, MGR_RRD_N_ARCHIVES, &pdp, &rows), -1);
}
END_TEST

/* The text mgr_rrd_format_value gives v. */
static char *value_text(double v)
{
    vs_buf b;
    vs_buf_init(&b, 64);
    ck_assert_int_eq(mgr_rrd_format_value(&b, v), 0);
    return vs_buf_steal(&b);
}

static void value_is(double v, const char *want)
{
    char *got = value_text(v);
    ck_assert_msg(strcmp(got, want) == 0, "expected '%s', got '%s'", want, got);
    free(got);
}

START_TEST(format_values_exact)
{
    value_is(NAN, "U");
    value_is(INFINITY, "U");
    value_is(-INFINITY, "U");
    value_is(0, "0");
    value_is(42, "42");
    value_is(-3, "-3");
    value_is(17179869184.0, "17179869184"); /* 16 GiB in bytes: no exponent */
    value_is(9007199254740993.0, "9007199254740992");
    value_is(0.5, "0.5");
    value_is(0.1, "0.1");
    value_is(99.75, "99.75");
    value_is(1.5e-7, "1.5e-07");
    value_is(0.1 + 0.2, "0.30000000000000004");
    value_is(1.0 / 3.0, "0.3333333333333333"); /* 16 digits suffice */
    value_is(1e300, "1e+300");
    /* Every value reads back as the same double. */
    srand(7);
    for (int i = 0; i < 20000; i++) {
        double v = ((double)rand() / RAND_MAX - 0.5) * pow(10, rand() % 40 - 20);
        char *s = value_text(v);
        double back;
        ck_assert_int_eq(vs_num_parse_double(s, &back), 0);
        ck_assert_msg(back == v, "%.17g came back as %.17g from '%s'", v, back, s);
        free(s);
    }
}
END_TEST

START_TEST(format_update_lines)
{
    double v[3] = { 1, NAN, 2.5 };
    vs_buf b;

    vs_buf_init(&b, 1024);
    ck_assert_int_eq(mgr_rrd_format_values(&b, 1000000000, v, 3), 0);
    ck_assert_str_eq(vs_buf_str(&b), "1000000000:1:U:2.5");
    vs_buf_reset(&b);
    ck_assert_int_eq(mgr_rrd_format_update(&b, "/srv/rrd/g/hv1/fs-%2F.rrd", 1000000010, v, 3), 0);
    ck_assert_str_eq(vs_buf_str(&b), "UPDATE /srv/rrd/g/hv1/fs-%2F.rrd 1000000010:1:U:2.5\n");
    /* Blanks and backslashes of rrd_dir are escaped; the lines follow each other. */
    ck_assert_int_eq(mgr_rrd_format_update(&b, "/my rrd/a\\b.rrd", 5, v, 1), 0);
    ck_assert_str_eq(vs_buf_str(&b), "UPDATE /srv/rrd/g/hv1/fs-%2F.rrd 1000000010:1:U:2.5\n"
                                     "UPDATE /my\\ rrd/a\\\\b.rrd 5:1\n");
    /* A line break cannot be sent: refused, and the buffer is left as it was. */
    size_t len = b.len;
    ck_assert_int_eq(mgr_rrd_format_update(&b, "/a\nb.rrd", 5, v, 1), -1);
    ck_assert_uint_eq(b.len, len);
    ck_assert_uint_eq(strlen(vs_buf_str(&b)), len);
    vs_buf_free(&b);
    /* A full buffer: refused, unchanged. */
    vs_buf_init(&b, 20);
    ck_assert_int_eq(mgr_rrd_format_update(&b, "/srv/rrd/x.rrd", 5, v, 3), -1);
    ck_assert_uint_eq(b.len, 0);
    vs_buf_free(&b);
}
END_TEST

START_TEST(rrdc_addresses)
{
    mgr_rrdc_addr a;

    ck_assert_int_eq(mgr_rrdc_addr_parse("unix:/run/rrdcached.sock", &a), 0);
    ck_assert_int_eq(a.is_unix, 1);
    ck_assert_str_eq(a.path, "/run/rrdcached.sock");
    ck_assert_int_eq(mgr_rrdc_addr_parse("/tmp/x y.sock", &a), 0);
    ck_assert_int_eq(a.is_unix, 1);
    ck_assert_str_eq(a.path, "/tmp/x y.sock");
    ck_assert_int_eq(mgr_rrdc_addr_parse("rrd.example.net", &a), 0);
    ck_assert_int_eq(a.is_unix, 0);
    ck_assert_str_eq(a.host, "rrd.example.net");
    ck_assert_str_eq(a.port, "42217");
    ck_assert_int_eq(mgr_rrdc_addr_parse("127.0.0.1:4000", &a), 0);
    ck_assert_str_eq(a.host, "127.0.0.1");
    ck_assert_str_eq(a.port, "4000");
    ck_assert_int_eq(mgr_rrdc_addr_parse("[::1]:99", &a), 0);
    ck_assert_str_eq(a.host, "::1");
    ck_assert_str_eq(a.port, "99");
    ck_assert_int_eq(mgr_rrdc_addr_parse("[fe80::1]", &a), 0);
    ck_assert_str_eq(a.port, "42217");
    static const char *const bad[] = { "",
                                       "unix:",
                                       "h:",
                                       "h:0",
                                       "h:65536",
                                       "h:x",
                                       "h:+5",
                                       "h: 5",
                                       "::1",
                                       "[::1",
                                       "[::1]x",
                                       "[]:5",
                                       ":42217",
                                       "h\n",
                                       "unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(mgr_rrdc_addr_parse(bad[i], &a) == -1, "accepted '%s'", bad[i]);
    ck_assert_int_eq(mgr_rrdc_addr_parse(NULL, &a), -1);
}
END_TEST

START_TEST(rrdc_status_lines)
{
    long code;
    const char *msg;

    ck_assert_int_eq(mgr_rrdc_status_parse("0 PONG", &code, &msg), 0);
    ck_assert_int_eq(code, 0);
    ck_assert_str_eq(msg, "PONG");
    ck_assert_int_eq(mgr_rrdc_status_parse("-1 No such file: /x.rrd", &code, &msg), 0);
    ck_assert_int_eq(code, -1);
    ck_assert_str_eq(msg, "No such file: /x.rrd");
    ck_assert_int_eq(mgr_rrdc_status_parse("2 errors", &code, &msg), 0);
    ck_assert_int_eq(code, 2);
    ck_assert_str_eq(msg, "errors");
    ck_assert_int_eq(mgr_rrdc_status_parse("1234567890", &code, &msg), -1); /* out of range */
    ck_assert_int_eq(mgr_rrdc_status_parse("12", &code, &msg), 0);
    ck_assert_str_eq(msg, "");
    ck_assert_int_eq(mgr_rrdc_status_parse("0 1000000010", &code, &msg), 0);
    ck_assert_str_eq(msg, "1000000010");
    ck_assert_int_eq(mgr_rrdc_status_parse("PONG", &code, &msg), -1);
    ck_assert_int_eq(mgr_rrdc_status_parse("-", &code, &msg), -1);
    ck_assert_int_eq(mgr_rrdc_status_parse("", &code, &msg), -1);
    ck_assert_int_eq(mgr_rrdc_status_parse("1x errors", &code, &msg), -1);
}
END_TEST

/* The BATCH error lines of rrdcached 1.7.2, verbatim (after "<command number> "). */
START_TEST(rrdc_update_errors)
{
    long last = -1;

    ck_assert_int_eq(mgr_rrdc_update_error("No such file: /var/lib/rrd/g/hv1/host.rrd", &last),
                     MGR_RRDC_UPD_NO_FILE);
    ck_assert_int_eq(mgr_rrdc_update_error("illegal attempt to update using time "
                                           "1000000050.000000 when last update time is "
                                           "1000000100.000000 (minimum one second step)",
                                           &last),
                     MGR_RRDC_UPD_TOO_OLD);
    ck_assert_int_eq(last, 1000000100L);
    /* Equal times, a fraction, whole seconds, nothing after the number. */
    ck_assert_int_eq(mgr_rrdc_update_error("illegal attempt to update using time 20.000000 "
                                           "when last update time is 20.000000 (minimum one "
                                           "second step)",
                                           &last),
                     MGR_RRDC_UPD_TOO_OLD);
    ck_assert_int_eq(last, 20);
    ck_assert_int_eq(mgr_rrdc_update_error("illegal attempt to update using time 5 when last "
                                           "update time is 1700000000.75",
                                           &last),
                     MGR_RRDC_UPD_TOO_OLD);
    ck_assert_int_eq(last, 1700000000L);
    /* Anything else is an error; so is a "too old" whose time cannot be read. */
    last = -1;
    const char *other[] = {
        "stat failed with error 13.",
        "Can't use 'LAST' here.",
        "illegal attempt to update using time 5 when last update time is x",
        "illegal attempt to update using time 5 when last update time is ",
        "illegal attempt to update using time 5 when last update time is -3",
        "illegal attempt to update using time 5 when last update time is 1e300",
        "illegal attempt to update using time 5 when last update time is 12abc",
        "illegal attempt to update using time 5",
        "when last update time is 10",
        "",
    };
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        ck_assert_msg(mgr_rrdc_update_error(other[i], &last) == MGR_RRDC_UPD_OTHER,
                      "'%s' not an other error", other[i]);
    ck_assert_int_eq(last, -1);
}
END_TEST

static Suite *mgr_rrd_suite(void)
{
    Suite *s = suite_create("mgr_rrd");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, path_layout);
    tcase_add_test(tc, path_escaping);
    tcase_add_test(tc, escape_every_byte);
    tcase_add_test(tc, create_args_data_sources);
    tcase_add_test(tc, create_args_archives);
    tcase_add_test(tc, archive_rows_in_range);
    tcase_add_test(tc, format_values_exact);
    tcase_add_test(tc, format_update_lines);
    tcase_add_test(tc, rrdc_addresses);
    tcase_add_test(tc, rrdc_status_lines);
    tcase_add_test(tc, rrdc_update_errors);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(mgr_rrd_suite)
