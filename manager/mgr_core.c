/* mgr_core: the manager's cycle: schedule, poll, merge, store, report. */
#include <config.h>

#include "mgr_core.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mgr_alert.h"
#include "mgr_host.h"
#include "mgr_lv.h"
#include "mgr_rrd.h"
#include "mgr_shard.h"
#include "mgr_snmp.h"
#include "mgr_status.h"
#include "vs_log.h"

#define ONCE_DRAIN_S 30 /* --once: longest wait for the cycle's alert messages to go out */
/* A host whose start is due within START_AHEAD seconds starts with those due now: the loop
 * wakes once for a handful of polls, not once per host (1,000 hosts over 15 s would be 67
 * wake-ups a second), and no poll starts more than this before its place in the spread. */
#define START_AHEAD 0.1

struct mgr_core {
    mgr_core_opts opts;
    char shard[32];
    mgr_config *cfg;
    mgr_config *next_cfg; /* validated after SIGHUP; applied when no cycle runs */
    mgr_host *hosts;      /* the hosts of this shard, in file order */
    size_t n_hosts;
    size_t *order;      /* host indexes by ascending offset */
    mgr_host **by_name; /* hosts sorted by name, for results */
    mgr_snmp *snmp;
    mgr_lv *lv;
    mgr_rrd *rrd;
    mgr_alert *alert; /* NULL when the configuration has no rules and no notifiers */
    struct pollfd *fds;
    size_t cap_fds;
    /* the cycle */
    unsigned long cycle;
    int active;
    double cycle_mono; /* when it started */
    double cycle_wall;
    long rrd_time;     /* the timestamp its samples get: a multiple of the interval */
    size_t next_start; /* position in order of the next host to start */
    unsigned outstanding;
    double max_lag;
    double next_mono; /* when the next cycle starts */
    double next_wall; /* ... on the wall clock (0 before the first) */
    mgr_cycle_info info;
    int any_failed;
    vs_complaint status_complaint;
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int mgr_core_host_selected(const mgr_core_opts *opts, const char *name)
{
    return opts->shard_count <= 1 || mgr_shard_of(name, opts->shard_count) == opts->shard_index;
}

/* mkdir -p path (mode 0750 for what it creates). Returns 0 or -1 (errno set). */
static int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0750) < 0 && errno != EEXIST)
            return -1;
        buf[i] = c;
    }
    return 0;
}

static int by_name_cmp(const void *a, const void *b)
{
    const mgr_host *x = *(mgr_host *const *)a, *y = *(mgr_host *const *)b;
    return strcmp(x->cfg->name, y->cfg->name);
}

