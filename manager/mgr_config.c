/* mgr_config: virtsight-manager's configuration: the options tables (every element and attribute
 * with its default), the walk that builds one immutable struct from the validated document, and
 * the checks that span attributes (SNMP versions, ranges tied to the interval, unique names). */
#include "config.h"

#include "mgr_config.h"
#include "mgr_config_int.h"
#include "mgr_schema.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#define USM_USER_LEN_MAX 32 /* SNMPv3 security names (RFC 3414) */
#define SHOW_BUF VS_CONF_SHOW_BUF
#define SEEN(i) VS_CONF_SEEN(i)

/* <virtsight-manager> */
enum {
    ROOT_INTERVAL,
    ROOT_SPREAD,
    ROOT_STATE_DIR,
    ROOT_RRD_DIR,
    ROOT_STATUS_FILE,
    ROOT_PID_FILE,
    ROOT_MAX_INFLIGHT,
    ROOT_LIBVIRT_WORKERS
};
static const vs_conf_attr root_defs[] = {
    [ROOT_INTERVAL] = VS_CONF_A_INT("interval", mgr_config, interval, "60", 1, 86400, "seconds"),
    [ROOT_SPREAD] = VS_CONF_A_SEC("spread", mgr_config, spread),
    [ROOT_STATE_DIR] =
        VS_CONF_A_STR("state-dir", VS_CONF_PATH, mgr_config, state_dir, 0, "/var/lib/virtsight"),
    [ROOT_RRD_DIR] = VS_CONF_A_STR("rrd-dir", VS_CONF_PATH, mgr_config, rrd_dir, 0, NULL),
    [ROOT_STATUS_FILE] =
        VS_CONF_A_STR("status-file", VS_CONF_PATH, mgr_config, status_file, 0, NULL),
    [ROOT_PID_FILE] = VS_CONF_A_STR("pid-file", VS_CONF_PATH, mgr_config, pid_file, 0,
                                    "/run/virtsight-manager.pid"),
    [ROOT_MAX_INFLIGHT] =
        VS_CONF_A_INT("max-inflight", mgr_config, max_inflight, "100", 1, 10000, NULL),
    [ROOT_LIBVIRT_WORKERS] =
        VS_CONF_A_INT("libvirt-workers", mgr_config, libvirt_workers, "4", 1, 64, NULL),
};
static const vs_conf_elem root_elem = VS_CONF_ELEM("virtsight-manager", root_defs);

/* <rrdcached>: its values go into the config itself. */
static const vs_conf_attr rrdcached_defs[] = {
    VS_CONF_A_STR("address", VS_CONF_TOKEN, mgr_config, rrdcached, 1, NULL),
    VS_CONF_A_INT("retry", mgr_config, rrdcached_retry, "300", 0, 86400, "seconds"),
};
static const vs_conf_elem rrdcached_elem = VS_CONF_ELEM("rrdcached", rrdcached_defs);

/* <group> */
typedef struct {
    char *name;
} group_attrs;
static const vs_conf_attr group_defs[] = {
    VS_CONF_A_STR("name", VS_CONF_NAME, group_attrs, name, 1, NULL),
};
static const vs_conf_elem group_elem = VS_CONF_ELEM("group", group_defs);

/* <host> */
enum { HOST_NAME, HOST_DEADLINE };
static const vs_conf_attr host_defs[] = {
    [HOST_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, mgr_host_cfg, name, 1, NULL),
    [HOST_DEADLINE] = VS_CONF_A_SEC("deadline", mgr_host_cfg, deadline_s),
};
static const vs_conf_elem host_elem = VS_CONF_ELEM("host", host_defs);

