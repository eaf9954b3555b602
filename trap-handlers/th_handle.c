/* th_handle: one trap from snmptrapd's handler input to the spool and the log files. Cheap by
 * design, since snmptrapd waits for each handler: no Net-SNMP initialisation, no MIB, no
 * notifier objects; the spool is opened only when a route fires to a notifier. */
#include "config.h"

#include "th_handle.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "th_input.h"
#include "th_logfile.h"
#include "th_render.h"
#include "th_route.h"
#include "vs_log.h"
#include "vs_spool.h"

/* How a trap is named in log lines: its notification name, else its OID as given. */
static const char *trap_label(const vs_msg *m, const th_trap *t)
{
    if (m != NULL && m->metric != NULL)
        return m->metric;
    return t->trap_oid != NULL ? t->trap_oid : t->trap_name != NULL ? t->trap_name : "(no OID)";
}

/* The log target for a trap: its source address, else "-". */
static const char *trap_source(const th_trap *t)
{
    return t->src_addr != NULL ? t->src_addr : "-";
}

/* One line per kind of input that was refused. */
static size_t refusals_log(const th_trap *t)
{
    size_t kinds = 0;

    for (int k = 0; k < TH_REFUSED_KINDS; k++) {
        const th_refusal *r = &t->refused[k];
        if (r->count == 0)
            continue;
        kinds++;
        if (r->first_line > 0)
            VS_LOG(VS_LOG_WARNING, trap_source(t),
                   "Refused in the trap's input: %zu %s (first at input line %zu).", r->count,
                   th_refusal_describe((th_refusal_kind)k), r->first_line);
        else
            VS_LOG(VS_LOG_WARNING, trap_source(t), "Refused in the trap's input: %zu %s.", r->count,
                   th_refusal_describe((th_refusal_kind)k));
    }
    return kinds;
}

/* th_route_decide's lines, into our log. */
static void route_log(void *ctx, vs_log_level level, const char *line)
{
    (void)ctx;
    VS_LOG(level, NULL, "%s", line);
}

/* A message id no other handler process makes: the time in microseconds, our PID and a
 * counter, in hex. */
static char *msg_id_make(double now)
{
    static unsigned counter;
    char id[64];

    snprintf(id, sizeof(id), "%llx-%lx-%x", (unsigned long long)(now * 1e6), (long)getpid(),
             ++counter);
    return strdup(id);
}

/* Open the spool once, the first time a route needs it. NULL (logged) when it cannot be. */
static vs_spool *spool_get(const th_config *cfg, vs_spool **spool, int *tried)
{
    if (*tried)
        return *spool;
    *tried = 1;
    vs_spool_conf sc = { cfg->spool_dir,       cfg->dead_dir,      cfg->spool.retry_min,
                         cfg->spool.retry_max, cfg->spool.max_age, 0 };
    char err[256];
    if ((*spool = vs_spool_open(&sc, err, sizeof(err))) == NULL)
        VS_LOG(VS_LOG_ERR, NULL, "Cannot open the spool %s: %s.", cfg->spool_dir, err);
    return *spool;
}

/* Send m for route r: into the spool for each notifier, and the log-file line. */
static void route_fire(const th_config *cfg, const th_route *r, vs_msg *m, const th_trap *t,
                       double now, vs_spool **spool, int *tried, th_handle_result *res)
{
    char err[512];

    free(m->rule);
    free(m->msg_id);
    m->rule = strdup(r->name);
    m->msg_id = msg_id_make(now);
    if (m->rule == NULL || m->msg_id == NULL) {
        VS_LOG(VS_LOG_ERR, r->name, "Out of memory: trap %s from %s not routed.", trap_label(m, t),
               trap_source(t));
        res->lost += r->n_notify + (r->log_file != NULL);
        return;
    }
    for (size_t i = 0; i < r->n_notify; i++) {
        vs_spool *s = spool_get(cfg, spool, tried);
        if (s != NULL && vs_spool_put(s, r->notify[i], m, err, sizeof(err)) == 0) {
            res->spooled++;
            continue;
        }
        /* Not stored: the one case where a trap is lost, so say exactly which. */
        VS_LOG(VS_LOG_ERR, r->notify[i], "Cannot spool trap %s from %s (message %s, route %s): %s.",
               trap_label(m, t), trap_source(t), m->msg_id, r->name,
               s != NULL ? err : "the spool cannot be opened");
        res->lost++;
    }
    if (r->log_file != NULL) {
        if (th_logfile_write(r->log_file, m, now, err, sizeof(err)) == 0) {
            res->logged++;
        } else {
            VS_LOG(VS_LOG_ERR, r->name, "Cannot log trap %s from %s: %s.", trap_label(m, t),
                   trap_source(t), err);
            res->lost++;
        }
    }
    VS_LOG(VS_LOG_DEBUG, r->name, "Trap %s from %s: %zu notifiers%s (message %s).",
           trap_label(m, t), trap_source(t), r->n_notify, r->log_file != NULL ? ", log file" : "",
           m->msg_id);
}

