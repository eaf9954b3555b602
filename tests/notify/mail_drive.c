/* mail_drive: test driver for the e-mail notifier. Builds a vs_msg from its options, creates the
 * notifier, calls send (once, or --repeat N times with distinct msg_ids) and prints
 *     result=OK|RETRY|FAILED|DEFER
 *     error=TEXT
 *     state=JSON
 * (for --repeat, the last send's, plus "per_send_ms=X" measured over all of them). Exit status
 * 0 whatever the result; 2 for a bad option or a configuration the notifier refused. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vs_log.h"
#include "vs_mail.h"
#include "vs_num.h"

#define MAX_TO 8
#define MAX_VBS 16

static void usage(void)
{
    fprintf(stderr,
            "usage: mail_drive --server H --port P --from A --to B [--to C]... [--tls none|starttls"
            "|tls]\n  [--user U --password-file F] [--ca-file F] [--timeout S] [--helo N]"
            " [--state JSON] [--repeat N]\n  [--kind raised|cleared|trap] [--msg-id S]"
            " [--alarm-id S] [--host S] [--resource S]\n  [--metric S] [--value S]"
            " [--threshold S] [--severity ok|warning|critical|info]\n  [--summary S] [--source S]"
            " [--trap-oid OID] [--vb OID=TEXT]...\n");
    exit(2);
}

/* The first line of file, without its newline: the caller's part of "secret from a file". */
static char *read_secret(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    n = getline(&line, &cap, f);
    fclose(f);
    if (n < 0) {
        fprintf(stderr, "%s: empty\n", path);
        exit(2);
    }
    line[strcspn(line, "\r\n")] = '\0';
    return line;
}

static void add_vb(vs_msg *m, const char *arg)
{
    const char *eq = strchr(arg, '=');
    vs_varbind *vb;
    if (eq == NULL || m->n_vbs >= MAX_VBS)
        usage();
    vb = &m->vbs[m->n_vbs++];
    vb->oid = strndup(arg, (size_t)(eq - arg));
    vb->type = 's';
    vb->value = strdup(eq + 1);
    vb->value_len = strlen(eq + 1);
}

