/* Unit tests of mgr_config: a full configuration and its defaults, one case per kind of
 * problem with its exact file:line, the sample in contrib/, the embedded schema, credential-free
 * URIs, and no secret ever in a message. Data: tests/manager/config/ under $top_srcdir. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mgr_config.h"
#include "mgr_schema.h"
#include "vs_buf.h"
#include "vs_check.h"

/* A file under the source tree, as a new string. */
static char *src_path(const char *rel)
{
    const char *top = getenv("top_srcdir");
    vs_buf b;

    vs_buf_init(&b, 8192);
    ck_assert_int_eq(vs_buf_appendf(&b, "%s/%s", top != NULL ? top : ".", rel), 0);
    return vs_buf_steal(&b);
}

/* A file of the test data, as a new string. */
static char *data_path(const char *name)
{
    vs_buf b;

    vs_buf_init(&b, 8192);
    ck_assert_int_eq(vs_buf_appendf(&b, "tests/manager/config/%s", name), 0);
    char *rel = vs_buf_steal(&b);
    char *path = src_path(rel);
    free(rel);
    return path;
}

/* Whether text holds line as one whole line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    }
    return 0;
}

/* Assert that errors hold the line "<data file>:<line>: <message>". */
static void error_expect(const char *errors, const char *file, int line, const char *message)
{
    char *path = data_path(file);
    vs_buf want;

    vs_buf_init(&want, 8192);
    vs_buf_appendf(&want, "%s:%d: %s", path, line, message);
    ck_assert_msg(has_line(errors, vs_buf_str(&want)), "missing line\n  %s\nin\n%s",
                  vs_buf_str(&want), errors);
    vs_buf_free(&want);
    free(path);
}

/* Assert that every line of errors starts "<a data file>:<number>: " and ends with a period. */
static void errors_all_located(const char *errors)
{
    char *dir = data_path("");
    size_t n = strlen(dir);

    ck_assert_msg(errors[0] != '\0', "no error reported");
    for (const char *p = errors; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        ck_assert_msg(nl != NULL, "last line without a newline: %s", p);
        ck_assert_msg(strncmp(p, dir, n) == 0, "line not about a data file: %.*s", (int)(nl - p),
                      p);
        const char *colon = strchr(p + n, ':');
        ck_assert_msg(colon != NULL && colon < nl && colon[1] >= '0' && colon[1] <= '9',
                      "line without file:line: %.*s", (int)(nl - p), p);
        ck_assert_msg(nl[-1] == '.', "line not ending a sentence: %.*s", (int)(nl - p), p);
        p = nl + 1;
    }
    free(dir);
}

/* Load a data file that must be refused; returns its errors (caller frees). */
static char *load_refused(const char *name)
{
    char *path = data_path(name);
    mgr_config *cfg = NULL;
    vs_buf errors;

    vs_buf_init(&errors, 1 << 20);
    ck_assert_int_eq(mgr_config_load(path, &cfg, &errors), -1);
    ck_assert_ptr_null(cfg);
    free(path);
    char *text = vs_buf_steal(&errors);
    errors_all_located(text);
    return text;
}

/* Load a data file that must be accepted, with no errors. */
static mgr_config *load_good(const char *path)
{
    mgr_config *cfg = NULL;
    vs_buf errors;

    vs_buf_init(&errors, 1 << 20);
    int rc = mgr_config_load(path, &cfg, &errors);
    ck_assert_msg(rc == 0, "refused %s:\n%s", path, vs_buf_str(&errors));
    ck_assert_str_eq(vs_buf_str(&errors), "");
    ck_assert_ptr_nonnull(cfg);
    vs_buf_free(&errors);
    return cfg;
}

START_TEST(good_config_root)
{
    char *path = data_path("good.xml");
    mgr_config *cfg = load_good(path);

    ck_assert_str_eq(cfg->file, path);
    ck_assert_int_eq(cfg->interval, 120);
    ck_assert_double_eq(cfg->spread, 20.5);
    ck_assert_str_eq(cfg->state_dir, "/srv/vs");
    ck_assert_str_eq(cfg->rrd_dir, "/srv/vs/rrd");
    ck_assert_str_eq(cfg->status_file, "/srv/vs/status.json");
    ck_assert_str_eq(cfg->pid_file, "/run/vs-test.pid");
    ck_assert_int_eq(cfg->max_inflight, 500);
    ck_assert_int_eq(cfg->libvirt_workers, 8);
    ck_assert_str_eq(cfg->rrdcached, "unix:/run/rrdcached.sock");
    ck_assert_int_eq(cfg->rrdcached_retry, 60);
    ck_assert_uint_eq(cfg->n_hosts, 4);
    ck_assert_ptr_eq(mgr_config_host(cfg, "hv2"), &cfg->hosts[3]);
    ck_assert_ptr_null(mgr_config_host(cfg, "nope"));
    ck_assert_ptr_null(mgr_config_host(NULL, "hv2"));
    mgr_config_free(cfg);
    free(path);
}
END_TEST

