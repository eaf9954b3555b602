/* Unit tests of th_config: a configuration with every element and attribute read back (MIB
 * names and enumeration labels resolved), the defaults, the sample in contrib/, the embedded
 * schema, one case per kind of problem with its exact file:line message, and the handler
 * (th_handle) routing recorded traps into the spool and a log file with that configuration
 * machinery. Each configuration is written into a temporary directory by the test itself, so
 * the line numbers asserted are visible here. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "th_config.h"
#include "th_handle.h"
#include "th_input.h"
#include "vs_buf.h"
#include "vs_check.h"
#include "vs_log.h"

#define VSTATE "1.3.6.1.4.1.8072.9999.9999.8478.1.1.0.1"       /* vsVmStateChanged */
#define VSOPER "1.3.6.1.4.1.8072.9999.9999.8478.1.1.1.2.1.1.7" /* vsVmOperState */
#define VSNAME "1.3.6.1.4.1.8072.9999.9999.8478.1.1.1.2.1.1.2" /* vsVmName */
#define HVLOST "1.3.6.1.4.1.8072.9999.9999.8478.1.1.0.5"       /* vsHvConnectionLost */

static char tmp_dir[] = "/tmp/vs-thconfig.XXXXXX";

static void dir_setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void dir_teardown(void)
{
    ck_assert_int_eq(nftw(tmp_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
    memcpy(tmp_dir, "/tmp/vs-thconfig.XXXXXX", sizeof(tmp_dir));
}

/* tmp_dir "/" name, as a new string. */
static char *tmp_path(const char *name)
{
    vs_buf b;
    vs_buf_init(&b, 8192);
    ck_assert_int_eq(vs_buf_appendf(&b, "%s/%s", tmp_dir, name), 0);
    return vs_buf_steal(&b);
}

/* Write text to tmp_dir/name; returns the path (caller frees). */
static char *file_put(const char *name, const char *text)
{
    char *path = tmp_path(name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* A whole file as a new string. */
static char *file_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    vs_buf b;
    vs_buf_init(&b, 1 << 24);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ck_assert_int_eq(vs_buf_append(&b, chunk, n), 0);
    fclose(f);
    return vs_buf_steal(&b);
}

/* A file under the source tree, as a new string. */
static char *src_path(const char *rel)
{
    const char *top = getenv("top_srcdir");
    vs_buf b;
    vs_buf_init(&b, 8192);
    ck_assert_int_eq(vs_buf_appendf(&b, "%s/%s", top != NULL ? top : ".", rel), 0);
    return vs_buf_steal(&b);
}

/* text with every from replaced by to, as a new string. */
static char *text_replace(const char *text, const char *from, const char *to)
{
    vs_buf b;
    vs_buf_init(&b, 1 << 24);
    for (const char *p = text;;) {
        const char *hit = strstr(p, from);
        if (hit == NULL) {
            vs_buf_appendf(&b, "%s", p);
            break;
        }
        vs_buf_append(&b, p, (size_t)(hit - p));
        vs_buf_appendf(&b, "%s", to);
        p = hit + strlen(from);
    }
    return vs_buf_steal(&b);
}

/* Load tmp_dir/name written from text; it must be accepted with no error. */
static th_config *load_good(const char *name, const char *text)
{
    char *path = file_put(name, text);
    th_config *cfg = NULL;
    vs_buf errors;
    vs_buf_init(&errors, 1 << 20);
    int rc = th_config_load(path, &cfg, &errors);
    ck_assert_msg(rc == 0, "refused %s:\n%s", path, vs_buf_str(&errors));
    ck_assert_str_eq(vs_buf_str(&errors), "");
    ck_assert_ptr_nonnull(cfg);
    vs_buf_free(&errors);
    free(path);
    return cfg;
}

/* Load text as tmp_dir/bad.xml; it must be refused. Returns the errors (caller frees), each line
 * checked to start with "<path>:<number>: " and end a sentence. */
static char *load_refused(const char *text)
{
    char *path = file_put("bad.xml", text);
    th_config *cfg = NULL;
    vs_buf errors;
    vs_buf_init(&errors, 1 << 20);
    ck_assert_int_eq(th_config_load(path, &cfg, &errors), -1);
    ck_assert_ptr_null(cfg);
    char *out = vs_buf_steal(&errors);
    size_t n = strlen(path);
    ck_assert_msg(out[0] != '\0', "no error reported");
    for (const char *p = out; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        ck_assert_msg(nl != NULL, "last line without a newline: %s", p);
        ck_assert_msg(strncmp(p, path, n) == 0 && p[n] == ':' && p[n + 1] >= '0' && p[n + 1] <= '9',
                      "line without file:line: %.*s", (int)(nl - p), p);
        ck_assert_msg(nl[-1] == '.', "line not ending a sentence: %.*s", (int)(nl - p), p);
        p = nl + 1;
    }
    free(path);
    return out;
}

/* Assert that errors hold the whole line "<tmp_dir>/bad.xml:<line>: <message>". */
static void error_expect(const char *errors, int line, const char *message)
{
    vs_buf want;
    vs_buf_init(&want, 8192);
    vs_buf_appendf(&want, "%s/bad.xml:%d: %s\n", tmp_dir, line, message);
    const char *w = vs_buf_str(&want);
    int found = 0;
    for (const char *p = errors; !found && (p = strstr(p, w)) != NULL; p++)
        found = p == errors || p[-1] == '\n';
    ck_assert_msg(found, "missing line\n  %s\nin\n%s", w, errors);
    vs_buf_free(&want);
}

/* How many lines errors has. */
static int lines_count(const char *errors)
{
    int n = 0;
    for (const char *p = errors; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    return n;
}

/* A configuration whose notifiers are "mail", "slack" and "nms", with routes (lines 8 on). */
static char *with_routes(const char *routes)
{
    char *slack = file_put("slack.url", "https://hooks.example.net/services/T0/B0/x\n");
    char *comm = file_put("nms.community", "public\n");
    vs_buf b;
    vs_buf_init(&b, 1 << 20);
    vs_buf_appendf(&b,
                   "<virtsight-traphandle state-dir=\"%s/state\">\n" /* 1 */
                   "  <notifiers>\n"                                 /* 2 */
                   "    <email name=\"mail\" server=\"127.0.0.1\" tls=\"none\" "
                   "from=\"a@example.net\" to=\"b@example.net\"/>\n"       /* 3 */
                   "    <slack name=\"slack\" webhook-url-file=\"%s\"/>\n" /* 4 */
                   "    <trap name=\"nms\" target=\"udp:127.0.0.1:1162\" version=\"2c\" "
                   "community-file=\"%s\"/>\n" /* 5 */
                   "  </notifiers>\n"          /* 6 */
                   "  <routes>\n"              /* 7 */
                   "%s"                        /* 8.. */
                   "  </routes>\n"
                   "</virtsight-traphandle>\n",
                   tmp_dir, slack, comm, routes);
    free(slack);
    free(comm);
    return vs_buf_steal(&b);
}

/* ---------------------------------------------------------------- good */

START_TEST(every_element_read_back)
{
    char *text = with_routes(
        "    <route name=\"vm\" oid=\"VIRTSIGHT-MIB::vsVmStateChanged, IF-MIB::linkDown "
        ".1.3.6.1.6.3.1.1.5.4 1.3.6.1.4.1.9999.* vsHvConnectionLost "
        "VIRTSIGHT-MIB::vsNotifications.* *\"\n"
        "           source=\"192.0.2.0/24, 2001:db8::/32 10.1.2.3\" notify=\"slack, mail\"\n"
        "           log-file=\"/var/log/vs/traps.log\" dedupe=\"30.5\" rate=\"10/60\" "
        "continue=\"yes\">\n"
        "      <varbind oid=\"VIRTSIGHT-MIB::vsVmOperState\" equals=\"paused\"/>\n"
        "      <varbind oid=\"vsVmName.1.3\" contains=\"web\"/>\n"
        "      <varbind oid=\"" VSOPER "\" lt=\"crashed\"/>\n"
        "      <varbind oid=\".1.3.6.1.2.1.2.2.1.1\" le=\"-5\"/>\n"
        "      <varbind oid=\"IF-MIB::ifIndex\" gt=\"3\"/>\n"
        "      <varbind oid=\"ifIndex\" ge=\"4\"/>\n"
        "      <varbind oid=\"sysUpTime.0\" present=\"yes\"/>\n"
        "      <varbind oid=\"sysUpTime.0\" absent=\"yes\"/>\n"
        "      <varbind oid=\"sysUpTime.0\" present=\"no\"/>\n"
        "      <varbind oid=\"vsVmName\" equals=\"db 1\"/>\n"
        "    </route>\n"
        "    <default name=\"rest\" notify=\"nms\" rate=\"5/1.5\"/>\n"
        "    <route name=\"noise\" source=\"198.51.100.7\" action=\"drop\"/>\n");
    th_config *cfg = load_good("good.xml", text);

    ck_assert_uint_eq(cfg->n_notifiers, 3);
    ck_assert_uint_eq(cfg->n_routes, 3);
    ck_assert_uint_eq(th_config_n_main_routes(cfg), 2);
    ck_assert_int_eq(cfg->default_route, 1);
    ck_assert_int_eq(th_config_has_trap_notifier(cfg), 1);
    ck_assert_int_eq(cfg->route_lines[0], 10); /* libxml2: where the start tag ends */
    ck_assert_int_eq(cfg->route_lines[1], 23);
    ck_assert_int_eq(cfg->route_lines[2], 22);

    const th_route *r = &cfg->routes[0];
    ck_assert_str_eq(r->name, "vm");
    ck_assert_uint_eq(r->n_oids, 7);
    ck_assert_str_eq(r->oids[0], VSTATE);
    ck_assert_str_eq(r->oids[1], "1.3.6.1.6.3.1.1.5.3");
    ck_assert_str_eq(r->oids[2], "1.3.6.1.6.3.1.1.5.4");
    ck_assert_str_eq(r->oids[3], "1.3.6.1.4.1.9999.*");
    ck_assert_str_eq(r->oids[4], HVLOST);
    ck_assert_str_eq(r->oids[5], "1.3.6.1.4.1.8072.9999.9999.8478.1.1.0.*");
    ck_assert_str_eq(r->oids[6], "*");
    ck_assert_uint_eq(r->n_sources, 3);
    ck_assert_int_eq(th_cidr_match(&r->sources[0], "192.0.2.200"), 1);
    ck_assert_int_eq(th_cidr_match(&r->sources[0], "192.0.3.1"), 0);
    ck_assert_int_eq(th_cidr_match(&r->sources[1], "2001:db8:5::1"), 1);
    ck_assert_int_eq(th_cidr_match(&r->sources[2], "10.1.2.3"), 1);
    ck_assert_int_eq(th_cidr_match(&r->sources[2], "10.1.2.4"), 0);
    ck_assert_uint_eq(r->n_notify, 2);
    ck_assert_str_eq(r->notify[0], "slack");
    ck_assert_str_eq(r->notify[1], "mail");
    ck_assert_str_eq(r->log_file, "/var/log/vs/traps.log");
    ck_assert_int_eq(r->action, TH_ACT_NOTIFY);
    ck_assert_double_eq(r->dedupe, 30.5);
    ck_assert_uint_eq(r->rate_count, 10);
    ck_assert_double_eq(r->rate_period, 60);
    ck_assert_int_eq(r->cont, 1);

    ck_assert_uint_eq(r->n_conds, 10);
    const th_vb_cond *c = r->conds;
    ck_assert_str_eq(c[0].oid, VSOPER);
    ck_assert_int_eq(c[0].op, TH_VB_EQUALS);
    ck_assert_str_eq(c[0].value, "8"); /* paused(8) */
    ck_assert_uint_eq(c[0].value_len, 1);
    ck_assert_str_eq(c[1].oid, VSNAME ".1.3");
    ck_assert_int_eq(c[1].op, TH_VB_CONTAINS);
    ck_assert_str_eq(c[1].value, "web");
    ck_assert_int_eq(c[2].op, TH_VB_LT);
    ck_assert_int_eq(c[2].number, 12); /* crashed(12), by the numeric OID's enumeration */
    ck_assert_str_eq(c[3].oid, "1.3.6.1.2.1.2.2.1.1");
    ck_assert_int_eq(c[3].op, TH_VB_LE);
    ck_assert_int_eq(c[3].number, -5);
    ck_assert_int_eq(c[4].op, TH_VB_GT);
    ck_assert_int_eq(c[4].number, 3);
    ck_assert_int_eq(c[5].op, TH_VB_GE);
    ck_assert_int_eq(c[5].number, 4);
    ck_assert_str_eq(c[6].oid, "1.3.6.1.2.1.1.3.0");
    ck_assert_int_eq(c[6].op, TH_VB_PRESENT);
    ck_assert_int_eq(c[7].op, TH_VB_ABSENT);
    ck_assert_int_eq(c[8].op, TH_VB_ABSENT);
    ck_assert_int_eq(c[9].op, TH_VB_EQUALS); /* a string object: the text itself */
    ck_assert_str_eq(c[9].value, "db 1");

    r = &cfg->routes[1];
    ck_assert_str_eq(r->name, "noise");
    ck_assert_int_eq(r->action, TH_ACT_DROP);
    ck_assert_uint_eq(r->n_oids, 0);
    ck_assert_uint_eq(r->n_sources, 1);
    ck_assert_int_eq(r->cont, 0);

    r = &cfg->routes[2]; /* <default>, last whatever its place */
    ck_assert_str_eq(r->name, "rest");
    ck_assert_uint_eq(r->n_oids + r->n_sources + r->n_conds, 0);
    ck_assert_uint_eq(r->n_notify, 1);
    ck_assert_str_eq(r->notify[0], "nms");
    ck_assert_uint_eq(r->rate_count, 5);
    ck_assert_double_eq(r->rate_period, 1.5);
    th_config_free(cfg);
    free(text);
}
END_TEST

START_TEST(root_and_notifiers_read_back)
{
    th_config *cfg = load_good(
        "root.xml",
        "<virtsight-traphandle state-dir=\"/srv/th\" pid-file=\"/run/th.pid\" input=\"default\"\n"
        "    log-level=\"debug\">\n"
        "  <notifiers retry-min=\"2\" retry-max=\"60\" max-age=\"3600\"/>\n"
        "  <routes><route name=\"x\" log-file=\"/tmp/x.log\"/></routes>\n"
        "</virtsight-traphandle>\n");
    ck_assert_str_eq(cfg->state_dir, "/srv/th");
    ck_assert_str_eq(cfg->pid_file, "/run/th.pid");
    ck_assert_str_eq(cfg->spool_dir, "/srv/th/spool");
    ck_assert_str_eq(cfg->dead_dir, "/srv/th/dead");
    ck_assert_str_eq(cfg->state_file, "/srv/th/traphandle.state");
    ck_assert_uint_eq(cfg->input_flags, 0);
    ck_assert_int_eq(cfg->log_level, VS_LOG_DEBUG);
    ck_assert_double_eq(cfg->spool.retry_min, 2);
    ck_assert_double_eq(cfg->spool.retry_max, 60);
    ck_assert_int_eq(cfg->spool.max_age, 3600);
    ck_assert_int_eq(th_config_has_trap_notifier(cfg), 0);
    ck_assert_int_eq(cfg->default_route, 0);
    th_config_free(cfg);
}
END_TEST

START_TEST(defaults)
{
    th_config *cfg = load_good("min.xml", "<virtsight-traphandle/>\n");
    ck_assert_str_eq(cfg->state_dir, "/var/lib/virtsight/traphandle");
    ck_assert_str_eq(cfg->pid_file, "/var/lib/virtsight/traphandle/spool-runner.pid");
    ck_assert_str_eq(cfg->state_file, "/var/lib/virtsight/traphandle/traphandle.state");
    ck_assert_uint_eq(cfg->input_flags, TH_INPUT_HEX);
    ck_assert_int_eq(cfg->log_level, VS_LOG_INFO);
    ck_assert_double_eq(cfg->spool.retry_min, 1);
    ck_assert_double_eq(cfg->spool.retry_max, 300);
    ck_assert_int_eq(cfg->spool.max_age, 86400);
    ck_assert_uint_eq(cfg->n_routes + cfg->n_notifiers, 0);
    th_config_free(cfg);
}
END_TEST

START_TEST(sample_config_loads)
{
    char *sample_path = src_path("contrib/virtsight-traphandle.xml");
    char *sample = file_slurp(sample_path);
    ck_assert_ptr_nonnull(strstr(sample, "/etc/virtsight/slack.url"));
    char *etc = tmp_path("");
    char *moved = text_replace(sample, "/etc/virtsight/", etc);
    free(file_put("smtp.password", "smtp password\n"));
    free(file_put("slack.url", "https://hooks.example.net/services/T0/B0/secret\n"));
    free(file_put("trap.community", "nms-community\n"));

    th_config *cfg = load_good("traphandle.xml", moved);
    ck_assert_uint_eq(cfg->n_notifiers, 3);
    ck_assert_uint_eq(th_config_n_main_routes(cfg), 7);
    ck_assert_int_eq(cfg->default_route, 1);
    ck_assert_uint_eq(cfg->input_flags, TH_INPUT_HEX);
    ck_assert_str_eq(cfg->routes[2].name, "vm-crashed");
    ck_assert_str_eq(cfg->routes[2].oids[0], VSTATE);
    ck_assert_str_eq(cfg->routes[2].conds[0].value, "12");
    th_config_free(cfg);
    free(moved);
    free(etc);
    free(sample);
    free(sample_path);
}
END_TEST

START_TEST(schema_embedded_as_installed)
{
    char *path = src_path("trap-handlers/virtsight-traphandle.rng");
    char *text = file_slurp(path);
    ck_assert_uint_eq(strlen(text), th_schema_rng_len);
    ck_assert_str_eq(text, th_schema_rng);
    ck_assert_ptr_nonnull(strstr(th_schema_rng, "<define name=\"slack\">"));
    ck_assert_ptr_null(strstr(th_schema_rng, "@VS_NOTIFIERS_RNG@"));
    free(text);
    free(path);
}
END_TEST

/* ---------------------------------------------------------------- errors */

START_TEST(unknown_mib_name)
{
    char *text =
        with_routes("    <route name=\"a\" oid=\"FOO-MIB::fooTrap\" notify=\"mail\"/>\n"
                    "    <route name=\"b\" oid=\"IF-MIB::vsVmStateChanged\" notify=\"mail\"/>\n"
                    "    <route name=\"c\" oid=\"1.3..6\" notify=\"mail\">\n"
                    "      <varbind oid=\"vsNoSuchThing\" present=\"yes\"/>\n"
                    "    </route>\n");
    char *e = load_refused(text);
    error_expect(e, 8,
                 "<route> attribute oid: \"FOO-MIB::fooTrap\" is neither a numeric OID nor a name "
                 "virtsight-traphandle knows (names from SNMPv2-MIB, IF-MIB, NET-SNMP-MIB and "
                 "VIRTSIGHT-MIB, as MODULE::name or name, with an optional numeric instance); "
                 "give the numeric OID.");
    error_expect(e, 9,
                 "<route> attribute oid: \"IF-MIB::vsVmStateChanged\" is neither a numeric OID "
                 "nor a name virtsight-traphandle knows (names from SNMPv2-MIB, IF-MIB, "
                 "NET-SNMP-MIB and VIRTSIGHT-MIB, as MODULE::name or name, with an optional "
                 "numeric instance); give the numeric OID.");
    error_expect(e, 10,
                 "<route> attribute oid: \"1.3..6\" is neither a numeric OID nor a name "
                 "virtsight-traphandle knows (names from SNMPv2-MIB, IF-MIB, NET-SNMP-MIB and "
                 "VIRTSIGHT-MIB, as MODULE::name or name, with an optional numeric instance); "
                 "give the numeric OID.");
    error_expect(e, 11,
                 "<varbind> attribute oid: \"vsNoSuchThing\" is neither a numeric OID nor a name "
                 "virtsight-traphandle knows (names from SNMPv2-MIB, IF-MIB, NET-SNMP-MIB and "
                 "VIRTSIGHT-MIB, as MODULE::name or name, with an optional numeric instance); "
                 "give the numeric OID.");
    ck_assert_int_eq(lines_count(e), 4);
    free(e);
    free(text);
}
END_TEST

START_TEST(bad_cidr)
{
    char *text =
        with_routes("    <route name=\"a\" source=\"10.0.0.0/33 192.0.2.0/24\" notify=\"mail\"/>\n"
                    "    <route name=\"b\" source=\"gateway.example.net\" notify=\"mail\"/>\n"
                    "    <route name=\"c\" source=\"2001:db8::/129\" notify=\"mail\"/>\n");
    char *e = load_refused(text);
    error_expect(e, 8,
                 "<route> attribute source: \"10.0.0.0/33\" is not an IPv4 or IPv6 address or "
                 "network (e.g. 192.0.2.7, 192.0.2.0/24, 2001:db8::/32).");
    error_expect(e, 9,
                 "<route> attribute source: \"gateway.example.net\" is not an IPv4 or IPv6 address "
                 "or network (e.g. 192.0.2.7, 192.0.2.0/24, 2001:db8::/32).");
    error_expect(e, 10,
                 "<route> attribute source: \"2001:db8::/129\" is not an IPv4 or IPv6 address or "
                 "network (e.g. 192.0.2.7, 192.0.2.0/24, 2001:db8::/32).");
    ck_assert_int_eq(lines_count(e), 3);
    free(e);
    free(text);
}
END_TEST

START_TEST(bad_rate)
{
    static const char *const rates[] = {
        "10", "0/60", "10/0", "1001/60", "a/b", "5/-1", "5/700000"
    };
    vs_buf routes;
    vs_buf_init(&routes, 1 << 16);
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
        vs_buf_appendf(&routes, "    <route name=\"r%zu\" notify=\"mail\" rate=\"%s\"/>\n", i,
                       rates[i]);
    vs_buf_appendf(&routes, "    <default notify=\"mail\" rate=\"1/2/3\"/>\n");
    char *text = with_routes(vs_buf_str(&routes));
    char *e = load_refused(text);
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        char want[512];
        snprintf(want, sizeof(want),
                 "<route> attribute rate=\"%s\" is not a rate; write N/SECONDS: at most N traps "
                 "(1 to 1000) in any SECONDS (more than 0, at most 604800), e.g. rate=\"10/60\".",
                 rates[i]);
        error_expect(e, 8 + (int)i, want);
    }
    error_expect(e, 15,
                 "<default> attribute rate=\"1/2/3\" is not a rate; write N/SECONDS: at most N "
                 "traps (1 to 1000) in any SECONDS (more than 0, at most 604800), e.g. "
                 "rate=\"10/60\".");
    ck_assert_int_eq(lines_count(e), 8);
    free(e);
    free(text);
    vs_buf_free(&routes);
}
END_TEST

START_TEST(unknown_notifier)
{
    char *text = with_routes("    <route name=\"a\" notify=\"mail pager\"/>\n"
                             "    <default notify=\"sms\"/>\n");
    char *e = load_refused(text);
    error_expect(e, 8, "<route> names notifier \"pager\", which <notifiers> does not define.");
    error_expect(e, 9, "<default> names notifier \"sms\", which <notifiers> does not define.");
    ck_assert_int_eq(lines_count(e), 2);
    free(e);
    free(text);
}
END_TEST

START_TEST(drop_with_actions)
{
    char *text = with_routes("    <route name=\"a\" action=\"drop\" notify=\"mail\"/>\n"
                             "    <route name=\"b\" action=\"drop\" log-file=\"/tmp/x.log\"/>\n"
                             "    <route name=\"c\" action=\"drop\" dedupe=\"10\"/>\n"
                             "    <route name=\"d\" oid=\"linkUp\"/>\n"
                             "    <route name=\"e\" action=\"discard\" notify=\"mail\"/>\n");
    char *e = load_refused(text);
    const char *drop = "<route> action=\"drop\" sends nothing, so it takes no notify, log-file, "
                       "dedupe or rate.";
    error_expect(e, 8, drop);
    error_expect(e, 9, drop);
    error_expect(e, 10, drop);
    error_expect(e, 11,
                 "<route> sends nowhere: give notify (notifier names), log-file, or "
                 "action=\"drop\".");
    error_expect(e, 12, "<route> attribute action=\"discard\" is not allowed; use notify or drop.");
    ck_assert_int_eq(lines_count(e), 5);
    free(e);
    free(text);
}
END_TEST

START_TEST(duplicate_route_name)
{
    char *text = with_routes("    <route name=\"a\" notify=\"mail\"/>\n"
                             "    <route name=\"b\" notify=\"mail\"/>\n"
                             "    <route name=\"a\" notify=\"slack\"/>\n"
                             "    <default name=\"b\" notify=\"slack\"/>\n"
                             "    <default notify=\"slack\"/>\n");
    char *e = load_refused(text);
    error_expect(e, 10,
                 "Route name \"a\" is already used at line 8; route names must be unique "
                 "(messages and limits are kept by name).");
    error_expect(e, 11,
                 "Route name \"b\" is already used at line 9; route names must be unique "
                 "(messages and limits are kept by name).");
    error_expect(e, 12, "A second <default> (the first is at line 11); give at most one.");
    ck_assert_int_eq(lines_count(e), 3);
    free(e);
    free(text);
}
END_TEST

START_TEST(bad_varbind_condition)
{
    char *text = with_routes("    <route name=\"a\" notify=\"mail\">\n"
                             "      <varbind oid=\"vsVmName\"/>\n"
                             "      <varbind oid=\"vsVmName\" equals=\"x\" contains=\"y\"/>\n"
                             "      <varbind oid=\"ifIndex\" lt=\"many\"/>\n"
                             "      <varbind oid=\"vsVmOperState\" equals=\"sleeping\"/>\n"
                             "      <varbind oid=\"vsVmName\" present=\"maybe\"/>\n"
                             "    </route>\n");
    char *e = load_refused(text);
    const char *one = "<varbind> needs exactly one test: equals, contains, lt, le, gt, ge, present "
                      "or absent.";
    error_expect(e, 9, one);
    error_expect(e, 10, one);
    error_expect(e, 11, "<varbind> attribute lt=\"many\" is not a whole number.");
    error_expect(e, 12,
                 "<varbind> attribute equals=\"sleeping\" is not a whole number nor a label of "
                 "vsVmOperState: unknown(1), other(2), preparing(3), running(4), suspending(5), "
                 "suspended(6), resuming(7), paused(8), migrating(9), shuttingdown(10), "
                 "shutdown(11), crashed(12).");
    error_expect(e, 13, "<varbind> attribute present=\"maybe\" is neither \"yes\" nor \"no\".");
    free(e);
    free(text);
}
END_TEST

START_TEST(structure_errors)
{
    char *e = load_refused("<virtsight-traphandle input=\"hex\" log-level=\"loud\">\n"
                           "  <routes/>\n"
                           "  <routes/>\n"
                           "  <routes>\n"
                           "    <route name=\"a\" log-file=\"x.log\" dedupe=\"-1\"/>\n"
                           "  </routes>\n"
                           "</virtsight-traphandle>\n");
    error_expect(e, 1,
                 "<virtsight-traphandle> attribute input=\"hex\" is not allowed; use numeric or "
                 "default (numeric: snmptrapd runs with -n -On -Oe -Ot -Ox; default: its default "
                 "formatting).");
    error_expect(e, 1,
                 "<virtsight-traphandle> attribute log-level=\"loud\" is not allowed; use err, "
                 "warning, notice, info or debug.");
    error_expect(e, 3, "A second <routes> (the first is at line 2); give at most one.");
    error_expect(e, 4, "A second <routes> (the first is at line 2); give at most one.");
    free(e);
    e = load_refused("<virtsight-traphandle>\n"
                     "  <routes>\n"
                     "    <route name=\"a\" log-file=\"x.log\" dedupe=\"-1\"/>\n"
                     "    <route name=\"b/c\" log-file=\"/x.log\"/>\n"
                     "  </routes>\n"
                     "</virtsight-traphandle>\n");
    error_expect(e, 3, "<route> attribute log-file=\"x.log\" is not an absolute path.");
    error_expect(e, 3,
                 "<route> attribute dedupe=\"-1\" is out of range; it must be from 0 (off) to "
                 "604800 seconds.");
    free(e);
}
END_TEST

/* ---------------------------------------------------------------- the handler */

/* Files in tmp_dir/sub (dot files not counted). */
static int files_in(const char *sub)
{
    char *path = tmp_path(sub);
    DIR *d = opendir(path);
    int n = 0;
    free(path);
    if (d == NULL)
        return 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Run the handler on a recorded trap with cfg. */
static th_handle_result handle_recorded(const th_config *cfg, const char *name, double now)
{
    vs_buf b;
    vs_buf_init(&b, 8192);
    vs_buf_appendf(&b, "%s/tests/traphandle/data/%s",
                   getenv("top_srcdir") ? getenv("top_srcdir") : ".", name);
    int fd = open(vs_buf_str(&b), O_RDONLY);
    ck_assert_msg(fd >= 0, "cannot open %s", vs_buf_str(&b));
    th_handle_result res;
    ck_assert_int_eq(th_handle_fd(cfg, fd, now, &res), 0);
    close(fd);
    vs_buf_free(&b);
    return res;
}

START_TEST(handler_routes_into_spool)
{
    vs_log_init("check_th_config", VS_LOG_ERR);
    char *log = tmp_path("traps.log");
    vs_buf routes;
    vs_buf_init(&routes, 1 << 16);
    vs_buf_appendf(&routes,
                   "    <route name=\"noise\" oid=\"coldStart\" action=\"drop\"/>\n"
                   "    <route name=\"log\" log-file=\"%s\" continue=\"yes\"/>\n"
                   "    <route name=\"crash\" oid=\"vsVmStateChanged\" notify=\"mail slack\" "
                   "dedupe=\"60\">\n"
                   "      <varbind oid=\"vsVmOperState\" equals=\"crashed\"/>\n"
                   "    </route>\n"
                   "    <default notify=\"nms\"/>\n",
                   log);
    char *text = with_routes(vs_buf_str(&routes));
    th_config *cfg = load_good("handler.xml", text);

    /* Crash: logged, then mail and Slack; the default does not see it. */
    th_handle_result r = handle_recorded(cfg, "num-v2c-crashed.trap", 1000.0);
    ck_assert_uint_eq(r.fired, 2);
    ck_assert_uint_eq(r.spooled, 2);
    ck_assert_uint_eq(r.logged, 1);
    ck_assert_uint_eq(r.lost + r.refusals, 0);
    ck_assert_int_eq(files_in("state/spool/mail"), 1);
    ck_assert_int_eq(files_in("state/spool/slack"), 1);
    ck_assert_int_eq(files_in("state/spool/nms"), 0);
    /* The same crash 10 s later from the same source: held back by dedupe, still logged. */
    r = handle_recorded(cfg, "plain-v2c-crashed.trap", 1010.0);
    ck_assert_uint_eq(r.fired, 1);
    ck_assert_uint_eq(r.spooled, 0);
    ck_assert_int_eq(files_in("state/spool/mail"), 1);
    /* linkDown: logged, then the default. */
    r = handle_recorded(cfg, "num-v2c-linkdown.trap", 1020.0);
    ck_assert_uint_eq(r.fired, 2);
    ck_assert_int_eq(files_in("state/spool/nms"), 1);
    /* coldStart: dropped before anything. */
    r = handle_recorded(cfg, "num-v2c-coldstart.trap", 1030.0);
    ck_assert_uint_eq(r.fired, 0);
    ck_assert_int_eq(r.matched, 1);
    ck_assert_int_eq(files_in("state/spool/nms"), 1);

    char *lines = file_slurp(log);
    ck_assert_int_eq(lines_count(lines), 3);
    ck_assert_ptr_nonnull(strstr(lines, " 127.0.0.1 vsVmStateChanged vsVmStateChanged from"));
    ck_assert_ptr_nonnull(strstr(lines, " 127.0.0.1 linkDown "));
    free(lines);
    th_config_free(cfg);
    free(text);
    vs_buf_free(&routes);
    free(log);
}
END_TEST

START_TEST(handler_unmatched_and_hostile)
{
    vs_log_init("check_th_config", VS_LOG_ERR);
    char *text =
        with_routes("    <route name=\"hv\" oid=\"vsHvConnectionLost\" notify=\"mail\"/>\n");
    th_config *cfg = load_good("unmatched.xml", text);
    th_handle_result r = handle_recorded(cfg, "num-v2c-linkdown.trap", 1000.0);
    ck_assert_int_eq(r.matched, 0);
    ck_assert_uint_eq(r.fired + r.spooled, 0);

    /* Junk on the input: refused kinds counted, nothing routed, no crash. */
    static const char junk[] = "host\nUDP: [192.0.2.1]:1->[127.0.0.1]:162\n"
                               "this is no varbind\n.1.3.6.1.2.1.1.5.0 \"a\0b\"\n"
                               ".1.3.6.1.2.1.1.6.0 \"open quote\n";
    char *path = tmp_path("junk.trap");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, junk, sizeof(junk) - 1), (ssize_t)(sizeof(junk) - 1));
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(th_handle_fd(cfg, fd, 1000.0, &r), 0);
    close(fd);
    ck_assert_uint_ge(r.refusals, 3); /* bad line, truncated, no trap OID (and the NUL) */
    ck_assert_uint_eq(r.fired, 0);
    th_config_free(cfg);
    free(path);
    free(text);
}
END_TEST

static Suite *th_config_suite(void)
{
    Suite *s = suite_create("th_config");

    TCase *good = tcase_create("good");
    tcase_add_checked_fixture(good, dir_setup, dir_teardown);
    tcase_add_test(good, every_element_read_back);
    tcase_add_test(good, root_and_notifiers_read_back);
    tcase_add_test(good, defaults);
    tcase_add_test(good, sample_config_loads);
    tcase_add_test(good, schema_embedded_as_installed);
    suite_add_tcase(s, good);

    TCase *bad = tcase_create("errors");
    tcase_add_checked_fixture(bad, dir_setup, dir_teardown);
    tcase_add_test(bad, unknown_mib_name);
    tcase_add_test(bad, bad_cidr);
    tcase_add_test(bad, bad_rate);
    tcase_add_test(bad, unknown_notifier);
    tcase_add_test(bad, drop_with_actions);
    tcase_add_test(bad, duplicate_route_name);
    tcase_add_test(bad, bad_varbind_condition);
    tcase_add_test(bad, structure_errors);
    suite_add_tcase(s, bad);

    TCase *handle = tcase_create("handler");
    tcase_add_checked_fixture(handle, dir_setup, dir_teardown);
    tcase_add_test(handle, handler_routes_into_spool);
    tcase_add_test(handle, handler_unmatched_and_hostile);
    suite_add_tcase(s, handle);
    return s;
}

VS_CHECK_MAIN(th_config_suite)
