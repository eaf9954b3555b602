/* mgr_lv_host: one hypervisor's side of the libvirt poller: its connection (opened with
 * back-off, watched by keepalive and the close callback) and one poll of it (one bulk stats
 * call plus the node's figures) turned into a mgr_result; and the process-wide libvirt set-up
 * (error routing, the event loop thread). */
#include <config.h>

#include "mgr_lv_int.h"

#include <libvirt/virterror.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vs_mib.h"

#define BACKOFF_FIRST 1.0
#define BACKOFF_MAX 60.0

#define POLL_STATS                                                                                 \
    (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON                \
     | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK)

/* Everything one poll works with. */
typedef struct {
    mgr_lv_host *h;
    mgr_result *r;
    const atomic_int *abandoned;
    unsigned calls; /* libvirt calls that reach the hypervisor */
} poll_ctx;

/* One domain of the bulk answer. */
typedef struct {
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name;
    int id;   /* -1 when inactive */
    double t; /* monotonic time its counters were read */
    int managed_save;
    mgr_lv_dom d;
} vm_ent;

double mgr_lv_wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the host context ---- */

mgr_lv_host *mgr_lv_host_new(const mgr_host_cfg *cfg)
{
    mgr_lv_host *h = calloc(1, sizeof(*h));

    if (h == NULL)
        return NULL;
    atomic_init(&h->lost, 0);
    h->backoff = BACKOFF_FIRST;
    h->name = strdup(cfg->name);
    h->uri = strdup(cfg->libvirt->uri);
    h->uri_safe = strdup(cfg->libvirt->uri_safe != NULL ? cfg->libvirt->uri_safe : "?");
    if (h->name == NULL || h->uri == NULL || h->uri_safe == NULL
        || mgr_lv_uri_split(h->uri, &h->connect_uri, &h->user, &h->password) < 0) {
        mgr_lv_host_free(h);
        return NULL;
    }
    mgr_lv_host_configure(h, cfg->libvirt);
    return h;
}

void mgr_lv_host_configure(mgr_lv_host *h, const mgr_libvirt_src *src)
{
    h->timeout_ms = src->timeout_ms > 0 ? src->timeout_ms : 10000;
    h->ka_interval = src->keepalive_interval;
    h->ka_count = src->keepalive_count;
}

/* libvirt's close callback (event loop thread): note why the connection ended. */
static void host_close_cb(virConnectPtr conn, int reason, void *opaque)
{
    mgr_lv_host *h = opaque;

    (void)conn;
    atomic_store(&h->lost, reason + 1);
}

/* Close the connection, if any (a libvirt call). */
static void host_disconnect(mgr_lv_host *h)
{
    if (h->conn == NULL)
        return;
    virConnectUnregisterCloseCallback(h->conn, host_close_cb);
    virConnectClose(h->conn);
    h->conn = NULL;
}

/* Wipe and free a secret. */
static void secret_free(char *s)
{
    if (s == NULL)
        return;
    volatile char *v = s;
    while (*v != '\0')
        *v++ = '\0';
    free(s);
}

void mgr_lv_host_free(mgr_lv_host *h)
{
    if (h == NULL)
        return;
    host_disconnect(h);
    free(h->vms);
    free(h->name);
    secret_free(h->uri);
    free(h->uri_safe);
    free(h->connect_uri);
    free(h->user);
    secret_free(h->password);
    free(h);
}

/* ---- the connection ---- */

/* The words for a close callback's reason (stored + 1). */
static const char *close_reason_text(int lost)
{
    switch (lost - 1) {
    case VIR_CONNECT_CLOSE_REASON_EOF:
        return "closed by the other end";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
        return "no answer to keepalive messages";
    case VIR_CONNECT_CLOSE_REASON_CLIENT:
        return "closed by the client";
    default:
        return "an I/O error";
    }
}

/* libvirt's credential callback: the user and password written in the configured URI, never
 * a prompt. */
static int host_auth_cb(virConnectCredentialPtr cred, unsigned int ncred, void *opaque)
{
    const mgr_lv_host *h = opaque;

    for (unsigned i = 0; i < ncred; i++) {
        const char *v = NULL;
        if (cred[i].type == VIR_CRED_AUTHNAME)
            v = h->user != NULL ? h->user : cred[i].defresult;
        else if (cred[i].type == VIR_CRED_PASSPHRASE || cred[i].type == VIR_CRED_NOECHOPROMPT)
            v = h->password;
        if (v == NULL || (cred[i].result = strdup(v)) == NULL)
            return -1;
        cred[i].resultlen = (unsigned)strlen(v);
    }
    return 0;
}

