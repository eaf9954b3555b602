/* Unit tests of the SNMP poller's pure parts: UUID text, the walk engine's verdicts on
 * answers (GETBULK fallback, loops, v1 errors, endless tables), the scalar GET's v1 retry, and
 * the mapping of values to host, file system, interface and VM metrics and rates. PDUs are
 * built in memory; nothing is sent. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "mgr_snmp_int.h"
#include "vs_check.h"
#include "vs_mib.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const oid o_if_descr[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 2 };
static const oid o_disk_type[] = { 1, 3, 6, 1, 2, 1, 25, 2, 1, 4 };
static const oid o_ram_type[] = { 1, 3, 6, 1, 2, 1, 25, 2, 1, 2 };
static const oid o_vm_name[] = { VS_OID_VM_NAME };
static const oid o_vm_uuid[] = { VS_OID_VM_UUID };
static const oid o_vm_state[] = { VS_OID_VM_OPER_STATE };
static const oid o_vm_vcpus[] = { VS_OID_VM_VCPUS };
static const oid o_vm_target[] = { VS_OID_VM_MEM_TARGET };
static const oid o_vm_used[] = { VS_OID_VM_MEM_USED };
static const oid o_vm_util[] = { VS_OID_VM_CPU_UTIL };
static const oid o_hv_count[] = { VS_OID_HV_VM_COUNT };

/* A response PDU to add varbinds to. */
static netsnmp_pdu *response(void)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_RESPONSE);
    ck_assert_ptr_nonnull(pdu);
    pdu->errstat = SNMP_ERR_NOERROR; /* as a parsed answer has it */
    pdu->errindex = 0;
    return pdu;
}

/* base.idx... as a name into buf; returns its length. */
static size_t name_of(oid *buf, const oid *base, size_t len, const oid *idx, size_t nidx)
{
    memcpy(buf, base, len * sizeof(oid));
    if (nidx)
        memcpy(buf + len, idx, nidx * sizeof(oid));
    return len + nidx;
}

static void add_num(netsnmp_pdu *pdu, const oid *base, size_t len, const oid *idx, size_t nidx,
                    u_char type, long v)
{
    oid name[MAX_OID_LEN];
    size_t n = name_of(name, base, len, idx, nidx);
    ck_assert_ptr_nonnull(snmp_pdu_add_variable(pdu, name, n, type, &v, sizeof(v)));
}

static void add_c64(netsnmp_pdu *pdu, const oid *base, size_t len, const oid *idx, size_t nidx,
                    uint64_t v)
{
    oid name[MAX_OID_LEN];
    size_t n = name_of(name, base, len, idx, nidx);
    struct counter64 c = { (u_long)(v >> 32), (u_long)(v & 0xffffffffu) };
    ck_assert_ptr_nonnull(snmp_pdu_add_variable(pdu, name, n, ASN_COUNTER64, &c, sizeof(c)));
}

static void add_str(netsnmp_pdu *pdu, const oid *base, size_t len, const oid *idx, size_t nidx,
                    const void *s, size_t slen)
{
    oid name[MAX_OID_LEN];
    size_t n = name_of(name, base, len, idx, nidx);
    ck_assert_ptr_nonnull(snmp_pdu_add_variable(pdu, name, n, ASN_OCTET_STR, s, slen));
}

static void add_oid(netsnmp_pdu *pdu, const oid *base, size_t len, const oid *idx, size_t nidx,
                    const oid *val, size_t vlen)
{
    oid name[MAX_OID_LEN];
    size_t n = name_of(name, base, len, idx, nidx);
    ck_assert_ptr_nonnull(
        snmp_pdu_add_variable(pdu, name, n, ASN_OBJECT_ID, val, vlen * sizeof(oid)));
}

static void add_end(netsnmp_pdu *pdu, const oid *name, size_t len)
{
    ck_assert_ptr_nonnull(snmp_pdu_add_variable(pdu, name, len, SNMP_ENDOFMIBVIEW, NULL, 0));
}

/* The index of the walk column whose base is o. */
static size_t col_of(const mgr_snmp_walk *w, const oid *o, size_t len)
{
    for (size_t i = 0; i < w->ncols; i++)
        if (snmp_oid_compare(w->cur[i].col->base, w->cur[i].col->base_len, o, len) == 0)
            return i;
    ck_abort_msg("no such column");
    return 0;
}