static mgr_host *host_find(mgr_core *c, const char *name)
{
    size_t lo = 0, hi = c->n_hosts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(name, c->by_name[mid]->cfg->name);
        if (d == 0)
            return c->by_name[mid];
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static void host_clear_cycle(mgr_host *h)
{
    for (int s = 0; s < 2; s++) {
        mgr_result_free(h->got[s]);
        h->got[s] = NULL;
    }
}

static void host_free(mgr_host *h)
{
    host_clear_cycle(h);
    mgr_result_free(h->last);
    for (int s = 0; s < 2; s++)
        free(h->src[s].error);
}

static void hosts_free(mgr_host *hosts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        host_free(&hosts[i]);
    free(hosts);
}

/* The offset of a host in each cycle: a stable fraction of the spread, from its name. */
static double host_offset(const char *name, double spread)
{
    uint64_t h = mgr_shard_hash(name);
    return spread * (double)((h >> 11) % 1000000) / 1000000.0;
}

static int offset_cmp(const void *a, const void *b, void *arg)
{
    const mgr_host *hosts = arg;
    double x = hosts[*(const size_t *)a].offset, y = hosts[*(const size_t *)b].offset;
    return (x > y) - (x < y);
}

/* Take over what the old host of the same name knew (last results, counts, a poll still
 * outstanding) so that a reload loses nothing. */
static void host_carry(mgr_host *h, mgr_host *old)
{
    h->last = old->last;
    old->last = NULL;
    memcpy(h->src, old->src, sizeof(h->src));
    memset(old->src, 0, sizeof(old->src));
    memcpy(h->busy, old->busy, sizeof(h->busy));
    memcpy(h->busy_cycle, old->busy_cycle, sizeof(h->busy_cycle));
    h->last_poll = old->last_poll;
    h->last_duration = old->last_duration;
    h->last_samples = old->last_samples;
    h->samples = old->samples;
    h->polls = old->polls;
    h->failures = old->failures;
    h->cycle = old->cycle;
    h->finished = 1;
}

/* Build the host list of cfg for this shard, taking over the state of c's current hosts.
 * Returns 0 or -1 when memory is short (logged); c is unchanged on failure. */
static int hosts_build(mgr_core *c, const mgr_config *cfg, double spread)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_hosts; i++)
        n += mgr_core_host_selected(&c->opts, cfg->hosts[i].name);
    mgr_host *hosts = calloc(n ? n : 1, sizeof(*hosts));
    size_t *order = calloc(n ? n : 1, sizeof(*order));
    mgr_host **by_name = calloc(n ? n : 1, sizeof(*by_name));
    if (!hosts || !order || !by_name) {
        free(hosts);
        free(order);
        free(by_name);
        VS_LOG(VS_LOG_ERR, NULL, "Out of memory for %zu hosts.", n);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        const mgr_host_cfg *hc = &cfg->hosts[i];
        if (!mgr_core_host_selected(&c->opts, hc->name))
            continue;
        mgr_host *h = &hosts[k];
        h->cfg = hc;
        h->offset = host_offset(hc->name, spread);
        h->want = (hc->snmp ? 1u << MGR_SRC_SNMP : 0) | (hc->libvirt ? 1u << MGR_SRC_LIBVIRT : 0);
        h->finished = 1;
        mgr_host *old = c->by_name ? host_find(c, hc->name) : NULL;
        if (old)
            host_carry(h, old);
        order[k] = k;
        by_name[k] = h;
        k++;
    }
    qsort_r(order, n, sizeof(*order), offset_cmp, hosts);
    qsort(by_name, n, sizeof(*by_name), by_name_cmp);
    hosts_free(c->hosts, c->n_hosts);
    free(c->order);
    free(c->by_name);
    c->hosts = hosts;
    c->n_hosts = n;
    c->order = order;
    c->by_name = by_name;
    return 0;
}

/* (Re)create the pollers and the RRD writer where cfg differs from what runs. */
static int engines_setup(mgr_core *c, const mgr_config *old, const mgr_config *cfg);

static int dirs_make(const mgr_config *cfg)
{
    if (make_dirs(cfg->state_dir) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot create the state directory %s: %s.", cfg->state_dir,
               strerror(errno));
        return -1;
    }
    if (!cfg->rrdcached && make_dirs(cfg->rrd_dir) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot create the RRD directory %s: %s.", cfg->rrd_dir,
               strerror(errno));
        return -1;
    }
    return 0;
}

static double cycle_spread(const mgr_core *c, const mgr_config *cfg)
{
    return c->opts.once ? 0.0 : cfg->spread;
}

static int alert_setup(mgr_core *c, const mgr_config *cfg);

mgr_core *mgr_core_new(mgr_config *cfg, const mgr_core_opts *opts)
{
    mgr_core *c = calloc(1, sizeof(*c));
    if (!c) {
        mgr_config_free(cfg);
        return NULL;
    }
    c->opts = *opts;
    c->cfg = cfg;
    if (opts->shard_count > 1)
        snprintf(c->shard, sizeof(c->shard), "%u/%u", opts->shard_index, opts->shard_count);
    if (dirs_make(cfg) < 0 || hosts_build(c, cfg, cycle_spread(c, cfg)) < 0
        || engines_setup(c, NULL, cfg) < 0 || alert_setup(c, cfg) < 0) {
        mgr_core_free(c);
        return NULL;
    }
    return c;
}

static void on_snmp_result(mgr_result *r, void *ctx);