/* Forget what belonged to the previous connection. */
static void host_conn_reset(mgr_lv_host *h)
{
    h->no_node_cpu = h->no_node_mem = 0;
    h->n_cpu_par = h->n_mem_par = 0;
    memset(&h->cpu, 0, sizeof(h->cpu));
}

/* Open the connection with keepalive and the close callback. On failure set the back-off and
 * the poll's error (lost: why the previous connection ended, or NULL). 0 or -1. */
static int host_connect(poll_ctx *c, const char *lost)
{
    int types[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT };
    virConnectAuth auth = { types, sizeof(types) / sizeof(types[0]), host_auth_cb, c->h };
    mgr_lv_host *h = c->h;

    c->calls++;
    virConnectPtr conn = virConnectOpenAuth(h->connect_uri, &auth, 0);
    if (conn == NULL) {
        double wait = h->backoff;
        h->next_attempt = vs_log_now() + wait;
        h->backoff = wait * 2 > BACKOFF_MAX ? BACKOFF_MAX : wait * 2;
        if (lost != NULL)
            mgr_result_fail(c->r, "lost the connection to %s (%s); cannot connect again: %s",
                            h->uri_safe, lost, virGetLastErrorMessage());
        else
            mgr_result_fail(c->r, "cannot connect to %s: %s", h->uri_safe,
                            virGetLastErrorMessage());
        return -1;
    }
    /* Local drivers have no keepalive and a daemon may refuse it: the close callback still
     * reports a closed connection. */
    if (h->ka_interval > 0) {
        c->calls++;
        if (virConnectSetKeepAlive(conn, h->ka_interval, h->ka_count) < 0)
            VS_LOG(VS_LOG_DEBUG, h->name, "no keepalive: %s", virGetLastErrorMessage());
    }
    atomic_store(&h->lost, 0);
    if (virConnectRegisterCloseCallback(conn, host_close_cb, h, NULL) < 0)
        VS_LOG(VS_LOG_DEBUG, h->name, "no close callback: %s", virGetLastErrorMessage());
    h->conn = conn;
    h->backoff = BACKOFF_FIRST;
    h->next_attempt = 0;
    host_conn_reset(h);
    VS_LOG(VS_LOG_INFO, h->name, "connected to %s", h->uri_safe);
    return 0;
}

/* Make sure the host is connected: drop a connection known to be lost, then connect unless
 * backing off. 0, or -1 with the poll's error set. */
static int host_ensure(poll_ctx *c)
{
    mgr_lv_host *h = c->h;
    const char *lost = NULL;

    if (h->conn != NULL) {
        int why = atomic_load(&h->lost);
        if (why == 0 && virConnectIsAlive(h->conn) == 1)
            return 0;
        lost = why != 0 ? close_reason_text(why) : "the connection is not alive";
        host_disconnect(h);
    }
    double now = vs_log_now();
    if (now < h->next_attempt) {
        mgr_result_fail(c->r, "not connected; next attempt in %.0f s", ceil(h->next_attempt - now));
        return -1;
    }
    return host_connect(c, lost);
}

/* A call the poll needs failed: set the poll's error, and drop the connection when it is no
 * longer alive (the next poll connects again). Returns -1. */
static int host_call_failed(poll_ctx *c, const char *call)
{
    mgr_lv_host *h = c->h;
    int why = atomic_load(&h->lost);

    if (why != 0)
        mgr_result_fail(c->r, "%s failed: %s (connection %s)", call, virGetLastErrorMessage(),
                        close_reason_text(why));
    else
        mgr_result_fail(c->r, "%s failed: %s", call, virGetLastErrorMessage());
    if (why != 0 || virConnectIsAlive(h->conn) != 1)
        host_disconnect(h);
    return -1;
}

static int given_up(const poll_ctx *c)
{
    return atomic_load(c->abandoned) != 0;
}

/* ---- the node ---- */

/* A node call failed: when the connection does not support it, stop asking (*flag) until the
 * next connection. The metrics stay unknown; the poll goes on. */
static void node_call_failed(poll_ctx *c, const char *call, int *flag)
{
    int code = virGetLastErrorCode();

    if (code == VIR_ERR_NO_SUPPORT || code == VIR_ERR_OPERATION_UNSUPPORTED
        || code == VIR_ERR_OPERATION_INVALID || code == VIR_ERR_ARGUMENT_UNSUPPORTED) {
        *flag = 1;
        VS_LOG(VS_LOG_INFO, c->h->name, "%s is not supported here (%s): its metrics stay unknown",
               call, virGetLastErrorMessage());
    } else {
        VS_LOG(VS_LOG_DEBUG, c->h->name, "%s failed: %s", call, virGetLastErrorMessage());
    }
}

