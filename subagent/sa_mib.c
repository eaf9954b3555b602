/* sa_mib: VIRTSIGHT-MIB's tables and scalars as the subagent serves them. Column numbers,
 * types and sizes come from the generated vs_mib.h; the values from the current snapshots. */
#include "config.h"

#include "sa_mib.h"
#include "sa_mib_int.h"

#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "vs_log.h"
#include "vs_mib.h"
#include "vs_vmstate.h"

static const sa_view empty_view = { NULL, 0 };
static const sa_view *cur_view = &empty_view;
static const sa_notify_state *cur_notify;

void sa_mib_set_view(const sa_view *view, const sa_notify_state *notify)
{
    cur_view = view != NULL ? view : &empty_view;
    cur_notify = notify;
}

const sa_view *sa_mib_view(void)
{
    return cur_view;
}

size_t sa_mib_date_and_time(time_t t, unsigned char *buf)
{
    struct tm tm;
    localtime_r(&t, &tm);
    int year = tm.tm_year + 1900;
    long off = tm.tm_gmtoff;
    buf[0] = (unsigned char)(year >> 8);
    buf[1] = (unsigned char)(year & 0xFF);
    buf[2] = (unsigned char)(tm.tm_mon + 1);
    buf[3] = (unsigned char)tm.tm_mday;
    buf[4] = (unsigned char)tm.tm_hour;
    buf[5] = (unsigned char)tm.tm_min;
    buf[6] = (unsigned char)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
    buf[7] = 0;
    buf[8] = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    buf[9] = (unsigned char)(off / 3600);
    buf[10] = (unsigned char)(off % 3600 / 60);
    return 11;
}

/* ---- hypervisor table ---- */

static size_t hv_one(const sa_snapshot *s)
{
    (void)s;
    return 1;
}

static size_t key_none(const sa_snapshot *s, size_t l1, oid *out)
{
    (void)s;
    (void)l1;
    (void)out;
    return 0;
}

static int hv_cell(const sa_cursor *c, unsigned col, sa_value *v)
{
    const sa_snapshot *s = sa_cursor_hv(c);
    int up = s->conn_state == VS_HV_CONN_STATE_CONNECTED;

    switch (col) {
    case VS_COL_HV_NAME:
        return v_str(v, s->name, VS_SIZE_HV_NAME_MAX);
    case VS_COL_HV_URI:
        return v_str(v, s->uri, VS_SIZE_HV_URI_MAX);
    case VS_COL_HV_HOSTNAME:
        return v_str(v, s->hostname, VS_SIZE_HV_HOSTNAME_MAX);
    case VS_COL_HV_DRIVER:
        return v_str(v, s->driver, VS_SIZE_HV_DRIVER_MAX);
    case VS_COL_HV_DRIVER_VERSION:
        return v_str(v, s->driver_version, VS_SIZE_HV_DRIVER_VERSION_MAX);
    case VS_COL_HV_LIBVIRT_VERSION:
        return v_str(v, s->libvirt_version, VS_SIZE_HV_LIBVIRT_VERSION_MAX);
    case VS_COL_HV_CONN_STATE:
        return v_num(v, VS_TYPE_HV_CONN_STATE, s->conn_state);
    case VS_COL_HV_LAST_ERROR:
        return v_str(v, s->last_error, VS_SIZE_HV_LAST_ERROR_MAX);
    case VS_COL_HV_LAST_ERROR_TIME:
        return s->has & SA_HV_HAS_LAST_ERROR_TIME ? v_time(v, s->last_error_time) : 1;
    case VS_COL_HV_CONN_UPTIME:
        return v_num(v, VS_TYPE_HV_CONN_UPTIME, s->connected_since ? age(s->connected_since) : 0);
    case VS_COL_HV_CPU_MODEL:
        return v_str(v, s->cpu_model, VS_SIZE_HV_CPU_MODEL_MAX);
    case VS_COL_HV_CPU_COUNT:
        return s->has & SA_HV_HAS_CPU_COUNT ? v_num(v, VS_TYPE_HV_CPU_COUNT, s->cpu_count) : 1;
    case VS_COL_HV_CPU_MHZ:
        return s->has & SA_HV_HAS_CPU_MHZ ? v_num(v, VS_TYPE_HV_CPU_MHZ, s->cpu_mhz) : 1;
    case VS_COL_HV_MEM_TOTAL:
        return s->has & SA_HV_HAS_MEM_TOTAL ? v_c64(v, s->mem_total) : 1;
    case VS_COL_HV_MEM_FREE:
        return s->has & SA_HV_HAS_MEM_FREE ? v_c64(v, s->mem_free) : 1;
    case VS_COL_HV_CPU_UTIL:
        return s->has & SA_HV_HAS_CPU_UTIL ? v_num(v, VS_TYPE_HV_CPU_UTIL, s->cpu_util) : 1;
    case VS_COL_HV_MEM_UTIL:
        return s->has & SA_HV_HAS_MEM_UTIL ? v_num(v, VS_TYPE_HV_MEM_UTIL, s->mem_util) : 1;
    case VS_COL_HV_VM_COUNT:
        return up ? v_num(v, VS_TYPE_HV_VM_COUNT, s->vm_count) : 1;
    case VS_COL_HV_VM_ACTIVE:
        return up ? v_num(v, VS_TYPE_HV_VM_ACTIVE, s->vm_active) : 1;
    case VS_COL_HV_VM_RUNNING:
        return up ? v_num(v, VS_TYPE_HV_VM_RUNNING, s->vm_running) : 1;
    case VS_COL_HV_LAST_CHANGE:
        return s->last_change ? v_time(v, s->last_change) : 1;
    case VS_COL_HV_SAMPLE_TIME:
        return s->has & SA_HV_HAS_SAMPLE_TIME ? v_time(v, s->sample_time) : 1;
    default:
        return 1;
    }
}