/* <snmp>: the public struct plus what only the loader needs. */
typedef struct {
    mgr_snmp_src src;
    char *version;
    char *community_file;
    char *secret_file;
} snmp_attrs;
enum {
    SNMP_ADDRESS,
    SNMP_VERSION,
    SNMP_COMMUNITY_FILE,
    SNMP_USER,
    SNMP_AUTH,
    SNMP_PRIV,
    SNMP_SECRET_FILE,
    SNMP_CONTEXT,
    SNMP_TIMEOUT,
    SNMP_RETRIES,
    SNMP_MAX_REPETITIONS,
    SNMP_BULK
};
static const char *const snmp_versions[] = { "1", "2c", "3", NULL };
static const char *const snmp_auths[] = { "SHA-256", "SHA-384", "SHA-512", NULL };
static const char *const snmp_privs[] = { "AES", "AES-192", "AES-256", NULL };
static const vs_conf_attr snmp_defs[] = {
    [SNMP_ADDRESS] = VS_CONF_A_STR("address", VS_CONF_TOKEN, snmp_attrs, src.address, 1, NULL),
    [SNMP_VERSION] = VS_CONF_A_CHOICE("version", snmp_attrs, version, 1, snmp_versions, NULL),
    [SNMP_COMMUNITY_FILE] =
        VS_CONF_A_STR("community-file", VS_CONF_TEXT, snmp_attrs, community_file, 0, NULL),
    [SNMP_USER] = VS_CONF_A_STR("user", VS_CONF_TEXT, snmp_attrs, src.user, 0, NULL),
    [SNMP_AUTH] = VS_CONF_A_CHOICE("auth", snmp_attrs, src.auth_proto, 0, snmp_auths,
                                   " (MD5 and SHA-1 are refused as too weak)"),
    [SNMP_PRIV] = VS_CONF_A_CHOICE("priv", snmp_attrs, src.priv_proto, 0, snmp_privs,
                                   " (DES is refused as too weak; AES means AES-128)"),
    [SNMP_SECRET_FILE] =
        VS_CONF_A_STR("secret-file", VS_CONF_TEXT, snmp_attrs, secret_file, 0, NULL),
    [SNMP_CONTEXT] = VS_CONF_A_STR("context", VS_CONF_TEXT, snmp_attrs, src.context, 0, NULL),
    [SNMP_TIMEOUT] =
        VS_CONF_A_INT("timeout", snmp_attrs, src.timeout_ms, "1000", 1, 600000, "milliseconds"),
    [SNMP_RETRIES] = VS_CONF_A_INT("retries", snmp_attrs, src.retries, "1", 0, 20, NULL),
    [SNMP_MAX_REPETITIONS] =
        VS_CONF_A_INT("max-repetitions", snmp_attrs, src.max_repetitions, "25", 1, 1000, NULL),
    [SNMP_BULK] = VS_CONF_A_STR("bulk", VS_CONF_YESNO, snmp_attrs, src.bulk, 0, "yes"),
};
static const vs_conf_elem snmp_elem = VS_CONF_ELEM("snmp", snmp_defs);

/* <libvirt> */
static const vs_conf_attr libvirt_defs[] = {
    VS_CONF_A_STR("uri", VS_CONF_URI, mgr_libvirt_src, uri, 1, NULL),
    VS_CONF_A_INT("timeout", mgr_libvirt_src, timeout_ms, "10000", 1, 3600000, "milliseconds"),
    VS_CONF_A_INT("keepalive-interval", mgr_libvirt_src, keepalive_interval, "5", 0, 3600,
                  "seconds"),
    VS_CONF_A_INT("keepalive-count", mgr_libvirt_src, keepalive_count, "3", 0, 100, NULL),
};
static const vs_conf_elem libvirt_elem = VS_CONF_ELEM("libvirt", libvirt_defs);

static const vs_conf_elem *const all_elems[] = { &root_elem, &rrdcached_elem, &group_elem,
                                                 &host_elem, &snmp_elem,      &libvirt_elem };

/* One load in progress. */
typedef struct {
    vs_conf_ctx ctx;
    mgr_config *cfg;
    size_t hosts_cap;
    int rrdcached_line; /* where <rrdcached> was, 0 if not yet */
    int notifiers_line; /* ... <notifiers> */
    int rules_line;     /* ... <rules> */
} cfg_load;

#define ERR VS_CONF_ERR

/* Join a group path and a name with "/" into a new string, or NULL when memory is short. */
static char *path_join(const char *path, const char *name)
{
    vs_buf b;

    vs_buf_init(&b, SIZE_MAX / 2);
    if (vs_buf_appendf(&b, "%s%s%s", path, path[0] != '\0' ? "/" : "", name) < 0)
        return NULL;
    return vs_buf_steal(&b);
}