static int str_differs(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* Forget the outstanding polls of a source whose poller was replaced. */
static void hosts_forget_busy(mgr_core *c, mgr_source s)
{
    for (size_t i = 0; i < c->n_hosts; i++)
        c->hosts[i].busy[s] = 0;
}

static int engines_setup(mgr_core *c, const mgr_config *old, const mgr_config *cfg)
{
    if (!old || old->max_inflight != cfg->max_inflight) {
        mgr_snmp_free(c->snmp);
        hosts_forget_busy(c, MGR_SRC_SNMP);
        c->snmp = mgr_snmp_new(cfg->max_inflight, on_snmp_result, c);
    } else {
        mgr_snmp_retain(c->snmp, cfg);
    }
    if (!old || old->libvirt_workers != cfg->libvirt_workers) {
        mgr_lv_free(c->lv);
        hosts_forget_busy(c, MGR_SRC_LIBVIRT);
        c->lv = mgr_lv_new(cfg->libvirt_workers);
    } else {
        mgr_lv_retain(c->lv, cfg);
    }
    if (!old || old->interval != cfg->interval || strcmp(old->rrd_dir, cfg->rrd_dir) != 0
        || str_differs(old->rrdcached, cfg->rrdcached)
        || old->rrdcached_retry != cfg->rrdcached_retry) {
        mgr_rrd_free(c->rrd);
        c->rrd = mgr_rrd_new(cfg->rrd_dir, cfg->interval, cfg->rrdcached, cfg->rrdcached_retry);
    }
    size_t want = (size_t)cfg->max_inflight + 2;
    if (want > c->cap_fds) {
        struct pollfd *fds = realloc(c->fds, want * sizeof(*fds));
        if (!fds)
            return -1;
        c->fds = fds;
        c->cap_fds = want;
    }
    return c->snmp && c->lv && c->rrd ? 0 : -1;
}

/* Merge a finished host's results, store and count them. */
static void host_finish(mgr_core *c, mgr_host *h)
{
    mgr_result *m = mgr_host_merge(h->cfg->name, h->got[0], h->got[1]);
    for (int s = 0; s < 2; s++) {
        mgr_result *r = h->got[s];
        if (!r)
            continue;
        mgr_source_status *st = &h->src[s];
        free(st->error);
        st->polled = 1;
        st->ok = r->ok;
        st->error = r->error ? strdup(r->error) : NULL;
        st->started = r->started;
        st->duration = r->finished - r->started;
        st->requests = r->requests;
    }
    host_clear_cycle(h);
    h->finished = 1;
    c->outstanding--;
    if (!m) {
        VS_LOG(VS_LOG_ERR, h->cfg->name, "Out of memory merging the poll results.");
        return;
    }
    h->polls++;
    h->failures += !m->ok;
    c->any_failed |= !m->ok;
    h->last_poll = m->started;
    h->last_duration = m->finished - m->started;
    h->last_samples = mgr_result_count_values(m);
    h->samples += h->last_samples;
    mgr_rrd_submit(c->rrd, h->cfg->group_path, m, c->rrd_time);
    mgr_alert_host(c->alert, h->cfg, m);
    mgr_result_free(h->last);
    h->last = m;
}

static void host_store(mgr_core *c, mgr_host *h, mgr_result *r);

/* A result from a poller for host h: keep it if it belongs to the running cycle. */
static void host_take(mgr_core *c, mgr_host *h, mgr_result *r)
{
    mgr_source s = r->source;
    int current = h->busy[s] && h->busy_cycle[s] == h->cycle && c->active && h->cycle == c->cycle
                  && !h->finished;
    h->busy[s] = 0;
    if (!current || h->got[s]) {
        VS_LOG(VS_LOG_DEBUG, h->cfg->name, "Dropping a late result of an earlier cycle.");
        mgr_result_free(r);
        return;
    }
    host_store(c, h, r);
}

/* Keep r as this cycle's result of its source; finish h when every source has one. */
static void host_store(mgr_core *c, mgr_host *h, mgr_result *r)
{
    if (!r)
        return;
    h->got[r->source] = r;
    for (int k = 0; k < 2; k++)
        if ((h->want & (1u << k)) && !h->got[k])
            return;
    host_finish(c, h);
}

static void on_result(mgr_core *c, mgr_result *r)
{
    mgr_host *h = host_find(c, r->host);
    if (!h) {
        mgr_result_free(r);
        return;
    }
    host_take(c, h, r);
}

static void on_snmp_result(mgr_result *r, void *ctx)
{
    on_result(ctx, r);
}

/* A failed result of source s for h, made here (the poller could not be asked). */
static mgr_result *result_failed(const mgr_host *h, mgr_source s, const char *why)
{
    mgr_result *r = mgr_result_new(h->cfg->name, s);
    if (r) {
        r->started = r->finished = r->sample_time = wall_now();
        mgr_result_fail(r, "%s", why);
    }
    return r;
}

/* Ask the pollers for host h's polls of this cycle. */
static void host_start(mgr_core *c, mgr_host *h, double now)
{
    h->cycle = c->cycle;
    h->finished = 0;
    h->started = 1;
    h->start_lag = now - (c->cycle_mono + h->offset);
    if (h->start_lag > c->max_lag)
        c->max_lag = h->start_lag;
    c->outstanding++;
    double deadline = now + h->cfg->deadline_s;
    for (int s = 0; s < 2; s++) {
        if (!(h->want & (1u << s)))
            continue;
        if (h->busy[s]) {
            host_store(c, h, result_failed(h, s, "its previous poll is still running"));
            if (h->finished)
                return;
            continue;
        }
        h->busy[s] = 1;
        h->busy_cycle[s] = c->cycle;
        int rc = s == MGR_SRC_SNMP ? mgr_snmp_poll(c->snmp, h->cfg, deadline)
                                   : mgr_lv_poll(c->lv, h->cfg, deadline);
        if (rc < 0) {
            h->busy[s] = 0;
            host_store(c, h, result_failed(h, s, "the poll could not be started"));
        }
        if (h->finished)
            return;
    }
}

/* Begin cycle c->cycle + 1 now. */
static void cycle_start(mgr_core *c, double now_mono)
{
    double now = wall_now();
    int interval = c->cfg->interval;
    c->cycle++;
    c->active = 1;
    c->cycle_mono = now_mono;
    c->cycle_wall = now;
    /* A scheduled cycle keeps its slot even if the clocks drifted by a little. */
    if (c->next_wall > 0 && fabs(now - c->next_wall) < interval / 2.0)
        c->rrd_time = (long)c->next_wall;
    else
        c->rrd_time = (long)(floor(now / interval) * interval);
    c->next_start = 0;
    c->outstanding = 0;
    c->max_lag = 0;
    c->any_failed = 0;
    /* The next cycle begins on the next multiple of the interval, at least half an interval
     * away (the first cycle starts at once, wherever it falls). */
    double next_wall = (floor(now / interval) + 1) * interval;
    if (next_wall - now < interval / 2.0)
        next_wall += interval;
    c->next_mono = now_mono + (next_wall - now);
    c->next_wall = next_wall;
    for (size_t i = 0; i < c->n_hosts; i++)
        c->hosts[i].started = 0;
    VS_LOG(VS_LOG_DEBUG, NULL, "Cycle %lu begins: %zu hosts.", c->cycle, c->n_hosts);
}

/* Start the hosts whose time has come, or comes within START_AHEAD. */
static void cycle_start_due(mgr_core *c, double now)
{
    while (c->active && c->next_start < c->n_hosts) {
        mgr_host *h = &c->hosts[c->order[c->next_start]];
        if (c->cycle_mono + h->offset > now + START_AHEAD)
            break;
        c->next_start++;
        host_start(c, h, now);
    }
}

static void status_write(mgr_core *c)
{
    mgr_rrd_stats rs;
    mgr_rrd_get_stats(c->rrd, &rs);
    mgr_status_view v = { c->cfg->file,
                          c->shard[0] ? c->shard : NULL,
                          c->cfg->interval,
                          c->hosts,
                          c->n_hosts,
                          c->info.number ? &c->info : NULL,
                          &rs,
                          c->alert ? mgr_alert_status(c->alert) : NULL };
    int rc = mgr_status_write(c->cfg->status_file, &v);
    json_object_put(v.alarms);
    if (rc < 0)
        vs_complain(&c->status_complaint, vs_log_now(), VS_LOG_ERR, NULL,
                    "Cannot write the status file %s: %s.", c->cfg->status_file, strerror(errno));
    else
        vs_complain_release(&c->status_complaint, VS_LOG_NOTICE, NULL,
                            "The status file %s is written again.", c->cfg->status_file);
}

/* End the cycle: hosts still waiting for a source get a failure for it. */
static void cycle_end(mgr_core *c, double now)
{
    for (size_t i = 0; i < c->n_hosts && c->outstanding > 0; i++) {
        mgr_host *h = &c->hosts[i];
        if (!h->started || h->finished)
            continue;
        for (int s = 0; s < 2 && !h->finished; s++)
            if ((h->want & (1u << s)) && !h->got[s])
                host_store(c, h, result_failed(h, s, "no answer before the next cycle began"));
    }
    unsigned failed = 0;
    for (size_t i = 0; i < c->n_hosts; i++)
        failed += c->hosts[i].started && c->hosts[i].last && !c->hosts[i].last->ok;
    c->info = (mgr_cycle_info){ c->cycle,   c->cycle_wall,        now - c->cycle_mono,
                                c->max_lag, (unsigned)c->n_hosts, failed };
    c->active = 0;
    VS_LOG(VS_LOG_INFO, NULL, "Cycle %lu done in %.3f s: %zu hosts, %u failed, lag %.3f s.",
           c->cycle, c->info.duration, c->n_hosts, failed, c->max_lag);
    mgr_alert_cycle_end(c->alert);
    status_write(c);
}

/* Whether the configuration asks for alerting at all. */
static int alert_wanted(const mgr_config *cfg)
{
    return cfg->n_rules > 0 || cfg->n_notifiers > 0;
}

/* Set alerting up for cfg (or change it on a reload); -1 (logged) when it cannot be. */
static int alert_setup(mgr_core *c, const mgr_config *cfg)
{
    char err[512];
    if (!alert_wanted(cfg) && c->alert == NULL)
        return 0;
    if (c->alert == NULL) {
        c->alert = mgr_alert_new(cfg, err, sizeof(err));
        if (c->alert == NULL) {
            VS_LOG(VS_LOG_ERR, NULL, "Alerting cannot start: %s.", err);
            return -1;
        }
        return 0;
    }
    if (mgr_alert_reload(c->alert, cfg, err, sizeof(err)) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "Alerting cannot take the new configuration: %s.", err);
        return -1;
    }
    return 0;
}

