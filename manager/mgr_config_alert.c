/* mgr_config_alert: the alerting part of the manager's configuration: <rules> (thresholds, which
 * only the manager has) and the glue to the shared <notifiers> reader (lib/vs_conf_notify.c).
 * The values are checked here so that a mistake is a file:line message at load time, never a
 * surprise when the first alarm goes out. */
#include "config.h"

#include "mgr_config.h"
#include "mgr_config_int.h"
#include "mgr_group.h"
#include "mgr_metric.h"
#include "vs_range.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#define SHOW_BUF VS_CONF_SHOW_BUF
#define SEEN(i) VS_CONF_SEEN(i)
#define ERR VS_CONF_ERR
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* <threshold> */
typedef struct {
    mgr_rule_cfg r;
    char *group, *host, *vm;
    char *notify, *notify_warning, *notify_critical;
} rule_attrs;
enum {
    RULE_NAME,
    RULE_METRIC,
    RULE_GROUP,
    RULE_HOST,
    RULE_VM,
    RULE_WARNING,
    RULE_CRITICAL,
    RULE_HYSTERESIS,
    RULE_FOR,
    RULE_REPEAT,
    RULE_NOTIFY,
    RULE_NOTIFY_WARNING,
    RULE_NOTIFY_CRITICAL
};
static const vs_conf_attr rule_defs[] = {
    [RULE_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, rule_attrs, r.name, 0, NULL),
    [RULE_METRIC] = VS_CONF_A_STR("metric", VS_CONF_TOKEN, rule_attrs, r.metric, 1, NULL),
    [RULE_GROUP] = VS_CONF_A_STR("group", VS_CONF_TOKEN, rule_attrs, group, 0, NULL),
    [RULE_HOST] = VS_CONF_A_STR("host", VS_CONF_NAME, rule_attrs, host, 0, NULL),
    [RULE_VM] = VS_CONF_A_STR("vm", VS_CONF_TEXT, rule_attrs, vm, 0, NULL),
    [RULE_WARNING] = VS_CONF_A_STR("warning", VS_CONF_TOKEN, rule_attrs, r.warning, 0, NULL),
    [RULE_CRITICAL] = VS_CONF_A_STR("critical", VS_CONF_TOKEN, rule_attrs, r.critical, 0, NULL),
    [RULE_HYSTERESIS] = { "hysteresis", VS_CONF_NUMBER, offsetof(rule_attrs, r.hysteresis), 0, NULL,
                          0, 0, NULL, NULL, NULL },
    [RULE_FOR] = VS_CONF_A_INT("for", rule_attrs, r.for_samples, "1", 1, 1000, NULL),
    [RULE_REPEAT] = VS_CONF_A_INT("repeat", rule_attrs, r.repeat, "0", 0, 30 * 86400, "seconds"),
    [RULE_NOTIFY] = VS_CONF_A_STR("notify", VS_CONF_TEXT, rule_attrs, notify, 0, NULL),
    [RULE_NOTIFY_WARNING] =
        VS_CONF_A_STR("notify-warning", VS_CONF_TEXT, rule_attrs, notify_warning, 0, NULL),
    [RULE_NOTIFY_CRITICAL] =
        VS_CONF_A_STR("notify-critical", VS_CONF_TEXT, rule_attrs, notify_critical, 0, NULL),
};
static const vs_conf_elem rule_elem = VS_CONF_ELEM("threshold", rule_defs);

static const vs_conf_elem rules_elem = { "rules", NULL, 0 };

const vs_conf_elem *const mgr_config_alert_elems[] = { &rules_elem, &rule_elem };
const size_t mgr_config_alert_n_elems = N_OF(mgr_config_alert_elems);

/* ---------------------------------------------------------------- helpers */

static void rule_clear(mgr_rule_cfg *r)
{
    free(r->name);
    free(r->metric);
    free(r->scope_value);
    free(r->warning);
    free(r->critical);
    vs_conf_words_free(r->notify_warning, r->n_notify_warning);
    vs_conf_words_free(r->notify_critical, r->n_notify_critical);
}

void mgr_config_alert_free(mgr_config *cfg)
{
    vs_notify_cfg_list_free(cfg->notifiers, cfg->n_notifiers);
    for (size_t i = 0; i < cfg->n_rules; i++)
        rule_clear(&cfg->rules[i]);
    free(cfg->rules);
}