/* Free what an SNMP source holds, wiping the secrets; not s itself. */
static void snmp_src_clear(mgr_snmp_src *s)
{
    free(s->address);
    vs_conf_secret_free(s->community);
    free(s->user);
    free(s->auth_proto);
    free(s->priv_proto);
    vs_conf_secret_free(s->auth_pass);
    vs_conf_secret_free(s->priv_pass);
    free(s->context);
}

static void libvirt_src_free(mgr_libvirt_src *l)
{
    if (l == NULL)
        return;
    free(l->uri);
    free(l->uri_safe);
    free(l);
}

/* Check which attributes a v3 <snmp> has: authPriv needs user, auth, priv and secret-file. */
static void snmp_v3_check(vs_conf_ctx *ctx, int line, const snmp_attrs *a, unsigned seen)
{
    static const struct {
        int attr;
        const char *what;
    } need[] = {
        { SNMP_USER, "the USM user name" },
        { SNMP_AUTH, "SHA-256, SHA-384 or SHA-512" },
        { SNMP_PRIV, "AES, AES-192 or AES-256" },
        { SNMP_SECRET_FILE, "the file holding the auth and priv passphrases" },
    };

    if (seen & SEEN(SNMP_COMMUNITY_FILE))
        ERR(ctx, line,
            "<snmp> attribute community-file is for versions 1 and 2c; version=\"3\" "
            "takes user, auth, priv and secret-file.");
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        if (!(seen & SEEN(need[i].attr)))
            ERR(ctx, line,
                "<snmp> version=\"3\" needs attribute %s (%s); virtsight uses authPriv "
                "only.",
                snmp_defs[need[i].attr].attr, need[i].what);
    }
    if (a->src.user != NULL && strlen(a->src.user) > USM_USER_LEN_MAX)
        ERR(ctx, line,
            "<snmp> attribute user is longer than %d characters, the most SNMPv3 allows.",
            USM_USER_LEN_MAX);
}

/* Check which attributes the <snmp> has for its version, and set the version. */
static void snmp_version_check(vs_conf_ctx *ctx, int line, snmp_attrs *a, unsigned seen)
{
    static const int v3_only[] = { SNMP_USER, SNMP_AUTH, SNMP_PRIV, SNMP_SECRET_FILE,
                                   SNMP_CONTEXT };

    if (a->version == NULL)
        return; /* missing or bad: already reported */
    a->src.version = strcmp(a->version, "1") == 0    ? MGR_SNMP_V1
                     : strcmp(a->version, "2c") == 0 ? MGR_SNMP_V2C
                                                     : MGR_SNMP_V3;
    if (a->src.version == MGR_SNMP_V3) {
        snmp_v3_check(ctx, line, a, seen);
        return;
    }
    if (!(seen & SEEN(SNMP_COMMUNITY_FILE)))
        ERR(ctx, line,
            "<snmp> version=\"%s\" needs attribute community-file, the file holding the "
            "community.",
            a->version);
    for (size_t i = 0; i < sizeof(v3_only) / sizeof(v3_only[0]); i++) {
        if (seen & SEEN(v3_only[i]))
            ERR(ctx, line,
                "<snmp> attribute %s is for version 3 only; version=\"%s\" uses "
                "community-file.",
                snmp_defs[v3_only[i]].attr, a->version);
    }
    if (a->src.version == MGR_SNMP_V1) {
        if ((seen & SEEN(SNMP_BULK)) && a->src.bulk)
            ERR(ctx, line,
                "<snmp> attribute bulk=\"yes\" needs version 2c or 3; SNMPv1 has no "
                "GETBULK.");
        a->src.bulk = 0;
    }
}

/* Read an <snmp> element, its secrets included. Returns the source (NULL when memory is short);
 * problems are reported. */