/* Start a walk without scalars, every request with max-repetitions rep. */
static void walk_start(mgr_snmp_walk *w, mgr_snmp_walk_id id, int bulk, long rep)
{
    mgr_snmp_walk_opts o = { id, bulk, rep, 0, 0 };
    mgr_snmp_walk_start(w, &o);
}

START_TEST(uuid_text)
{
    static const unsigned char b[16] = { 0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
                                         0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f };
    char out[37];
    ck_assert_int_eq(mgr_snmp_uuid_format(b, 16, out), 0);
    ck_assert_str_eq(out, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    ck_assert_int_eq(mgr_snmp_uuid_format(b, 15, out), -1);
}
END_TEST

START_TEST(bulk_request_carries_every_column)
{
    mgr_snmp_walk w;
    walk_start(&w, MGR_SNMP_WALK_HOST, 1, 10);
    netsnmp_pdu *pdu = mgr_snmp_walk_request(&w);
    ck_assert_int_eq(pdu->command, SNMP_MSG_GETBULK);
    ck_assert_int_eq(pdu->max_repetitions, 10);
    ck_assert_int_eq(pdu->non_repeaters, 0);
    size_t n = 0;
    for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable)
        n++;
    ck_assert_uint_eq(n, w.ncols);
    ck_assert_uint_eq(w.nsent, w.ncols);
    /* The first column is vsHvTable's: the probe for the subagent. */
    static const oid hv_name[] = { VS_OID_HV_NAME };
    ck_assert_int_eq(
        snmp_oid_compare(pdu->variables->name, pdu->variables->name_length, hv_name, N_OF(hv_name)),
        0);
    snmp_free_pdu(pdu);
}
END_TEST

/* The first GETBULK carries the scalars as non-repeaters (each object without its instance)
 * and asks for first_rep rows; the answer fills the scalars, later requests carry none. */
START_TEST(bulk_carries_scalars)
{
    mgr_snmp_walk w;
    mgr_snmp_data d;
    const char *why;
    mgr_snmp_data_init(&d);
    uint32_t want = (1u << MGR_SNMP_S_UPTIME) | (1u << MGR_SNMP_S_LOAD);
    mgr_snmp_walk_opts o = { MGR_SNMP_WALK_HOST, 1, 25, 3, want };
    mgr_snmp_walk_start(&w, &o);
    netsnmp_pdu *req = mgr_snmp_walk_request(&w);
    ck_assert_int_eq(req->non_repeaters, 2);
    ck_assert_int_eq(req->max_repetitions, 3);
    size_t len;
    const oid *up = mgr_snmp_scalar_oid(MGR_SNMP_S_UPTIME, &len);
    ck_assert_int_eq(
        snmp_oid_compare(req->variables->name, req->variables->name_length, up, len - 1), 0);
    snmp_free_pdu(req);
    netsnmp_pdu *pdu = response();
    add_num(pdu, up, len, NULL, 0, ASN_TIMETICKS, 4200);
    const oid *la = mgr_snmp_scalar_oid(MGR_SNMP_S_LOAD, &len);
    static const oid after[] = { 1, 3, 6, 1, 4, 1, 2021, 10, 1, 6, 1 }; /* laLoadInt is absent */
    add_num(pdu, after, N_OF(after), NULL, 0, ASN_INTEGER, 5);
    for (size_t j = 0; j < w.nsent; j++)
        add_end(pdu, w.cur[w.sent[j]].col->base, w.cur[w.sent[j]].col->base_len);
    ck_assert_int_eq(mgr_snmp_walk_response(&w, pdu, &d, &why), MGR_SNMP_WALK_MORE);
    snmp_free_pdu(pdu);
    ck_assert(mgr_snmp_walk_complete(&w));
    ck_assert_uint_eq(d.shave, 1u << MGR_SNMP_S_UPTIME);
    ck_assert_uint_eq(d.sv[MGR_SNMP_S_UPTIME], 4200);
    ck_assert_uint_eq(w.scalars, 0);
    (void)la;
    mgr_snmp_data_free(&d);
}
END_TEST

/* Each way a GETBULK answer can be unusable asks for GETNEXT, and leaves the scalars it
 * carried to be asked for again (their values in such an answer are not trusted). */
