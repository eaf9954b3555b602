/* trapsend_drive: builds one vs_msg from its arguments, sends it once through a vs_trapsend
 * notifier and prints "result=OK|RETRY|FAILED|DEFER elapsed=SECONDS error=TEXT", for
 * tests/notify/trapsend.test. Secrets come from a file: v2c, the community on line 1; v3, the
 * authentication pass phrase on line 1 and the privacy pass phrase on line 2.
 *
 * usage: trapsend_drive --target T --version 2|3 [--inform] --secret-file F [--user U]
 *            [--auth P] [--priv P] [--timeout S] [--retries N]
 *            --kind raised|cleared|trap [--resource R] [--metric M] [--value V]
 *            [--threshold T] [--severity warning|critical] [--previous warning|critical]
 *            [--source S] [--trap-oid OID] [--vb OID TYPE VALUE]... [--vb-hex OID TYPE HEX]...
 *            [--check-lock] [--reload-secret-file F]
 * --reload-secret-file sends the message once more through a new notifier made with the
 * secrets of F, as a reload would, and prints its result as "reload-result=...".
 * --check-lock sends from a second thread while the first one measures how long it waits for
 * vs_netsnmp_lock (printed as lock_max_wait). */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vs_log.h"
#include "vs_num.h"
#include "vs_trapsend.h"

#define VBS_MAX 32

static void usage(void)
{
    fprintf(stderr, "usage: trapsend_drive --target T --version 2|3 [--inform] "
                    "--secret-file F [--user U] [--auth P] [--priv P] [--timeout S] "
                    "[--retries N] --kind raised|cleared|trap [--resource R] [--metric M] "
                    "[--value V] [--threshold T] [--severity S] [--previous S] [--source S] "
                    "[--trap-oid OID] [--vb OID TYPE VALUE]... [--vb-hex OID TYPE HEX]...\n");
    exit(2);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fprintf(stderr, "trapsend_drive: out of memory\n");
        exit(2);
    }
    return d;
}

/* Read up to two lines of the secret file into a[0], a[1] (newlines stripped). */
static void read_secrets(const char *path, char *a[2])
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "trapsend_drive: cannot open %s\n", path);
        exit(2);
    }
    char line[256];
    for (int i = 0; i < 2 && fgets(line, sizeof(line), f); i++) {
        line[strcspn(line, "\r\n")] = '\0';
        a[i] = xstrdup(line);
    }
    fclose(f);
}

static vs_severity severity_arg(const char *s)
{
    if (strcmp(s, "warning") == 0)
        return VS_SEV_WARNING;
    if (strcmp(s, "critical") == 0)
        return VS_SEV_CRITICAL;
    if (strcmp(s, "ok") == 0)
        return VS_SEV_OK;
    usage();
    return VS_SEV_INFO;
}

/* Decode "00 41 FF" (blanks optional) into a new buffer; its length in *len. */
static char *unhex(const char *hex, size_t *len)
{
    char *out = malloc(strlen(hex) / 2 + 1);
    size_t n = 0;
    if (!out)
        usage();
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        if (sscanf(p, "%2x", &v) != 1)
            usage();
        out[n++] = (char)v;
        p += 2;
    }
    *len = n;
    return out;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *result_name(vs_send_result r)
{
    switch (r) {
    case VS_SEND_OK:
        return "OK";
    case VS_SEND_RETRY:
        return "RETRY";
    case VS_SEND_FAILED:
        return "FAILED";
    case VS_SEND_DEFER:
        return "DEFER";
    }
    return "?";
}

/* A notifier for c with the secrets of file path (wiped once it has them); NULL after printing
 * why. */
static vs_notifier *notifier_from(vs_trapsend_conf *c, const char *path)
{
    char *secrets[2] = { NULL, NULL };
    char err[256] = "";
    read_secrets(path, secrets);
    if (c->version == 3) {
        c->auth_pass = secrets[0];
        c->priv_pass = secrets[1];
    } else {
        c->community = secrets[0];
    }
    vs_notifier *n = vs_trapsend_new(c, err, sizeof(err));
    c->auth_pass = c->priv_pass = c->community = NULL;
    for (int i = 0; i < 2; i++)
        if (secrets[i]) {
            memset(secrets[i], 0, strlen(secrets[i]));
            free(secrets[i]);
        }
    if (!n)
        printf("new-failed error=%s\n", err);
    return n;
}

typedef struct {
    vs_notifier *n;
    const vs_msg *m;
    json_object *state;
    vs_send_status *st;
    volatile int done;
} send_job;

