/* th_config_route: the <routes> of virtsight-traphandle's configuration: each <route> (trap OIDs,
 * source networks, varbind conditions, actions, limits) and the <default> route, with MIB names
 * resolved to numeric OIDs and enumeration labels to numbers through the table th_mib carries,
 * so that a mistake is a file:line message at load time and the handler never needs a MIB. */
#include "config.h"

#include "th_config_int.h"
#include "th_mib.h"
#include "vs_num.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#define SHOW_BUF VS_CONF_SHOW_BUF
#define SEEN(i) VS_CONF_SEEN(i)
#define ERR VS_CONF_ERR
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define OID_ARCS_MAX 128
#define OID_TEXT_MAX 1024 /* a resolved OID, instance included */

/* <route> and <default>: one struct for both (a <default> has no oid, source or continue). */
typedef struct {
    char *name;
    char *oid;
    char *source;
    char *notify;
    char *log_file;
    char *action;
    char *rate;
    double dedupe;
    int cont;
} route_attrs;
enum {
    ROUTE_NAME,
    ROUTE_NOTIFY,
    ROUTE_LOG_FILE,
    ROUTE_ACTION,
    ROUTE_DEDUPE,
    ROUTE_RATE,
    ROUTE_OID,
    ROUTE_SOURCE,
    ROUTE_CONTINUE
};
static const char *const route_actions[] = { "notify", "drop", NULL };
#define ROUTE_ACTION_ROWS                                                                          \
    [ROUTE_NOTIFY] = VS_CONF_A_STR("notify", VS_CONF_TEXT, route_attrs, notify, 0, NULL),          \
    [ROUTE_LOG_FILE] = VS_CONF_A_STR("log-file", VS_CONF_PATH, route_attrs, log_file, 0, NULL),    \
    [ROUTE_ACTION] = VS_CONF_A_CHOICE("action", route_attrs, action, 0, route_actions, NULL),      \
    [ROUTE_DEDUPE] = VS_CONF_A_SEC("dedupe", route_attrs, dedupe),                                 \
    [ROUTE_RATE] = VS_CONF_A_STR("rate", VS_CONF_TOKEN, route_attrs, rate, 0, NULL)
static const vs_conf_attr route_defs[] = {
    [ROUTE_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, route_attrs, name, 1, NULL),
    ROUTE_ACTION_ROWS,
    [ROUTE_OID] = VS_CONF_A_STR("oid", VS_CONF_TEXT, route_attrs, oid, 0, NULL),
    [ROUTE_SOURCE] = VS_CONF_A_STR("source", VS_CONF_TEXT, route_attrs, source, 0, NULL),
    [ROUTE_CONTINUE] = VS_CONF_A_STR("continue", VS_CONF_YESNO, route_attrs, cont, 0, "no"),
};
static const vs_conf_elem route_elem = VS_CONF_ELEM("route", route_defs);
static const vs_conf_attr default_defs[] = {
    [ROUTE_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, route_attrs, name, 0, "default"),
    ROUTE_ACTION_ROWS,
};
static const vs_conf_elem default_elem = VS_CONF_ELEM("default", default_defs);

/* <varbind> */
typedef struct {
    char *oid;
    char *test[6]; /* equals, contains, lt, le, gt, ge: in th_vb_op order */
    int present, absent;
} vb_attrs;
enum { VB_OID, VB_EQUALS, VB_CONTAINS, VB_LT, VB_LE, VB_GT, VB_GE, VB_PRESENT, VB_ABSENT };
static const vs_conf_attr vb_defs[] = {
    [VB_OID] = VS_CONF_A_STR("oid", VS_CONF_TOKEN, vb_attrs, oid, 1, NULL),
    [VB_EQUALS] = VS_CONF_A_STR("equals", VS_CONF_TEXT, vb_attrs, test[0], 0, NULL),
    [VB_CONTAINS] = VS_CONF_A_STR("contains", VS_CONF_TEXT, vb_attrs, test[1], 0, NULL),
    [VB_LT] = VS_CONF_A_STR("lt", VS_CONF_TOKEN, vb_attrs, test[2], 0, NULL),
    [VB_LE] = VS_CONF_A_STR("le", VS_CONF_TOKEN, vb_attrs, test[3], 0, NULL),
    [VB_GT] = VS_CONF_A_STR("gt", VS_CONF_TOKEN, vb_attrs, test[4], 0, NULL),
    [VB_GE] = VS_CONF_A_STR("ge", VS_CONF_TOKEN, vb_attrs, test[5], 0, NULL),
    [VB_PRESENT] = VS_CONF_A_STR("present", VS_CONF_YESNO, vb_attrs, present, 0, NULL),
    [VB_ABSENT] = VS_CONF_A_STR("absent", VS_CONF_YESNO, vb_attrs, absent, 0, NULL),
};
static const vs_conf_elem vb_elem = VS_CONF_ELEM("varbind", vb_defs);