static mgr_snmp_src *snmp_read(vs_conf_ctx *ctx, xmlNode *node)
{
    snmp_attrs a;
    int line = vs_conf_node_line(node);
    int before = ctx->n_errors;

    memset(&a, 0, sizeof(a));
    unsigned seen = vs_conf_attrs_read(ctx, node, &snmp_elem, &a, NULL);
    snmp_version_check(ctx, line, &a, seen);
    if (ctx->n_errors == before && a.src.version == MGR_SNMP_V3)
        vs_conf_secret_usm(ctx, line, "snmp", a.secret_file, &a.src.auth_pass, &a.src.priv_pass);
    else if (ctx->n_errors == before)
        vs_conf_secret_line(ctx, line, "snmp", "community-file", "community", a.community_file,
                            &a.src.community);
    free(a.version);
    free(a.community_file);
    free(a.secret_file);
    mgr_snmp_src *src = malloc(sizeof(*src));
    if (src == NULL) {
        ERR(ctx, line, "Out of memory while reading <snmp>.");
        snmp_src_clear(&a.src);
        return NULL;
    }
    *src = a.src;
    return src;
}

/* Read a <libvirt> element. Returns the source (NULL when memory is short). */
static mgr_libvirt_src *libvirt_read(vs_conf_ctx *ctx, xmlNode *node)
{
    mgr_libvirt_src *l = calloc(1, sizeof(*l));

    if (l == NULL) {
        ERR(ctx, vs_conf_node_line(node), "Out of memory while reading <libvirt>.");
        return NULL;
    }
    vs_conf_attrs_read(ctx, node, &libvirt_elem, l, NULL);
    if (l->uri != NULL && (l->uri_safe = mgr_config_uri_safe(l->uri)) == NULL)
        ERR(ctx, vs_conf_node_line(node), "Out of memory while reading <libvirt>.");
    return l;
}

/* A new zeroed host at the end of the config's list, or NULL (reported) when memory is short. */
static mgr_host_cfg *host_add(cfg_load *L, int line)
{
    mgr_config *cfg = L->cfg;

    if (cfg->n_hosts == L->hosts_cap) {
        size_t cap = L->hosts_cap != 0 ? L->hosts_cap * 2 : 16;
        mgr_host_cfg *h =
            cap < SIZE_MAX / sizeof(*h) ? realloc(cfg->hosts, cap * sizeof(*h)) : NULL;
        if (h == NULL) {
            ERR(&L->ctx, line, "Out of memory while reading <host>.");
            return NULL;
        }
        cfg->hosts = h;
        L->hosts_cap = cap;
    }
    mgr_host_cfg *h = &cfg->hosts[cfg->n_hosts++];
    memset(h, 0, sizeof(*h));
    h->line = line;
    return h;
}

/* Read a host's <snmp> and <libvirt>: at most one of each, at least one of them. */
static void host_sources_read(vs_conf_ctx *ctx, mgr_host_cfg *h, xmlNode *node)
{
    char shown[SHOW_BUF];
    const char *name = vs_conf_show(h->name != NULL ? h->name : "", shown, sizeof(shown));

    for (xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int dup = vs_conf_node_is(c, "snmp") ? h->snmp != NULL
                                             : vs_conf_node_is(c, "libvirt") && h->libvirt;
        if (dup)
            ERR(ctx, vs_conf_node_line(c),
                "<host name=\"%s\"> has a second <%s>; a host has at most one.", name,
                (const char *)c->name);
        else if (vs_conf_node_is(c, "snmp"))
            h->snmp = snmp_read(ctx, c);
        else if (vs_conf_node_is(c, "libvirt"))
            h->libvirt = libvirt_read(ctx, c);
        else
            ERR(ctx, vs_conf_node_line(c), "<%s> is not allowed inside <host>.",
                (const char *)c->name);
    }
    if (h->snmp == NULL && h->libvirt == NULL)
        ERR(ctx, h->line,
            "<host name=\"%s\"> has neither <snmp> nor <libvirt>; give it at least one of them.",
            name);
}