static const oid hv_entry[] = { VS_OID_HV_ENTRY };
const sa_table sa_mib_hv_table = {
    "vsHvTable",
    hv_entry,
    VS_OID_HV_ENTRY_LEN,
    VS_COL_HV_NAME,
    VS_HV_ENTRY_LAST_COLUMN,
    COLS(VS_COL_HV_NAME, VS_HV_ENTRY_LAST_COLUMN),
    0,
    hv_one,
    key_none,
    sa_table_one,
    NULL,
    hv_cell,
};

/* ---- notification control scalars ---- */

static int notify_cell(const sa_cursor *c, unsigned col, sa_value *v)
{
    const sa_notify_state *n = cur_notify;
    (void)c;
    if (n == NULL)
        return 1;
    switch (col) {
    case VS_SCALAR_NOTIFY_ENABLE:
        return v_num(v, VS_TYPE_NOTIFY_ENABLE, n->enable);
    case VS_SCALAR_NOTIFY_STATE_ENABLE:
        return v_num(v, VS_TYPE_NOTIFY_STATE_ENABLE, n->state_enable);
    case VS_SCALAR_NOTIFY_LIFECYCLE_ENABLE:
        return v_num(v, VS_TYPE_NOTIFY_LIFECYCLE_ENABLE, n->lifecycle_enable);
    case VS_SCALAR_NOTIFY_ADMIN_ENABLE:
        return v_num(v, VS_TYPE_NOTIFY_ADMIN_ENABLE, n->admin_enable);
    case VS_SCALAR_NOTIFY_HV_ENABLE:
        return v_num(v, VS_TYPE_NOTIFY_HV_ENABLE, n->hv_enable);
    case VS_SCALAR_NOTIFY_HOLD_DOWN:
        return v_num(v, VS_TYPE_NOTIFY_HOLD_DOWN, n->hold_down);
    case VS_SCALAR_NOTIFY_SENT:
        return v_num(v, VS_TYPE_NOTIFY_SENT, n->sent);
    case VS_SCALAR_NOTIFY_SUPPRESSED:
        return v_num(v, VS_TYPE_NOTIFY_SUPPRESSED, n->suppressed);
    case VS_SCALAR_NOTIFY_DISABLED:
        return v_num(v, VS_TYPE_NOTIFY_DISABLED, n->disabled);
    default:
        return 1;
    }
}

static const oid notify_group[] = { VS_OID_NOTIFY_CONTROL };
const sa_table sa_mib_notify_scalars = {
    "vsNotifyControl",
    notify_group,
    VS_OID_NOTIFY_CONTROL_LEN,
    VS_SCALAR_NOTIFY_ENABLE,
    VS_SCALAR_NOTIFY_DISABLED,
    COLS(VS_SCALAR_NOTIFY_ENABLE, VS_SCALAR_NOTIFY_DISABLED),
    1,
    NULL,
    NULL,
    NULL,
    NULL,
    notify_cell,
};

