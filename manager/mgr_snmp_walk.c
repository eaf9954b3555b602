/* mgr_snmp_walk: the SNMP poller's requests and what their answers mean, without any I/O:
 * the scalar GET (with v1's retry without a refused varbind), table walks of several columns
 * side by side with GETBULK or GETNEXT (guarded against loops and endless tables, and telling
 * when a GETBULK answer is unusable), and the rows the values are kept in. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "mgr_snmp_int.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARENA_CHUNK 16384

/* ---------------------------------------------------------------- collected data */

void mgr_snmp_data_init(mgr_snmp_data *d)
{
    memset(d, 0, sizeof(*d));
    vs_arena_init(&d->arena, ARENA_CHUNK);
}

void mgr_snmp_data_free(mgr_snmp_data *d)
{
    for (size_t i = 0; i < MGR_SNMP_T__COUNT; i++)
        free(d->t[i].rows);
    vs_arena_free(&d->arena);
    memset(d, 0, sizeof(*d));
}

int mgr_snmp_var_number(const netsnmp_variable_list *var, uint64_t *out)
{
    switch (var->type) {
    case ASN_INTEGER:
        *out = (uint64_t)(int64_t)*var->val.integer;
        return 0;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
        *out = (uint64_t)(uint32_t)*var->val.integer;
        return 0;
    case ASN_COUNTER64:
        *out = ((uint64_t)(uint32_t)var->val.counter64->high << 32)
               | (uint32_t)var->val.counter64->low;
        return 0;
    default:
        return -1;
    }
}

