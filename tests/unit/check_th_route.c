/* check_th_route: trap routing: OID, source and varbind matching, first match and continue,
 * drop, dedupe and rate limits through the shared state file (across forked and concurrent
 * processes, corrupt and full files), and the log-file action's escaping and atomic appends. */
#include "config.h"

#include "th_input.h"
#include "th_logfile.h"
#include "th_mib.h"
#include "th_route.h"
#include "th_route_state.h"
#include "vs_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- fixtures */

static char tmpdir[64];
static char state_path[128];

static void dir_setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs-throute.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(state_path, sizeof(state_path), "%s/traphandle.state", tmpdir);
}

static void dir_teardown(void)
{
    /* The files the tests make, then the directory (a failed test leaves it behind). */
    static const char *files[] = { "traphandle.state", "routed.log" };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[160];
        snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

/* Numeric OIDs come from the generated MIB table, as the loader resolves names. */
static const char *oid_of(const char *label)
{
    const th_mib_node *n = th_mib_by_label(NULL, 0, label, strlen(label));
    ck_assert_msg(n != NULL, "%s is not in the MIB table", label);
    return n->oid;
}

/* A trap as snmptrapd -n -On -Ox hands it over, from src, with the given trap OID and extra
 * varbind lines. */
static th_trap *trap_make(const char *src, const char *trap_oid, const char *extra)
{
    char buf[4096];
    int v6 = strchr(src, ':') != NULL;
    snprintf(buf, sizeof(buf),
             "%s: [%s]:4242->[%s]:162\n%s: [%s]:4242->[%s]:162\n"
             ".1.3.6.1.2.1.1.3.0 5000\n.1.3.6.1.6.3.1.1.4.1.0 %s%s\n%s",
             v6 ? "UDP/IPv6" : "UDP", src, v6 ? "::1" : "127.0.0.1", v6 ? "UDP/IPv6" : "UDP", src,
             v6 ? "::1" : "127.0.0.1", trap_oid[0] == '.' || strstr(trap_oid, "::") ? "" : ".",
             trap_oid, extra != NULL ? extra : "");
    th_trap *t = th_trap_parse(buf, strlen(buf), TH_INPUT_HEX);
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t->src_addr, src);
    return t;
}

/* vsVmStateChanged for VM "web1" (hv 1, vm 3) now in oper state `state`. */
static th_trap *trap_vm(const char *src, int state)
{
    char extra[1024];
    snprintf(extra, sizeof(extra), ".%s.1.3 \"77 65 62 31 \"\n.%s.1.3 %d\n", oid_of("vsVmName"),
             oid_of("vsVmOperState"), state);
    return trap_make(src, oid_of("vsVmStateChanged"), extra);
}

/* Routes are built as the loader will: owned strings in arrays. */
#define MAX_ROUTES 8
static th_route *routes;
static size_t n_routes;

static void routes_setup(void)
{
    dir_setup();
    routes = calloc(MAX_ROUTES, sizeof(*routes));
    n_routes = 0;
}

static void routes_teardown(void)
{
    th_routes_free(routes, n_routes);
    routes = NULL;
    n_routes = 0;
    dir_teardown();
}

static void strv_push(char ***v, size_t *n, const char *s)
{
    *v = realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = strdup(s);
}

static th_route *route_add(const char *name)
{
    ck_assert_uint_lt(n_routes, MAX_ROUTES);
    th_route *r = &routes[n_routes++];
    r->name = strdup(name);
    r->action = TH_ACT_NOTIFY;
    strv_push(&r->notify, &r->n_notify, "mail");
    return r;
}

static void route_oid(th_route *r, const char *pat)
{
    strv_push(&r->oids, &r->n_oids, pat);
}

static void route_src(th_route *r, const char *cidr)
{
    r->sources = realloc(r->sources, (r->n_sources + 1) * sizeof(*r->sources));
    ck_assert_int_eq(th_cidr_parse(cidr, &r->sources[r->n_sources]), 0);
    r->n_sources++;
}

static void route_cond(th_route *r, const char *oid, th_vb_op op, const char *value, long long num)
{
    r->conds = realloc(r->conds, (r->n_conds + 1) * sizeof(*r->conds));
    th_vb_cond *c = &r->conds[r->n_conds++];
    memset(c, 0, sizeof(*c));
    c->oid = strdup(oid);
    c->op = op;
    if (value != NULL) {
        c->value = strdup(value);
        c->value_len = strlen(value);
    }
    c->number = num;
}

static void route_drop(th_route *r)
{
    for (size_t i = 0; i < r->n_notify; i++)
        free(r->notify[i]);
    free(r->notify);
    r->notify = NULL;
    r->n_notify = 0;
    r->action = TH_ACT_DROP;
}

/* Log lines th_route_decide wrote, captured. */
static char logged[8][600];
static size_t n_logged;

static void log_capture(void *ctx, vs_log_level level, const char *line)
{
    (void)ctx;
    (void)level;
    if (n_logged < 8)
        snprintf(logged[n_logged], sizeof(logged[0]), "%s", line);
    n_logged++;
}