static void *send_thread(void *arg)
{
    send_job *j = arg;
    j->n->ops->send(j->n, j->m, j->state, j->st);
    __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Send on a delivery thread, as the spool runner does, while this thread takes
 * vs_netsnmp_lock every 5 ms as a daemon's main loop would; returns the longest wait for it. */
static double send_in_thread(vs_notifier *n, const vs_msg *m, json_object *state,
                             vs_send_status *st)
{
    send_job j = { n, m, state, st, 0 };
    pthread_t th;
    if (pthread_create(&th, NULL, send_thread, &j) != 0) {
        fprintf(stderr, "trapsend_drive: cannot start a thread\n");
        exit(2);
    }
    double worst = 0;
    while (!__atomic_load_n(&j.done, __ATOMIC_ACQUIRE)) {
        double t = mono_now();
        vs_netsnmp_lock();
        double waited = mono_now() - t;
        vs_netsnmp_unlock();
        if (waited > worst)
            worst = waited;
        struct timespec ts = { 0, 5000000 };
        nanosleep(&ts, NULL);
    }
    pthread_join(th, NULL);
    return worst;
}

/* Net-SNMP as the daemons set it up: no MIB files, no configuration files, no state written. */
static void netsnmp_setup(void)
{
    setenv("MIBS", "", 1);
    snmp_enable_stderrlog();
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    init_snmp("vs-trapsend-drive");
}

int main(int argc, char **argv)
{
    vs_trapsend_conf c = { .name = "drive", .version = 2, .retries = -1 };
    vs_msg *m = calloc(1, sizeof(*m));
    if (!m)
        usage();
    vs_varbind vbs[VBS_MAX];
    const char *secret_file = NULL;
    int check_lock = 0;
    const char *reload_file = NULL;
    m->msg_id = xstrdup("drive.1");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int used = 1;
        if (strcmp(a, "--inform") == 0) {
            c.inform = 1;
            used = 0;
        } else if (strcmp(a, "--check-lock") == 0) {
            check_lock = 1;
            used = 0;
        } else if ((strcmp(a, "--vb") == 0 || strcmp(a, "--vb-hex") == 0) && i + 3 < argc) {
            if (m->n_vbs >= VBS_MAX || strlen(argv[i + 2]) != 1)
                usage();
            vs_varbind *b = &vbs[m->n_vbs++];
            memset(b, 0, sizeof(*b));
            b->oid = argv[i + 1];
            b->type = argv[i + 2][0];
            if (strcmp(a, "--vb-hex") == 0) {
                b->value = unhex(argv[i + 3], &b->value_len);
            } else {
                b->value = xstrdup(argv[i + 3]);
                b->value_len = strlen(argv[i + 3]);
            }
            i += 3;
            continue;
        } else if (!v) {
            usage();
        } else if (strcmp(a, "--target") == 0) {
            c.target = v;
        } else if (strcmp(a, "--version") == 0) {
            c.version = strcmp(v, "3") == 0 ? 3 : strcmp(v, "2c") == 0 ? 2 : (v[0] - '0');
        } else if (strcmp(a, "--secret-file") == 0) {
            secret_file = v;
        } else if (strcmp(a, "--reload-secret-file") == 0) {
            reload_file = v;
        } else if (strcmp(a, "--user") == 0) {
            c.user = v;
        } else if (strcmp(a, "--auth") == 0) {
            c.auth_proto = v;
        } else if (strcmp(a, "--priv") == 0) {
            c.priv_proto = v;
        } else if (strcmp(a, "--timeout") == 0) {
            if (vs_num_parse_double(v, &c.timeout) < 0)
                usage();
        } else if (strcmp(a, "--retries") == 0) {
            long r;
            if (vs_num_parse_long(v, -1, 100, &r) < 0)
                usage();
            c.retries = (int)r;
        } else if (strcmp(a, "--kind") == 0) {
            m->kind = strcmp(v, "raised") == 0    ? VS_MSG_ALARM_RAISED
                      : strcmp(v, "cleared") == 0 ? VS_MSG_ALARM_CLEARED
                      : strcmp(v, "trap") == 0    ? VS_MSG_TRAP
                                                  : 0;
        } else if (strcmp(a, "--resource") == 0) {
            m->resource = xstrdup(v);
        } else if (strcmp(a, "--metric") == 0) {
            m->metric = xstrdup(v);
        } else if (strcmp(a, "--value") == 0) {
            m->value = xstrdup(v);
        } else if (strcmp(a, "--threshold") == 0) {
            m->threshold = xstrdup(v);
        } else if (strcmp(a, "--severity") == 0) {
            m->severity = severity_arg(v);
        } else if (strcmp(a, "--previous") == 0) {
            m->previous = severity_arg(v);
        } else if (strcmp(a, "--source") == 0) {
            m->source = xstrdup(v);
        } else if (strcmp(a, "--trap-oid") == 0) {
            m->trap_oid = xstrdup(v);
        } else {
            usage();
        }
        i += used;
    }
    if (!c.target || !secret_file || !m->kind)
        usage();
    if (m->n_vbs) {
        m->vbs = malloc(m->n_vbs * sizeof(*m->vbs));
        if (!m->vbs)
            usage();
        memcpy(m->vbs, vbs, m->n_vbs * sizeof(*m->vbs));
        for (size_t i = 0; i < m->n_vbs; i++)
            m->vbs[i].oid = xstrdup(vbs[i].oid);
    }

    vs_log_init("trapsend_drive", VS_LOG_DEBUG);
    netsnmp_setup();
    vs_notifier *n = notifier_from(&c, secret_file);
    if (!n) {
        vs_msg_free(m);
        snmp_shutdown("vs-trapsend-drive");
        return 1;
    }
    json_object *state = json_object_new_object();
    vs_send_status st;
    memset(&st, 0, sizeof(st));
    double t0 = mono_now(), lock_max = 0;
    if (check_lock) {
        lock_max = send_in_thread(n, m, state, &st);
    } else {
        n->ops->send(n, m, state, &st);
    }
    double elapsed = mono_now() - t0;
    printf("result=%s elapsed=%.3f lock_max_wait=%.3f error=%s\n", result_name(st.result), elapsed,
           lock_max, st.error);
    json_object_put(state);
    vs_notifier_free(n);
    if (reload_file) { /* a new notifier, as after a reload, for the same receiver and user */
        n = notifier_from(&c, reload_file);
        if (!n) {
            vs_msg_free(m);
            snmp_shutdown("vs-trapsend-drive");
            return 1;
        }
        state = json_object_new_object();
        n->ops->send(n, m, state, &st);
        printf("reload-result=%s error=%s\n", result_name(st.result), st.error);
        json_object_put(state);
        vs_notifier_free(n);
    }
    vs_msg_free(m);
    snmp_shutdown("vs-trapsend-drive");
    return 0;
}