START_TEST(bad_bulk_answers)
{
    for (int kind = 0; kind < 3; kind++) {
        mgr_snmp_walk w;
        mgr_snmp_data d;
        const char *why;
        mgr_snmp_data_init(&d);
        uint32_t want = 1u << MGR_SNMP_S_UPTIME;
        mgr_snmp_walk_opts o = { MGR_SNMP_WALK_HOST, 1, 10, 0, want };
        mgr_snmp_walk_start(&w, &o);
        snmp_free_pdu(mgr_snmp_walk_request(&w));
        netsnmp_pdu *pdu = response();
        if (kind == 0) { /* an error-status */
            pdu->errstat = SNMP_ERR_GENERR;
            pdu->errindex = 1;
        } else if (kind == 1) { /* the request's own names: not increasing */
            size_t len;
            const oid *up = mgr_snmp_scalar_oid(MGR_SNMP_S_UPTIME, &len);
            add_num(pdu, up, len, NULL, 0, ASN_TIMETICKS, 1);
            const mgr_snmp_col *c = w.cur[w.sent[0]].col;
            add_num(pdu, c->base, c->base_len, NULL, 0, ASN_INTEGER, 1);
        } /* kind 2: no varbinds */
        ck_assert_int_eq(mgr_snmp_walk_response(&w, pdu, &d, &why), MGR_SNMP_WALK_BAD_BULK);
        ck_assert_uint_eq(w.scalars, want);
        ck_assert_uint_eq(d.shave, 0);
        snmp_free_pdu(pdu);
        mgr_snmp_data_free(&d);
    }
}
END_TEST

/* tooBig on a GETBULK halves the repetitions rather than giving up on GETBULK. */
START_TEST(bulk_too_big_halves_repetitions)
{
    mgr_snmp_walk w;
    mgr_snmp_data d;
    const char *why;
    mgr_snmp_data_init(&d);
    walk_start(&w, MGR_SNMP_WALK_HOST, 1, 10);
    snmp_free_pdu(mgr_snmp_walk_request(&w));
    netsnmp_pdu *pdu = response();
    pdu->errstat = SNMP_ERR_TOOBIG;
    ck_assert_int_eq(mgr_snmp_walk_response(&w, pdu, &d, &why), MGR_SNMP_WALK_MORE);
    ck_assert_int_eq(w.max_rep, 5);
    snmp_free_pdu(pdu);
    mgr_snmp_data_free(&d);
}
END_TEST

/* GETNEXT: v1's noSuchName ends the column it names; the others go on. */
START_TEST(getnext_nosuchname_ends_one_column)
{
    mgr_snmp_walk w;
    mgr_snmp_data d;
    const char *why;
    mgr_snmp_data_init(&d);
    walk_start(&w, MGR_SNMP_WALK_HOST, 0, 10);
    snmp_free_pdu(mgr_snmp_walk_request(&w));
    netsnmp_pdu *pdu = response();
    pdu->errstat = SNMP_ERR_NOSUCHNAME;
    pdu->errindex = 2;
    ck_assert_int_eq(mgr_snmp_walk_response(&w, pdu, &d, &why), MGR_SNMP_WALK_MORE);
    ck_assert_int_eq(w.cur[w.sent[1]].done, 1);
    ck_assert_int_eq(w.cur[w.sent[0]].done, 0);
    ck_assert_ptr_null(w.stopped);
    snmp_free_pdu(pdu);
    /* The next request leaves the finished column out. */
    pdu = mgr_snmp_walk_request(&w);
    ck_assert_int_eq(pdu->command, SNMP_MSG_GETNEXT);
    ck_assert_uint_eq(w.nsent, w.ncols - 1);
    snmp_free_pdu(pdu);
    mgr_snmp_data_free(&d);
}
END_TEST

/* GETNEXT: a column that goes back is cut short (no endless loop); the walk completes. */
START_TEST(getnext_loop_is_cut)
{
    mgr_snmp_walk w;
    mgr_snmp_data d;
    const char *why;
    mgr_snmp_data_init(&d);
    walk_start(&w, MGR_SNMP_WALK_HOST, 0, 10);
    size_t ci = col_of(&w, o_if_descr, N_OF(o_if_descr));
    int rounds = 0;
    while (!mgr_snmp_walk_complete(&w) && rounds++ < 10) {
        netsnmp_pdu *req = mgr_snmp_walk_request(&w);
        netsnmp_pdu *pdu = response();
        for (size_t j = 0; j < w.nsent; j++) {
            const mgr_snmp_col *c = w.cur[w.sent[j]].col;
            static const oid one[] = { 1 };
            if (w.sent[j] == ci) /* always ifDescr.1: the second time it does not increase */
                add_str(pdu, c->base, c->base_len, one, 1, "eth0", 4);
            else
                add_end(pdu, c->base, c->base_len);
        }
        ck_assert_int_eq(mgr_snmp_walk_response(&w, pdu, &d, &why), MGR_SNMP_WALK_MORE);
        snmp_free_pdu(req);
        snmp_free_pdu(pdu);
    }
    ck_assert(mgr_snmp_walk_complete(&w));
    ck_assert_int_eq(rounds, 2);
    ck_assert_int_eq(w.loop, 1);
    ck_assert_uint_eq(d.t[MGR_SNMP_T_IF].n, 1);
    mgr_snmp_data_free(&d);
}
END_TEST