static th_route_state_opts opts(void)
{
    th_route_state_opts o = { state_path, 0, 0, log_capture, NULL };
    return o;
}

/* Decide and return the outcomes as a string: one letter per hit, route index then outcome
 * (F fire, X drop, D dedupe, R rate): "0F2X". */
static const char *decide(const th_trap *t, double now)
{
    static char out[64];
    th_route_state_opts o = opts();
    th_route_plan p;
    ck_assert_int_eq(th_route_decide(routes, n_routes, t, now, &o, &p), 0);
    size_t pos = 0, fired = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p.n_hits && pos + 3 < sizeof(out); i++) {
        static const char letter[] = { 'F', 'X', 'D', 'R' };
        pos += (size_t)snprintf(out + pos, sizeof(out) - pos, "%zu%c", p.hits[i].route,
                                letter[p.hits[i].outcome]);
        fired += p.hits[i].outcome == TH_ROUTE_FIRE;
    }
    ck_assert_uint_eq(p.n_fired, fired);
    th_route_plan_free(&p);
    return out;
}

static int matches(const th_trap *t)
{
    return th_route_matches(&routes[n_routes - 1], t);
}

/* ---------------------------------------------------------------- trap OID */

START_TEST(test_oid_exact_prefix)
{
    const char *changed = oid_of("vsVmStateChanged"); /* ...8478.1.1.0.1 */
    th_trap *vm = trap_vm("192.0.2.7", 8);
    th_trap *down = trap_make("192.0.2.7", "1.3.6.1.6.3.1.1.5.3", NULL);
    th_trap *sibling = trap_make("192.0.2.7", "1.3.6.1.6.3.1.1.50.1", NULL);
    th_trap *named = trap_make("192.0.2.7", "FOO-MIB::fooTrap", NULL);
    ck_assert_ptr_null(named->trap_oid);

    th_route *r = route_add("exact");
    route_oid(r, changed);
    ck_assert(matches(vm));
    ck_assert(!matches(down));

    char parent[256];
    snprintf(parent, sizeof(parent), "%s", changed);
    *strrchr(parent, '.') = '\0'; /* ...8478.1.1.0: exact parent is not the trap */
    r = route_add("parent-exact");
    route_oid(r, parent);
    ck_assert(!matches(vm));

    char prefix[260];
    snprintf(prefix, sizeof(prefix), "%s.*", parent);
    r = route_add("prefix");
    route_oid(r, prefix);
    ck_assert(matches(vm));
    ck_assert(!matches(down));

    r = route_add("snmp-traps");
    route_oid(r, "1.3.6.1.6.3.1.1.5.*");
    ck_assert(matches(down));
    ck_assert(!matches(sibling)); /* .50.1 is not below .5 */
    ck_assert(!matches(vm));
    th_trap *five = trap_make("192.0.2.7", "1.3.6.1.6.3.1.1.5", NULL);
    ck_assert(!matches(five)); /* the prefix itself is not below itself */
    th_trap_free(five);

    r = route_add("either");
    route_oid(r, "1.3.6.1.6.3.1.1.5.4");
    route_oid(r, changed);
    ck_assert(matches(vm));
    ck_assert(!matches(down));

    r = route_add("by-name");
    route_oid(r, "FOO-MIB::fooTrap");
    ck_assert(matches(named));
    ck_assert(!matches(vm));
    ck_assert(!(th_route_matches(&routes[0], named))); /* numeric patterns never match names */

    r = route_add("star");
    route_oid(r, "*");
    ck_assert(matches(named) && matches(vm));
    r = route_add("any");
    ck_assert(matches(named) && matches(down));

    th_trap_free(vm);
    th_trap_free(down);
    th_trap_free(sibling);
    th_trap_free(named);
}
END_TEST

/* ---------------------------------------------------------------- sources */

static int cidr_has(const char *cidr, const char *addr)
{
    th_cidr c;
    ck_assert_msg(th_cidr_parse(cidr, &c) == 0, "%s did not parse", cidr);
    return th_cidr_match(&c, addr);
}