static vs_severity severity_of(const char *s)
{
    if (strcmp(s, "ok") == 0)
        return VS_SEV_OK;
    if (strcmp(s, "warning") == 0)
        return VS_SEV_WARNING;
    if (strcmp(s, "critical") == 0)
        return VS_SEV_CRITICAL;
    if (strcmp(s, "info") == 0)
        return VS_SEV_INFO;
    usage();
    return VS_SEV_INFO;
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

static void set_str(char **field, const char *v)
{
    free(*field);
    *field = strdup(v);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = { { "server", 1, NULL, 'S' },
                                          { "port", 1, NULL, 'P' },
                                          { "tls", 1, NULL, 'T' },
                                          { "from", 1, NULL, 'F' },
                                          { "to", 1, NULL, 't' },
                                          { "user", 1, NULL, 'u' },
                                          { "password-file", 1, NULL, 'p' },
                                          { "ca-file", 1, NULL, 'C' },
                                          { "timeout", 1, NULL, 'o' },
                                          { "helo", 1, NULL, 'H' },
                                          { "state", 1, NULL, 's' },
                                          { "repeat", 1, NULL, 'r' },
                                          { "kind", 1, NULL, 'k' },
                                          { "msg-id", 1, NULL, 'i' },
                                          { "alarm-id", 1, NULL, 'a' },
                                          { "host", 1, NULL, 'h' },
                                          { "resource", 1, NULL, 'R' },
                                          { "metric", 1, NULL, 'm' },
                                          { "value", 1, NULL, 'v' },
                                          { "threshold", 1, NULL, 'x' },
                                          { "severity", 1, NULL, 'e' },
                                          { "summary", 1, NULL, 'y' },
                                          { "source", 1, NULL, 'c' },
                                          { "trap-oid", 1, NULL, 'O' },
                                          { "vb", 1, NULL, 'b' },
                                          { NULL, 0, NULL, 0 } };
    const char *to[MAX_TO];
    vs_mail_conf c = { .name = "mail", .port = 25, .tls = VS_MAIL_TLS_NONE, .to = to };
    vs_msg *m = calloc(1, sizeof(*m));
    json_object *state = NULL;
    char *password = NULL;
    long repeat = 1, num;
    int opt;

    signal(SIGPIPE, SIG_IGN); /* as the daemons do: a server hanging up must not kill us */
    vs_log_init("mail_drive", VS_LOG_INFO);
    m->vbs = calloc(MAX_VBS, sizeof(vs_varbind));
    m->kind = VS_MSG_ALARM_RAISED;
    m->severity = VS_SEV_CRITICAL;
    m->previous = VS_SEV_OK;
    m->time = (double)time(NULL);
    m->msg_id = strdup("lab/hv1/vm:web1/vm.cpu.util.1");
    m->alarm_id = strdup("lab/hv1/vm:web1/vm.cpu.util");
    m->host = strdup("hv1");
    m->resource = strdup("lab/hv1/vm:web1");
    m->metric = strdup("vm.cpu.util");
    m->value = strdup("97.3");
    m->threshold = strdup("95");
    m->rule = strdup("cpu-high");
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'S':
            c.server = optarg;
            break;
        case 'P':
            if (vs_num_parse_long(optarg, 0, 65535, &num) < 0)
                usage();
            c.port = (int)num;
            break;
        case 'T':
            c.tls = strcmp(optarg, "starttls") == 0 ? VS_MAIL_TLS_STARTTLS
                    : strcmp(optarg, "tls") == 0    ? VS_MAIL_TLS_TLS
                                                    : VS_MAIL_TLS_NONE;
            break;
        case 'F':
            c.from = optarg;
            break;
        case 't':
            if (c.n_to >= MAX_TO)
                usage();
            to[c.n_to++] = optarg;
            break;
        case 'u':
            c.user = optarg;
            break;
        case 'p':
            password = read_secret(optarg);
            c.password = password;
            break;
        case 'C':
            c.ca_file = optarg;
            break;
        case 'o':
            if (vs_num_parse_double(optarg, &c.timeout) < 0)
                usage();
            break;
        case 'H':
            c.helo_name = optarg;
            break;
        case 's':
            state = json_tokener_parse(optarg);
            if (state == NULL)
                usage();
            break;
        case 'r':
            if (vs_num_parse_long(optarg, 1, 100000, &repeat) < 0)
                usage();
            break;
        case 'k':
            m->kind = strcmp(optarg, "trap") == 0      ? VS_MSG_TRAP
                      : strcmp(optarg, "cleared") == 0 ? VS_MSG_ALARM_CLEARED
                                                       : VS_MSG_ALARM_RAISED;
            break;
        case 'i':
            set_str(&m->msg_id, optarg);
            break;
        case 'a':
            set_str(&m->alarm_id, optarg);
            break;
        case 'h':
            set_str(&m->host, optarg);
            break;
        case 'R':
            set_str(&m->resource, optarg);
            break;
        case 'm':
            set_str(&m->metric, optarg);
            break;
        case 'v':
            set_str(&m->value, optarg);
            break;
        case 'x':
            set_str(&m->threshold, optarg);
            break;
        case 'e':
            m->severity = severity_of(optarg);
            break;
        case 'y':
            set_str(&m->summary, optarg);
            break;
        case 'c':
            set_str(&m->source, optarg);
            break;
        case 'O':
            set_str(&m->trap_oid, optarg);
            break;
        case 'b':
            add_vb(m, optarg);
            break;
        default:
            usage();
        }
    }
    if (optind != argc || repeat < 1)
        usage();
    if (state == NULL)
        state = json_object_new_object();

    char err[512];
    vs_notifier *n = vs_mail_new(&c, err, sizeof(err));
    if (password != NULL) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
    if (n == NULL) {
        printf("config-error=%s\n", err);
        json_object_put(state);
        vs_msg_free(m);
        return 2;
    }

    vs_send_status st;
    struct timespec t0, t1;
    char *base_id = strdup(m->msg_id);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < repeat; i++) {
        if (repeat > 1) {
            char id[512];
            snprintf(id, sizeof(id), "%s.%ld", base_id, i);
            set_str(&m->msg_id, id);
            json_object_object_del(state, "rcpt");
            json_object_object_del(state, "delivered");
        }
        n->ops->send(n, m, state, &st);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("result=%s\nerror=%s\nstate=%s\n", result_name(st.result), st.error,
           json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN));
    if (repeat > 1)
        printf("per_send_ms=%.2f\n",
               ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / (double)repeat);
    free(base_id);
    vs_notifier_free(n);
    json_object_put(state);
    vs_msg_free(m);
    return 0;
}