/* A table that never ends stops at MGR_SNMP_ROWS_MAX rows. */
START_TEST(rows_are_capped)
{
    mgr_snmp_data d;
    mgr_snmp_data_init(&d);
    size_t n;
    const mgr_snmp_col *cols = mgr_snmp_walk_cols(MGR_SNMP_WALK_HOST, &n);
    const mgr_snmp_col *descr = NULL;
    for (size_t i = 0; i < n; i++)
        if (cols[i].table == MGR_SNMP_T_IF && cols[i].slot == MGR_SNMP_IF_SPEED)
            descr = &cols[i];
    ck_assert_ptr_nonnull(descr);
    netsnmp_variable_list var;
    memset(&var, 0, sizeof(var));
    long v = 1;
    var.type = ASN_GAUGE;
    var.val.integer = &v;
    var.val_len = sizeof(v);
    int rc = 0;
    oid idx = 0;
    for (idx = 1; idx <= MGR_SNMP_ROWS_MAX + 1 && rc == 0; idx++)
        rc = mgr_snmp_data_put(&d, descr, &idx, 1, &var);
    ck_assert_int_eq(rc, -1);
    ck_assert_uint_eq(d.t[MGR_SNMP_T_IF].n, MGR_SNMP_ROWS_MAX);
    ck_assert_int_eq(d.t[MGR_SNMP_T_IF].capped, 1);
    mgr_snmp_data_free(&d);
}
END_TEST

/* v1: a GET refused with noSuchName is made again without the varbind it names. */
START_TEST(scalars_retry_without_refused)
{
    mgr_snmp_data d;
    mgr_snmp_data_init(&d);
    uint32_t want = (1u << MGR_SNMP_S__COUNT) - 1;
    netsnmp_pdu *pdu = response();
    pdu->errstat = SNMP_ERR_NOSUCHNAME;
    pdu->errindex = 3;
    ck_assert_int_eq(mgr_snmp_scalars_response(pdu, &want, &d), 1);
    ck_assert_uint_eq(want, ((1u << MGR_SNMP_S__COUNT) - 1) & ~(1u << MGR_SNMP_S_PROCESSES));
    snmp_free_pdu(pdu);
    /* errindex 3 now names the fourth scalar: the third was removed. */
    pdu = response();
    pdu->errstat = SNMP_ERR_NOSUCHNAME;
    pdu->errindex = 3;
    ck_assert_int_eq(mgr_snmp_scalars_response(pdu, &want, &d), 1);
    ck_assert_uint_eq(want & (1u << MGR_SNMP_S_MEM_TOTAL), 0);
    snmp_free_pdu(pdu);
    netsnmp_pdu *req = mgr_snmp_scalars_request(want);
    size_t n = 0;
    for (netsnmp_variable_list *v = req->variables; v; v = v->next_variable)
        n++;
    ck_assert_uint_eq(n, MGR_SNMP_S__COUNT - 2);
    snmp_free_pdu(req);
    mgr_snmp_data_free(&d);
}
END_TEST

/* Put the scalar i with value v into d through a GET response. */
static void scalar_set(mgr_snmp_data *d, unsigned i, u_char type, long v)
{
    size_t len;
    const oid *o = mgr_snmp_scalar_oid(i, &len);
    netsnmp_pdu *pdu = response();
    add_num(pdu, o, len, NULL, 0, type, v);
    uint32_t want = 1u << i;
    ck_assert_int_eq(mgr_snmp_scalars_response(pdu, &want, d), 0);
    snmp_free_pdu(pdu);
}

/* The column of walk id that fills slot of table t. */
static const mgr_snmp_col *col_find(mgr_snmp_walk_id id, mgr_snmp_table_id t, unsigned slot)
{
    size_t n;
    const mgr_snmp_col *cols = mgr_snmp_walk_cols(id, &n);
    for (size_t i = 0; i < n; i++)
        if (cols[i].table == t && cols[i].slot == slot)
            return &cols[i];
    ck_abort_msg("no column for table %d slot %u", (int)t, slot);
    return NULL;
}