START_TEST(test_cidr)
{
    static const char *bad[] = { "",          "/24",          "1.2.3.4/33",  "::1/129",
                                 "1.2.3.4/",  "1.2.3.4/ 8",   "1.2.3.4/+8",  "1.2.3.4/-1",
                                 "1.2.3",     "host.example", "1.2.3.4/8/8", "1.2.3.4/0008",
                                 "[::1]/128", "1.2.3.4 " };
    th_cidr c;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(th_cidr_parse(bad[i], &c) == -1, "\"%s\" was taken", bad[i]);

    ck_assert_int_eq(th_cidr_parse("192.0.2.77/24", &c), 0); /* host bits cleared */
    ck_assert_int_eq(c.family, AF_INET);
    ck_assert_uint_eq(c.prefix, 24);
    ck_assert_int_eq(c.addr[3], 0);
    ck_assert_int_eq(th_cidr_parse("10.1.2.3", &c), 0);
    ck_assert_uint_eq(c.prefix, 32);
    ck_assert_int_eq(th_cidr_parse("::1", &c), 0);
    ck_assert_uint_eq(c.prefix, 128);

    /* /0: the whole family, and only it. */
    ck_assert(cidr_has("0.0.0.0/0", "203.0.113.9"));
    ck_assert(cidr_has("0.0.0.0/0", "255.255.255.255"));
    ck_assert(!cidr_has("0.0.0.0/0", "::1"));
    ck_assert(!cidr_has("0.0.0.0/0", "2001:db8::1"));
    ck_assert(cidr_has("::/0", "2001:db8::1"));
    ck_assert(!cidr_has("::/0", "10.0.0.1"));
    /* /32 and /128: one address. */
    ck_assert(cidr_has("10.1.2.3/32", "10.1.2.3"));
    ck_assert(!cidr_has("10.1.2.3/32", "10.1.2.2"));
    ck_assert(!cidr_has("10.1.2.3/32", "10.1.2.4"));
    ck_assert(cidr_has("2001:db8::5/128", "2001:db8:0:0::5"));
    ck_assert(!cidr_has("2001:db8::5/128", "2001:db8::4"));
    ck_assert(!cidr_has("2001:db8::5/128", "2001:db8::6"));
    /* Network boundaries, byte-aligned and not. */
    ck_assert(cidr_has("192.0.2.0/24", "192.0.2.0"));
    ck_assert(cidr_has("192.0.2.0/24", "192.0.2.255"));
    ck_assert(!cidr_has("192.0.2.0/24", "192.0.3.0"));
    ck_assert(!cidr_has("192.0.2.0/24", "192.0.1.255"));
    ck_assert(cidr_has("198.18.0.0/15", "198.19.255.255"));
    ck_assert(!cidr_has("198.18.0.0/15", "198.20.0.0"));
    ck_assert(!cidr_has("198.18.0.0/15", "198.17.255.255"));
    ck_assert(cidr_has("2001:db8:0:1::/64", "2001:db8:0:1:ffff:ffff:ffff:ffff"));
    ck_assert(!cidr_has("2001:db8:0:1::/64", "2001:db8:0:2::"));
    ck_assert(cidr_has("2001:db8::/33", "2001:db8:7fff::1"));
    ck_assert(!cidr_has("2001:db8::/33", "2001:db8:8000::1"));
    /* A dual-stack listener reports IPv4 senders as mapped addresses. */
    ck_assert(cidr_has("192.0.2.0/24", "::ffff:192.0.2.5"));
    ck_assert(cidr_has("::ffff:0:0/96", "::ffff:192.0.2.5"));
    ck_assert(!cidr_has("192.0.2.0/24", "::ffff:192.0.3.5"));
    /* No address, or not one. */
    ck_assert(!cidr_has("0.0.0.0/0", NULL));
    ck_assert(!cidr_has("0.0.0.0/0", "localhost"));

    /* In a route: any of the networks. */
    th_trap *v4 = trap_vm("192.0.2.7", 8), *v6 = trap_vm("2001:db8::7", 8);
    th_trap *other = trap_vm("198.51.100.1", 8);
    th_route *r = route_add("lab");
    route_src(r, "192.0.2.0/24");
    route_src(r, "2001:db8::/32");
    ck_assert(matches(v4) && matches(v6));
    ck_assert(!matches(other));
    r = route_add("v4-only");
    route_src(r, "0.0.0.0/0");
    ck_assert(matches(v4) && matches(other));
    ck_assert(!matches(v6));
    th_trap_free(v4);
    th_trap_free(v6);
    th_trap_free(other);
}
END_TEST

/* ---------------------------------------------------------------- varbind conditions */