/* Where row index idx is in t, or where it belongs (*found tells which). */
static size_t row_find(const mgr_snmp_table *t, const oid *idx, size_t len, int *found)
{
    *found = 0;
    if (t->n == 0)
        return 0;
    const mgr_snmp_row *last = &t->rows[t->n - 1];
    int c = snmp_oid_compare(last->idx, last->nidx, idx, len);
    if (c <= 0) { /* the usual case: rows arrive in order */
        *found = c == 0;
        return c == 0 ? t->n - 1 : t->n;
    }
    size_t lo = 0, hi = t->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        c = snmp_oid_compare(t->rows[mid].idx, t->rows[mid].nidx, idx, len);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The row of t with index idx, created (in order) when new; NULL when full or short of memory. */
static mgr_snmp_row *row_get(mgr_snmp_table *t, const oid *idx, size_t len)
{
    int found;
    size_t pos = row_find(t, idx, len, &found);
    if (found)
        return &t->rows[pos];
    if (t->n >= MGR_SNMP_ROWS_MAX) {
        t->capped = 1;
        return NULL;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        mgr_snmp_row *rows = realloc(t->rows, cap * sizeof(*rows));
        if (!rows)
            return NULL;
        t->rows = rows;
        t->cap = cap;
    }
    memmove(&t->rows[pos + 1], &t->rows[pos], (t->n - pos) * sizeof(*t->rows));
    t->n++;
    mgr_snmp_row *row = &t->rows[pos];
    row->nidx = (uint8_t)len;
    memcpy(row->idx, idx, len * sizeof(oid));
    row->have = 0;
    return row;
}

const mgr_snmp_row *mgr_snmp_data_row(const mgr_snmp_data *d, mgr_snmp_table_id id, const oid *idx,
                                      size_t idx_len)
{
    int found;
    size_t pos = row_find(&d->t[id], idx, idx_len, &found);
    return found ? &d->t[id].rows[pos] : NULL;
}

/* hrStorageType as MGR_SNMP_STOR_*. */
static unsigned storage_kind(const netsnmp_variable_list *var)
{
    static const oid types[] = { 1, 3, 6, 1, 2, 1, 25, 2, 1 };
    size_t n = var->val_len / sizeof(oid);
    if (n != N_OF(types) + 1
        || snmp_oid_ncompare(var->val.objid, n, types, N_OF(types), N_OF(types)) != 0)
        return MGR_SNMP_STOR_OTHER;
    switch (var->val.objid[N_OF(types)]) {
    case 2:
        return MGR_SNMP_STOR_RAM;
    case 3:
        return MGR_SNMP_STOR_VIRTUAL;
    case 4:
        return MGR_SNMP_STOR_DISK;
    default:
        return MGR_SNMP_STOR_OTHER;
    }
}

/* An OCTET STRING copied into the arena into *v: as text (trailing NULs dropped, control bytes
 * shown as '?') or as it is. -1 when memory is short. */
static int keep_string(mgr_snmp_data *d, const netsnmp_variable_list *var, int text,
                       mgr_snmp_val *v)
{
    size_t len = var->val_len;
    if (text)
        while (len > 0 && var->val.string[len - 1] == '\0')
            len--;
    char *s = vs_arena_strndup(&d->arena, (const char *)var->val.string, len);
    if (!s)
        return -1;
    for (size_t i = 0; text && i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            s[i] = '?';
    v->s = s;
    v->len = (uint32_t)len;
    return 0;
}

/* The value of var as column c keeps it into *v: 1 kept, 0 of a wrong type, -1 no memory. */
static int value_convert(mgr_snmp_data *d, const mgr_snmp_col *c, const netsnmp_variable_list *var,
                         mgr_snmp_val *v)
{
    v->s = NULL;
    v->len = 0;
    switch (c->kind) {
    case MGR_SNMP_K_NUM:
        return mgr_snmp_var_number(var, &v->u) == 0;
    case MGR_SNMP_K_TEXT:
    case MGR_SNMP_K_BYTES:
        if (var->type != ASN_OCTET_STR)
            return 0;
        return keep_string(d, var, c->kind == MGR_SNMP_K_TEXT, v) < 0 ? -1 : 1;
    case MGR_SNMP_K_STORTYPE:
        if (var->type != ASN_OBJECT_ID)
            return 0;
        v->u = storage_kind(var);
        return 1;
    }
    return 0;
}

int mgr_snmp_data_put(mgr_snmp_data *d, const mgr_snmp_col *c, const oid *idx, size_t idx_len,
                      const netsnmp_variable_list *var)
{
    mgr_snmp_val v;
    int rc = value_convert(d, c, var, &v);
    if (rc <= 0)
        return rc;
    mgr_snmp_row *row = row_get(&d->t[c->table], idx, idx_len);
    if (!row)
        return -1;
    row->v[c->slot] = v;
    row->have |= (uint16_t)(1u << c->slot);
    return 0;
}

/* ---------------------------------------------------------------- scalars */

netsnmp_pdu *mgr_snmp_scalars_request(uint32_t want)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
    for (unsigned i = 0; pdu && i < MGR_SNMP_S__COUNT; i++) {
        size_t len;
        const oid *o = mgr_snmp_scalar_oid(i, &len);
        if (((want >> i) & 1u) && !snmp_add_null_var(pdu, o, len)) {
            snmp_free_pdu(pdu);
            pdu = NULL;
        }
    }
    return pdu;
}

/* The scalar asked for by the n-th (1-based) varbind of a GET made for want, or -1. */
static int scalar_at(uint32_t want, long n)
{
    for (int i = 0; i < MGR_SNMP_S__COUNT; i++)
        if (((want >> i) & 1u) && --n == 0)
            return i;
    return -1;
}

int mgr_snmp_scalars_response(const netsnmp_pdu *pdu, uint32_t *want, mgr_snmp_data *d)
{
    if (pdu->errstat != SNMP_ERR_NOERROR) {
        int i = scalar_at(*want, pdu->errindex);
        if (i < 0) {
            *want = 0; /* nothing to retry without: no scalars from this agent */
            return 0;
        }
        *want &= ~(1u << i);
        return 1;
    }
    for (const netsnmp_variable_list *var = pdu->variables; var; var = var->next_variable) {
        for (unsigned i = 0; i < MGR_SNMP_S__COUNT; i++) {
            size_t len;
            const oid *o = mgr_snmp_scalar_oid(i, &len);
            if (((*want >> i) & 1u) && snmp_oid_compare(var->name, var->name_length, o, len) == 0
                && mgr_snmp_var_number(var, &d->sv[i]) == 0) {
                d->shave |= 1u << i;
                break;
            }
        }
        d->varbinds++;
    }
    return 0;
}

/* ---------------------------------------------------------------- walks */

void mgr_snmp_walk_start(mgr_snmp_walk *w, const mgr_snmp_walk_opts *o)
{
    size_t n;
    const mgr_snmp_col *cols = mgr_snmp_walk_cols(o->id, &n);
    memset(w, 0, sizeof(*w));
    for (size_t i = 0; i < n && i < MGR_SNMP_COLS_MAX; i++)
        w->cur[i].col = &cols[i];
    w->ncols = n < MGR_SNMP_COLS_MAX ? n : MGR_SNMP_COLS_MAX;
    w->bulk = o->bulk;
    w->max_rep = o->max_rep > 0 ? o->max_rep : 1;
    w->next_rep = o->first_rep > 0 && o->first_rep < w->max_rep ? o->first_rep : w->max_rep;
    w->col_cap = w->ncols;
    w->scalars = o->bulk ? o->scalars : 0;
}

int mgr_snmp_walk_complete(const mgr_snmp_walk *w)
{
    for (size_t i = 0; i < w->ncols; i++)
        if (!w->cur[i].done)
            return 0;
    return 1;
}

/* Ask for the scalars of w->scalars as GETBULK non-repeaters: each one's object without its
 * instance, whose next is the instance when the agent has it. -1 when memory is short. */
static int walk_add_scalars(mgr_snmp_walk *w, netsnmp_pdu *pdu)
{
    w->nonrep = 0;
    for (unsigned i = 0; i < MGR_SNMP_S__COUNT; i++) {
        size_t len;
        const oid *o = mgr_snmp_scalar_oid(i, &len);
        if (!((w->scalars >> i) & 1u))
            continue;
        if (!snmp_add_null_var(pdu, o, len - 1))
            return -1;
        w->nonrep++;
    }
    pdu->non_repeaters = (long)w->nonrep;
    return 0;
}

netsnmp_pdu *mgr_snmp_walk_request(mgr_snmp_walk *w)
{
    netsnmp_pdu *pdu = snmp_pdu_create(w->bulk ? SNMP_MSG_GETBULK : SNMP_MSG_GETNEXT);
    if (!pdu)
        return NULL;
    w->nonrep = 0;
    if (w->bulk) {
        pdu->non_repeaters = 0;
        pdu->max_repetitions = w->next_rep;
        /* Longer than expected: ask for twice as many rows each time, up to max_rep, so that
         * what a short table's columns return past their end stays small. */
        w->next_rep = w->next_rep * 2 < w->max_rep ? w->next_rep * 2 : w->max_rep;
        if (w->scalars && walk_add_scalars(w, pdu) < 0) {
            snmp_free_pdu(pdu);
            return NULL;
        }
    }
    w->nsent = 0;
    for (size_t i = 0; i < w->ncols && w->nsent < w->col_cap; i++) {
        const mgr_snmp_cursor *c = &w->cur[i];
        if (c->done)
            continue;
        oid name[MAX_OID_LEN];
        memcpy(name, c->col->base, c->col->base_len * sizeof(oid));
        memcpy(name + c->col->base_len, c->idx, c->nidx * sizeof(oid));
        if (!snmp_add_null_var(pdu, name, c->col->base_len + c->nidx)) {
            snmp_free_pdu(pdu);
            return NULL;
        }
        w->sent[w->nsent++] = (unsigned)i;
    }
    return pdu;
}

/* What one varbind did to its column's cursor. */
typedef enum { TAKE_KEPT, TAKE_END, TAKE_BACKWARDS, TAKE_STOPPED } take_result;

/* Apply one varbind to cursor c: keep its value and move on, or end the column. An OID that
 * does not come after the one the column asked for (base.idx) goes backwards. */
static take_result cursor_take(mgr_snmp_cursor *c, const netsnmp_variable_list *var,
                               mgr_snmp_data *d)
{
    const mgr_snmp_col *col = c->col;
    if (var->type == SNMP_ENDOFMIBVIEW || var->type == SNMP_NOSUCHOBJECT
        || var->type == SNMP_NOSUCHINSTANCE)
        return TAKE_END;
    if (netsnmp_oid_is_subtree(col->base, col->base_len, var->name, var->name_length) != 0)
        return snmp_oid_compare(var->name, var->name_length, col->base, col->base_len) < 0
                   ? TAKE_BACKWARDS
                   : TAKE_END;
    const oid *idx = var->name + col->base_len;
    size_t len = var->name_length - col->base_len;
    if (snmp_oid_compare(idx, len, c->idx, c->nidx) <= 0)
        return TAKE_BACKWARDS;
    if (len > MGR_SNMP_IDX_MAX || mgr_snmp_data_put(d, col, idx, len, var) < 0)
        return TAKE_STOPPED;
    memcpy(c->idx, idx, len * sizeof(oid));
    c->nidx = (uint8_t)len;
    return TAKE_KEPT;
}

/* An error-status in answer to a GETNEXT: v1's noSuchName ends the column it names, another
 * error drops that column, tooBig asks for fewer columns per request. */
static mgr_snmp_walk_verdict walk_next_error(mgr_snmp_walk *w, const netsnmp_pdu *pdu,
                                             const char **why)
{
    if (pdu->errstat == SNMP_ERR_TOOBIG && w->nsent > 1) {
        w->col_cap = w->nsent / 2;
        return MGR_SNMP_WALK_MORE;
    }
    if (pdu->errindex >= 1 && (size_t)pdu->errindex <= w->nsent) {
        mgr_snmp_cursor *c = &w->cur[w->sent[pdu->errindex - 1]];
        c->done = 1;
        if (pdu->errstat != SNMP_ERR_NOSUCHNAME)
            w->stopped = c->col->name;
        return MGR_SNMP_WALK_MORE;
    }
    *why = snmp_errstring((int)pdu->errstat);
    return MGR_SNMP_WALK_FAIL;
}

/* An error-status in answer to a GETBULK: tooBig asks for fewer repetitions, anything else
 * means the agent mishandles GETBULK. */
static mgr_snmp_walk_verdict walk_bulk_error(mgr_snmp_walk *w, const netsnmp_pdu *pdu)
{
    if (pdu->errstat == SNMP_ERR_TOOBIG && w->max_rep > 1) {
        w->max_rep /= 2;
        w->next_rep = w->max_rep;
        return MGR_SNMP_WALK_MORE;
    }
    return MGR_SNMP_WALK_BAD_BULK;
}

/* Mark every column finished: the host sent as many values as a poll may read. */
static void walk_abandon(mgr_snmp_walk *w)
{
    for (size_t i = 0; i < w->ncols; i++)
        w->cur[i].done = 1;
    w->stopped = "(all: too many values)";
}

/* Take the non-repeaters at the head of a GETBULK answer as the scalars they asked for. */
static void walk_take_scalars(mgr_snmp_walk *w, const netsnmp_variable_list *var, mgr_snmp_data *d)
{
    for (unsigned i = 0; var && i < MGR_SNMP_S__COUNT; i++) {
        size_t len;
        const oid *o = mgr_snmp_scalar_oid(i, &len);
        if (!((w->scalars >> i) & 1u))
            continue;
        if (snmp_oid_compare(var->name, var->name_length, o, len) == 0
            && mgr_snmp_var_number(var, &d->sv[i]) == 0)
            d->shave |= 1u << i;
        d->varbinds++;
        var = var->next_variable;
    }
    w->scalars = 0; /* asked once: what the agent did not have stays unknown */
}

/* Apply the varbinds of an answer, from var on, to the columns of the request. */
static mgr_snmp_walk_verdict walk_take_columns(mgr_snmp_walk *w, const netsnmp_variable_list *var,
                                               mgr_snmp_data *d, const char **why)
{
    int moved = 0;
    for (size_t j = 0; var; var = var->next_variable, j++) {
        if (!w->bulk && j >= w->nsent)
            break; /* more varbinds than asked for: ignore the extra ones */
        mgr_snmp_cursor *c = &w->cur[w->sent[j % w->nsent]];
        if (c->done)
            continue;
        take_result tr = cursor_take(c, var, d);
        if (tr == TAKE_BACKWARDS && w->bulk)
            return MGR_SNMP_WALK_BAD_BULK;
        moved = 1;
        if (tr == TAKE_KEPT)
            w->saw_rows = 1;
        else
            c->done = 1;
        if (tr == TAKE_BACKWARDS)
            w->loop = 1;
        else if (tr == TAKE_STOPPED)
            w->stopped = c->col->name;
        if (++d->varbinds >= MGR_SNMP_VARBINDS_MAX) {
            walk_abandon(w);
            return MGR_SNMP_WALK_MORE;
        }
    }
    if (!moved) {
        *why = "the agent's answers to a walk do not advance";
        return w->bulk ? MGR_SNMP_WALK_BAD_BULK : MGR_SNMP_WALK_FAIL;
    }
    return MGR_SNMP_WALK_MORE;
}

mgr_snmp_walk_verdict mgr_snmp_walk_response(mgr_snmp_walk *w, const netsnmp_pdu *pdu,
                                             mgr_snmp_data *d, const char **why)
{
    *why = NULL;
    if (pdu->errstat != SNMP_ERR_NOERROR)
        return w->bulk ? walk_bulk_error(w, pdu) : walk_next_error(w, pdu, why);
    const netsnmp_variable_list *var = pdu->variables;
    for (size_t i = 0; var && i < w->nonrep; i++)
        var = var->next_variable; /* the scalars: taken once the answer proves usable */
    if (!var || w->nsent == 0) {
        *why = "the agent answered a walk request with no values";
        return w->bulk ? MGR_SNMP_WALK_BAD_BULK : MGR_SNMP_WALK_FAIL;
    }
    mgr_snmp_walk_verdict v = walk_take_columns(w, var, d, why);
    if (v != MGR_SNMP_WALK_BAD_BULK && w->nonrep)
        walk_take_scalars(w, pdu->variables, d);
    return v;
}