static const vs_conf_elem routes_elem = { "routes", NULL, 0 };

const vs_conf_elem *const th_config_route_elems[] = { &routes_elem, &route_elem, &default_elem,
                                                      &vb_elem };
const size_t th_config_route_n_elems = N_OF(th_config_route_elems);

/* ---------------------------------------------------------------- OIDs and names */

/* Whether len bytes at s are a numeric OID: 1 to 128 decimal arcs separated by single dots. */
static int oid_numeric(const char *s, size_t len)
{
    size_t arcs = 0, digits = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            digits++;
        } else if (s[i] == '.' && digits > 0) {
            digits = 0;
            arcs++;
        } else {
            return 0;
        }
    }
    return digits > 0 && arcs + 1 <= OID_ARCS_MAX;
}

/* Resolve text (len bytes): a numeric OID (a leading dot allowed), or a MIB name
 * "[MODULE::]label" with an optional numeric instance (".0", ".1.3"). Returns a new numeric
 * OID and *node (the table's node for a name, else NULL), or NULL with *oom set when memory is
 * short and clear when the text is not known. */
static char *oid_resolve(const char *text, size_t len, const th_mib_node **node, int *oom)
{
    *node = NULL;
    *oom = 0;
    if (len > 0 && text[0] == '.') {
        text++;
        len--;
    }
    if (oid_numeric(text, len)) {
        char *o = strndup(text, len);
        *oom = o == NULL;
        return o;
    }
    const char *module = NULL, *label = text;
    size_t module_len = 0;
    const char *sep = memmem(text, len, "::", 2);
    if (sep != NULL) {
        module = text;
        module_len = (size_t)(sep - text);
        label = sep + 2;
    }
    size_t label_len = strspn(label, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789-");
    size_t rest = len - (size_t)(label - text);
    label_len = label_len < rest ? label_len : rest;
    const char *inst = label + label_len;
    size_t inst_len = rest - label_len;
    if (label_len == 0 || (module != NULL && module_len == 0)
        || (inst_len > 0 && (inst[0] != '.' || !oid_numeric(inst + 1, inst_len - 1))))
        return NULL;
    const th_mib_node *n = th_mib_by_label(module, module_len, label, label_len);
    if (n == NULL || n->oid == NULL
        || (module != NULL
            && (strlen(n->module) != module_len || memcmp(n->module, module, module_len) != 0)))
        return NULL;
    size_t need = strlen(n->oid) + inst_len + 1;
    if (need > OID_TEXT_MAX)
        return NULL;
    char *o = malloc(need);
    if (o == NULL) {
        *oom = 1;
        return NULL;
    }
    memcpy(o, n->oid, strlen(n->oid));
    memcpy(o + strlen(n->oid), inst, inst_len);
    o[need - 1] = '\0';
    *node = n;
    return o;
}

/* Report that name is not an OID or a name th_mib knows. */
static void oid_unknown(vs_conf_ctx *ctx, int line, const char *elem, const char *attr,
                        const char *name)
{
    char shown[SHOW_BUF];

    ERR(ctx, line,
        "<%s> attribute %s: \"%s\" is neither a numeric OID nor a name virtsight-traphandle "
        "knows (names from SNMPv2-MIB, IF-MIB, NET-SNMP-MIB and VIRTSIGHT-MIB, as "
        "MODULE::name or name, with an optional numeric instance); give the numeric OID.",
        elem, attr, vs_conf_show(name, shown, sizeof(shown)));
}

/* Split a list attribute: words separated by blanks or commas. 0, or -1 when memory is short. */
static int list_split(const char *text, char ***out, size_t *n)
{
    char *copy = strdup(text);

    if (copy == NULL) {
        *out = NULL;
        *n = 0;
        return -1;
    }
    for (char *p = copy; (p = strchr(p, ',')) != NULL;)
        *p = ' ';
    int rc = vs_conf_words_split(copy, out, n);
    free(copy);
    return rc;
}

/* Resolve one trap OID pattern ("*", OID, OID.*, name, name.*) into a new numeric pattern, or
 * NULL (reported). */
static char *pattern_resolve(vs_conf_ctx *ctx, int line, const char *word)
{
    const th_mib_node *node;
    int oom;
    size_t len = strlen(word);
    int star = len > 2 && strcmp(word + len - 2, ".*") == 0;

    if (strcmp(word, "*") == 0)
        return strdup(word);
    char *o = oid_resolve(word, star ? len - 2 : len, &node, &oom);
    if (o == NULL) {
        if (oom)
            ERR(ctx, line, "Out of memory while reading <route>.");
        else
            oid_unknown(ctx, line, "route", "oid", word);
        return NULL;
    }
    if (!star)
        return o;
    size_t ol = strlen(o);
    char *p = realloc(o, ol + 3);
    if (p == NULL) {
        free(o);
        ERR(ctx, line, "Out of memory while reading <route>.");
        return NULL;
    }
    memcpy(p + ol, ".*", 3);
    return p;
}

/* ---------------------------------------------------------------- route attributes */

/* Fill r->oids from the oid attribute. */
static void route_oids(vs_conf_ctx *ctx, int line, const char *text, th_route *r)
{
    char **w;
    size_t n;

    if (list_split(text, &w, &n) < 0) {
        ERR(ctx, line, "Out of memory while reading <route>.");
        return;
    }
    if (n == 0)
        ERR(ctx, line, "<route> attribute oid names no trap OID; leave it out to match any.");
    r->oids = calloc(n + 1, sizeof(*r->oids));
    for (size_t i = 0; r->oids != NULL && i < n; i++) {
        char *p = pattern_resolve(ctx, line, w[i]);
        if (p != NULL)
            r->oids[r->n_oids++] = p;
    }
    if (r->oids == NULL)
        ERR(ctx, line, "Out of memory while reading <route>.");
    vs_conf_words_free(w, n);
}

/* Fill r->sources from the source attribute. */
static void route_sources(vs_conf_ctx *ctx, int line, const char *text, th_route *r)
{
    char **w;
    size_t n;
    char shown[SHOW_BUF];

    if (list_split(text, &w, &n) < 0) {
        ERR(ctx, line, "Out of memory while reading <route>.");
        return;
    }
    if (n == 0)
        ERR(ctx, line, "<route> attribute source names no network; leave it out to match any.");
    r->sources = calloc(n + 1, sizeof(*r->sources));
    for (size_t i = 0; r->sources != NULL && i < n; i++) {
        if (th_cidr_parse(w[i], &r->sources[r->n_sources]) == 0)
            r->n_sources++;
        else
            ERR(ctx, line,
                "<route> attribute source: \"%s\" is not an IPv4 or IPv6 address or network "
                "(e.g. 192.0.2.7, 192.0.2.0/24, 2001:db8::/32).",
                vs_conf_show(w[i], shown, sizeof(shown)));
    }
    if (r->sources == NULL)
        ERR(ctx, line, "Out of memory while reading <route>.");
    vs_conf_words_free(w, n);
}

/* Parse rate "N/SECONDS" into r. */
static void route_rate(vs_conf_ctx *ctx, int line, const char *elem, const char *text, th_route *r)
{
    char shown[SHOW_BUF];
    const char *slash = strchr(text, '/');
    unsigned long count = 0;
    double period = 0;
    char head[32];
    size_t hl = slash != NULL ? (size_t)(slash - text) : 0;

    if (slash != NULL && hl < sizeof(head)) {
        memcpy(head, text, hl);
        head[hl] = '\0';
    }
    if (slash == NULL || hl >= sizeof(head)
        || vs_num_parse_ulong(head, TH_ROUTE_RATE_MAX, &count) < 0 || count == 0
        || vs_num_parse_double(slash + 1, &period) < 0 || !(period > 0)
        || period > TH_CONFIG_MAX_WINDOW) {
        ERR(ctx, line,
            "<%s> attribute rate=\"%s\" is not a rate; write N/SECONDS: at most N traps (1 to "
            "%d) in any SECONDS (more than 0, at most %d), e.g. rate=\"10/60\".",
            elem, vs_conf_show(text, shown, sizeof(shown)), TH_ROUTE_RATE_MAX,
            TH_CONFIG_MAX_WINDOW);
        return;
    }
    r->rate_count = (unsigned)count;
    r->rate_period = period;
}

/* The actions, limits and name of a <route> or <default> (a = its attributes, taken over). */
static void route_actions_take(vs_conf_ctx *ctx, int line, const char *elem, route_attrs *a,
                               unsigned seen, unsigned good, th_route *r)
{
    r->name = a->name;
    a->name = NULL;
    r->action = a->action != NULL && strcmp(a->action, "drop") == 0 ? TH_ACT_DROP : TH_ACT_NOTIFY;
    r->log_file = a->log_file;
    a->log_file = NULL;
    r->cont = a->cont;
    if (a->notify != NULL && list_split(a->notify, &r->notify, &r->n_notify) < 0)
        ERR(ctx, line, "Out of memory while reading <%s>.", elem);
    else if (a->notify != NULL && r->n_notify == 0)
        ERR(ctx, line, "<%s> attribute notify names no notifier.", elem);
    if ((good & SEEN(ROUTE_DEDUPE)) && !(a->dedupe >= 0 && a->dedupe <= TH_CONFIG_MAX_WINDOW))
        ERR(ctx, line,
            "<%s> attribute dedupe=\"%g\" is out of range; it must be from 0 (off) to %d "
            "seconds.",
            elem, a->dedupe, TH_CONFIG_MAX_WINDOW);
    else if (good & SEEN(ROUTE_DEDUPE))
        r->dedupe = a->dedupe;
    if (a->rate != NULL)
        route_rate(ctx, line, elem, a->rate, r);
    if (r->action == TH_ACT_DROP
        && (seen
            & (SEEN(ROUTE_NOTIFY) | SEEN(ROUTE_LOG_FILE) | SEEN(ROUTE_DEDUPE) | SEEN(ROUTE_RATE))))
        ERR(ctx, line,
            "<%s> action=\"drop\" sends nothing, so it takes no notify, log-file, dedupe or "
            "rate.",
            elem);
    else if (r->action == TH_ACT_NOTIFY && !(seen & (SEEN(ROUTE_NOTIFY) | SEEN(ROUTE_LOG_FILE))))
        ERR(ctx, line,
            "<%s> sends nowhere: give notify (notifier names), log-file, or action=\"drop\".",
            elem);
}

static void route_attrs_clear(route_attrs *a)
{
    free(a->name);
    free(a->oid);
    free(a->source);
    free(a->notify);
    free(a->log_file);
    free(a->action);
    free(a->rate);
}

/* ---------------------------------------------------------------- varbind conditions */

/* The number text stands for (an integer, or a label of node's enumeration) into *out. */
static int number_resolve(const char *text, const th_mib_node *node, long long *out)
{
    long v;

    if (vs_num_parse_long(text, LONG_MIN, LONG_MAX, &v) == 0
        || (node != NULL && node->n_enums > 0
            && th_mib_enum_value(node, text, strlen(text), &v) == 0)) {
        *out = v;
        return 0;
    }
    return -1;
}

/* The enumeration labels of node as "a(1), b(2)..." into b, for a message. */
static void enum_list(vs_buf *b, const th_mib_node *node)
{
    for (long v = -1, shown = 0; shown < node->n_enums && v < 100000; v++) {
        const char *l = th_mib_enum_label(node, v);
        if (l != NULL)
            vs_buf_appendf(b, "%s%s(%ld)", shown++ > 0 ? ", " : "", l, v);
    }
}

/* Fill the test of c from the <varbind>'s attributes (exactly one). */
static void vb_test(vs_conf_ctx *ctx, int line, vb_attrs *a, unsigned seen, const th_mib_node *node,
                    th_vb_cond *c)
{
    static const char *const tests[] = { "equals", "contains", "lt", "le", "gt", "ge" };
    char shown[SHOW_BUF];
    int n = 0;

    for (int i = VB_EQUALS; i <= VB_ABSENT; i++)
        n += !!(seen & SEEN(i));
    if (n != 1) {
        ERR(ctx, line,
            "<varbind> needs exactly one test: equals, contains, lt, le, gt, ge, present or "
            "absent.");
        return;
    }
    if (seen & (SEEN(VB_PRESENT) | SEEN(VB_ABSENT))) {
        int present = (seen & SEEN(VB_PRESENT)) ? a->present : !a->absent;
        c->op = present ? TH_VB_PRESENT : TH_VB_ABSENT;
        return;
    }
    int i = 0;
    while (a->test[i] == NULL)
        i++;
    c->op = (th_vb_op)i;
    const char *v = a->test[i];
    long long num = 0;
    int enumerated = node != NULL && node->n_enums > 0;
    if (c->op == TH_VB_CONTAINS || (c->op == TH_VB_EQUALS && !enumerated)) {
        c->value = a->test[i];
        c->value_len = strlen(v);
        a->test[i] = NULL;
        return;
    }
    if (number_resolve(v, node, &num) == 0) {
        c->number = num;
        if (c->op == TH_VB_EQUALS && (c->value = malloc(32)) != NULL)
            c->value_len = (size_t)snprintf(c->value, 32, "%lld", num);
        else if (c->op == TH_VB_EQUALS)
            ERR(ctx, line, "Out of memory while reading <varbind>.");
        return;
    }
    vs_buf labels;
    vs_buf_init(&labels, 4096);
    if (enumerated)
        enum_list(&labels, node);
    ERR(ctx, line, "<varbind> attribute %s=\"%s\" is not a whole number%s%s%s%s.", tests[i],
        vs_conf_show(v, shown, sizeof(shown)), enumerated ? " nor a label of " : "",
        enumerated ? node->label : "", enumerated ? ": " : "", vs_buf_str(&labels));
    vs_buf_free(&labels);
}

/* Read a <varbind> into a new condition of r. */
static void vb_read(vs_conf_ctx *ctx, xmlNode *node, th_route *r)
{
    int line = vs_conf_node_line(node);
    vb_attrs a;
    const th_mib_node *mib = NULL;
    int oom = 0;

    memset(&a, 0, sizeof(a));
    unsigned seen = vs_conf_attrs_read(ctx, node, &vb_elem, &a, NULL);
    th_vb_cond *conds = realloc(r->conds, (r->n_conds + 1) * sizeof(*conds));
    if (conds == NULL) {
        ERR(ctx, line, "Out of memory while reading <varbind>.");
        goto done;
    }
    r->conds = conds;
    th_vb_cond *c = &conds[r->n_conds++];
    memset(c, 0, sizeof(*c));
    if (a.oid != NULL && (c->oid = oid_resolve(a.oid, strlen(a.oid), &mib, &oom)) == NULL) {
        if (oom)
            ERR(ctx, line, "Out of memory while reading <varbind>.");
        else
            oid_unknown(ctx, line, "varbind", "oid", a.oid);
    }
    if (c->oid != NULL && mib == NULL) {
        size_t at;
        mib = th_mib_by_oid(c->oid, &at); /* a numeric OID of a known object: its labels too */
    }
    vb_test(ctx, line, &a, seen, mib, c);
done:
    free(a.oid);
    for (size_t i = 0; i < N_OF(a.test); i++)
        free(a.test[i]);
}

/* ---------------------------------------------------------------- routes */

/* Append r (taken over) at line to cfg's routes. */
static void route_add(vs_conf_ctx *ctx, th_config *cfg, th_route *r, int line)
{
    th_route *routes = realloc(cfg->routes, (cfg->n_routes + 1) * sizeof(*routes));
    int *lines =
        routes != NULL ? realloc(cfg->route_lines, (cfg->n_routes + 1) * sizeof(*lines)) : NULL;

    if (routes != NULL)
        cfg->routes = routes;
    if (lines != NULL)
        cfg->route_lines = lines;
    if (routes == NULL || lines == NULL) {
        ERR(ctx, line, "Out of memory while reading the routes.");
        th_route_clear(r);
        return;
    }
    routes[cfg->n_routes] = *r;
    lines[cfg->n_routes++] = line;
}

/* Read a <route> or (dflt) a <default> into *r. */
static void route_read(vs_conf_ctx *ctx, xmlNode *node, int dflt, th_route *r)
{
    int line = vs_conf_node_line(node);
    const vs_conf_elem *e = dflt ? &default_elem : &route_elem;
    route_attrs a;
    unsigned good = 0;

    memset(&a, 0, sizeof(a));
    memset(r, 0, sizeof(*r));
    unsigned seen = vs_conf_attrs_read(ctx, node, e, &a, &good);
    if (a.oid != NULL)
        route_oids(ctx, line, a.oid, r);
    if (a.source != NULL)
        route_sources(ctx, line, a.source, r);
    route_actions_take(ctx, line, e->elem, &a, seen, good, r);
    for (xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!dflt && vs_conf_node_is(c, "varbind"))
            vb_read(ctx, c, r);
        else
            ERR(ctx, vs_conf_node_line(c), "<%s> is not allowed inside <%s>.",
                (const char *)c->name, e->elem);
    }
    route_attrs_clear(&a);
}