START_TEST(test_varbind_conditions)
{
    const char *name = oid_of("vsVmName"), *state = oid_of("vsVmOperState");
    th_trap *paused = trap_vm("192.0.2.7", 8), *crashed = trap_vm("192.0.2.7", 12);
    char name_inst[256];
    snprintf(name_inst, sizeof(name_inst), "%s.1.3", name);

    struct {
        const char *oid;
        th_vb_op op;
        const char *value;
        long long num;
        int want;
    } cases[] = {
        { name, TH_VB_EQUALS, "web1", 0, 1 },
        { name_inst, TH_VB_EQUALS, "web1", 0, 1 }, /* the instance itself */
        { name, TH_VB_EQUALS, "web", 0, 0 },
        { name, TH_VB_EQUALS, "WEB1", 0, 0 },
        { name, TH_VB_EQUALS, "web12", 0, 0 },
        { name, TH_VB_CONTAINS, "eb", 0, 1 },
        { name, TH_VB_CONTAINS, "db", 0, 0 },
        { state, TH_VB_EQUALS, "8", 0, 1 },
        { state, TH_VB_GT, NULL, 7, 1 },
        { state, TH_VB_GT, NULL, 8, 0 },
        { state, TH_VB_GE, NULL, 8, 1 },
        { state, TH_VB_LT, NULL, 9, 1 },
        { state, TH_VB_LT, NULL, 8, 0 },
        { state, TH_VB_LE, NULL, 8, 1 },
        { state, TH_VB_LE, NULL, 7, 0 },
        { name, TH_VB_GT, NULL, -1000, 0 }, /* "web1" is no number */
        { name, TH_VB_PRESENT, NULL, 0, 1 },
        { name, TH_VB_ABSENT, NULL, 0, 0 },
        { oid_of("ifIndex"), TH_VB_ABSENT, NULL, 0, 1 },
        { oid_of("ifIndex"), TH_VB_PRESENT, NULL, 0, 0 },
        { oid_of("ifIndex"), TH_VB_EQUALS, "", 0, 0 }, /* a missing varbind equals nothing */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        th_route *r = route_add("c");
        route_cond(r, cases[i].oid, cases[i].op, cases[i].value, cases[i].num);
        ck_assert_msg(matches(paused) == cases[i].want, "case %zu", i);
        th_route_clear(r);
        n_routes--;
    }

    /* The loader turns an enumeration label into its number through the MIB table. */
    long paused_v;
    const th_mib_node *n = th_mib_by_oid_exact(state);
    ck_assert_int_eq(th_mib_enum_value(n, "paused", 6, &paused_v), 0);
    char num[16];
    snprintf(num, sizeof(num), "%ld", paused_v);
    th_route *r = route_add("paused-web1");
    route_cond(r, state, TH_VB_EQUALS, num, 0);
    route_cond(r, name, TH_VB_EQUALS, "web1", 0);
    ck_assert(matches(paused));
    ck_assert(!matches(crashed)); /* every condition must hold */
    r = route_add("bad-states");
    route_cond(r, state, TH_VB_GE, NULL, 10);
    ck_assert(matches(crashed));
    ck_assert(!matches(paused));

    /* A value with a NUL byte is compared by its bytes and is no number. */
    char extra[512];
    snprintf(extra, sizeof(extra), ".%s.1.3 \"37 00 \"\n", name);
    th_trap *nul = trap_make("192.0.2.7", oid_of("vsVmStateChanged"), extra);
    r = route_add("nul");
    route_cond(r, name, TH_VB_LT, NULL, 100);
    ck_assert(!matches(nul));
    r->conds[0].op = TH_VB_EQUALS;
    r->conds[0].value = malloc(2);
    memcpy(r->conds[0].value, "7\0", 2);
    r->conds[0].value_len = 2;
    ck_assert(matches(nul));
    th_trap_free(nul);

    th_trap_free(paused);
    th_trap_free(crashed);
}
END_TEST

/* ---------------------------------------------------------------- order, continue, drop */

START_TEST(test_first_match_continue_drop)
{
    th_trap *t = trap_vm("192.0.2.7", 8);
    th_route *r = route_add("other-source");
    route_src(r, "198.51.100.0/24");
    route_add("first");
    route_add("second");
    ck_assert_str_eq(decide(t, 1000), "1F"); /* first match wins */

    routes[1].cont = 1;
    ck_assert_str_eq(decide(t, 1000), "1F2F");

    /* A drop stops everything after it; what fired before it still fires. */
    th_routes_free(routes, n_routes);
    routes = calloc(MAX_ROUTES, sizeof(*routes));
    n_routes = 0;
    r = route_add("log-all");
    r->cont = 1;
    r = route_add("drop-lab");
    route_src(r, "192.0.2.0/24");
    route_drop(r);
    route_add("mail-all");
    ck_assert_str_eq(decide(t, 1000), "0F1X");
    th_trap *out = trap_vm("203.0.113.5", 8);
    ck_assert_str_eq(decide(out, 1000), "0F2F");
    routes[0].cont = 0;
    ck_assert_str_eq(decide(t, 1000), "0F");
    /* A drop route with cont set still stops. */
    routes[0].cont = 1;
    routes[1].cont = 1;
    ck_assert_str_eq(decide(t, 1000), "0F1X");
    th_trap_free(out);
    th_trap_free(t);
}
END_TEST

/* ---------------------------------------------------------------- dedupe and rate */

START_TEST(test_dedupe)
{
    th_trap *a = trap_vm("192.0.2.7", 8), *b = trap_vm("192.0.2.8", 8);
    th_trap *a_other = trap_make("192.0.2.7", "1.3.6.1.6.3.1.1.5.3", NULL);
    th_route *r = route_add("mail");
    r->dedupe = 60;
    ck_assert_str_eq(decide(a, 1000), "0F");
    ck_assert_str_eq(decide(a, 1030), "0D");
    ck_assert_str_eq(decide(b, 1030), "0F");       /* another source */
    ck_assert_str_eq(decide(a_other, 1030), "0F"); /* another trap */
    ck_assert_str_eq(decide(a, 1059.9), "0D");     /* the window runs from the routed one */
    ck_assert_str_eq(decide(a, 1060), "0F");
    ck_assert_str_eq(decide(a, 1061), "0D");
    ck_assert_uint_eq(n_logged, 0); /* a missing file is no news */

    /* Each route has its own memory: a new route fires for the same trap. */
    routes[0].cont = 1;
    r = route_add("page");
    r->dedupe = 60;
    ck_assert_str_eq(decide(a, 1062), "0D1F");
    ck_assert_str_eq(decide(a, 1063), "0D1D");
    th_trap_free(a);
    th_trap_free(b);
    th_trap_free(a_other);
}
END_TEST