/* host.cpu.util from virNodeGetCPUStats, or NAN. */
static double node_cpu(poll_ctx *c)
{
    mgr_lv_host *h = c->h;
    virNodeCPUStats *st;
    double util = NAN;

    if (h->no_node_cpu || given_up(c))
        return NAN;
    if (h->n_cpu_par <= 0) {
        int n = 0;
        c->calls++;
        if (virNodeGetCPUStats(h->conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n, 0) < 0 || n <= 0) {
            node_call_failed(c, "virNodeGetCPUStats", &h->no_node_cpu);
            return NAN;
        }
        h->n_cpu_par = n;
    }
    int n = h->n_cpu_par;
    if ((st = calloc((size_t)n, sizeof(*st))) == NULL)
        return NAN;
    c->calls++;
    if (virNodeGetCPUStats(h->conn, VIR_NODE_CPU_STATS_ALL_CPUS, st, &n, 0) < 0)
        node_call_failed(c, "virNodeGetCPUStats", &h->no_node_cpu);
    else
        util = mgr_lv_host_cpu_util(&h->cpu, st, n, vs_log_now());
    free(st);
    return util;
}

/* The node's memory metrics into the host resource v (virNodeGetInfo, then
 * virNodeGetMemoryStats when supported). */
static void node_mem(poll_ctx *c, double *v)
{
    mgr_lv_host *h = c->h;
    virNodeInfo info;
    virNodeMemoryStats *st = NULL;
    int n = 0;

    if (given_up(c))
        return;
    c->calls++;
    if (virNodeGetInfo(h->conn, &info) < 0) {
        VS_LOG(VS_LOG_DEBUG, h->name, "virNodeGetInfo failed: %s", virGetLastErrorMessage());
        info.memory = 0;
    }
    if (!h->no_node_mem && h->n_mem_par <= 0 && !given_up(c)) {
        c->calls++;
        if (virNodeGetMemoryStats(h->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &n, 0) < 0
            || n <= 0)
            node_call_failed(c, "virNodeGetMemoryStats", &h->no_node_mem);
        else
            h->n_mem_par = n;
    }
    if (!h->no_node_mem && h->n_mem_par > 0 && !given_up(c)
        && (st = calloc((size_t)h->n_mem_par, sizeof(*st))) != NULL) {
        n = h->n_mem_par;
        c->calls++;
        if (virNodeGetMemoryStats(h->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, st, &n, 0) < 0) {
            node_call_failed(c, "virNodeGetMemoryStats", &h->no_node_mem);
            n = 0;
        }
    } else {
        n = 0;
    }
    mgr_lv_host_mem(st, n, info.memory, &v[MGR_H_MEM_TOTAL], &v[MGR_H_MEM_USED],
                    &v[MGR_H_MEM_USED_PCT]);
    free(st);
}

/* ---- the domains ---- */

static int uuid_text_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int vm_ent_cmp(const void *a, const void *b)
{
    return strcmp(((const vm_ent *)a)->uuid, ((const vm_ent *)b)->uuid);
}

/* Mark the shut-off VMs that have a managed-save image (one listing call, made only when some
 * VM is shut off). A failure leaves them unmarked. */
static void vms_managed_save(poll_ctx *c, vm_ent *e, size_t n)
{
    virDomainPtr *doms = NULL;
    size_t off = 0;

    for (size_t i = 0; i < n; i++)
        off += (e[i].d.has & MGR_LV_HAS_STATE) && e[i].d.state == VIR_DOMAIN_SHUTOFF;
    if (off == 0 || given_up(c))
        return;
    c->calls++;
    int nd = virConnectListAllDomains(c->h->conn, &doms, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE);
    if (nd < 0) {
        VS_LOG(VS_LOG_DEBUG, c->h->name, "virConnectListAllDomains failed: %s",
               virGetLastErrorMessage());
        return;
    }
    char(*saved)[VIR_UUID_STRING_BUFLEN] = calloc((size_t)nd + 1, sizeof(*saved));
    for (int i = 0; i < nd; i++) {
        if (saved != NULL && virDomainGetUUIDString(doms[i], saved[i]) < 0)
            saved[i][0] = '\0';
        virDomainFree(doms[i]);
    }
    free(doms);
    if (saved == NULL)
        return;
    qsort(saved, (size_t)nd, sizeof(*saved), uuid_text_cmp);
    for (size_t i = 0; i < n; i++)
        e[i].managed_save = e[i].d.state == VIR_DOMAIN_SHUTOFF
                            && bsearch(e[i].uuid, saved, (size_t)nd, sizeof(*saved), uuid_text_cmp);
    free(saved);
}

/* Drivers whose bulk answer lacks cpu.time for a running domain (the test driver gives only
 * state.*): read it with virDomainGetInfo, for those domains only. */