/* Keep the one varbind of pdu as the value of (t, slot) of row idx, and free pdu. */
static void put_var(mgr_snmp_data *d, mgr_snmp_walk_id id, mgr_snmp_table_id t, unsigned slot,
                    const oid *idx, size_t nidx, netsnmp_pdu *pdu)
{
    ck_assert_int_eq(mgr_snmp_data_put(d, col_find(id, t, slot), idx, nidx, pdu->variables), 0);
    snmp_free_pdu(pdu);
}

static void put_num(mgr_snmp_data *d, mgr_snmp_table_id t, unsigned slot, oid i, u_char type,
                    long v)
{
    static const oid zero[] = { 0 };
    netsnmp_pdu *pdu = response();
    add_num(pdu, zero, 1, NULL, 0, type, v);
    put_var(d, MGR_SNMP_WALK_HOST, t, slot, &i, 1, pdu);
}

static void put_str(mgr_snmp_data *d, mgr_snmp_table_id t, unsigned slot, oid i, const char *v)
{
    static const oid zero[] = { 0 };
    netsnmp_pdu *pdu = response();
    add_str(pdu, zero, 1, NULL, 0, v, strlen(v));
    put_var(d, MGR_SNMP_WALK_HOST, t, slot, &i, 1, pdu);
}

START_TEST(host_metrics_mapping)
{
    mgr_snmp_data d;
    mgr_snmp_data_init(&d);
    scalar_set(&d, MGR_SNMP_S_MEM_TOTAL, ASN_INTEGER, 1000);
    scalar_set(&d, MGR_SNMP_S_MEM_AVAIL, ASN_INTEGER, 300);
    scalar_set(&d, MGR_SNMP_S_MEM_BUFFER, ASN_INTEGER, 100);
    scalar_set(&d, MGR_SNMP_S_MEM_CACHED, ASN_INTEGER, 200);
    scalar_set(&d, MGR_SNMP_S_SWAP_TOTAL, ASN_INTEGER, 400);
    scalar_set(&d, MGR_SNMP_S_SWAP_AVAIL, ASN_INTEGER, 300);
    scalar_set(&d, MGR_SNMP_S_LOAD, ASN_INTEGER, 157);
    scalar_set(&d, MGR_SNMP_S_PROCESSES, ASN_GAUGE, 77);
    put_num(&d, MGR_SNMP_T_PROC, MGR_SNMP_PROC_LOAD, 1, ASN_INTEGER, 20);
    put_num(&d, MGR_SNMP_T_PROC, MGR_SNMP_PROC_LOAD, 2, ASN_INTEGER, 40);
    mgr_snmp_state st;
    memset(&st, 0, sizeof(st));
    mgr_result *r = mgr_result_new("h", MGR_SRC_SNMP);
    ck_assert_int_eq(mgr_snmp_fill_result(&d, &st, r), 0);
    const double *v = r->res[0].v;
    ck_assert(v[MGR_H_MEM_TOTAL] == 1000 * 1024.0);
    ck_assert(v[MGR_H_MEM_USED] == 400 * 1024.0); /* total - free - buffers - cache */
    ck_assert(v[MGR_H_MEM_USED_PCT] == 40);
    ck_assert(v[MGR_H_SWAP_USED_PCT] == 25);
    ck_assert(fabs(v[MGR_H_LOAD] - 1.57) < 1e-12);
    ck_assert(v[MGR_H_PROCESSES] == 77);
    ck_assert(v[MGR_H_CPU_UTIL] == 30); /* the average of the processors */
    ck_assert(isnan(v[MGR_H_USERS]));
    ck_assert(isnan(v[MGR_H_VM_COUNT]));
    ck_assert_uint_eq(r->n_res, 1);
    mgr_result_free(r);
    mgr_snmp_data_free(&d);
}
END_TEST

/* Without UCD-SNMP-MIB, memory and swap come from hrStorage; fixed disks become file systems
 * (a repeated mount point once). */