/* ---- the agent side ---- */

/* Put a cell value into a varbind. */
static void value_to_varbind(netsnmp_variable_list *vb, const sa_value *v)
{
    switch (v->type) {
    case ASN_COUNTER64: {
        struct counter64 c;
        c.high = (u_long)(v->u64 >> 32);
        c.low = (u_long)(v->u64 & 0xFFFFFFFFu);
        snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
        break;
    }
    case ASN_OCTET_STR:
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->str, v->len);
        break;
    case ASN_INTEGER: {
        long n = v->num;
        snmp_set_var_typed_value(vb, ASN_INTEGER, &n, sizeof(n));
        break;
    }
    default: {
        u_long n = (u_long)v->num;
        snmp_set_var_typed_value(vb, v->type, &n, sizeof(n));
        break;
    }
    }
}

/* Every table and scalar group, in OID order. */
static const sa_table *const all_tables[] = {
    &sa_mib_hv_table,   &sa_mib_vm_table,  &sa_mib_uuid_table,     &sa_mib_vcpu_table,
    &sa_mib_disk_table, &sa_mib_nic_table, &sa_mib_notify_scalars,
};
#define N_TABLES (sizeof(all_tables) / sizeof(all_tables[0]))

/* The OID subtree a table answers for: its table OID (the entry's parent), or the scalar
 * group itself. */
static size_t table_root_len(const sa_table *t)
{
    return t->scalar ? t->entry_len : t->entry_len - 1;
}

/* GET of name: the table whose subtree holds it answers; anything else has no such object. */
int sa_mib_get(const oid *name, size_t len, sa_value *val)
{
    for (size_t i = 0; i < N_TABLES; i++) {
        const sa_table *t = all_tables[i];
        size_t rl = table_root_len(t);
        if (len >= rl && snmp_oid_compare(name, rl, t->entry, rl) == 0)
            return sa_table_get(t, cur_view, name, len, val);
    }
    return SNMP_NOSUCHOBJECT;
}

/* GETNEXT from name: the first table, in OID order, with an instance after name. */
static int mib_getnext(const oid *name, size_t len, oid *out, size_t *out_len, sa_value *val)
{
    for (size_t i = 0; i < N_TABLES; i++) {
        if (sa_table_getnext(all_tables[i], cur_view, name, len, out, out_len, val) == 0)
            return 0;
    }
    return -1;
}

/* The handler of the whole module: GET and GETNEXT from the current view; SETs in
 * sa_mib_set.c. */
static int mib_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                       netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reginfo;
    if (reqinfo->mode != MODE_GET && reqinfo->mode != MODE_GETNEXT) {
        sa_mib_set(reqinfo, requests);
        return SNMP_ERR_NOERROR;
    }
    for (netsnmp_request_info *r = requests; r != NULL; r = r->next) {
        netsnmp_variable_list *vb = r->requestvb;
        sa_value val;
        oid out[MAX_OID_LEN];
        size_t out_len = 0;
        if (r->processed)
            continue;
        if (reqinfo->mode == MODE_GET) {
            int rc = sa_mib_get(vb->name, vb->name_length, &val);
            if (rc != 0)
                netsnmp_set_request_error(reqinfo, r, rc);
            else
                value_to_varbind(vb, &val);
        } else {
            /* Nothing after the name here: leave the varbind alone and the agent goes on
             * to the next registration. */
            if (mib_getnext(vb->name, vb->name_length, out, &out_len, &val) == 0) {
                snmp_set_var_objid(vb, out, out_len);
                value_to_varbind(vb, &val);
            }
        }
    }
    return SNMP_ERR_NOERROR;
}

/* One registration for the whole module, at virtsightMIB: a walk that starts at the module's
 * root falls inside it (the Net-SNMP 5.9 master can skip a registration that a walk reaches
 * from above, when its lookup cache predates the registration). */
int sa_mib_register(void)
{
    static const oid root[] = { VS_OID_VIRTSIGHT_MIB };
    netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
        "virtsightMIB", mib_handler, root, VS_OID_VIRTSIGHT_MIB_LEN, HANDLER_CAN_RWRITE);
    if (reg == NULL || netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
        VS_LOG(VS_LOG_ERR, NULL, "Cannot register VIRTSIGHT-MIB with the agent library.");
        return -1;
    }
    return 0;
}
