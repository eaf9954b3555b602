/* mgr_snmp_state: what the SNMP poller remembers of each host between polls (counters, agent
 * restarts, GETBULK trouble, SNMPv3 engine ID and keys, failure throttling), in a hash map by
 * host name so that a poll finds its host's state in constant time. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mgr_snmp_int.h"

#define BUCKETS_MIN 64

/* FNV-1a. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void mgr_snmp_wipe(void *p, size_t n)
{
    volatile unsigned char *b = p;
    while (n--)
        *b++ = 0;
}

static void ku_free(mgr_snmp_ku *k)
{
    mgr_snmp_wipe(k->pass, strlen(k->pass));
    mgr_snmp_wipe(k->ku, sizeof(k->ku));
    free(k->pass);
    free(k);
}

const mgr_snmp_ku *mgr_snmp_states_ku(mgr_snmp_states *m, const oid *proto, size_t proto_len,
                                      const char *pass)
{
    mgr_snmp_ku **pp = &m->keys;
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->proto == proto && strcmp((*pp)->pass, pass) == 0)
            return *pp;
    if (strlen(pass) < USM_LENGTH_P_MIN)
        return NULL; /* refused here, before Net-SNMP prints its own complaint */
    mgr_snmp_ku *k = calloc(1, sizeof(*k));
    if (!k || !(k->pass = strdup(pass))) {
        free(k);
        return NULL;
    }
    k->proto = proto;
    k->len = sizeof(k->ku);
    if (generate_Ku(proto, proto_len, (const u_char *)pass, strlen(pass), k->ku, &k->len)
        != SNMPERR_SUCCESS) {
        ku_free(k);
        return NULL;
    }
    k->next = m->keys;
    m->keys = k;
    if (++m->n_keys > MGR_SNMP_KEYS_MAX) { /* forget the oldest */
        for (pp = &m->keys; (*pp)->next; pp = &(*pp)->next)
            ;
        ku_free(*pp);
        *pp = NULL;
        m->n_keys--;
    }
    return k;
}

static void state_free(mgr_snmp_state *st)
{
    if (st->sess)
        snmp_sess_close(st->sess);
    for (size_t i = 0; i < st->n_ifs; i++)
        free(st->ifs[i].id);
    free(st->ifs);
    free(st->name);
    free(st);
}

/* Descriptors kept free of kept sessions: polls in flight, RRD files, libvirt connections,
 * notifiers and the rest of the process. */
#define FD_RESERVE 512

/* Raise the soft limit on open files to the hard one (capped): a manager that keeps one
 * session socket per SNMPv3 host needs more than the usual 1024 with many of them. Returns
 * the limit now in force. */
static rlim_t fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY ? 65536 : rl.rlim_cur;
}

void mgr_snmp_states_init(mgr_snmp_states *m)
{
    memset(m, 0, sizeof(*m));
    rlim_t lim = fd_limit();
    m->max_sess = lim > 2 * FD_RESERVE ? (size_t)(lim - FD_RESERVE) : (size_t)lim / 2;
}

void mgr_snmp_states_keep_sess(mgr_snmp_states *m, mgr_snmp_state *st, void *sess, int fd,
                               uint64_t key)
{
    if (st->sess) { /* not expected: the poll took it */
        snmp_sess_close(st->sess);
        st->sess = NULL;
        m->n_sess--;
    }
    if (m->n_sess >= m->max_sess) {
        snmp_sess_close(sess);
        return;
    }
    st->sess = sess;
    st->sess_fd = fd;
    st->sess_key = key;
    m->n_sess++;
}

void *mgr_snmp_states_take_sess(mgr_snmp_states *m, mgr_snmp_state *st, uint64_t key, int *fd)
{
    void *sess = st->sess;
    if (!sess)
        return NULL;
    st->sess = NULL;
    m->n_sess--;
    if (st->sess_key != key) {
        snmp_sess_close(sess);
        return NULL;
    }
    *fd = st->sess_fd;
    return sess;
}