START_TEST(storage_mapping)
{
    static const oid o_virt_type[] = { 1, 3, 6, 1, 2, 1, 25, 2, 1, 3 };
    static const struct {
        const oid *type;
        const char *descr;
        long size, used;
    } rows[] = {
        { o_ram_type, "Physical memory", 1000, 250 }, { o_virt_type, "Virtual memory", 3000, 1000 },
        { o_virt_type, "Swap space", 2000, 500 },     { o_disk_type, "/srv data", 1000, 300 },
        { o_disk_type, "/srv data", 1000, 900 },
    };
    mgr_snmp_data d;
    mgr_snmp_data_init(&d);
    for (size_t i = 0; i < N_OF(rows); i++) {
        static const oid zero[] = { 0 };
        oid idx = (oid)i + 1;
        netsnmp_pdu *pdu = response();
        add_oid(pdu, zero, 1, NULL, 0, rows[i].type, 10);
        put_var(&d, MGR_SNMP_WALK_HOST, MGR_SNMP_T_STOR, MGR_SNMP_ST_TYPE, &idx, 1, pdu);
        put_str(&d, MGR_SNMP_T_STOR, MGR_SNMP_ST_DESCR, idx, rows[i].descr);
        put_num(&d, MGR_SNMP_T_STOR, MGR_SNMP_ST_UNITS, idx, ASN_INTEGER, 4096);
        put_num(&d, MGR_SNMP_T_STOR, MGR_SNMP_ST_SIZE, idx, ASN_INTEGER, rows[i].size);
        put_num(&d, MGR_SNMP_T_STOR, MGR_SNMP_ST_USED, idx, ASN_INTEGER, rows[i].used);
    }
    mgr_snmp_state st;
    memset(&st, 0, sizeof(st));
    mgr_result *r = mgr_result_new("h", MGR_SRC_SNMP);
    ck_assert_int_eq(mgr_snmp_fill_result(&d, &st, r), 0);
    const double *v = r->res[0].v;
    ck_assert(v[MGR_H_MEM_TOTAL] == 1000 * 4096.0);
    ck_assert(v[MGR_H_MEM_USED] == 250 * 4096.0);
    ck_assert(v[MGR_H_MEM_USED_PCT] == 25);
    ck_assert(v[MGR_H_SWAP_USED_PCT] == 25); /* the row that names swap */
    ck_assert_uint_eq(r->n_res, 2);
    ck_assert_int_eq(r->res[1].kind, MGR_RES_FS);
    ck_assert_str_eq(r->res[1].id, "/srv data");
    ck_assert(r->res[1].v[MGR_F_USED_PCT] == 30);
    mgr_result_free(r);
    mgr_snmp_data_free(&d);
}
END_TEST

/* Put one IF row (eth0) with the given counters into a fresh d. */
static void if_data(mgr_snmp_data *d, int hc, uint64_t hc_in, long in32, long speed)
{
    static const oid zero[] = { 0 }, one[] = { 1 };
    mgr_snmp_data_init(d);
    put_str(d, MGR_SNMP_T_IF, MGR_SNMP_IF_NAME, 1, "eth0");
    put_num(d, MGR_SNMP_T_IF, MGR_SNMP_IF_IN_OCTETS, 1, ASN_COUNTER, in32);
    put_num(d, MGR_SNMP_T_IF, MGR_SNMP_IF_SPEED, 1, ASN_GAUGE, speed);
    if (hc) {
        netsnmp_pdu *pdu = response();
        add_c64(pdu, zero, 1, NULL, 0, hc_in);
        put_var(d, MGR_SNMP_WALK_HOST, MGR_SNMP_T_IF, MGR_SNMP_IF_HC_IN, one, 1, pdu);
    }
}

/* Interface rates: none at first, 64-bit deltas, a 32-bit wrap within the speed's limit, one
 * beyond it refused. */
START_TEST(interface_rates)
{
    mgr_snmp_state st;
    memset(&st, 0, sizeof(st));
    static const struct {
        int hc;
        uint64_t hc_in;
        long in32;
        long speed;
        double t;
        double want; /* bits/s; NAN: no sample */
    } steps[] = {
        { 1, 1000, 0, 0, 10, NAN },
        { 1, 2000, 0, 0, 20, 800 },
        { 1, 500, 0, 0, 30, NAN },                  /* reset */
        { 1, 1500, 0, 0, 40, 800 },                 /* resumes */
        { 0, 0, 4294967000L, 1000000, 50, NAN },    /* 32-bit now: a new counter */
        { 0, 0, 200, 1000000, 60, 496 * 8 / 10.0 }, /* one wrap */
        { 0, 0, 4294967000L, 1000, 70, NAN },       /* a "wrap" faster than 1 kb/s allows */
    };
    for (size_t i = 0; i < N_OF(steps); i++) {
        mgr_snmp_data d;
        if_data(&d, steps[i].hc, steps[i].hc_in, steps[i].in32, steps[i].speed);
        d.t_sample = steps[i].t;
        mgr_result *r = mgr_result_new("h", MGR_SRC_SNMP);
        ck_assert_int_eq(mgr_snmp_fill_result(&d, &st, r), 0);
        ck_assert_uint_eq(r->n_res, 2);
        ck_assert_str_eq(r->res[1].id, "eth0");
        double got = r->res[1].v[MGR_I_RX_BPS];
        if (isnan(steps[i].want))
            ck_assert_msg(isnan(got), "step %zu: %g", i, got);
        else
            ck_assert_msg(fabs(got - steps[i].want) < 1e-9, "step %zu: %g", i, got);
        mgr_result_free(r);
        mgr_snmp_data_free(&d);
    }
    ck_assert_uint_eq(st.n_ifs, 1);
    for (size_t i = 0; i < st.n_ifs; i++)
        free(st.ifs[i].id);
    free(st.ifs);
}
END_TEST