START_TEST(good_config_community_hosts)
{
    char *path = data_path("good.xml");
    mgr_config *cfg = load_good(path);
    const mgr_host_cfg *h = &cfg->hosts[0];

    ck_assert_str_eq(h->name, "top1");
    ck_assert_str_eq(h->group_path, "");
    ck_assert_int_eq(h->line, 6);
    ck_assert_double_eq(h->deadline_s, 60.0);
    ck_assert_ptr_null(h->libvirt);
    ck_assert_int_eq(h->snmp->version, MGR_SNMP_V1);
    ck_assert_str_eq(h->snmp->address, "udp:192.0.2.1:161");
    ck_assert_str_eq(h->snmp->community, "PublicCommunityX");
    ck_assert_int_eq(h->snmp->bulk, 0);
    ck_assert_int_eq(h->snmp->timeout_ms, 1000);
    ck_assert_int_eq(h->snmp->retries, 1);
    ck_assert_int_eq(h->snmp->max_repetitions, 25);
    ck_assert_ptr_null(h->snmp->user);
    ck_assert_ptr_null(h->snmp->auth_pass);
    ck_assert_ptr_null(h->snmp->context);

    h = &cfg->hosts[2];
    ck_assert_str_eq(h->name, "fw.seoul-1");
    ck_assert_str_eq(h->group_path, "seoul");
    ck_assert_int_eq(h->snmp->version, MGR_SNMP_V2C);
    ck_assert_str_eq(h->snmp->address, "fw1.example.net");
    ck_assert_str_eq(h->snmp->community, "CrLfCommunity7");
    ck_assert_int_eq(h->snmp->bulk, 1);
    mgr_config_free(cfg);
    free(path);
}
END_TEST

START_TEST(good_config_v3_and_libvirt_hosts)
{
    char *path = data_path("good.xml");
    mgr_config *cfg = load_good(path);
    const mgr_host_cfg *h = mgr_config_host(cfg, "hv1");

    ck_assert_ptr_eq(h, &cfg->hosts[1]);
    ck_assert_str_eq(h->group_path, "seoul/dc1");
    ck_assert_int_eq(h->line, 11);
    ck_assert_double_eq(h->deadline_s, 45.5);
    const mgr_snmp_src *s = h->snmp;
    ck_assert_int_eq(s->version, MGR_SNMP_V3);
    ck_assert_str_eq(s->address, "udp:hv1.example.net:1161");
    ck_assert_str_eq(s->user, "virtsight");
    ck_assert_str_eq(s->auth_proto, "SHA-512");
    ck_assert_str_eq(s->priv_proto, "AES-256");
    ck_assert_str_eq(s->auth_pass, "AuthPass Phrase 1");
    ck_assert_str_eq(s->priv_pass, "PrivPassPhrase2");
    ck_assert_str_eq(s->context, "vrf1");
    ck_assert_ptr_null(s->community);
    ck_assert_int_eq(s->timeout_ms, 2500);
    ck_assert_int_eq(s->retries, 3);
    ck_assert_int_eq(s->max_repetitions, 50);
    ck_assert_int_eq(s->bulk, 0);
    const mgr_libvirt_src *l = h->libvirt;
    ck_assert_str_eq(l->uri, "qemu+ssh://monitor:Hunter2pass@hv1.example.net/system?keyfile=/k&"
                             "password=Hunter3pass");
    ck_assert_str_eq(l->uri_safe, "qemu+ssh://monitor@hv1.example.net/system?keyfile=/k");
    ck_assert_int_eq(l->timeout_ms, 5000);
    ck_assert_int_eq(l->keepalive_interval, 10);
    ck_assert_int_eq(l->keepalive_count, 4);

    h = &cfg->hosts[3];
    ck_assert_str_eq(h->name, "hv2");
    ck_assert_str_eq(h->group_path, "busan");
    ck_assert_ptr_null(h->snmp);
    ck_assert_str_eq(h->libvirt->uri, "test:///default");
    ck_assert_str_eq(h->libvirt->uri_safe, "test:///default");
    ck_assert_int_eq(h->libvirt->timeout_ms, 10000);
    ck_assert_int_eq(h->libvirt->keepalive_interval, 5);
    ck_assert_int_eq(h->libvirt->keepalive_count, 3);
    mgr_config_free(cfg);
    free(path);
}
END_TEST

START_TEST(minimal_config_gets_defaults)
{
    char *path = data_path("minimal.xml");
    mgr_config *cfg = load_good(path);

    ck_assert_int_eq(cfg->interval, 60);
    ck_assert_double_eq(cfg->spread, 15.0);
    ck_assert_str_eq(cfg->state_dir, "/var/lib/virtsight");
    ck_assert_str_eq(cfg->rrd_dir, "/var/lib/virtsight/rrd");
    ck_assert_str_eq(cfg->status_file, "/var/lib/virtsight/status.json");
    ck_assert_str_eq(cfg->pid_file, "/run/virtsight-manager.pid");
    ck_assert_int_eq(cfg->max_inflight, 100);
    ck_assert_int_eq(cfg->libvirt_workers, 4);
    ck_assert_ptr_null(cfg->rrdcached);
    ck_assert_int_eq(cfg->rrdcached_retry, 300);
    ck_assert_uint_eq(cfg->n_hosts, 1);
    ck_assert_str_eq(cfg->hosts[0].name, "a");
    ck_assert_str_eq(cfg->hosts[0].group_path, "");
    ck_assert_double_eq(cfg->hosts[0].deadline_s, 30.0);
    mgr_config_free(cfg);
    free(path);
}
END_TEST