/* Clear the alarms of hosts that old has and cfg does not. */
static void alert_hosts_removed(mgr_core *c, const mgr_config *old, const mgr_config *cfg)
{
    for (size_t i = 0; c->alert && i < old->n_hosts; i++) {
        if (!mgr_config_host(cfg, old->hosts[i].name))
            mgr_alert_host_removed(c->alert, old->hosts[i].name);
    }
}

/* Apply a validated new configuration (no cycle is running). */
static void reload_apply(mgr_core *c)
{
    mgr_config *cfg = c->next_cfg;
    c->next_cfg = NULL;
    if (dirs_make(cfg) < 0 || alert_setup(c, cfg) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "The new configuration was not applied; the old one runs on.");
        mgr_config_free(cfg);
        return;
    }
    if (hosts_build(c, cfg, cycle_spread(c, cfg)) < 0) {
        VS_LOG(VS_LOG_ERR, NULL, "The new configuration was not applied; the old one runs on.");
        alert_setup(c, c->cfg);
        mgr_config_free(cfg);
        return;
    }
    alert_hosts_removed(c, c->cfg, cfg);
    mgr_config *old = c->cfg;
    c->cfg = cfg;
    if (engines_setup(c, old, cfg) < 0)
        VS_LOG(VS_LOG_ERR, NULL, "Out of memory applying the new configuration.");
    mgr_config_free(old);
    VS_LOG(VS_LOG_NOTICE, NULL, "Configuration %s reloaded: %zu hosts in this shard.", cfg->file,
           c->n_hosts);
}