/* Read a <host> in the group at path. */
static void host_read(cfg_load *L, xmlNode *node, const char *path)
{
    int line = vs_conf_node_line(node);
    mgr_host_cfg *h = host_add(L, line);
    int interval = L->cfg->interval;

    if (h == NULL)
        return;
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(&L->ctx, node, &host_elem, h, &good);
    if ((h->group_path = strdup(path)) == NULL)
        ERR(&L->ctx, line, "Out of memory while reading <host>.");
    if (!(seen & SEEN(HOST_DEADLINE)))
        h->deadline_s = interval / 2.0;
    else if ((good & SEEN(HOST_DEADLINE)) && (h->deadline_s <= 0 || h->deadline_s > interval))
        ERR(&L->ctx, line,
            "<host> attribute deadline=\"%g\" is out of range; it must be more than 0 and at most "
            "the interval (%d seconds).",
            h->deadline_s, interval);
    host_sources_read(&L->ctx, h, node);
}

static void members_read(cfg_load *L, xmlNode *node, const char *path);

/* Read a <group> in the group at path, and everything in it. */
static void group_read(cfg_load *L, xmlNode *node, const char *path)
{
    group_attrs g = { NULL };

    vs_conf_attrs_read(&L->ctx, node, &group_elem, &g, NULL);
    char *sub = path_join(path, g.name != NULL ? g.name : "?");
    if (sub == NULL)
        ERR(&L->ctx, vs_conf_node_line(node), "Out of memory while reading <group>.");
    else
        members_read(L, node, sub);
    free(sub);
    free(g.name);
}

/* Read the <rrdcached> element (at most one). */
static void rrdcached_read(cfg_load *L, xmlNode *node)
{
    int line = vs_conf_node_line(node);

    if (L->rrdcached_line != 0) {
        ERR(&L->ctx, line, "A second <rrdcached> (the first is at line %d); give at most one.",
            L->rrdcached_line);
        return;
    }
    L->rrdcached_line = line;
    vs_conf_attrs_read(&L->ctx, node, &rrdcached_elem, L->cfg, NULL);
}

/* Whether c is the first of its kind at the top (line kept in *at); reports a second one. */
static int top_once(cfg_load *L, xmlNode *c, int *at)
{
    int line = vs_conf_node_line(c);
    if (*at != 0) {
        ERR(&L->ctx, line, "A second <%s> (the first is at line %d); give at most one.",
            (const char *)c->name, *at);
        return 0;
    }
    *at = line;
    return 1;
}

/* Read the groups and hosts among node's children (and at the top <rrdcached>, <notifiers>
 * and <rules>). */
static void members_read(cfg_load *L, xmlNode *node, const char *path)
{
    int top = node->parent->type == XML_DOCUMENT_NODE;
    for (xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (vs_conf_node_is(c, "group"))
            group_read(L, c, path);
        else if (vs_conf_node_is(c, "host"))
            host_read(L, c, path);
        else if (vs_conf_node_is(c, "rrdcached") && top)
            rrdcached_read(L, c);
        else if (vs_conf_node_is(c, "notifiers") && top) {
            if (top_once(L, c, &L->notifiers_line))
                mgr_config_notifiers_read(&L->ctx, L->cfg, c);
        } else if (vs_conf_node_is(c, "rules") && top) {
            if (top_once(L, c, &L->rules_line))
                mgr_config_rules_read(&L->ctx, L->cfg, c);
        } else
            ERR(&L->ctx, vs_conf_node_line(c), "<%s> is not allowed inside <%s>.",
                (const char *)c->name, (const char *)node->name);
    }
}

/* Fill in the root's computed defaults (spread, rrd-dir, status-file) and check spread. */
static void root_derive(cfg_load *L, int line, unsigned seen, unsigned good)
{
    mgr_config *cfg = L->cfg;

    if (!(seen & SEEN(ROOT_SPREAD)))
        cfg->spread = cfg->interval / 4.0;
    else if ((good & SEEN(ROOT_SPREAD)) && (cfg->spread < 0 || cfg->spread > cfg->interval))
        ERR(&L->ctx, line,
            "<virtsight-manager> attribute spread=\"%g\" is out of range; it must be from 0 to "
            "the interval (%d seconds).",
            cfg->spread, cfg->interval);
    if (cfg->state_dir == NULL)
        return; /* bad: reported */
    if (!(seen & SEEN(ROOT_RRD_DIR)) && (cfg->rrd_dir = path_join(cfg->state_dir, "rrd")) == NULL)
        ERR(&L->ctx, line, "Out of memory while reading <virtsight-manager>.");
    if (!(seen & SEEN(ROOT_STATUS_FILE))
        && (cfg->status_file = path_join(cfg->state_dir, "status.json")) == NULL)
        ERR(&L->ctx, line, "Out of memory while reading <virtsight-manager>.");
}