START_TEST(unknown_element_and_attribute)
{
    char *e = load_refused("unknown-element.xml");
    error_expect(e, "unknown-element.xml", 4, "Did not expect element ipmi there.");
    free(e);
    e = load_refused("unknown-attribute.xml");
    error_expect(e, "unknown-attribute.xml", 2, "Invalid attribute colour for element host.");
    free(e);
    e = load_refused("two-rrdcached.xml");
    error_expect(e, "two-rrdcached.xml", 4,
                 "A second <rrdcached> (the first is at line 2); give at most one.");
    ck_assert_ptr_null(strstr(e, "extra content"));
    free(e);
}
END_TEST

START_TEST(missing_required_attribute)
{
    char *e = load_refused("missing-attr.xml");
    error_expect(e, "missing-attr.xml", 2, "<group> needs attribute name.");
    error_expect(e, "missing-attr.xml", 4, "<libvirt> needs attribute uri.");
    free(e);
}
END_TEST

START_TEST(bad_numbers)
{
    char *e = load_refused("bad-number.xml");
    error_expect(e, "bad-number.xml", 3,
                 "<snmp> attribute timeout=\"abc\" is not a whole number of milliseconds.");
    error_expect(e, "bad-number.xml", 5,
                 "<host> attribute deadline=\"soon\" is not a number of "
                 "seconds.");
    error_expect(e, "bad-number.xml", 6,
                 "<libvirt> attribute keepalive-count=\"3x\" is not a whole number.");
    ck_assert_ptr_null(strstr(e, "out of range")); /* no second complaint about the same value */
    free(e);
}
END_TEST

START_TEST(values_out_of_range)
{
    char *e = load_refused("out-of-range.xml");
    error_expect(e, "out-of-range.xml", 1,
                 "<virtsight-manager> attribute interval=\"0\" is out of range; it must be from 1 "
                 "to 86400 seconds.");
    error_expect(e, "out-of-range.xml", 1,
                 "<virtsight-manager> attribute libvirt-workers=\"65\" is out of range; it must be "
                 "from 1 to 64.");
    error_expect(e, "out-of-range.xml", 4,
                 "<snmp> attribute max-repetitions=\"0\" is out of range; it must be from 1 to "
                 "1000.");
    free(e);
    e = load_refused("spread-deadline.xml");
    error_expect(e, "spread-deadline.xml", 1,
                 "<virtsight-manager> attribute spread=\"31\" is out of range; it must be from 0 "
                 "to the interval (30 seconds).");
    error_expect(e, "spread-deadline.xml", 2,
                 "<host> attribute deadline=\"31\" is out of range; it must be more than 0 and at "
                 "most the interval (30 seconds).");
    error_expect(e, "spread-deadline.xml", 5,
                 "<host> attribute deadline=\"0\" is out of range; it must be more than 0 and at "
                 "most the interval (30 seconds).");
    free(e);
}
END_TEST

START_TEST(duplicate_host_names_both_lines)
{
    char *e = load_refused("dup-host.xml");
    error_expect(e, "dup-host.xml", 5,
                 "Host name \"hv1\" is already used at line 2; host names must be unique across "
                 "the file.");
    ck_assert_ptr_null(strstr(e, "hv2"));
    free(e);
}
END_TEST

START_TEST(host_without_source)
{
    char *e = load_refused("missing-source.xml");
    error_expect(e, "missing-source.xml", 2,
                 "<host name=\"lonely\"> has neither <snmp> nor <libvirt>; give it at least one of "
                 "them.");
    free(e);
}
END_TEST

START_TEST(weak_snmpv3_protocols_refused)
{
    char *e = load_refused("v3-md5.xml");
    error_expect(e, "v3-md5.xml", 3,
                 "<snmp> attribute auth=\"MD5\" is not allowed; use SHA-256, SHA-384 or SHA-512 "
                 "(MD5 and SHA-1 are refused as too weak).");
    error_expect(e, "v3-md5.xml", 3,
                 "<snmp> attribute priv=\"DES\" is not allowed; use AES, AES-192 or AES-256 (DES "
                 "is refused as too weak; AES means AES-128).");
    free(e);
}
END_TEST

START_TEST(attributes_checked_against_version)
{
    char *e = load_refused("version-mix.xml");
    error_expect(e, "version-mix.xml", 2,
                 "<snmp> attribute user is for version 3 only; version=\"2c\" uses "
                 "community-file.");
    error_expect(e, "version-mix.xml", 3,
                 "<snmp> version=\"3\" needs attribute priv (AES, AES-192 or AES-256); virtsight "
                 "uses authPriv only.");
    error_expect(e, "version-mix.xml", 4,
                 "<snmp> attribute bulk=\"yes\" needs version 2c or 3; SNMPv1 has no GETBULK.");
    error_expect(e, "version-mix.xml", 5,
                 "<snmp> version=\"2c\" needs attribute community-file, the file holding the "
                 "community.");
    error_expect(e, "version-mix.xml", 6,
                 "<snmp> attribute community-file is for versions 1 and 2c; version=\"3\" takes "
                 "user, auth, priv and secret-file.");
    error_expect(e, "version-mix.xml", 7,
                 "<snmp> attribute version=\"4\" is not allowed; use 1, 2c or 3.");
    free(e);
}
END_TEST