static void vm_cpu_fallback(poll_ctx *c, virDomainPtr dom, vm_ent *e)
{
    virDomainInfo info;

    if (e->id < 0 || (e->d.has & MGR_LV_HAS_CPU) || e->d.state == VIR_DOMAIN_SHUTOFF || given_up(c))
        return;
    c->calls++;
    if (virDomainGetInfo(dom, &info) < 0) {
        VS_LOG(VS_LOG_DEBUG, c->h->name, "virDomainGetInfo(%s) failed: %s", e->name,
               virGetLastErrorMessage());
        return;
    }
    e->t = vs_log_now();
    e->d.cpu_ns = info.cpuTime;
    e->d.has |= MGR_LV_HAS_CPU;
}

/* Read the bulk records into e (n of them), read at monotonic time t. */
static void vms_read(poll_ctx *c, virDomainStatsRecordPtr *recs, vm_ent *e, size_t n, double t)
{
    for (size_t i = 0; i < n; i++) {
        virDomainPtr dom = recs[i]->dom;
        if (virDomainGetUUIDString(dom, e[i].uuid) < 0)
            e[i].uuid[0] = '\0';
        e[i].name = virDomainGetName(dom);
        unsigned id = virDomainGetID(dom);
        e[i].id = id == (unsigned)-1 ? -1 : (int)id;
        e[i].t = t;
        mgr_lv_dom_parse(recs[i]->params, recs[i]->nparams, &e[i].d);
        vm_cpu_fallback(c, dom, &e[i]);
    }
    vms_managed_save(c, e, n);
    qsort(e, n, sizeof(*e), vm_ent_cmp);
}

/* Add one resource per VM (sorted by UUID) to the result, moving the host's counter state to
 * the VMs seen now (those gone are forgotten). Sets host.vm.count and vm.running. 0 or -1. */
static int vms_report(poll_ctx *c, const vm_ent *e, size_t n)
{
    mgr_lv_host *h = c->h;
    mgr_lv_vmtrack *nt = calloc(n > 0 ? n : 1, sizeof(*nt));
    size_t j = 0, running = 0;

    if (nt == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        while (j < h->n_vms && strcmp(h->vms[j].uuid, e[i].uuid) < 0)
            j++;
        if (j < h->n_vms && strcmp(h->vms[j].uuid, e[i].uuid) == 0)
            nt[i] = h->vms[j];
        else
            mgr_lv_vmtrack_init(&nt[i], e[i].uuid);
        mgr_resource *res = mgr_result_add(c->r, MGR_RES_VM, e[i].uuid, e[i].name);
        if (res == NULL) {
            free(nt);
            return -1;
        }
        mgr_lv_vm_metrics(&nt[i], &e[i].d, e[i].id, e[i].managed_save, e[i].t, res->v);
        running += res->v[MGR_V_STATE] == VS_VM_OPER_STATE_RUNNING;
    }
    free(h->vms);
    h->vms = nt;
    h->n_vms = n;
    c->r->res[0].v[MGR_H_VM_COUNT] = (double)n;
    c->r->res[0].v[MGR_H_VM_RUNNING] = (double)running;
    return 0;
}

/* The poll proper, on a live connection: 0 or -1 (error set). */
static int host_sample(poll_ctx *c)
{
    mgr_lv_host *h = c->h;
    virDomainStatsRecordPtr *recs = NULL;

    c->calls++;
    int nrec = virConnectGetAllDomainStats(h->conn, POLL_STATS, &recs, 0);
    double t = vs_log_now();
    c->r->sample_time = mgr_lv_wall_now();
    if (nrec < 0)
        return host_call_failed(c, "virConnectGetAllDomainStats");
    size_t n = (size_t)nrec;
    vm_ent *e = calloc(n > 0 ? n : 1, sizeof(*e));
    int rc = -1;
    if (e == NULL) {
        mgr_result_fail(c->r, "out of memory for %zu domains", n);
    } else if (!given_up(c)) {
        vms_read(c, recs, e, n, t);
        rc = vms_report(c, e, n);
        if (rc < 0)
            mgr_result_fail(c->r, "out of memory for %zu domains", n);
    }
    free(e); /* the names it points to belong to recs */
    virDomainStatsRecordListFree(recs);
    if (rc < 0)
        return -1;
    c->r->res[0].v[MGR_H_CPU_UTIL] = node_cpu(c);
    node_mem(c, c->r->res[0].v);
    return 0;
}

void mgr_lv_host_poll(mgr_lv_host *h, mgr_result *r, const atomic_int *abandoned)
{
    poll_ctx c = { h, r, abandoned, 0 };

    r->started = mgr_lv_wall_now();
    if (host_ensure(&c) == 0 && !given_up(&c))
        host_sample(&c);
    r->requests = c.calls;
    r->finished = mgr_lv_wall_now();
    if (!(r->sample_time > 0))
        r->sample_time = r->finished;
}