/* ---------------------------------------------------------------- notifiers */

void mgr_config_notifiers_read(vs_conf_ctx *ctx, mgr_config *cfg, xmlNode *node)
{
    vs_notify_spool s;

    vs_notify_cfg_read(ctx, node, &s, &cfg->notifiers, &cfg->n_notifiers);
    cfg->retry_min = s.retry_min;
    cfg->retry_max = s.retry_max;
    cfg->max_age = s.max_age;
}

void mgr_config_spool_defaults(mgr_config *cfg)
{
    vs_notify_spool s;

    vs_notify_spool_defaults(&s);
    cfg->retry_min = s.retry_min;
    cfg->retry_max = s.retry_max;
    cfg->max_age = s.max_age;
}

/* ---------------------------------------------------------------- rules */

/* Whether name is a metric a threshold can watch. */
static int metric_known(const char *name)
{
    for (int k = 0; k < MGR_RES__COUNT; k++) {
        size_t n;
        const mgr_metric_def *d = mgr_metric_defs((mgr_res_kind)k, &n);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(d[i].name, name) == 0)
                return 1;
        }
    }
    return 0;
}

/* Check a threshold's range text; reports and returns -1 when it is not a Nagios range. */
static int range_check(vs_conf_ctx *ctx, int line, const char *attr, const char *text)
{
    vs_range r;
    char why[160], shown[SHOW_BUF];
    if (text == NULL || vs_range_parse(text, &r, why, sizeof(why)) == 0)
        return 0;
    ERR(ctx, line,
        "<threshold> attribute %s=\"%s\" is not a threshold: %s (a number N alerts above N; "
        "N: below N; ~:N above N; A:B outside A..B; @A:B inside A..B).",
        attr, vs_conf_show(text, shown, sizeof(shown)), why);
    return -1;
}

/* A hysteresis so wide that no value could ever clear a threshold is a mistake. */
static void hysteresis_check(vs_conf_ctx *ctx, int line, const mgr_rule_cfg *r)
{
    const char *texts[2] = { r->warning, r->critical };
    const char *names[2] = { "warning", "critical" };
    for (int i = 0; i < 2; i++) {
        vs_range g;
        char why[160];
        if (texts[i] != NULL && vs_range_parse(texts[i], &g, why, sizeof(why)) == 0
            && !vs_range_clearable(&g, r->hysteresis))
            ERR(ctx, line,
                "<threshold> hysteresis=\"%g\" is too wide for %s=\"%s\": no value could ever "
                "clear it.",
                r->hysteresis, names[i], texts[i]);
    }
}