START_TEST(missing_secret_file)
{
    char *e = load_refused("missing-secret.xml");
    char *secret = data_path("secrets/absent.usm");
    vs_buf want;

    vs_buf_init(&want, 8192);
    vs_buf_appendf(&want,
                   "<snmp> attribute secret-file names %s, which cannot be read: No such file or "
                   "directory.",
                   secret);
    error_expect(e, "missing-secret.xml", 4, vs_buf_str(&want));
    vs_buf_free(&want);
    free(secret);
    free(e);
}
END_TEST

START_TEST(empty_community_file)
{
    char *e = load_refused("empty-community.xml");
    error_expect(e, "secrets/empty.community", 1,
                 "The community file is empty; put the community on its first line.");
    error_expect(e, "secrets/newline.community", 1,
                 "The community file is empty; put the community on its first line.");
    free(e);
}
END_TEST

START_TEST(bad_secret_file_lines_located_in_secret_file)
{
    char *e = load_refused("bad-secret-line.xml");
    char *nopriv = data_path("secrets/nopriv.usm");
    vs_buf want;

    error_expect(e, "secrets/badline.usm", 3,
                 "The line is not \"auth PASSPHRASE\" or \"priv PASSPHRASE\" (nor blank, nor a # "
                 "comment).");
    error_expect(e, "secrets/short.usm", 2,
                 "The priv passphrase is shorter than 8 characters, the least Net-SNMP accepts.");
    error_expect(e, "secrets/twice.usm", 3,
                 "A second \"auth\" line (the first is line 1); give each passphrase once.");
    vs_buf_init(&want, 8192);
    vs_buf_appendf(&want,
                   "<snmp> attribute secret-file names %s, which has no \"priv PASSPHRASE\" line; "
                   "version 3 needs both auth and priv.",
                   nopriv);
    error_expect(e, "bad-secret-line.xml", 12, vs_buf_str(&want));
    vs_buf_free(&want);
    free(nopriv);
    free(e);
}
END_TEST

START_TEST(malformed_xml)
{
    char *e = load_refused("malformed.xml");
    error_expect(e, "malformed.xml", 4, "Opening and ending tag mismatch: host line 2 and hots.");
    free(e);
}
END_TEST

START_TEST(bad_names)
{
    const char *why = "is not a valid name; use 1 to 64 letters, digits, '.', '_' or '-' (but not "
                      "\".\" or \"..\").";
    char *e = load_refused("bad-name.xml");
    vs_buf want;

    vs_buf_init(&want, 8192);
    vs_buf_appendf(&want, "<group> attribute name=\"a/b\" %s", why);
    error_expect(e, "bad-name.xml", 2, vs_buf_str(&want));
    vs_buf_reset(&want);
    vs_buf_appendf(&want, "<host> attribute name=\"..\" %s", why);
    error_expect(e, "bad-name.xml", 3, vs_buf_str(&want));
    vs_buf_reset(&want);
    vs_buf_appendf(&want,
                   "<host> attribute name=\"this-name-is-far-too-long-for-a-host-0123456789-"
                   "0123456789-012345\" %s",
                   why);
    error_expect(e, "bad-name.xml", 4, vs_buf_str(&want));
    vs_buf_free(&want);
    free(e);
}
END_TEST

START_TEST(doctype_and_external_entities_refused)
{
    char *e = load_refused("doctype.xml");
    error_expect(e, "doctype.xml", 2,
                 "A DOCTYPE declaration is not allowed here; DTDs and entities are refused.");
    ck_assert_ptr_null(strstr(e, "root:"));
    free(e);
}
END_TEST

START_TEST(missing_config_file)
{
    mgr_config *cfg = NULL;
    vs_buf errors;

    vs_buf_init(&errors, 4096);
    ck_assert_int_eq(mgr_config_load("/nonexistent/virtsight.xml", &cfg, &errors), -1);
    ck_assert_ptr_null(cfg);
    ck_assert_str_eq(vs_buf_str(&errors), "/nonexistent/virtsight.xml: Cannot read the "
                                          "configuration: No such file or directory.\n");
    vs_buf_free(&errors);
    mgr_config_free(NULL);
}
END_TEST

START_TEST(secrets_never_in_messages)
{
    static const char *const secrets[] = { "Hunter2pass",     "AuthPass Phrase", "PrivPassPhrase2",
                                           "PublicCommunity", "PastedAlone",     "AuthPassPhrase1",
                                           "Short7x",         "AuthPassPhrase3" };
    char *kept = load_refused("secrets-kept.xml");
    char *lines = load_refused("bad-secret-line.xml");

    /* The URI's control character is reported with the password removed. */
    error_expect(kept, "secrets-kept.xml", 9,
                 "<libvirt> attribute uri=\"qemu+ssh://monitor@hv1/system?\" holds a control "
                 "character.");
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        ck_assert_msg(strstr(kept, secrets[i]) == NULL, "secret %s in:\n%s", secrets[i], kept);
        ck_assert_msg(strstr(lines, secrets[i]) == NULL, "secret %s in:\n%s", secrets[i], lines);
    }
    free(kept);
    free(lines);
}
END_TEST