void th_config_routes_read(vs_conf_ctx *ctx, th_config *cfg, xmlNode *node)
{
    th_route dflt;
    int dflt_line = 0;

    for (xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int line = vs_conf_node_line(c);
        th_route r;
        if (vs_conf_node_is(c, "default") && dflt_line != 0) {
            ERR(ctx, line, "A second <default> (the first is at line %d); give at most one.",
                dflt_line);
        } else if (vs_conf_node_is(c, "default")) {
            route_read(ctx, c, 1, &dflt);
            dflt_line = line;
        } else if (!vs_conf_node_is(c, "route")) {
            ERR(ctx, line, "<%s> is not allowed inside <routes>.", (const char *)c->name);
        } else if (cfg->n_routes >= TH_CONFIG_MAX_ROUTES) {
            ERR(ctx, line, "More than %d routes; merge some.", TH_CONFIG_MAX_ROUTES);
        } else {
            route_read(ctx, c, 0, &r);
            route_add(ctx, cfg, &r, line);
        }
    }
    if (dflt_line != 0) {
        size_t before = cfg->n_routes;
        route_add(ctx, cfg, &dflt, dflt_line);
        cfg->default_route = cfg->n_routes > before;
    }
}

void th_config_routes_check(vs_conf_ctx *ctx, th_config *cfg)
{
    char err[512];

    vs_notify_cfg_check_unique(ctx, cfg->notifiers, cfg->n_notifiers);
    for (size_t i = 0; i < cfg->n_routes; i++) {
        const th_route *r = &cfg->routes[i];
        int line = cfg->route_lines[i];
        const char *elem = cfg->default_route && i + 1 == cfg->n_routes ? "default" : "route";
        for (size_t k = 0; r->name != NULL && k < i; k++) {
            if (cfg->routes[k].name != NULL && strcmp(cfg->routes[k].name, r->name) == 0) {
                ERR(ctx, line,
                    "Route name \"%s\" is already used at line %d; route names must be unique "
                    "(messages and limits are kept by name).",
                    r->name, cfg->route_lines[k]);
                break;
            }
        }
        vs_notify_cfg_names_check(ctx, line, elem, cfg->notifiers, cfg->n_notifiers, r->notify,
                                  r->n_notify, NULL, 0);
    }
    /* The router's own checks, once everything above holds: a safety net, not the message. */
    for (size_t i = 0; ctx->n_errors == 0 && i < cfg->n_routes; i++) {
        if (th_route_check(&cfg->routes[i], 1, err, sizeof(err)) < 0)
            ERR(ctx, cfg->route_lines[i], "%s", err);
    }
}
