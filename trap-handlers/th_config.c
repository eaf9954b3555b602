/* th_config: virtsight-traphandle's configuration: the root element's options table, the walk
 * that builds one immutable struct from the validated document (the shared <notifiers> reader,
 * the routes in th_config_route.c), and the paths derived from the state directory. */
#include "config.h"

#include "th_config.h"
#include "th_config_int.h"
#include "th_input.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#define SEEN(i) VS_CONF_SEEN(i)
#define ERR VS_CONF_ERR
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* <virtsight-traphandle>: what only the loader needs besides the public struct. */
typedef struct {
    char *state_dir;
    char *pid_file;
    char *input;
    char *log_level;
} root_attrs;
enum { ROOT_STATE_DIR, ROOT_PID_FILE, ROOT_INPUT, ROOT_LOG_LEVEL };
static const char *const inputs[] = { "numeric", "default", NULL };
static const char *const levels[] = { "err", "warning", "notice", "info", "debug", NULL };
static const vs_conf_attr root_defs[] = {
    [ROOT_STATE_DIR] = VS_CONF_A_STR("state-dir", VS_CONF_PATH, root_attrs, state_dir, 0,
                                     "/var/lib/virtsight/traphandle"),
    [ROOT_PID_FILE] = VS_CONF_A_STR("pid-file", VS_CONF_PATH, root_attrs, pid_file, 0, NULL),
    [ROOT_INPUT] = VS_CONF_A_CHOICE("input", root_attrs, input, 0, inputs,
                                    " (numeric: snmptrapd runs with -n -On -Oe -Ot -Ox; default: "
                                    "its default formatting)"),
    [ROOT_LOG_LEVEL] = VS_CONF_A_CHOICE("log-level", root_attrs, log_level, 0, levels, NULL),
};
static const vs_conf_elem root_elem = VS_CONF_ELEM("virtsight-traphandle", root_defs);

/* One load in progress. */
typedef struct {
    vs_conf_ctx ctx;
    th_config *cfg;
    int notifiers_line;
    int routes_line;
} cfg_load;

/* dir "/" name as a new string, or NULL when memory is short. */
static char *path_join(const char *dir, const char *name)
{
    vs_buf b;

    vs_buf_init(&b, SIZE_MAX / 2);
    if (vs_buf_appendf(&b, "%s/%s", dir, name) < 0)
        return NULL;
    return vs_buf_steal(&b);
}

/* Whether c is the first of its kind (line kept in *at); reports a second one. */
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

/* The root's values into cfg, and the paths under the state directory. */
static void root_read(cfg_load *L, xmlNode *root)
{
    th_config *cfg = L->cfg;
    int line = vs_conf_node_line(root);
    root_attrs a;

    memset(&a, 0, sizeof(a));
    vs_conf_attrs_read(&L->ctx, root, &root_elem, &a, NULL);
    cfg->input_flags = a.input == NULL || strcmp(a.input, "numeric") == 0 ? TH_INPUT_HEX : 0;
    cfg->log_level = VS_LOG_INFO;
    if (a.log_level != NULL)
        vs_log_level_parse(a.log_level, &cfg->log_level);
    cfg->state_dir = a.state_dir;
    cfg->pid_file = a.pid_file;
    if (cfg->state_dir != NULL
        && ((cfg->pid_file == NULL
             && (cfg->pid_file = path_join(cfg->state_dir, "spool-runner.pid")) == NULL)
            || (cfg->spool_dir = path_join(cfg->state_dir, "spool")) == NULL
            || (cfg->dead_dir = path_join(cfg->state_dir, "dead")) == NULL
            || (cfg->state_file = path_join(cfg->state_dir, "traphandle.state")) == NULL))
        ERR(&L->ctx, line, "Out of memory while reading <virtsight-traphandle>.");
    free(a.input);
    free(a.log_level);
}

/* Build the config from the validated document's root element (a vs_conf_loader's read). */
static void config_read(void *arg, xmlNode *root)
{
    cfg_load *L = arg;

    vs_notify_spool_defaults(&L->cfg->spool);
    root_read(L, root);
    for (xmlNode *c = root->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (vs_conf_node_is(c, "notifiers")) {
            if (top_once(L, c, &L->notifiers_line))
                vs_notify_cfg_read(&L->ctx, c, &L->cfg->spool, &L->cfg->notifiers,
                                   &L->cfg->n_notifiers);
        } else if (vs_conf_node_is(c, "routes")) {
            if (top_once(L, c, &L->routes_line))
                th_config_routes_read(&L->ctx, L->cfg, c);
        } else {
            ERR(&L->ctx, vs_conf_node_line(c), "<%s> is not allowed inside <%s>.",
                (const char *)c->name, (const char *)root->name);
        }
    }
    th_config_routes_check(&L->ctx, L->cfg);
}

int th_config_load(const char *path, th_config **out, vs_buf *errors)
{
    static const vs_conf_elem *const own_elems[] = { &root_elem };
    vs_conf_loader ld = { .schema = th_schema_rng,
                          .schema_len = th_schema_rng_len,
                          .elems = { { own_elems, 1 },
                                     { vs_notify_elems, vs_notify_n_elems },
                                     { th_config_route_elems, th_config_route_n_elems } },
                          .read = config_read };
    cfg_load L;

    memset(&L, 0, sizeof(L));
    L.cfg = calloc(1, sizeof(*L.cfg));
    int no_memory = L.cfg == NULL || (L.cfg->file = strdup(path)) == NULL;
    if (vs_conf_load(&L.ctx, path, errors, &ld, no_memory, &L) > 0) {
        th_config_free(L.cfg);
        return -1;
    }
    *out = L.cfg;
    return 0;
}

void th_config_free(th_config *cfg)
{
    if (cfg == NULL)
        return;
    th_routes_free(cfg->routes, cfg->n_routes);
    free(cfg->route_lines);
    vs_notify_cfg_list_free(cfg->notifiers, cfg->n_notifiers);
    free(cfg->file);
    free(cfg->state_dir);
    free(cfg->pid_file);
    free(cfg->spool_dir);
    free(cfg->dead_dir);
    free(cfg->state_file);
    free(cfg);
}

size_t th_config_n_main_routes(const th_config *cfg)
{
    return cfg->n_routes - (cfg->default_route ? 1 : 0);
}

int th_config_has_trap_notifier(const th_config *cfg)
{
    for (size_t i = 0; i < cfg->n_notifiers; i++) {
        if (cfg->notifiers[i].kind == VS_NOTIFY_TRAP)
            return 1;
    }
    return 0;
}