START_TEST(test_rate)
{
    th_trap *t[8];
    for (int i = 0; i < 8; i++) {
        char src[32];
        snprintf(src, sizeof(src), "192.0.2.%d", i + 1);
        t[i] = trap_vm(src, 8);
    }
    th_route *r = route_add("mail");
    r->rate_count = 3;
    r->rate_period = 10;
    ck_assert_str_eq(decide(t[0], 1000), "0F");
    ck_assert_str_eq(decide(t[1], 1001), "0F");
    ck_assert_str_eq(decide(t[2], 1002), "0F");
    ck_assert_str_eq(decide(t[3], 1003), "0R"); /* the 4th within 10 s */
    ck_assert_str_eq(decide(t[4], 1009.9), "0R");
    ck_assert_str_eq(decide(t[5], 1010), "0F");   /* 1000's left the window */
    ck_assert_str_eq(decide(t[6], 1010.5), "0R"); /* 1001, 1002, 1010 */
    ck_assert_str_eq(decide(t[7], 1030), "0F");   /* a period later: open again */
    ck_assert_str_eq(decide(t[0], 1030), "0F");
    ck_assert_str_eq(decide(t[1], 1030), "0F");
    ck_assert_str_eq(decide(t[2], 1030), "0R");

    /* A trap the dedupe window holds back does not use up the rate. */
    r->dedupe = 100;
    ck_assert_str_eq(decide(t[3], 2000), "0F");
    for (int i = 0; i < 5; i++)
        ck_assert_str_eq(decide(t[3], 2001 + i), "0D");
    ck_assert_str_eq(decide(t[4], 2006), "0F");
    ck_assert_str_eq(decide(t[5], 2007), "0F");
    ck_assert_str_eq(decide(t[6], 2008), "0R");
    for (int i = 0; i < 8; i++)
        th_trap_free(t[i]);
}
END_TEST

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run decide in a child process; its exit status is the outcome of the single hit. */
static int decide_in_child(const th_trap *t, double now)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        th_route_state_opts o = opts();
        th_route_plan p;
        if (th_route_decide(routes, n_routes, t, now, &o, &p) < 0 || p.n_hits != 1)
            _exit(100);
        _exit((int)p.hits[0].outcome);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

START_TEST(test_state_across_processes)
{
    th_trap *a = trap_vm("192.0.2.7", 8), *b = trap_vm("192.0.2.8", 8);
    th_route *r = route_add("mail");
    r->dedupe = 60;
    ck_assert_str_eq(decide(a, 1000), "0F");
    ck_assert_int_eq(decide_in_child(a, 1001), TH_ROUTE_DEDUPED);
    ck_assert_int_eq(decide_in_child(b, 1002), TH_ROUTE_FIRE);
    ck_assert_str_eq(decide(b, 1003), "0D"); /* the child's firing is seen here */
    th_trap_free(a);
    th_trap_free(b);
}
END_TEST

/* Start n children that wait on a common pipe, release them together, and count the
 * outcomes they report. */
static void run_concurrent(const th_trap *t, size_t n, int counts[4])
{
    int go[2], res[2];
    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(res), 0);
    pid_t pids[64];
    for (size_t i = 0; i < n; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0) {
            char c;
            close(go[1]);
            close(res[0]);
            if (read(go[0], &c, 1) != 0) /* returns 0 once the parent closes its end */
                _exit(2);
            th_route_state_opts o = opts();
            th_route_plan p;
            char out = 'E';
            if (th_route_decide(routes, n_routes, t, 1000, &o, &p) == 0 && p.n_hits == 1
                && !p.limits_off)
                out = (char)('0' + p.hits[0].outcome);
            _exit(write(res[1], &out, 1) == 1 ? 0 : 3);
        }
    }
    close(go[0]);
    close(res[1]);
    close(go[1]); /* go */
    memset(counts, 0, 4 * sizeof(int));
    char c;
    size_t got = 0;
    while (read(res[0], &c, 1) == 1) {
        ck_assert_msg(c >= '0' && c <= '3', "a child failed (%c)", c);
        counts[c - '0']++;
        got++;
    }
    close(res[0]);
    for (size_t i = 0; i < n; i++) {
        int status;
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    ck_assert_uint_eq(got, n);
}

