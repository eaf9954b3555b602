/* th_route: matching traps against the configured routes (trap OID, source network, varbind
 * values) and deciding, with the shared state file, which of the matching routes fire. */
#include "config.h"

#include "th_route.h"
#include "th_route_state.h"
#include "vs_num.h"

#include <arpa/inet.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_LOCK_TIMEOUT 2.0

/* ---------------------------------------------------------------- addresses */

/* An address as bytes: IPv4-mapped IPv6 addresses become IPv4 when map4 is set. */
static int addr_parse(const char *text, int map4, int *family, unsigned char *bytes)
{
    if (inet_pton(AF_INET, text, bytes) == 1) {
        *family = AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, text, bytes) != 1)
        return -1;
    *family = AF_INET6;
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (map4 && memcmp(bytes, mapped, sizeof(mapped)) == 0) {
        memmove(bytes, bytes + 12, 4);
        *family = AF_INET;
    }
    return 0;
}

/* Whether the first prefix bits of a and b agree. */
static int prefix_equal(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
    unsigned whole = prefix / 8, rest = prefix % 8;
    if (memcmp(a, b, whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

int th_cidr_parse(const char *text, th_cidr *out)
{
    char addr[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(text, '/');
    size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
    if (alen == 0 || alen >= sizeof(addr))
        return -1;
    memcpy(addr, text, alen);
    addr[alen] = '\0';

    th_cidr c;
    memset(&c, 0, sizeof(c));
    if (addr_parse(addr, 0, &c.family, c.addr) < 0)
        return -1;
    unsigned max = c.family == AF_INET ? 32 : 128;
    c.prefix = max;
    if (slash != NULL) {
        const char *p = slash + 1;
        unsigned long v;
        /* Digits only: vs_num would also take blanks and a sign. */
        if (*p == '\0' || strspn(p, "0123456789") != strlen(p) || strlen(p) > 3
            || vs_num_parse_ulong(p, max, &v) < 0)
            return -1;
        c.prefix = (unsigned)v;
    }
    /* Clear the host bits so matching compares networks only. */
    for (unsigned bit = c.prefix; bit < max; bit++)
        c.addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
    *out = c;
    return 0;
}

int th_cidr_match(const th_cidr *c, const char *addr)
{
    int family;
    unsigned char bytes[16];
    if (addr == NULL || addr_parse(addr, c->family == AF_INET, &family, bytes) < 0)
        return 0;
    return family == c->family && prefix_equal(bytes, c->addr, c->prefix);
}

/* ---------------------------------------------------------------- matching */

/* Whether s is a numeric OID: arcs of digits separated by single dots. */
static int oid_numeric(const char *s, size_t len)
{
    if (len == 0 || s[0] == '.' || s[len - 1] == '.')
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : (s[i] < '0' || s[i] > '9'))
            return 0;
    }
    return 1;
}

static int oid_pattern_match(const char *pat, const th_trap *t)
{
    size_t len = strlen(pat);
    if (strcmp(pat, "*") == 0)
        return 1;
    if (len > 2 && strcmp(pat + len - 2, ".*") == 0) {
        len -= 2;
        return t->trap_oid != NULL && strncmp(t->trap_oid, pat, len) == 0
               && t->trap_oid[len] == '.';
    }
    if (oid_numeric(pat, len))
        return t->trap_oid != NULL && strcmp(t->trap_oid, pat) == 0;
    return t->trap_name != NULL && strcmp(t->trap_name, pat) == 0;
}

/* Whether varbind OID oid is cond itself or below it. */
static int oid_under(const char *oid, const char *cond)
{
    size_t len = strlen(cond);
    return oid != NULL && strncmp(oid, cond, len) == 0 && (oid[len] == '\0' || oid[len] == '.');
}

/* Compare the varbind's value as a number with n: -1, 0, 1, or 2 when it is not a number. */
static int number_cmp(const vs_varbind *vb, long long n)
{
    if (vb->value == NULL || vb->value_len == 0 || strlen(vb->value) != vb->value_len)
        return 2;
    long l;
    unsigned long long u;
    double d;
    if (vs_num_parse_long(vb->value, LONG_MIN, LONG_MAX, &l) == 0)
        return ((long long)l > n) - ((long long)l < n);
    if (vs_num_parse_u64(vb->value, ULLONG_MAX, &u) == 0)
        return 1; /* above LONG_MAX, so above any n */
    if (vs_num_parse_double(vb->value, &d) == 0)
        return (d > (double)n) - (d < (double)n);
    return 2;
}

static int vb_test(const vs_varbind *vb, const th_vb_cond *c)
{
    int cmp;
    switch (c->op) {
    case TH_VB_EQUALS:
        return vb->value_len == c->value_len
               && (c->value_len == 0 || memcmp(vb->value, c->value, c->value_len) == 0);
    case TH_VB_CONTAINS:
        return c->value_len == 0
               || (vb->value != NULL
                   && memmem(vb->value, vb->value_len, c->value, c->value_len) != NULL);
    case TH_VB_LT:
    case TH_VB_LE:
    case TH_VB_GT:
    case TH_VB_GE:
        cmp = number_cmp(vb, c->number);
        if (cmp == 2)
            return 0;
        return c->op == TH_VB_LT   ? cmp < 0
               : c->op == TH_VB_LE ? cmp <= 0
               : c->op == TH_VB_GT ? cmp > 0
                                   : cmp >= 0;
    case TH_VB_PRESENT:
    case TH_VB_ABSENT:
        return 1;
    }
    return 0;
}

static int cond_holds(const th_vb_cond *c, const th_trap *t)
{
    int found = 0;
    for (size_t i = 0; i < t->n_vbs && !found; i++) {
        const vs_varbind *vb = &t->vbs[i];
        found = oid_under(vb->oid, c->oid) && vb_test(vb, c);
    }
    return c->op == TH_VB_ABSENT ? !found : found;
}

int th_route_matches(const th_route *r, const th_trap *t)
{
    int ok = r->n_oids == 0;
    for (size_t i = 0; i < r->n_oids && !ok; i++)
        ok = oid_pattern_match(r->oids[i], t);
    if (!ok)
        return 0;
    ok = r->n_sources == 0;
    for (size_t i = 0; i < r->n_sources && !ok; i++)
        ok = th_cidr_match(&r->sources[i], t->src_addr);
    if (!ok)
        return 0;
    for (size_t i = 0; i < r->n_conds; i++) {
        if (!cond_holds(&r->conds[i], t))
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- checking, freeing */

static int route_check(const th_route *r, char *err, size_t errlen)
{
    for (size_t i = 0; i < r->n_oids; i++) {
        const char *p = r->oids[i];
        size_t len = p != NULL ? strlen(p) : 0;
        if (len > 2 && strcmp(p + len - 2, ".*") == 0)
            len -= 2;
        if (p == NULL || (strcmp(p, "*") != 0 && !oid_numeric(p, len) && !strstr(p, "::"))) {
            snprintf(err, errlen,
                     "Route %s: trap OID \"%s\" is neither a numeric OID (a prefix ending in "
                     "\".*\") nor MODULE::name.",
                     r->name, p != NULL ? p : "");
            return -1;
        }
    }
    for (size_t i = 0; i < r->n_conds; i++) {
        const th_vb_cond *c = &r->conds[i];
        if (c->oid == NULL || !oid_numeric(c->oid, strlen(c->oid))) {
            snprintf(err, errlen, "Route %s: varbind condition %zu has no numeric OID.", r->name,
                     i + 1);
            return -1;
        }
        if ((unsigned)c->op > TH_VB_ABSENT
            || ((c->op == TH_VB_EQUALS || c->op == TH_VB_CONTAINS) && c->value == NULL)) {
            snprintf(err, errlen, "Route %s: varbind condition on %s has no test.", r->name,
                     c->oid);
            return -1;
        }
    }
    if (!(r->dedupe >= 0 && isfinite(r->dedupe))
        || !(r->rate_period >= 0 && isfinite(r->rate_period))
        || (r->rate_count == 0) != (r->rate_period == 0) || r->rate_count > TH_ROUTE_RATE_MAX) {
        snprintf(err, errlen,
                 "Route %s: dedupe must be 0 or more seconds, and a rate limit 1 to %d traps "
                 "per a positive number of seconds.",
                 r->name, TH_ROUTE_RATE_MAX);
        return -1;
    }
    if (r->action == TH_ACT_NOTIFY && r->n_notify == 0 && r->log_file == NULL) {
        snprintf(err, errlen, "Route %s sends nowhere: name a notifier or a log file.", r->name);
        return -1;
    }
    if (r->action == TH_ACT_DROP
        && (r->n_notify > 0 || r->log_file != NULL || r->dedupe > 0 || r->rate_count > 0)) {
        snprintf(err, errlen,
                 "Route %s drops traps: it takes no notifiers, log file, dedupe or rate limit.",
                 r->name);
        return -1;
    }
    for (size_t i = 0; i < r->n_notify; i++) {
        if (r->notify[i] == NULL || r->notify[i][0] == '\0') {
            snprintf(err, errlen, "Route %s: notifier %zu has no name.", r->name, i + 1);
            return -1;
        }
    }
    return 0;
}

int th_route_check(const th_route *routes, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (routes[i].name == NULL || routes[i].name[0] == '\0') {
            snprintf(err, errlen, "Route %zu has no name.", i + 1);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(routes[i].name, routes[j].name) == 0) {
                snprintf(err, errlen, "Route name %s is used twice (routes %zu and %zu).",
                         routes[i].name, j + 1, i + 1);
                return -1;
            }
        }
        if (route_check(&routes[i], err, errlen) < 0)
            return -1;
    }
    return 0;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void th_route_clear(th_route *r)
{
    if (r == NULL)
        return;
    free(r->name);
    strv_free(r->oids, r->n_oids);
    free(r->sources);
    for (size_t i = 0; r->conds != NULL && i < r->n_conds; i++) {
        free(r->conds[i].oid);
        free(r->conds[i].value);
    }
    free(r->conds);
    strv_free(r->notify, r->n_notify);
    free(r->log_file);
    memset(r, 0, sizeof(*r));
}

void th_routes_free(th_route *routes, size_t n)
{
    for (size_t i = 0; routes != NULL && i < n; i++)
        th_route_clear(&routes[i]);
    free(routes);
}

/* ---------------------------------------------------------------- deciding */

static void say(const th_route_state_opts *st, vs_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(const th_route_state_opts *st, vs_log_level level, const char *fmt, ...)
{
    if (st->log == NULL)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    st->log(st->log_ctx, level, line);
}

static int route_limited(const th_route *r)
{
    return r->action == TH_ACT_NOTIFY && (r->dedupe > 0 || r->rate_count > 0);
}

/* Apply route r's limits for trap t to the state s: the outcome, with the firing recorded. */
static int limits_apply(th_state *s, const th_route *r, const th_trap *t, double now,
                        th_route_outcome *out)
{
    const char *source = t->src_addr != NULL ? t->src_addr : t->host;
    const char *trap = t->trap_oid != NULL ? t->trap_oid : t->trap_name;
    uint64_t dkey = th_state_key('D', r->name, source, trap);
    uint64_t rkey = th_state_key('R', r->name, NULL, NULL);

    if (r->dedupe > 0) {
        double last = th_state_last(s, dkey);
        if (last >= 0 && now - last < r->dedupe) {
            *out = TH_ROUTE_DEDUPED;
            return 0;
        }
    }
    if (r->rate_count > 0 && th_state_count_after(s, rkey, now - r->rate_period) >= r->rate_count) {
        *out = TH_ROUTE_RATE_LIMITED;
        return 0;
    }
    *out = TH_ROUTE_FIRE;
    if (r->dedupe > 0 && th_state_set(s, dkey, now) < 0)
        return -1;
    if (r->rate_count > 0 && th_state_add(s, rkey, now) < 0)
        return -1;
    return 0;
}

/* Run the limits of the matched routes through the state file. -1 when memory is short. */
static int plan_limit(const th_route *routes, size_t n, const th_trap *t, double now,
                      const th_route_state_opts *st, th_route_plan *plan)
{
    char err[512];
    th_state s;
    double timeout = st->lock_timeout > 0 ? st->lock_timeout : DEFAULT_LOCK_TIMEOUT;
    th_state_open_result o = th_state_open(&s, st->path, timeout, err, sizeof(err));
    if (o == TH_STATE_OPEN_FAILED) {
        say(st, VS_LOG_ERR, "Dedupe and rate limits are not applied to this trap: %s.", err);
        plan->limits_off = 1;
        return 0;
    }
    if (o == TH_STATE_OPEN_CORRUPT)
        say(st, VS_LOG_WARNING, "%s: starting with empty dedupe and rate-limit state.", err);

    /* Keep what any route may still ask about, not only the routes matched this time. */
    double keep = 0;
    for (size_t i = 0; i < n; i++) {
        keep = fmax(keep, routes[i].dedupe);
        keep = fmax(keep, routes[i].rate_period);
    }
    th_state_prune(&s, now, keep);

    int rc = 0;
    for (size_t i = 0; i < plan->n_hits && rc == 0; i++) {
        th_route_hit *h = &plan->hits[i];
        if (h->outcome == TH_ROUTE_FIRE && route_limited(&routes[h->route]))
            rc = limits_apply(&s, &routes[h->route], t, now, &h->outcome);
    }
    size_t max = st->max_entries > 0 ? st->max_entries : TH_ROUTE_STATE_MAX_ENTRIES;
    plan->evicted = th_state_cap(&s, max);
    if (th_state_close(&s, err, sizeof(err)) < 0 && rc == 0)
        say(st, VS_LOG_ERR, "%s: %s; the next trap may not see this one's firings.", st->path, err);
    return rc;
}

int th_route_decide(const th_route *routes, size_t n, const th_trap *t, double now,
                    const th_route_state_opts *st, th_route_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    int limited = 0;
    for (size_t i = 0; i < n; i++) {
        const th_route *r = &routes[i];
        if (!th_route_matches(r, t))
            continue;
        th_route_hit *hits = realloc(plan->hits, (plan->n_hits + 1) * sizeof(*hits));
        if (hits == NULL) {
            th_route_plan_free(plan);
            return -1;
        }
        plan->hits = hits;
        hits[plan->n_hits].route = i;
        hits[plan->n_hits].outcome = r->action == TH_ACT_DROP ? TH_ROUTE_DROP : TH_ROUTE_FIRE;
        plan->n_hits++;
        limited |= route_limited(r);
        if (r->action == TH_ACT_DROP || !r->cont)
            break;
    }
    if (limited && st != NULL && st->path != NULL) {
        if (plan_limit(routes, n, t, now, st, plan) < 0) {
            th_route_plan_free(plan);
            return -1;
        }
    }
    for (size_t i = 0; i < plan->n_hits; i++)
        plan->n_fired += plan->hits[i].outcome == TH_ROUTE_FIRE;
    return 0;
}

void th_route_plan_free(th_route_plan *plan)
{
    if (plan == NULL)
        return;
    free(plan->hits);
    memset(plan, 0, sizeof(*plan));
}

const char *th_route_outcome_name(th_route_outcome o)
{
    switch (o) {
    case TH_ROUTE_FIRE:
        return "fire";
    case TH_ROUTE_DROP:
        return "drop";
    case TH_ROUTE_DEDUPED:
        return "dedupe";
    case TH_ROUTE_RATE_LIMITED:
        return "rate";
    }
    return "?";
}
