/* Unit tests of sa_names: every state and reason word against virsh's, and URIs with their
 * credentials removed. */
#include "config.h"

#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <string.h>

#include "sa_names.h"
#include "vs_check.h"

typedef struct {
    int state, reason;
    const char *text; /* what virsh domstate --reason prints */
} state_case;

static const state_case state_cases[] = {
    { VIR_DOMAIN_NOSTATE, VIR_DOMAIN_NOSTATE_UNKNOWN, "no state (unknown)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNKNOWN, "running (unknown)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, "running (booted)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED, "running (migrated)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED, "running (restored)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_FROM_SNAPSHOT, "running (from snapshot)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED, "running (unpaused)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATION_CANCELED, "running (migration canceled)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_SAVE_CANCELED, "running (save canceled)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_WAKEUP, "running (event wakeup)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_CRASHED, "running (crashed)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY, "running (post-copy)" },
    { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY_FAILED, "running (post-copy failed)" },
    { VIR_DOMAIN_RUNNING, 99, "running (unknown)" },
    { VIR_DOMAIN_BLOCKED, VIR_DOMAIN_BLOCKED_UNKNOWN, "idle (unknown)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN, "paused (unknown)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, "paused (user)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION, "paused (migrating)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SAVE, "paused (saving)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_DUMP, "paused (dumping)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR, "paused (I/O error)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_WATCHDOG, "paused (watchdog)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_FROM_SNAPSHOT, "paused (from snapshot)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SHUTTING_DOWN, "paused (shutting down)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SNAPSHOT, "paused (creating snapshot)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_CRASHED, "paused (crashed)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP, "paused (starting up)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY, "paused (post-copy)" },
    { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED, "paused (post-copy failed)" },
    { VIR_DOMAIN_PAUSED, 14, "paused (api error)" },
    { VIR_DOMAIN_PAUSED, -1, "paused (unknown)" },
    { VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN, "in shutdown (unknown)" },
    { VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER, "in shutdown (user)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN, "shut off (unknown)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN, "shut off (shutdown)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED, "shut off (destroyed)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED, "shut off (crashed)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_MIGRATED, "shut off (migrated)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED, "shut off (saved)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED, "shut off (failed)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT, "shut off (from snapshot)" },
    { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DAEMON, "shut off (daemon)" },
    { VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_UNKNOWN, "crashed (unknown)" },
    { VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED, "crashed (panicked)" },
    { VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN, "pmsuspended (unknown)" },
    { 42, 0, "no state (unknown)" },
    { -3, 7, "no state (unknown)" },
};

START_TEST(state_reason_as_virsh_prints_it)
{
    char buf[64];
    const state_case *c = &state_cases[_i];

    ck_assert_str_eq(sa_names_state_reason(c->state, c->reason, buf, sizeof(buf)), c->text);
}
END_TEST

START_TEST(state_reason_cut_to_small_buffer)
{
    char buf[8];

    ck_assert_str_eq(sa_names_state_reason(VIR_DOMAIN_SHUTOFF, 3, buf, sizeof(buf)), "shut of");
    ck_assert_str_eq(sa_names_state(VIR_DOMAIN_BLOCKED), "idle");
    ck_assert_str_eq(sa_names_reason(VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED), "crashed");
}
END_TEST

typedef struct {
    const char *uri, *public_uri, *connect_uri, *user, *password;
} uri_case;

static const uri_case uri_cases[] = {
    { "qemu:///system", "qemu:///system", "qemu:///system", NULL, NULL },
    { "test:///default", "test:///default", "test:///default", NULL, NULL },
    { "qemu+ssh://root@hv1.example.net/system", "qemu+ssh://hv1.example.net/system",
      "qemu+ssh://root@hv1.example.net/system", "root", NULL },
    { "qemu+ssh://admin:s3cr3t@hv1:2222/system?keyfile=/k", "qemu+ssh://hv1:2222/system?keyfile=/k",
      "qemu+ssh://admin@hv1:2222/system?keyfile=/k", "admin", "s3cr3t" },
    { "esx://user:p@ss@esx.local/?no_verify=1", "esx://esx.local/?no_verify=1",
      "esx://user@esx.local/?no_verify=1", "user", "p@ss" },
    { "qemu+tcp://:pw@[::1]:16509/system", "qemu+tcp://[::1]:16509/system",
      "qemu+tcp://[::1]:16509/system", NULL, "pw" },
    { "qemu+tls://hv/system?x=a@b", "qemu+tls://hv/system?x=a@b", "qemu+tls://hv/system?x=a@b",
      NULL, NULL },
    { "xen://u@h#frag@x", "xen://h#frag@x", "xen://u@h#frag@x", "u", NULL },
    { "no-scheme-here", "no-scheme-here", "no-scheme-here", NULL, NULL },
    { "", "", "", NULL, NULL },
};

static void assert_str_or_null(const char *got, const char *want)
{
    if (want == NULL)
        ck_assert_ptr_null(got);
    else
        ck_assert_str_eq(got, want);
}

START_TEST(uri_credentials_removed)
{
    const uri_case *c = &uri_cases[_i];
    char *pub = sa_names_uri_public(c->uri);
    char *conn = NULL, *user = NULL, *pass = NULL;

    ck_assert_str_eq(pub, c->public_uri);
    ck_assert_int_eq(sa_names_uri_credentials(c->uri, &conn, &user, &pass), 0);
    ck_assert_str_eq(conn, c->connect_uri);
    assert_str_or_null(user, c->user);
    assert_str_or_null(pass, c->password);
    free(pub);
    free(conn);
    free(user);
    free(pass);
}
END_TEST

static Suite *names_suite(void)
{
    Suite *s = suite_create("sa_names");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, state_reason_as_virsh_prints_it, 0,
                        (int)(sizeof(state_cases) / sizeof(state_cases[0])));
    tcase_add_test(tc, state_reason_cut_to_small_buffer);
    tcase_add_loop_test(tc, uri_credentials_removed, 0,
                        (int)(sizeof(uri_cases) / sizeof(uri_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(names_suite)