/* Log what became of a route that matched without firing. */
static void hit_log(const th_route *r, th_route_outcome o, const vs_msg *m, const th_trap *t)
{
    if (o == TH_ROUTE_DROP)
        VS_LOG(VS_LOG_INFO, r->name, "Trap %s from %s dropped.", trap_label(m, t), trap_source(t));
    else if (o == TH_ROUTE_DEDUPED)
        VS_LOG(VS_LOG_INFO, r->name,
               "Trap %s from %s held back: the same trap from there was sent less than %g s "
               "ago.",
               trap_label(m, t), trap_source(t), r->dedupe);
    else if (o == TH_ROUTE_RATE_LIMITED)
        VS_LOG(VS_LOG_INFO, r->name, "Trap %s from %s held back: rate limit of %u in %g s reached.",
               trap_label(m, t), trap_source(t), r->rate_count, r->rate_period);
}

/* Decide over the routes (<default> is the last) and act on the plan. Returns 0, -1 when memory
 * is short. */
static int routes_apply(const th_config *cfg, const th_trap *t, vs_msg *m, double now,
                        vs_spool **spool, int *tried, th_handle_result *res)
{
    th_route_state_opts st = { cfg->state_file, 0, 0, route_log, NULL };
    th_route_plan plan;

    if (th_route_decide(cfg->routes, cfg->n_routes, t, now, &st, &plan) < 0)
        return -1;
    res->matched = plan.n_hits > 0;
    for (size_t i = 0; i < plan.n_hits; i++) {
        const th_route *r = &cfg->routes[plan.hits[i].route];
        if (plan.hits[i].outcome == TH_ROUTE_FIRE) {
            res->fired++;
            route_fire(cfg, r, m, t, now, spool, tried, res);
        } else {
            hit_log(r, plan.hits[i].outcome, m, t);
        }
    }
    th_route_plan_free(&plan);
    return 0;
}

void th_handle_dir_make(const char *dir)
{
    char path[4096];
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof(path))
        return;
    memcpy(path, dir, len + 1);
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0750);
        *p = '/';
    }
    mkdir(path, 0750);
}

int th_handle_fd(const th_config *cfg, int fd, double now, th_handle_result *res)
{
    th_trap *t = NULL;
    vs_msg *m = NULL;
    vs_spool *spool = NULL;
    int tried = 0, rc = -1;

    memset(res, 0, sizeof(*res));
    if (th_trap_read_fd(fd, cfg->input_flags, &t) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot read the trap from snmptrapd: %s.", strerror(errno));
        return -1;
    }
    res->refusals = refusals_log(t);
    if ((m = th_render(t, now)) == NULL)
        goto oom;
    if (cfg->state_dir != NULL && access(cfg->state_dir, F_OK) < 0)
        th_handle_dir_make(cfg->state_dir);
    if (routes_apply(cfg, t, m, now, &spool, &tried, res) < 0)
        goto oom;
    if (!res->matched)
        VS_LOG(VS_LOG_INFO, NULL, "Trap %s from %s matched no route: dropped.", trap_label(m, t),
               trap_source(t));
    rc = 0;
    goto done;
oom:
    VS_LOG(VS_LOG_ERR, NULL, "Out of memory: trap %s from %s not routed.", trap_label(m, t),
           trap_source(t));
done:
    vs_spool_close(spool);
    vs_msg_free(m);
    th_trap_free(t);
    return rc;
}

int th_handle_drop_privileges(const th_config *cfg)
{
    struct stat st;

    if (geteuid() != 0 || cfg->state_dir == NULL || stat(cfg->state_dir, &st) < 0 || st.st_uid == 0)
        return 0;
    gid_t gid = st.st_gid;
    if (setgroups(1, &gid) < 0 || setgid(st.st_gid) < 0 || setuid(st.st_uid) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot take on user %ld and group %ld, the owners of %s: %s.",
               (long)st.st_uid, (long)st.st_gid, cfg->state_dir, strerror(errno));
        return -1;
    }
    return 0;
}
