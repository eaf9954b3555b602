/* Unit tests of sa_hv with libvirt's test driver and a fake daemon that never answers: snapshots
 * arrive through the wake-up pipe, take returns the newest, poke samples at once, stop is
 * prompt, a bad URI shows disconnected, and a hung hypervisor blocks only its own thread. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libvirt/libvirt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sa_hv.h"
#include "vs_check.h"
#include "vs_log.h"
#include "vs_mib.h"

/* The snapshot posted, dropping events and jobs (none are made here). */
static sa_snapshot *take(sa_hv *hv)
{
    sa_event *ev;
    sa_ctl_job *done;
    sa_snapshot *s = sa_hv_take(hv, &ev, &done);
    sa_event_free_list(ev);
    sa_ctl_free_list(done);
    return s;
}

static char statedir[256];
static int wake[2];

static double now(void)
{
    return vs_log_now();
}

static void setup(void)
{
    /* Not TMPDIR: a unix socket path in it must stay under 108 bytes. */
    snprintf(statedir, sizeof(statedir), "/tmp/check_sa_hv.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(statedir));
    vs_log_init("test", VS_LOG_ERR);
    ck_assert_int_eq(pipe(wake), 0);
    fcntl(wake[0], F_SETFL, O_NONBLOCK);
    fcntl(wake[1], F_SETFL, O_NONBLOCK);
    ck_assert_int_eq(sa_libvirt_init(), 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void teardown(void)
{
    sa_libvirt_shutdown();
    close(wake[0]);
    close(wake[1]);
    nftw(statedir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static sa_hv *hv_start(const char *name, const char *uri, int32_t index, unsigned interval)
{
    sa_hv_conf conf = { name, uri, index };
    sa_hv_opts opts = { interval, statedir, 1 };
    sa_hv *hv = sa_hv_new(&conf, &opts, wake[1]);
    ck_assert_ptr_nonnull(hv);
    ck_assert_int_eq(sa_hv_start(hv), 0);
    return hv;
}

/* Wait up to seconds for wake-up bytes; returns how many were read. */
static int wait_wake(double seconds)
{
    char buf[64];
    int got = 0;
    double end = now() + seconds;
    struct pollfd p = { wake[0], POLLIN, 0 };

    while (got == 0 && now() < end) {
        if (poll(&p, 1, (int)((end - now()) * 1000) + 1) <= 0)
            continue;
        ssize_t n;
        while ((n = read(wake[0], buf, sizeof(buf))) > 0)
            got += (int)n;
    }
    return got;
}

/* Take snapshots of hv until one in conn_state arrives (within seconds); NULL if none did. */
static sa_snapshot *wait_state(sa_hv *hv, int conn_state, double seconds)
{
    double end = now() + seconds;
    while (now() < end) {
        wait_wake(0.2);
        sa_snapshot *s = take(hv);
        if (s != NULL && s->conn_state == conn_state)
            return s;
        sa_snapshot_unref(s);
    }
    return NULL;
}

START_TEST(posts_snapshots_every_interval)
{
    sa_hv *hv = hv_start("hv1", "test:///default", 1, 1);

    sa_snapshot *s = wait_state(hv, VS_HV_CONN_STATE_CONNECTED, 5);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, "hv1");
    ck_assert_str_eq(s->uri, "test:///default");
    ck_assert_int_eq(s->hv_index, 1);
    ck_assert_uint_eq(s->n_vm, 1);
    ck_assert_int_gt((int)s->connected_since, 0);
    ck_assert_str_eq(s->last_error, "");
    ck_assert(!(s->has & SA_HV_HAS_LAST_ERROR_TIME));
    double first = s->sample_mono;
    sa_snapshot_unref(s);
    /* Two more samples follow, a refresh interval apart. */
    int bytes = 0;
    for (double end = now() + 6; bytes < 2 && now() < end;)
        bytes += wait_wake(0.5);
    ck_assert_int_ge(bytes, 2);
    s = take(hv);
    ck_assert_ptr_nonnull(s);
    ck_assert_double_ge(s->sample_mono - first, 1.9);
    sa_snapshot_unref(s);
    sa_hv_stop(hv, 5);
    sa_hv_free(hv);
}
END_TEST

START_TEST(take_returns_the_newest)
{
    sa_hv *hv = hv_start("hv1", "test:///default", 1, 600);
    sa_snapshot *s = wait_state(hv, VS_HV_CONN_STATE_CONNECTED, 5);

    ck_assert_ptr_nonnull(s);
    sa_snapshot_unref(s);
    /* Two samples asked for and left in the mailbox: take returns the second only. */
    sa_hv_poke(hv);
    ck_assert_int_ge(wait_wake(5), 1);
    double between = now();
    sa_hv_poke(hv);
    ck_assert_int_ge(wait_wake(5), 1);
    s = take(hv);
    ck_assert_ptr_nonnull(s);
    ck_assert_double_gt(s->sample_mono, between);
    ck_assert_ptr_null(take(hv));
    sa_snapshot_unref(s);
    sa_hv_stop(hv, 5);
    sa_hv_free(hv);
}
END_TEST

START_TEST(poke_samples_at_once_and_stop_is_prompt)
{
    sa_hv *hv = hv_start("hv1", "test:///default", 1, 600);
    sa_snapshot *s = wait_state(hv, VS_HV_CONN_STATE_CONNECTED, 5);

    ck_assert_ptr_nonnull(s);
    double first = s->sample_mono;
    sa_snapshot_unref(s);
    ck_assert_int_eq(wait_wake(0.5), 0); /* nothing more for a refresh interval of 600 s */
    double t0 = now();
    sa_hv_poke(hv);
    ck_assert_int_ge(wait_wake(2), 1);
    ck_assert_double_lt(now() - t0, 2.0);
    s = take(hv);
    ck_assert_ptr_nonnull(s);
    ck_assert_double_gt(s->sample_mono, first);
    sa_snapshot_unref(s);

    t0 = now();
    sa_hv_stop(hv, 5);
    ck_assert_double_lt(now() - t0, 2.0);
    sa_hv_free(hv);
    /* Nothing is posted after stop. */
    ck_assert_int_eq(wait_wake(0.2), 0);
}
END_TEST

START_TEST(bad_uri_shows_disconnected_and_stops_cleanly)
{
    sa_hv *hv = hv_start("bad", "qemu+unix:///system?socket=/nonexistent/sock", 7, 1);

    sa_snapshot *s = wait_state(hv, VS_HV_CONN_STATE_DISCONNECTED, 5);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->hv_index, 7);
    ck_assert_ptr_nonnull(strstr(s->last_error, "/nonexistent/sock"));
    ck_assert(s->has & SA_HV_HAS_LAST_ERROR_TIME);
    ck_assert_uint_eq(s->n_vm, 0);
    ck_assert_str_eq(s->hostname, "");
    ck_assert_int_eq((int)s->connected_since, 0);
    sa_snapshot_unref(s);
    double t0 = now();
    sa_hv_stop(hv, 5);
    ck_assert_double_lt(now() - t0, 2.0);
    sa_hv_free(hv);
}
END_TEST

START_TEST(first_snapshot_is_connecting)
{
    /* A daemon that never answers keeps the first attempt from completing. */
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    char *path = sa.sun_path;

    ck_assert_uint_lt(strlen(statedir) + 6, sizeof(sa.sun_path));
    memcpy(path, statedir, strlen(statedir));
    memcpy(path + strlen(statedir), "/sock", 6);
    ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(ls, 4), 0);
    char uri[400];
    snprintf(uri, sizeof(uri), "test+unix:///default?socket=%s", path);
    sa_hv *hung = hv_start("hung", uri, 2, 1);
    sa_snapshot *s = wait_state(hung, VS_HV_CONN_STATE_CONNECTING, 5);
    ck_assert_ptr_nonnull(s);
    ck_assert(!(s->has & SA_HV_HAS_SAMPLE_TIME));
    ck_assert_str_eq(s->last_error, "");
    sa_snapshot_unref(s);

    /* Another hypervisor is served meanwhile; take and poke never wait for the hung one. */
    sa_hv *ok = hv_start("ok", "test:///default", 1, 1);
    s = wait_state(ok, VS_HV_CONN_STATE_CONNECTED, 5);
    ck_assert_ptr_nonnull(s);
    sa_snapshot_unref(s);
    double t0 = now();
    sa_hv_poke(hung);
    ck_assert_ptr_null(take(hung));
    ck_assert_double_lt(now() - t0, 0.5);

    /* Its thread is stuck in virConnectOpen: stop gives up after the timeout. */
    t0 = now();
    sa_hv_stop(hung, 0.5);
    ck_assert_double_ge(now() - t0, 0.45);
    ck_assert_double_lt(now() - t0, 2.0);
    sa_hv_free(hung); /* left to the thread */
    sa_hv_stop(ok, 5);
    sa_hv_free(ok);
    /* Let the stuck thread come back (the "daemon" goes away) and free its context. */
    int cs = accept(ls, NULL, NULL);
    close(cs);
    close(ls);
    struct timespec pause = { 0, 300 * 1000 * 1000 };
    nanosleep(&pause, NULL);
}
END_TEST

START_TEST(indexes_stable_across_contexts)
{
    char uri[1024];
    const char *top = getenv("top_srcdir");
    int32_t first[32];
    unsigned char uuids[32][16];

    snprintf(uri, sizeof(uri), "test://%s/tests/data/node-mixed.xml", top ? top : "..");
    for (int round = 0; round < 2; round++) {
        sa_hv *hv = hv_start("mixed", uri, 5, 1);
        sa_snapshot *s = wait_state(hv, VS_HV_CONN_STATE_CONNECTED, 5);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_eq(s->n_vm, 13);
        for (size_t i = 0; i < s->n_vm; i++) {
            if (round == 0) {
                first[i] = s->vm[i].index;
                memcpy(uuids[i], s->vm[i].uuid, 16);
            } else {
                ck_assert_int_eq(s->vm[i].index, first[i]);
                ck_assert_mem_eq(s->vm[i].uuid, uuids[i], 16);
            }
        }
        sa_snapshot_unref(s);
        sa_hv_stop(hv, 5);
        sa_hv_free(hv);
    }
}
END_TEST

START_TEST(corrupt_index_map_refused)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/vmindex-hv1.map", statedir);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("version 1\nthis is not a record\n", fp);
    fclose(fp);
    sa_hv_conf conf = { "hv1", "test:///default", 1 };
    sa_hv_opts opts = { 1, statedir, 1 };
    ck_assert_ptr_null(sa_hv_new(&conf, &opts, wake[1]));
}
END_TEST

static Suite *hv_suite(void)
{
    Suite *s = suite_create("sa_hv");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, posts_snapshots_every_interval);
    tcase_add_test(tc, take_returns_the_newest);
    tcase_add_test(tc, poke_samples_at_once_and_stop_is_prompt);
    tcase_add_test(tc, bad_uri_shows_disconnected_and_stops_cleanly);
    tcase_add_test(tc, first_snapshot_is_connecting);
    tcase_add_test(tc, indexes_stable_across_contexts);
    tcase_add_test(tc, corrupt_index_map_refused);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(hv_suite)