START_TEST(test_concurrent_dedupe)
{
    th_trap *t = trap_vm("192.0.2.7", 8);
    th_route *r = route_add("mail");
    r->dedupe = 60;
    int counts[4];
    double t0 = mono();
    run_concurrent(t, 20, counts);
    printf("20 concurrent processes deciding (fork to exit, lock contention included): %.1f ms\n",
           (mono() - t0) * 1e3);
    ck_assert_int_eq(counts[TH_ROUTE_FIRE], 1);
    ck_assert_int_eq(counts[TH_ROUTE_DEDUPED], 19);

    /* And a rate limit of 5 lets exactly 5 of 20 simultaneous traps through. */
    r->dedupe = 0;
    r->rate_count = 5;
    r->rate_period = 60;
    unlink(state_path);
    run_concurrent(t, 20, counts);
    ck_assert_int_eq(counts[TH_ROUTE_FIRE], 5);
    ck_assert_int_eq(counts[TH_ROUTE_RATE_LIMITED], 15);
    th_trap_free(t);
}
END_TEST

static void file_put(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static off_t file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_size;
}

START_TEST(test_corrupt_state)
{
    th_trap *t = trap_vm("192.0.2.7", 8);
    th_route *r = route_add("mail");
    r->dedupe = 60;

    file_put(state_path, "garbage, not a state file\n", 26);
    ck_assert_str_eq(decide(t, 1000), "0F");
    ck_assert_uint_eq(n_logged, 1);
    ck_assert_ptr_nonnull(strstr(logged[0], "not a state file"));
    ck_assert_ptr_nonnull(strstr(logged[0], "starting with empty"));
    ck_assert_str_eq(decide(t, 1001), "0D"); /* rewritten, and working */
    ck_assert_uint_eq(n_logged, 1);

    /* A torn write: the header promises more than follows, or the entries do not add up. */
    off_t size = file_size(state_path);
    ck_assert_int_eq(size, TH_STATE_HEADER + 16);
    ck_assert_int_eq(truncate(state_path, size - 5), 0);
    ck_assert_str_eq(decide(t, 1002), "0F");
    ck_assert_uint_eq(n_logged, 2);
    int fd = open(state_path, O_RDWR);
    ck_assert_int_eq(pwrite(fd, "\x7f", 1, TH_STATE_HEADER + 3), 1);
    close(fd);
    ck_assert_str_eq(decide(t, 1003), "0F");
    ck_assert_uint_eq(n_logged, 3);
    ck_assert_ptr_nonnull(strstr(logged[2], "checksum"));
    /* A tail left past whole entries (a writer died before truncating) is ignored. */
    fd = open(state_path, O_WRONLY | O_APPEND);
    ck_assert_int_eq(write(fd, "tail", 4), 4);
    close(fd);
    ck_assert_str_eq(decide(t, 1004), "0D");
    ck_assert_uint_eq(n_logged, 3);

    /* A state file that cannot be had: limits off, said once, and the trap still goes out. */
    snprintf(state_path, sizeof(state_path), "%s/missing/traphandle.state", tmpdir);
    th_route_state_opts o = opts();
    th_route_plan p;
    ck_assert_int_eq(th_route_decide(routes, n_routes, t, 1005, &o, &p), 0);
    ck_assert_int_eq(p.limits_off, 1);
    ck_assert_uint_eq(p.n_fired, 1);
    th_route_plan_free(&p);
    ck_assert_uint_eq(n_logged, 4);
    ck_assert_ptr_nonnull(strstr(logged[3], "not applied"));
    snprintf(state_path, sizeof(state_path), "%s/traphandle.state", tmpdir);

    /* The lock held elsewhere past the timeout: the same. */
    fd = open(state_path, O_RDWR);
    ck_assert_int_eq(flock(fd, LOCK_EX), 0);
    o.lock_timeout = 0.05;
    ck_assert_int_eq(th_route_decide(routes, n_routes, t, 1006, &o, &p), 0);
    ck_assert_int_eq(p.limits_off, 1);
    ck_assert_uint_eq(p.n_fired, 1);
    th_route_plan_free(&p);
    ck_assert_ptr_nonnull(strstr(logged[4], "lock"));
    close(fd);
    th_trap_free(t);
}
END_TEST

START_TEST(test_bounded_state)
{
    th_route *r = route_add("mail");
    r->dedupe = 60;
    th_route_state_opts o = opts();
    o.max_entries = 100;
    for (int i = 0; i < 300; i++) {
        char src[32];
        snprintf(src, sizeof(src), "10.0.%d.%d", i / 256, i % 256);
        th_trap *t = trap_vm(src, 8);
        th_route_plan p;
        ck_assert_int_eq(th_route_decide(routes, n_routes, t, 1000 + i * 0.01, &o, &p), 0);
        ck_assert_uint_eq(p.n_fired, 1);
        ck_assert_uint_eq(p.evicted, i >= 100 ? 1 : 0);
        th_route_plan_free(&p);
        th_trap_free(t);
    }
    ck_assert_int_eq(file_size(state_path), TH_STATE_HEADER + 100 * 16);
    /* The oldest were forgotten, the newest kept. */
    th_trap *oldest = trap_vm("10.0.0.0", 8), *newest = trap_vm("10.0.1.43", 8);
    ck_assert_str_eq(decide(newest, 1010), "0D");
    ck_assert_str_eq(decide(oldest, 1010), "0F");
    /* Past the longest window everything goes: the file shrinks to what is current. */
    ck_assert_str_eq(decide(oldest, 1100), "0F");
    ck_assert_int_eq(file_size(state_path), TH_STATE_HEADER + 16);
    /* Entries from the future (the clock was set back an hour) are dropped, not obeyed. */
    ck_assert_str_eq(decide(newest, 1100 - 3600), "0F");
    ck_assert_int_eq(file_size(state_path), TH_STATE_HEADER + 16);
    th_trap_free(oldest);
    th_trap_free(newest);
}
END_TEST