START_TEST(uri_safe_strips_passwords)
{
    static const char *const cases[][2] = {
        { "qemu+ssh://mon:pw@hv1/system", "qemu+ssh://mon@hv1/system" },
        { "qemu+ssh://mon@hv1/system", "qemu+ssh://mon@hv1/system" },
        { "qemu+tcp://:pw@hv1/system", "qemu+tcp://hv1/system" },
        { "qemu:///system", "qemu:///system" },
        { "test:///default", "test:///default" },
        { "esx://u:p%40ss@h/?no_verify=1&password=x", "esx://u@h/?no_verify=1" },
        { "qemu+ssh://h/system?Passwd=x&keyfile=/k&pass=y", "qemu+ssh://h/system?keyfile=/k" },
        { "qemu+ssh://h/system?sshpass=x#frag", "qemu+ssh://h/system#frag" },
        { "qemu+ssh://h/system?mode=direct", "qemu+ssh://h/system?mode=direct" },
        { "qemu+ssh://a@b:c@h/s", "qemu+ssh://a@b@h/s" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *safe = mgr_config_uri_safe(cases[i][0]);
        ck_assert_ptr_nonnull(safe);
        ck_assert_msg(strcmp(safe, cases[i][1]) == 0, "%s gave %s, not %s", cases[i][0], safe,
                      cases[i][1]);
        free(safe);
    }
}
END_TEST

/* dir/name, as a new string. */
static char *dir_file(const char *dir, const char *name)
{
    vs_buf p;

    vs_buf_init(&p, 8192);
    ck_assert_int_eq(vs_buf_appendf(&p, "%s/%s", dir, name), 0);
    return vs_buf_steal(&p);
}

/* Write text to dir/name. */
static void file_write(const char *dir, const char *name, const char *text)
{
    char *path = dir_file(dir, name);
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    free(path);
}

/* The contents of a file, as a new string. */
static char *file_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    vs_buf b;
    char chunk[4096];
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    vs_buf_init(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ck_assert_int_eq(vs_buf_append(&b, chunk, n), 0);
    fclose(f);
    return vs_buf_steal(&b);
}

/* text with every "from" replaced by "to", as a new string. */
static char *text_replace(const char *text, const char *from, const char *to)
{
    vs_buf b;
    const char *p = text;

    vs_buf_init(&b, 1 << 20);
    for (const char *hit; (hit = strstr(p, from)) != NULL; p = hit + strlen(from)) {
        vs_buf_append(&b, p, (size_t)(hit - p));
        vs_buf_append_str(&b, to);
    }
    vs_buf_append_str(&b, p);
    return vs_buf_steal(&b);
}

/* The sample, with its secret files moved from /etc/virtsight to a private directory, loads,
 * its notifiers and thresholds included. */
START_TEST(sample_config_loads)
{
    static const char *const files[][2] = {
        { "hv1.usm", "auth first passphrase\npriv second passphrase\n" },
        { "edge.usm", "priv second passphrase\nauth first passphrase\n" },
        { "noc.community", "n0c-community\n" },
        { "trap.community", "trap-community\n" },
        { "smtp.password", "smtp password\r\n" },
        { "slack.url", "https://hooks.example.net/services/T0/B0/secret\n" },
        { "virtsight-manager.xml", NULL },
    };
    char dir[] = "/tmp/vs-mgrconfig.XXXXXX";
    char *sample_path = src_path("contrib/virtsight-manager.xml");
    char *sample = file_slurp(sample_path);

    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *etc = dir_file(dir, "");
    char *moved = text_replace(sample, "/etc/virtsight/", etc);
    ck_assert_ptr_nonnull(strstr(sample, "/etc/virtsight/hv1.usm"));
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        file_write(dir, files[i][0], files[i][1] != NULL ? files[i][1] : moved);

    char *path = dir_file(dir, "virtsight-manager.xml");
    mgr_config *cfg = load_good(path);
    ck_assert_uint_eq(cfg->n_hosts, 5);
    ck_assert_str_eq(mgr_config_host(cfg, "hv1")->group_path, "seoul/dc1");
    ck_assert_str_eq(mgr_config_host(cfg, "hv1")->snmp->priv_pass, "second passphrase");
    ck_assert_str_eq(mgr_config_host(cfg, "edge")->snmp->auth_pass, "first passphrase");
    ck_assert_str_eq(mgr_config_host(cfg, "fw1")->snmp->community, "n0c-community");
    ck_assert_ptr_nonnull(cfg->rrdcached);

    ck_assert_double_eq(cfg->retry_min, 1);
    ck_assert_double_eq(cfg->retry_max, 300);
    ck_assert_int_eq(cfg->max_age, 86400);
    ck_assert_uint_eq(cfg->n_notifiers, 3);
    const mgr_notify_cfg *n = &cfg->notifiers[0];
    ck_assert_int_eq(n->kind, MGR_NOTIFY_TRAP);
    ck_assert_str_eq(n->name, "noc");
    ck_assert_int_eq(n->version, 2);
    ck_assert_int_eq(n->inform, 1);
    ck_assert_str_eq(n->community, "trap-community");
    n = &cfg->notifiers[1];
    ck_assert_int_eq(n->kind, MGR_NOTIFY_EMAIL);
    ck_assert_str_eq(n->server, "smtp.example.net");
    ck_assert_int_eq(n->port, 587);
    ck_assert_str_eq(n->tls, "starttls");
    ck_assert_uint_eq(n->n_to, 2);
    ck_assert_str_eq(n->to[1], "noc@example.net");
    ck_assert_str_eq(n->password, "smtp password");
    n = &cfg->notifiers[2];
    ck_assert_int_eq(n->kind, MGR_NOTIFY_SLACK);
    ck_assert_str_eq(n->url, "https://hooks.example.net/services/T0/B0/secret");
    ck_assert_double_eq(n->min_interval, 1);

    ck_assert_uint_eq(cfg->n_rules, 6);
    const mgr_rule_cfg *r = &cfg->rules[0];
    ck_assert_str_eq(r->metric, "host.up");
    ck_assert_ptr_null(r->warning);
    ck_assert_ptr_null(r->critical);
    ck_assert_int_eq(r->for_samples, 2);
    r = &cfg->rules[1];
    ck_assert_str_eq(r->name, "web-cpu");
    ck_assert_int_eq(r->scope, MGR_RULE_VM);
    ck_assert_str_eq(r->scope_value, "web*");
    ck_assert_str_eq(r->warning, "~:80");
    ck_assert_double_eq(r->hysteresis, 5);
    ck_assert_int_eq(r->repeat, 3600);
    ck_assert_uint_eq(r->n_notify_warning, 1);
    ck_assert_str_eq(r->notify_warning[0], "chat");
    ck_assert_uint_eq(r->n_notify_critical, 2);
    ck_assert_str_eq(r->notify_critical[1], "oncall");
    r = &cfg->rules[2];
    ck_assert_str_eq(r->metric, "host.mem.used.pct");
    ck_assert_int_eq(r->scope, MGR_RULE_GROUP);
    ck_assert_str_eq(r->scope_value, "seoul");
    r = &cfg->rules[3];
    ck_assert_str_eq(r->metric, "host.disk.used.pct");
    ck_assert_int_eq(r->scope, MGR_RULE_ALL);
    ck_assert_str_eq(r->critical, "95");
    mgr_config_free(cfg);

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *f = dir_file(dir, files[i][0]);
        ck_assert_int_eq(unlink(f), 0);
        free(f);
    }
    ck_assert_int_eq(rmdir(dir), 0);
    free(path);
    free(etc);
    free(moved);
    free(sample);
    free(sample_path);
}
END_TEST

