/* mgr_host: merging one host's results of one cycle. */
#include <config.h>

#include "mgr_host.h"

#include <math.h>
#include <string.h>

static int has_vm(const mgr_result *r, const char *uuid)
{
    for (size_t i = 1; r && i < r->n_res; i++)
        if (r->res[i].kind == MGR_RES_VM && strcmp(r->res[i].id, uuid) == 0)
            return 1;
    return 0;
}

/* Append copies of src's resources (but its host resource) to dst, leaving out VMs that
 * `other` has. Returns 0 or -1 when memory is short. */
static int copy_resources(mgr_result *dst, const mgr_result *src, const mgr_result *other)
{
    for (size_t i = 1; src && i < src->n_res; i++) {
        const mgr_resource *x = &src->res[i];
        if (x->kind == MGR_RES_VM && other && has_vm(other, x->id))
            continue;
        mgr_resource *y = mgr_result_add(dst, x->kind, x->id, x->label);
        if (!y)
            return -1;
        memcpy(y->v, x->v, sizeof(y->v));
    }
    return 0;
}

/* Join the sources' errors into m. */
static void merge_errors(mgr_result *m, const mgr_result *snmp, const mgr_result *lv)
{
    if (snmp && !snmp->ok && lv && !lv->ok)
        mgr_result_fail(m, "SNMP: %s; libvirt: %s", snmp->error ? snmp->error : "failed",
                        lv->error ? lv->error : "failed");
    else if (snmp && !snmp->ok)
        mgr_result_fail(m, "SNMP: %s", snmp->error ? snmp->error : "failed");
    else if (lv && !lv->ok)
        mgr_result_fail(m, "libvirt: %s", lv->error ? lv->error : "failed");
}

mgr_result *mgr_host_merge(const char *name, const mgr_result *snmp, const mgr_result *lv)
{
    const mgr_result *first = snmp ? snmp : lv;
    mgr_result *m = mgr_result_new(name, first ? first->source : MGR_SRC_SNMP);
    if (!m)
        return NULL;
    const mgr_result *both[2] = { snmp, lv };
    m->started = 0;
    for (int s = 0; s < 2; s++) {
        const mgr_result *r = both[s];
        if (!r)
            continue;
        if (m->started == 0 || r->started < m->started)
            m->started = r->started;
        if (r->finished > m->finished)
            m->finished = r->finished;
        if (r->sample_time > m->sample_time)
            m->sample_time = r->sample_time;
        m->requests += r->requests;
        for (size_t i = 0; i < MGR_METRIC_MAX; i++)
            if (isnan(m->res[0].v[i]) && r->n_res > 0 && !isnan(r->res[0].v[i]))
                m->res[0].v[i] = r->res[0].v[i];
    }
    merge_errors(m, snmp, lv);
    m->res[0].v[MGR_H_UP] = m->ok ? 1 : 0;
    if (copy_resources(m, snmp, lv) < 0 || copy_resources(m, lv, NULL) < 0) {
        mgr_result_free(m);
        return NULL;
    }
    return m;
}

unsigned long mgr_result_count_values(const mgr_result *r)
{
    unsigned long n = 0;
    for (size_t i = 0; r && i < r->n_res; i++) {
        size_t nm;
        mgr_metric_defs(r->res[i].kind, &nm);
        for (size_t k = 0; k < nm; k++)
            n += !isnan(r->res[i].v[k]);
    }
    return n;
}