/* Time decide with the state file at two sizes; printed, and bounded loosely. */
START_TEST(test_state_cost)
{
    th_route *r = route_add("mail");
    r->dedupe = 3600;
    r->rate_count = 1000;
    r->rate_period = 3600;
    th_trap *t = trap_vm("192.0.2.7", 8);
    double per[2];
    for (int full = 0; full < 2; full++) {
        unlink(state_path);
        if (full) {
            char err[256];
            th_state s;
            ck_assert_int_eq(th_state_open(&s, state_path, 1, err, sizeof(err)), 0);
            for (unsigned i = 0; i < TH_ROUTE_STATE_MAX_ENTRIES; i++)
                ck_assert_int_eq(th_state_add(&s, th_state_key('D', "x", NULL, NULL) + i, 999), 0);
            ck_assert_int_eq(th_state_close(&s, err, sizeof(err)), 0);
        }
        int n = 200;
        double t0 = mono();
        for (int i = 0; i < n; i++) {
            th_route_state_opts o = opts();
            th_route_plan p;
            ck_assert_int_eq(th_route_decide(routes, n_routes, t, 1000 + i * 0.001, &o, &p), 0);
            th_route_plan_free(&p);
        }
        per[full] = (mono() - t0) / n;
        printf("th_route_decide with the state file (%s): %.0f us per trap\n",
               full ? "full, 10,000 entries, 160 KiB" : "small", per[full] * 1e6);
    }
    ck_assert_uint_eq(n_logged, 0);
    /* Generous bounds (sanitizers, a loaded machine): the budget per trap is 50 ms. */
    ck_assert(per[0] < 0.005);
    ck_assert(per[1] < 0.020);
    th_trap_free(t);
}
END_TEST

START_TEST(test_check)
{
    char err[256];
    th_route *r = route_add("ok");
    route_oid(r, "1.3.6.1.6.3.1.1.5.*");
    route_oid(r, "FOO-MIB::fooTrap");
    route_cond(r, oid_of("vsVmName"), TH_VB_EQUALS, "web1", 0);
    r->rate_count = 5;
    r->rate_period = 60;
    r = route_add("drop");
    route_drop(r);
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), 0);

    /* Each spoiled in turn, then mended. */
    free(routes[1].name);
    routes[1].name = strdup("ok");
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "used twice"));
    free(routes[1].name);
    routes[1].name = strdup("drop");

    routes[0].rate_period = 0;
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "Route ok"));
    routes[0].rate_period = 60;
    routes[0].rate_count = TH_ROUTE_RATE_MAX + 1;
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    routes[0].rate_count = 5;

    route_oid(&routes[0], "vsVmStateChanged");
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "vsVmStateChanged"));
    free(routes[0].oids[--routes[0].n_oids]);
    route_oid(&routes[0], ".1.3.6");
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    free(routes[0].oids[--routes[0].n_oids]);

    route_cond(&routes[0], "1.3..6", TH_VB_PRESENT, NULL, 0);
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    routes[0].conds[1].oid[3] = '1';
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), 0);
    routes[0].conds[1].op = TH_VB_CONTAINS; /* without a value */
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    routes[0].conds[1].op = TH_VB_ABSENT;

    routes[1].dedupe = 10;
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "drops"));
    routes[1].dedupe = 0;
    r = route_add("nowhere");
    route_drop(r);
    r->action = TH_ACT_NOTIFY;
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "sends nowhere"));
    r->log_file = strdup("/var/log/traps.log");
    ck_assert_int_eq(th_route_check(routes, n_routes, err, sizeof(err)), 0);
}
END_TEST

/* ---------------------------------------------------------------- log file */