static void rule_read(vs_conf_ctx *ctx, mgr_config *cfg, xmlNode *node)
{
    rule_attrs a;
    int line = vs_conf_node_line(node);
    char shown[SHOW_BUF];

    memset(&a, 0, sizeof(a));
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(ctx, node, &rule_elem, &a, &good);
    a.r.line = line;
    int group_metric =
        a.r.metric != NULL && strncmp(a.r.metric, MGR_GROUP_PREFIX, strlen(MGR_GROUP_PREFIX)) == 0;
    char why[200];
    if (group_metric && mgr_group_metric_parse(a.r.metric, NULL, NULL, NULL, why, sizeof(why)) < 0)
        ERR(ctx, line, "<threshold> metric=\"%s\": %s.",
            vs_conf_show(a.r.metric, shown, sizeof(shown)), why);
    else if (!group_metric && a.r.metric != NULL && !metric_known(a.r.metric))
        ERR(ctx, line,
            "<threshold> metric=\"%s\" is not a metric virtsight-manager collects (see "
            "virtsight-manager.conf(5), METRICS).",
            vs_conf_show(a.r.metric, shown, sizeof(shown)));
    int scopes =
        !!(seen & SEEN(RULE_GROUP)) + !!(seen & SEEN(RULE_HOST)) + !!(seen & SEEN(RULE_VM));
    if (scopes > 1)
        ERR(ctx, line, "<threshold> takes at most one of group, host and vm.");
    if (a.group != NULL) {
        a.r.scope = MGR_RULE_GROUP;
        a.r.scope_value = a.group;
        a.group = NULL;
    } else if (a.host != NULL) {
        if (group_metric)
            ERR(ctx, line,
                "<threshold> attribute host does not apply to group.* metrics, which belong to "
                "groups; give group=\"...\" or no scope.");
        a.r.scope = MGR_RULE_HOST;
        a.r.scope_value = a.host;
        a.host = NULL;
    } else if (a.vm != NULL) {
        a.r.scope = MGR_RULE_VM;
        a.r.scope_value = a.vm;
        a.vm = NULL;
        if (group_metric)
            ERR(ctx, line,
                "<threshold> attribute vm does not apply to group.* metrics, which belong to "
                "groups; give group=\"...\" or no scope.");
        else if (a.r.metric != NULL && strncmp(a.r.metric, "vm.", 3) != 0)
            ERR(ctx, line, "<threshold> attribute vm applies to vm.* metrics only.");
    }
    if (!(seen & (SEEN(RULE_WARNING) | SEEN(RULE_CRITICAL)))
        && (a.r.metric == NULL || strcmp(a.r.metric, "host.up") != 0))
        ERR(ctx, line,
            "<threshold> needs warning, critical or both (only host.up has a default: critical "
            "when the host does not answer).");
    range_check(ctx, line, "warning", a.r.warning);
    range_check(ctx, line, "critical", a.r.critical);
    if (!(seen & SEEN(RULE_HYSTERESIS)))
        a.r.hysteresis = 0;
    else if ((good & SEEN(RULE_HYSTERESIS)) && a.r.hysteresis < 0)
        ERR(ctx, line, "<threshold> attribute hysteresis=\"%g\" is negative.", a.r.hysteresis);
    else if (good & SEEN(RULE_HYSTERESIS))
        hysteresis_check(ctx, line, &a.r);
    if (vs_conf_words_split(a.notify_warning != NULL ? a.notify_warning
                            : a.notify               ? a.notify
                                                     : "",
                            &a.r.notify_warning, &a.r.n_notify_warning)
            < 0
        || vs_conf_words_split(a.notify_critical != NULL ? a.notify_critical
                               : a.notify                ? a.notify
                                                         : "",
                               &a.r.notify_critical, &a.r.n_notify_critical)
               < 0)
        ERR(ctx, line, "Out of memory while reading <threshold>.");
    if (a.r.n_notify_warning + a.r.n_notify_critical == 0)
        ERR(ctx, line,
            "<threshold> has no notifier: give notify (both severities), notify-warning or "
            "notify-critical.");
    free(a.group);
    free(a.host);
    free(a.vm);
    free(a.notify);
    free(a.notify_warning);
    free(a.notify_critical);
    mgr_rule_cfg *r = realloc(cfg->rules, (cfg->n_rules + 1) * sizeof(*r));
    if (r == NULL) {
        ERR(ctx, line, "Out of memory while reading <threshold>.");
        rule_clear(&a.r);
        return;
    }
    cfg->rules = r;
    r[cfg->n_rules++] = a.r;
}

void mgr_config_rules_read(vs_conf_ctx *ctx, mgr_config *cfg, xmlNode *node)
{
    for (xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (vs_conf_node_is(c, "threshold"))
            rule_read(ctx, cfg, c);
        else
            ERR(ctx, vs_conf_node_line(c), "<%s> is not allowed inside <rules>.",
                (const char *)c->name);
    }
}

/* ---------------------------------------------------------------- across elements */

void mgr_config_alert_check(vs_conf_ctx *ctx, const mgr_config *cfg)
{
    vs_notify_cfg_check_unique(ctx, cfg->notifiers, cfg->n_notifiers);
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const mgr_rule_cfg *r = &cfg->rules[i];
        vs_notify_cfg_names_check(ctx, r->line, "threshold", cfg->notifiers, cfg->n_notifiers,
                                  r->notify_warning, r->n_notify_warning, NULL, 0);
        vs_notify_cfg_names_check(ctx, r->line, "threshold", cfg->notifiers, cfg->n_notifiers,
                                  r->notify_critical, r->n_notify_critical, r->notify_warning,
                                  r->n_notify_warning);
        for (size_t k = 0; r->name != NULL && k < i; k++) {
            if (cfg->rules[k].name != NULL && strcmp(cfg->rules[k].name, r->name) == 0)
                ERR(ctx, r->line,
                    "Threshold name \"%s\" is already used at line %d; threshold names must be "
                    "unique (alarm state is kept by name).",
                    r->name, cfg->rules[k].line);
        }
    }
}