void mgr_snmp_states_free(mgr_snmp_states *m)
{
    for (size_t i = 0; i < m->nb; i++) {
        mgr_snmp_state *st = m->b[i];
        while (st) {
            mgr_snmp_state *next = st->next;
            state_free(st);
            st = next;
        }
    }
    free(m->b);
    while (m->keys) {
        mgr_snmp_ku *next = m->keys->next;
        ku_free(m->keys);
        m->keys = next;
    }
    mgr_snmp_states_init(m);
}

/* Double the buckets (or make the first ones); -1 when memory is short. */
static int states_grow(mgr_snmp_states *m)
{
    size_t nb = m->nb ? m->nb * 2 : BUCKETS_MIN;
    mgr_snmp_state **b = calloc(nb, sizeof(*b));
    if (!b)
        return -1;
    for (size_t i = 0; i < m->nb; i++) {
        mgr_snmp_state *st = m->b[i];
        while (st) {
            mgr_snmp_state *next = st->next;
            st->next = b[st->hash & (nb - 1)];
            b[st->hash & (nb - 1)] = st;
            st = next;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
    return 0;
}

mgr_snmp_state *mgr_snmp_states_get(mgr_snmp_states *m, const char *name, int create)
{
    uint32_t h = name_hash(name);
    if (m->nb) {
        for (mgr_snmp_state *st = m->b[h & (m->nb - 1)]; st; st = st->next) {
            if (st->hash == h && strcmp(st->name, name) == 0)
                return st;
        }
    }
    if (!create || (m->n >= m->nb && states_grow(m) < 0))
        return NULL;
    mgr_snmp_state *st = calloc(1, sizeof(*st));
    if (!st || !(st->name = strdup(name))) {
        free(st);
        return NULL;
    }
    st->hash = h;
    st->next = m->b[h & (m->nb - 1)];
    m->b[h & (m->nb - 1)] = st;
    m->n++;
    return st;
}

void mgr_snmp_states_retain(mgr_snmp_states *m, const mgr_config *cfg)
{
    for (size_t i = 0; i < cfg->n_hosts; i++) {
        mgr_snmp_state *st = mgr_snmp_states_get(m, cfg->hosts[i].name, 0);
        if (st)
            st->mark = 1;
    }
    for (size_t i = 0; i < m->nb; i++) {
        mgr_snmp_state **pp = &m->b[i];
        while (*pp) {
            mgr_snmp_state *st = *pp;
            if (st->mark) {
                st->mark = 0;
                pp = &st->next;
                continue;
            }
            *pp = st->next;
            if (st->sess)
                m->n_sess--;
            state_free(st);
            m->n--;
        }
    }
}

/* The position of id in st->ifs, or where it belongs (*found tells which). */
static size_t if_find(const mgr_snmp_state *st, const char *id, int *found)
{
    size_t lo = 0, hi = st->n_ifs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(st->ifs[mid].id, id);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

mgr_snmp_ifstate *mgr_snmp_state_if(mgr_snmp_state *st, const char *id)
{
    int found;
    size_t pos = if_find(st, id, &found);
    if (found)
        return &st->ifs[pos];
    if (st->n_ifs == st->cap_ifs) {
        size_t cap = st->cap_ifs ? st->cap_ifs * 2 : 8;
        mgr_snmp_ifstate *ifs = realloc(st->ifs, cap * sizeof(*ifs));
        if (!ifs)
            return NULL;
        st->ifs = ifs;
        st->cap_ifs = cap;
    }
    char *copy = strdup(id);
    if (!copy)
        return NULL;
    memmove(&st->ifs[pos + 1], &st->ifs[pos], (st->n_ifs - pos) * sizeof(*st->ifs));
    st->n_ifs++;
    mgr_snmp_ifstate *is = &st->ifs[pos];
    memset(is, 0, sizeof(*is));
    is->id = copy;
    return is;
}

void mgr_snmp_state_if_prune(mgr_snmp_state *st)
{
    size_t k = 0;
    for (size_t i = 0; i < st->n_ifs; i++) {
        if (st->ifs[i].gen == st->gen)
            st->ifs[k++] = st->ifs[i];
        else
            free(st->ifs[i].id);
    }
    st->n_ifs = k;
}