START_TEST(test_logfile_format)
{
    setenv("TZ", "UTC", 1);
    tzset();
    char line[TH_LOGFILE_LINE_MAX];
    size_t len = th_logfile_format(line, 1000.7, "192.0.2.7", "vsVmStateChanged",
                                   "vsVmStateChanged from 192.0.2.7: VM web1 paused");
    ck_assert_str_eq(line, "1970-01-01T00:16:40+00:00 192.0.2.7 vsVmStateChanged "
                           "vsVmStateChanged from 192.0.2.7: VM web1 paused\n");
    ck_assert_uint_eq(len, strlen(line));

    /* Hostile: CR/LF, ESC, a backslash, invalid UTF-8 (stray byte, cut sequence, overlong, a
     * surrogate), C1 CSI, a bidi override; valid UTF-8 kept. */
    len = th_logfile_format(line, 0, "a b\n", NULL,
                            "x\r\ny\x1b[31mz\\ \xff \xe2\x82 \xc0\xaf \xed\xa0\x80 \xc2\x9b "
                            "\xe2\x80\xae \xc3\xa9\xe2\x82\xac\t\x7f");
    ck_assert_str_eq(line, "1970-01-01T00:00:00+00:00 a\\x20b\\n - "
                           "x\\r\\ny\\x1B[31mz\\\\ \\xFF \\xE2\\x82 \\xC0\\xAF \\xED\\xA0\\x80 "
                           "\\u{009B} \\u{202E} \xc3\xa9\xe2\x82\xac\\t\\x7F\n");
    ck_assert_uint_eq(len, strlen(line));

    /* 1 MiB of text: one line of at most TH_LOGFILE_LINE_MAX, cut with "...". */
    size_t big = (size_t)1 << 20;
    char *huge = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        huge[i] = i % 3 == 0 ? '\n' : 'A';
    huge[big] = '\0';
    len = th_logfile_format(line, 0, huge, huge, huge);
    ck_assert_uint_le(len, TH_LOGFILE_LINE_MAX - 1);
    ck_assert_uint_ge(len, TH_LOGFILE_LINE_MAX - 10);
    ck_assert_uint_eq(strlen(line), len);
    ck_assert_ptr_eq(memchr(line, '\n', len), line + len - 1);
    ck_assert_int_eq(memcmp(line + len - 4, "...\n", 4), 0);
    char *field_end = memchr(line + 26, ' ', len - 26);
    ck_assert_uint_le((size_t)(field_end - (line + 26)), TH_LOGFILE_FIELD_MAX);
    /* Cutting never splits an escape or a character. */
    memset(huge, 0, big);
    for (size_t i = 0; i + 2 < big; i += 2)
        memcpy(huge + i, "\xc3\xa9", 2);
    len = th_logfile_format(line, 0, "s", "t", huge);
    ck_assert_int_eq(memcmp(line + len - 6, "\xc3\xa9...\n", 6), 0);
    free(huge);
}
END_TEST

START_TEST(test_logfile_append)
{
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/routed.log", tmpdir);
    umask(022);
    vs_msg m;
    memset(&m, 0, sizeof(m));
    m.source = "192.0.2.7";
    m.metric = "linkDown";
    m.summary = "linkDown from 192.0.2.7: eth0 down";
    ck_assert_int_eq(th_logfile_write(path, &m, 1000, err, sizeof(err)), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);

    /* 10 processes appending 200 lines of 4 KiB each: every line whole. */
    unlink(path);
    pid_t pids[10];
    for (int c = 0; c < 10; c++) {
        pids[c] = fork();
        ck_assert_int_ge(pids[c], 0);
        if (pids[c] == 0) {
            char line[TH_LOGFILE_LINE_MAX];
            memset(line, 'a' + c, sizeof(line) - 1);
            line[sizeof(line) - 1] = '\n';
            for (int i = 0; i < 200; i++) {
                if (th_logfile_append(path, line, sizeof(line), err, sizeof(err)) < 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (int c = 0; c < 10; c++) {
        int status;
        ck_assert_int_eq(waitpid(pids[c], &status, 0), pids[c]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[TH_LOGFILE_LINE_MAX + 2];
    int lines = 0, per[10] = { 0 };
    while (fgets(buf, sizeof(buf), f) != NULL) {
        size_t n = strlen(buf);
        ck_assert_uint_eq(n, TH_LOGFILE_LINE_MAX);
        ck_assert(buf[0] >= 'a' && buf[0] < 'a' + 10);
        ck_assert_uint_eq(strspn(buf, (char[]){ buf[0], 0 }), TH_LOGFILE_LINE_MAX - 1);
        per[buf[0] - 'a']++;
        lines++;
    }
    fclose(f);
    ck_assert_int_eq(lines, 2000);
    for (int c = 0; c < 10; c++)
        ck_assert_int_eq(per[c], 200);

    ck_assert_int_eq(th_logfile_append("/nonexistent-dir/x.log", "x\n", 2, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.log"));
}
END_TEST

static Suite *route_suite(void)
{
    Suite *s = suite_create("th_route");
    TCase *tc = tcase_create("match");
    tcase_add_checked_fixture(tc, routes_setup, routes_teardown);
    tcase_add_test(tc, test_oid_exact_prefix);
    tcase_add_test(tc, test_cidr);
    tcase_add_test(tc, test_varbind_conditions);
    tcase_add_test(tc, test_first_match_continue_drop);
    tcase_add_test(tc, test_check);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, routes_setup, routes_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dedupe);
    tcase_add_test(tc, test_rate);
    tcase_add_test(tc, test_state_across_processes);
    tcase_add_test(tc, test_concurrent_dedupe);
    tcase_add_test(tc, test_corrupt_state);
    tcase_add_test(tc, test_bounded_state);
    tcase_add_test(tc, test_state_cost);
    suite_add_tcase(s, tc);

    tc = tcase_create("logfile");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_logfile_format);
    tcase_add_test(tc, test_logfile_append);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(route_suite)