/* A VIRTSIGHT-MIB VM row becomes a VM resource; hypervisor rows give the VM counts. */
START_TEST(vm_mapping)
{
    mgr_snmp_data d;
    mgr_snmp_data_init(&d);
    mgr_snmp_walk w;
    const char *why;
    static const unsigned char uuid[16] = { 0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
                                            0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f };
    static const oid row[] = { 1, 7 };
    static const oid hv1[] = { 1 }, hv2[] = { 2 };
    netsnmp_pdu *pdu = response();
    add_num(pdu, o_hv_count, N_OF(o_hv_count), hv1, 1, ASN_GAUGE, 3);
    add_num(pdu, o_hv_count, N_OF(o_hv_count), hv2, 1, ASN_GAUGE, 2);
    const mgr_snmp_col *count = col_find(MGR_SNMP_WALK_VM, MGR_SNMP_T_HV, MGR_SNMP_HV_VM_COUNT);
    ck_assert_int_eq(mgr_snmp_data_put(&d, count, hv1, 1, pdu->variables), 0);
    ck_assert_int_eq(mgr_snmp_data_put(&d, count, hv2, 1, pdu->variables->next_variable), 0);
    snmp_free_pdu(pdu);

    walk_start(&w, MGR_SNMP_WALK_VM, 1, 5);
    snmp_free_pdu(mgr_snmp_walk_request(&w));
    pdu = response();
    /* One repetition of each column (the VM counts were put above: their columns end here),
     * then (second repetition) endOfMibView everywhere. */
    ck_assert_int_eq(w.cur[w.sent[0]].col->table, MGR_SNMP_T_HV);
    ck_assert_int_eq(w.cur[w.sent[1]].col->table, MGR_SNMP_T_HV);
    for (size_t j = 0; j < 2; j++)
        add_end(pdu, w.cur[w.sent[j]].col->base, w.cur[w.sent[j]].col->base_len);
    add_str(pdu, o_vm_name, N_OF(o_vm_name), row, 2, "web\x01", 4);
    add_str(pdu, o_vm_uuid, N_OF(o_vm_uuid), row, 2, uuid, 16);
    add_num(pdu, o_vm_state, N_OF(o_vm_state), row, 2, ASN_INTEGER, 4);
    add_num(pdu, o_vm_vcpus, N_OF(o_vm_vcpus), row, 2, ASN_GAUGE, 2);
    add_num(pdu, o_vm_target, N_OF(o_vm_target), row, 2, ASN_GAUGE, 1024);
    add_c64(pdu, o_vm_used, N_OF(o_vm_used), row, 2, 268435456);
    add_c64(pdu, (const oid[]){ VS_OID_VM_CPU_TIME }, VS_OID_VM_CPU_TIME_LEN, row, 2, 2500000000u);
    add_num(pdu, o_vm_util, N_OF(o_vm_util), row, 2, ASN_GAUGE, 2550);
    for (size_t j = 0; j < w.nsent; j++)
        add_end(pdu, w.cur[w.sent[j]].col->base, w.cur[w.sent[j]].col->base_len);
    ck_assert_int_eq(mgr_snmp_walk_response(&w, pdu, &d, &why), MGR_SNMP_WALK_MORE);
    ck_assert(mgr_snmp_walk_complete(&w));
    snmp_free_pdu(pdu);

    mgr_snmp_state st;
    memset(&st, 0, sizeof(st));
    mgr_result *r = mgr_result_new("h", MGR_SRC_SNMP);
    ck_assert_int_eq(mgr_snmp_fill_result(&d, &st, r), 0);
    ck_assert(r->res[0].v[MGR_H_VM_COUNT] == 5);
    ck_assert(isnan(r->res[0].v[MGR_H_VM_RUNNING]));
    ck_assert_uint_eq(r->n_res, 2);
    const mgr_resource *vm = &r->res[1];
    ck_assert_int_eq(vm->kind, MGR_RES_VM);
    ck_assert_str_eq(vm->id, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    ck_assert_str_eq(vm->label, "web?"); /* a control byte shown as '?' */
    ck_assert(vm->v[MGR_V_STATE] == 4);
    ck_assert(fabs(vm->v[MGR_V_CPU_UTIL] - 51.0) < 1e-9); /* 25.5 % of 2 vCPUs */
    ck_assert(vm->v[MGR_V_CPU_TIME] == 2.5);
    ck_assert(vm->v[MGR_V_MEM_USED] == 268435456);
    ck_assert(vm->v[MGR_V_MEM_USED_PCT] == 25);
    ck_assert(isnan(vm->v[MGR_V_NET_RX_BPS]));
    mgr_result_free(r);
    mgr_snmp_data_free(&d);
}
END_TEST

/* Host state: found by name, dropped when a reload no longer names the host. */
START_TEST(state_map_retain)
{
    mgr_snmp_states m;
    mgr_snmp_states_init(&m);
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "host%d", i);
        ck_assert_ptr_nonnull(mgr_snmp_states_get(&m, name, 1));
    }
    ck_assert_ptr_null(mgr_snmp_states_get(&m, "other", 0));
    mgr_snmp_state *st = mgr_snmp_states_get(&m, "host7", 0);
    ck_assert_ptr_nonnull(st);
    st->nobulk = 1;
    ck_assert_ptr_nonnull(mgr_snmp_state_if(st, "eth1"));
    ck_assert_ptr_nonnull(mgr_snmp_state_if(st, "eth0"));
    ck_assert_str_eq(st->ifs[0].id, "eth0");
    mgr_host_cfg hosts[2];
    memset(hosts, 0, sizeof(hosts));
    hosts[0].name = (char *)"host7";
    hosts[1].name = (char *)"host299";
    mgr_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.hosts = hosts;
    cfg.n_hosts = 2;
    mgr_snmp_states_retain(&m, &cfg);
    ck_assert_uint_eq(m.n, 2);
    ck_assert_ptr_null(mgr_snmp_states_get(&m, "host8", 0));
    st = mgr_snmp_states_get(&m, "host7", 0);
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(st->nobulk, 1);
    /* Keys: derived once per pass phrase and protocol, refused when too short. */
    const mgr_snmp_ku *k1 = mgr_snmp_states_ku(&m, usmHMAC192SHA256AuthProtocol, 10, "passphrase1");
    ck_assert_ptr_nonnull(k1);
    ck_assert_uint_eq(k1->len, 32);
    ck_assert_ptr_eq(mgr_snmp_states_ku(&m, usmHMAC192SHA256AuthProtocol, 10, "passphrase1"), k1);
    const mgr_snmp_ku *k2 = mgr_snmp_states_ku(&m, usmHMAC384SHA512AuthProtocol, 10, "passphrase1");
    ck_assert_ptr_nonnull(k2);
    ck_assert_uint_eq(k2->len, 64);
    ck_assert_ptr_null(mgr_snmp_states_ku(&m, usmHMAC192SHA256AuthProtocol, 10, "short"));
    ck_assert_uint_eq(m.n_keys, 2);
    mgr_snmp_states_free(&m);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("mgr_snmp");
    TCase *tc = tcase_create("all");
    tcase_add_test(tc, uuid_text);
    tcase_add_test(tc, bulk_request_carries_every_column);
    tcase_add_test(tc, bulk_carries_scalars);
    tcase_add_test(tc, bad_bulk_answers);
    tcase_add_test(tc, bulk_too_big_halves_repetitions);
    tcase_add_test(tc, getnext_nosuchname_ends_one_column);
    tcase_add_test(tc, getnext_loop_is_cut);
    tcase_add_test(tc, rows_are_capped);
    tcase_add_test(tc, scalars_retry_without_refused);
    tcase_add_test(tc, host_metrics_mapping);
    tcase_add_test(tc, storage_mapping);
    tcase_add_test(tc, interface_rates);
    tcase_add_test(tc, vm_mapping);
    tcase_add_test(tc, state_map_retain);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(make_suite)