START_TEST(schema_embedded_as_installed)
{
    char *path = src_path("manager/virtsight-manager.rng");
    char *text = file_slurp(path);

    ck_assert_uint_eq(mgr_schema_rng_len, strlen(text));
    ck_assert_str_eq(mgr_schema_rng, text);
    free(text);
    free(path);
}
END_TEST

/* <notifiers> and <rules>: every value where the daemon reads it, defaults filled in. */
START_TEST(good_config_notifiers_and_rules)
{
    char *path = data_path("alert-good.xml");
    mgr_config *cfg = load_good(path);
    free(path);
    ck_assert_double_eq(cfg->retry_min, 0.5);
    ck_assert_double_eq(cfg->retry_max, 60);
    ck_assert_int_eq(cfg->max_age, 3600);
    ck_assert_uint_eq(cfg->n_notifiers, 5);
    const mgr_notify_cfg *n = &cfg->notifiers[0];
    ck_assert_int_eq(n->kind, MGR_NOTIFY_TRAP);
    ck_assert_str_eq(n->name, "noc");
    ck_assert_str_eq(n->target, "udp:127.0.0.1:1162");
    ck_assert_int_eq(n->version, 2);
    ck_assert_int_eq(n->inform, 0);
    ck_assert_str_eq(n->community, "PublicCommunityX");
    ck_assert_int_eq(n->timeout_ms, 5000);
    ck_assert_int_eq(n->retries, 3);
    n = &cfg->notifiers[1];
    ck_assert_int_eq(n->version, 3);
    ck_assert_int_eq(n->inform, 1);
    ck_assert_str_eq(n->user, "tester");
    ck_assert_str_eq(n->auth_proto, "SHA-256");
    ck_assert_str_eq(n->priv_proto, "AES");
    ck_assert_ptr_nonnull(n->auth_pass);
    ck_assert_ptr_nonnull(n->priv_pass);
    ck_assert_int_eq(n->timeout_ms, 2000);
    ck_assert_int_eq(n->retries, 1);
    n = &cfg->notifiers[2];
    ck_assert_int_eq(n->kind, MGR_NOTIFY_EMAIL);
    ck_assert_str_eq(n->server, "smtp.example.net");
    ck_assert_int_eq(n->port, 587);
    ck_assert_str_eq(n->tls, "starttls");
    ck_assert_str_eq(n->from, "virtsight@example.net");
    ck_assert_uint_eq(n->n_to, 2);
    ck_assert_str_eq(n->to[0], "a@example.net");
    ck_assert_str_eq(n->to[1], "b@example.org");
    ck_assert_str_eq(n->mail_user, "mailer");
    ck_assert_str_eq(n->password, "s3cret-pass");
    ck_assert_double_eq(n->timeout, 10);
    n = &cfg->notifiers[3];
    ck_assert_str_eq(n->server, "localhost");
    ck_assert_int_eq(n->port, 2525);
    ck_assert_str_eq(n->tls, "none");
    ck_assert_ptr_null(n->password);
    ck_assert_double_eq(n->timeout, 30);
    n = &cfg->notifiers[4];
    ck_assert_int_eq(n->kind, MGR_NOTIFY_SLACK);
    ck_assert_str_eq(n->url, "https://hooks.slack.example/services/T0/B0/xyz");
    ck_assert_double_eq(n->timeout, 15);
    ck_assert_double_eq(n->connect_timeout, 5);
    ck_assert_double_eq(n->min_interval, 2);

    ck_assert_uint_eq(cfg->n_rules, 6);
    const mgr_rule_cfg *r = &cfg->rules[0];
    ck_assert_str_eq(r->name, "vm-cpu");
    ck_assert_str_eq(r->metric, "vm.cpu.util");
    ck_assert_int_eq(r->scope, MGR_RULE_VM);
    ck_assert_str_eq(r->scope_value, "web*");
    ck_assert_str_eq(r->warning, "80");
    ck_assert_str_eq(r->critical, "95");
    ck_assert_double_eq(r->hysteresis, 5);
    ck_assert_int_eq(r->for_samples, 3);
    ck_assert_int_eq(r->repeat, 3600);
    ck_assert_uint_eq(r->n_notify_warning, 2);
    ck_assert_uint_eq(r->n_notify_critical, 2);
    ck_assert_str_eq(r->notify_critical[1], "chat");
    r = &cfg->rules[1];
    ck_assert_ptr_null(r->name);
    ck_assert_int_eq(r->scope, MGR_RULE_GROUP);
    ck_assert_str_eq(r->scope_value, "seoul/lab");
    ck_assert_int_eq(r->for_samples, 1);
    ck_assert_int_eq(r->repeat, 0);
    ck_assert_double_eq(r->hysteresis, 0);
    ck_assert_uint_eq(r->n_notify_warning, 0);
    ck_assert_uint_eq(r->n_notify_critical, 1);
    r = &cfg->rules[2];
    ck_assert_int_eq(r->scope, MGR_RULE_HOST);
    ck_assert_ptr_null(r->warning);
    ck_assert_str_eq(r->critical, "1:");
    ck_assert_str_eq(r->notify_warning[0], "chat");
    ck_assert_str_eq(r->notify_critical[1], "local");
    /* group.* metrics, with a group scope or none. */
    r = &cfg->rules[3];
    ck_assert_str_eq(r->name, "lab-vm-cpu");
    ck_assert_str_eq(r->metric, "group.vm.cpu.util.max");
    ck_assert_int_eq(r->scope, MGR_RULE_GROUP);
    ck_assert_str_eq(r->scope_value, "seoul/lab");
    ck_assert_str_eq(r->warning, "90");
    r = &cfg->rules[4];
    ck_assert_str_eq(r->metric, "group.host.up.avg");
    ck_assert_int_eq(r->scope, MGR_RULE_ALL);
    ck_assert_ptr_null(r->scope_value);
    ck_assert_str_eq(r->critical, "0.5");
    ck_assert_str_eq(cfg->rules[5].metric, "group.host.disk.used.pct.avg");
    mgr_config_free(cfg);
}
END_TEST