/* Order hosts by name, then by line. */
static int host_order(const void *a, const void *b)
{
    const mgr_host_cfg *x = *(const mgr_host_cfg *const *)a;
    const mgr_host_cfg *y = *(const mgr_host_cfg *const *)b;
    int c = strcmp(x->name, y->name);

    return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* Report each host whose name an earlier host already has. */
static void hosts_check_unique(cfg_load *L)
{
    const mgr_config *cfg = L->cfg;
    const mgr_host_cfg **by_name = calloc(cfg->n_hosts + 1, sizeof(*by_name));
    size_t n = 0;

    if (by_name == NULL) {
        ERR(&L->ctx, 0, "Out of memory while checking host names.");
        return;
    }
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        if (cfg->hosts[i].name != NULL)
            by_name[n++] = &cfg->hosts[i];
    }
    qsort(by_name, n, sizeof(*by_name), host_order);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(by_name[i]->name, by_name[first]->name) != 0) {
            first = i;
            continue;
        }
        ERR(&L->ctx, by_name[i]->line,
            "Host name \"%s\" is already used at line %d; host names must be unique across the "
            "file.",
            by_name[i]->name, by_name[first]->line);
    }
    free(by_name);
}

/* Build the config from the validated document's root element (a vs_conf_loader's read). */
static void config_read(void *arg, xmlNode *root)
{
    cfg_load *L = arg;
    int line = vs_conf_node_line(root);

    vs_conf_attrs_default(&L->ctx, line, &rrdcached_elem, L->cfg);
    mgr_config_spool_defaults(L->cfg);
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(&L->ctx, root, &root_elem, L->cfg, &good);
    root_derive(L, line, seen, good);
    members_read(L, root, "");
    hosts_check_unique(L);
    mgr_config_alert_check(&L->ctx, L->cfg);
}

int mgr_config_load(const char *path, mgr_config **out, vs_buf *errors)
{
    vs_conf_loader ld = { .schema = mgr_schema_rng,
                          .schema_len = mgr_schema_rng_len,
                          .elems = { { all_elems, sizeof(all_elems) / sizeof(all_elems[0]) },
                                     { vs_notify_elems, vs_notify_n_elems },
                                     { mgr_config_alert_elems, mgr_config_alert_n_elems } },
                          .uri_redact = mgr_config_uri_safe,
                          .read = config_read };
    cfg_load L;

    memset(&L, 0, sizeof(L));
    L.cfg = calloc(1, sizeof(*L.cfg));
    int no_memory = L.cfg == NULL || (L.cfg->file = strdup(path)) == NULL;
    if (vs_conf_load(&L.ctx, path, errors, &ld, no_memory, &L) > 0) {
        mgr_config_free(L.cfg);
        return -1;
    }
    *out = L.cfg;
    return 0;
}

void mgr_config_free(mgr_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        mgr_host_cfg *h = &cfg->hosts[i];
        free(h->name);
        free(h->group_path);
        if (h->snmp != NULL)
            snmp_src_clear(h->snmp);
        free(h->snmp);
        libvirt_src_free(h->libvirt);
    }
    free(cfg->hosts);
    mgr_config_alert_free(cfg);
    free(cfg->file);
    free(cfg->state_dir);
    free(cfg->rrd_dir);
    free(cfg->status_file);
    free(cfg->pid_file);
    free(cfg->rrdcached);
    free(cfg);
}

const mgr_host_cfg *mgr_config_host(const mgr_config *cfg, const char *name)
{
    for (size_t i = 0; cfg != NULL && name != NULL && i < cfg->n_hosts; i++) {
        if (cfg->hosts[i].name != NULL && strcmp(cfg->hosts[i].name, name) == 0)
            return &cfg->hosts[i];
    }
    return NULL;
}