/* SIGHUP: validate the file now; apply it when no cycle runs. */
static void reload_request(mgr_core *c)
{
    vs_buf errors;
    vs_buf_init(&errors, 1 << 20);
    mgr_config *cfg = NULL;
    if (mgr_config_load(c->opts.config_file, &cfg, &errors) < 0) {
        const char *text = vs_buf_str(&errors);
        for (const char *p = text; *p;) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            VS_LOG(VS_LOG_ERR, NULL, "%.*s", len, p);
            p += len + (nl != NULL);
        }
        VS_LOG(VS_LOG_ERR, NULL, "The configuration was not reloaded; the old one runs on.");
    } else {
        mgr_config_free(c->next_cfg);
        c->next_cfg = cfg;
        if (!c->active)
            reload_apply(c);
    }
    vs_buf_free(&errors);
}

/* The poll() timeout in ms until the earliest thing due. */
static int loop_timeout(mgr_core *c, double now)
{
    double due = c->active ? 0 : c->next_mono;
    if (c->active && c->next_start < c->n_hosts)
        due = c->cycle_mono + c->hosts[c->order[c->next_start]].offset;
    else if (c->active)
        due = c->next_mono;
    double t = mgr_snmp_next_wakeup(c->snmp);
    if (t > 0 && t < due)
        due = t;
    t = mgr_lv_next_wakeup(c->lv);
    if (t > 0 && t < due)
        due = t;
    double ms = ceil((due - now) * 1000.0);
    return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

/* One turn of the loop: wait for input or the next thing due, then handle it. */
static void loop_turn(mgr_core *c, int sig_fd)
{
    c->fds[0] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
    c->fds[1] = (struct pollfd){ .fd = mgr_lv_fd(c->lv), .events = POLLIN };
    int n = mgr_snmp_fds(c->snmp, c->fds + 2, (int)c->cap_fds - 2);
    int rc = poll(c->fds, (nfds_t)n + 2, loop_timeout(c, vs_log_now()));
    if (rc < 0 && errno != EINTR)
        VS_LOG(VS_LOG_ERR, NULL, "poll failed: %s.", strerror(errno));
    if (rc > 0 && (c->fds[0].revents & POLLIN)) {
        char buf[64];
        while (read(sig_fd, buf, sizeof(buf)) > 0)
            ;
    }
    mgr_snmp_process(c->snmp, c->fds + 2, rc > 0 ? n : 0);
    mgr_lv_check(c->lv);
    mgr_result *r;
    while ((r = mgr_lv_take(c->lv)) != NULL)
        on_result(c, r);
}

int mgr_core_run(mgr_core *c, mgr_core_signals *sig)
{
    int sig_fd = sig->wake_fd;
    c->next_mono = vs_log_now();
    VS_LOG(VS_LOG_NOTICE, NULL, "Polling %zu host%s every %d s%s%s.", c->n_hosts,
           c->n_hosts == 1 ? "" : "s", c->cfg->interval, c->shard[0] ? " as shard " : "", c->shard);
    while (!sig->term) {
        if (sig->hup) {
            sig->hup = 0;
            reload_request(c);
        }
        double now = vs_log_now();
        if (c->active && now >= c->next_mono && !c->opts.once)
            cycle_end(c, now);
        if (!c->active && c->next_cfg)
            reload_apply(c);
        if (!c->active && now >= c->next_mono)
            cycle_start(c, now);
        cycle_start_due(c, now);
        if (c->active && c->next_start == c->n_hosts && c->outstanding == 0) {
            cycle_end(c, vs_log_now());
            if (c->opts.once)
                break;
        }
        loop_turn(c, sig_fd);
    }
    if (c->opts.once) {
        if (c->active)
            return -1; /* stopped by a signal before the cycle ended */
        mgr_status_table(c->opts.out, c->hosts, c->n_hosts);
        /* The cycle's messages are delivered before the process goes, within a bound; what
         * is left stays in the spool for the next run. */
        size_t left = mgr_alert_drain(c->alert, ONCE_DRAIN_S);
        if (left > 0)
            VS_LOG(VS_LOG_WARNING, NULL,
                   "%zu alert message%s not delivered within %d s; kept in the spool for the "
                   "next run.",
                   left, left == 1 ? "" : "s", ONCE_DRAIN_S);
        mgr_alert_table(c->alert, c->opts.out);
        return c->any_failed ? 1 : 0;
    }
    return 0;
}

void mgr_core_free(mgr_core *c)
{
    if (!c)
        return;
    mgr_snmp_free(c->snmp);
    mgr_lv_free(c->lv);
    mgr_alert_free(c->alert);
    c->alert = NULL;
    if (c->rrd) {
        /* Every pending update is written before the process goes. */
        if (mgr_rrd_drain(c->rrd, c->cfg->rrdcached ? c->cfg->rrdcached_retry : 600, 0) < 0)
            VS_LOG(VS_LOG_ERR, NULL, "Some RRD updates could not be written before stopping.");
        if (c->info.number)
            status_write(c);
        mgr_rrd_free(c->rrd);
    }
    hosts_free(c->hosts, c->n_hosts);
    free(c->order);
    free(c->by_name);
    free(c->fds);
    mgr_config_free(c->next_cfg);
    mgr_config_free(c->cfg);
    free(c);
}