/* Without <notifiers>, the spool's back-off has its defaults and there is nothing to notify. */
START_TEST(no_notifiers_defaults)
{
    char *path = data_path("minimal.xml");
    mgr_config *cfg = load_good(path);
    free(path);
    ck_assert_double_eq(cfg->retry_min, 1);
    ck_assert_double_eq(cfg->retry_max, 300);
    ck_assert_int_eq(cfg->max_age, 86400);
    ck_assert_uint_eq(cfg->n_notifiers, 0);
    ck_assert_uint_eq(cfg->n_rules, 0);
    mgr_config_free(cfg);
}
END_TEST

/* Every mistake in notifiers and thresholds, each on its own line; a notifier named twice by
 * notify= is reported once. */
START_TEST(notifier_and_threshold_errors)
{
    char *e = load_refused("alert-bad.xml");
    const char *f = "alert-bad.xml";
    error_expect(e, f, 2, "<notifiers> attribute retry-min (10 s) is more than retry-max (5 s).");
    error_expect(e, f, 3, "<trap> version=\"2c\" needs attribute community-file.");
    error_expect(e, f, 4,
                 "<trap> version=\"3\" always sends informs (acknowledged, re-sent until they "
                 "are); leave out inform=\"no\".");
    error_expect(e, f, 5,
                 "<email> attribute server=\"smtp.example.net:99999\" is not HOST or HOST:PORT "
                 "(PORT from 1 to 65535).");
    error_expect(e, f, 9,
                 "<email> tls=\"tls\" (TLS from the first byte, port 465) is not available: "
                 "libESMTP 1.1 speaks only STARTTLS; use tls=\"starttls\" (port 587).");
    error_expect(e, f, 9,
                 "<email> attribute server=\"[::1]\" is an IPv6 address, which libESMTP cannot "
                 "connect to; give a host name.");
    error_expect(e, f, 5,
                 "<email> attribute to: \"b@x>y\" is not a mail address (local@domain; separate "
                 "recipients with blanks).");
    error_expect(e, f, 6,
                 "<email> with user and password-file needs tls=\"starttls\": the password would "
                 "cross the network in clear.");
    error_expect(e, f, 7,
                 "<slack> attribute webhook-url-file names a file whose first line is not an "
                 "http:// or https:// URL.");
    error_expect(e, f, 8,
                 "<slack> attribute timeout=\"0\" is out of range (more than 0, at most 600).");
    error_expect(
        e, f, 8,
        "Notifier name \"chat\" is already used at line 7; notifier names must be unique.");
    error_expect(e, f, 12,
                 "<threshold> metric=\"vm.cpu.utilisation\" is not a metric virtsight-manager "
                 "collects (see virtsight-manager.conf(5), METRICS).");
    ck_assert_ptr_nonnull(strstr(
        e, "alert-bad.xml:13: <threshold> attribute warning=\"80:70\" is not a threshold: "));
    ck_assert_ptr_nonnull(
        strstr(e, "alert-bad.xml:13: <threshold> attribute critical=\"abc\" is not a threshold: "));
    error_expect(e, f, 14, "<threshold> takes at most one of group, host and vm.");
    error_expect(e, f, 14,
                 "<threshold> names notifier \"pager\", which <notifiers> does not define.");
    const char *pager = strstr(e, "\"pager\"");
    ck_assert_ptr_null(strstr(pager + 1, "\"pager\""));
    error_expect(e, f, 15, "<threshold> attribute vm applies to vm.* metrics only.");
    error_expect(e, f, 16,
                 "<threshold> needs warning, critical or both (only host.up has a default: "
                 "critical when the host does not answer).");
    error_expect(e, f, 16, "<threshold> attribute hysteresis=\"-1\" is negative.");
    error_expect(e, f, 16,
                 "<threshold> has no notifier: give notify (both severities), notify-warning or "
                 "notify-critical.");
    /* group.*: the base metric and the function checked; no host or vm scope. */
    error_expect(e, f, 17,
                 "<threshold> metric=\"group.cpu.util.avg\": \"cpu.util\" is not a host.* or vm.* "
                 "metric virtsight-manager collects (see virtsight-manager.conf(5), METRICS).");
    error_expect(e, f, 21,
                 "<threshold> metric=\"group.host.load.median\": \"median\" is not a function of "
                 "a group; use sum, avg or max.");
    error_expect(e, f, 21,
                 "<threshold> attribute host does not apply to group.* metrics, which belong to "
                 "groups; give group=\"...\" or no scope.");
    error_expect(e, f, 21,
                 "<threshold> attribute vm does not apply to group.* metrics, which belong to "
                 "groups; give group=\"...\" or no scope.");
    error_expect(e, f, 21,
                 "<threshold> needs warning, critical or both (only host.up has a default: "
                 "critical when the host does not answer).");
    error_expect(e, f, 19,
                 "Threshold name \"x\" is already used at line 18; threshold names must be unique "
                 "(alarm state is kept by name).");
    error_expect(e, f, 20,
                 "<threshold> hysteresis=\"6\" is too wide for warning=\"10:20\": no value could "
                 "ever clear it.");
    error_expect(e, f, 23, "A second <notifiers> (the first is at line 2); give at most one.");
    ck_assert_ptr_null(strstr(e, "s3cret"));
    ck_assert_ptr_null(strstr(e, "hooks.slack"));
    free(e);

    e = load_refused("alert-bad2.xml");
    error_expect(e, "alert-bad2.xml", 3,
                 "<trap> attribute user is longer than 32 characters, the most SNMPv3 allows.");
    error_expect(e, "alert-bad2.xml", 6,
                 "<threshold> attribute hysteresis=\"abc\" is not a number.");
    free(e);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("mgr_config");
    TCase *good = tcase_create("good");
    tcase_add_test(good, good_config_root);
    tcase_add_test(good, good_config_community_hosts);
    tcase_add_test(good, good_config_v3_and_libvirt_hosts);
    tcase_add_test(good, minimal_config_gets_defaults);
    tcase_add_test(good, sample_config_loads);
    tcase_add_test(good, schema_embedded_as_installed);
    tcase_add_test(good, uri_safe_strips_passwords);
    tcase_add_test(good, good_config_notifiers_and_rules);
    tcase_add_test(good, no_notifiers_defaults);
    suite_add_tcase(s, good);

    TCase *bad = tcase_create("errors");
    tcase_add_test(bad, unknown_element_and_attribute);
    tcase_add_test(bad, missing_required_attribute);
    tcase_add_test(bad, bad_numbers);
    tcase_add_test(bad, values_out_of_range);
    tcase_add_test(bad, duplicate_host_names_both_lines);
    tcase_add_test(bad, host_without_source);
    tcase_add_test(bad, weak_snmpv3_protocols_refused);
    tcase_add_test(bad, attributes_checked_against_version);
    tcase_add_test(bad, missing_secret_file);
    tcase_add_test(bad, empty_community_file);
    tcase_add_test(bad, bad_secret_file_lines_located_in_secret_file);
    tcase_add_test(bad, malformed_xml);
    tcase_add_test(bad, bad_names);
    tcase_add_test(bad, doctype_and_external_entities_refused);
    tcase_add_test(bad, missing_config_file);
    tcase_add_test(bad, secrets_never_in_messages);
    tcase_add_test(bad, notifier_and_threshold_errors);
    suite_add_tcase(s, bad);
    return s;
}

VS_CHECK_MAIN(config_suite)
