/* floor-subagent: the baseline of bench/subagent.sh. A trivial AgentX subagent that serves a
 * static table of vsVmTable's shape (INDEX {hvIndex, vmIndex}, the same 26 accessible columns
 * 2..27 with the same types and similar values, FLOOR-MIB::flVmTable) under netSnmpPlaypen.8479,
 * beside virtsight's .8478, so that both run under one master at the same time. It has no
 * libvirt and no threads: every cell is computed once at start-up into a sorted array, and one
 * handler answers GET and GETNEXT by binary search. What it costs is what AgentX costs.
 *
 * By default the same cells are absent as in virtsight-subagent's table of a node written by
 * tests/lib/gen_node.py (rows with i % 10 < 8 are active; see present()), so that both tables
 * hold the same number of values; -F fills every cell.
 *
 * usage: floor-subagent -x AGENTX-SOCKET -n ROWS [-F]
 * Prints "floor-subagent: serving N rows" on stderr once its registration is queued. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "vs_num.h"

#define APP "floor-subagent"
#define FIRST_COL 2
#define LAST_COL 27
#define N_COLS (LAST_COL - FIRST_COL + 1)
#define HV_INDEX 1

/* netSnmpPlaypen.8479 and the entry at the same depth as vsVmEntry (8478.1.1.1.2.1.1). */
static const oid root_oid[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 8479 };
static const oid entry_oid[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 8479, 1, 1, 1, 2, 1, 1 };
#define ROOT_LEN (sizeof(root_oid) / sizeof(root_oid[0]))
#define ENTRY_LEN (sizeof(entry_oid) / sizeof(entry_oid[0]))

/* One cell, ready for snmp_set_var_typed_value; type 0 means absent. */
typedef struct {
    const void *val;
    unsigned short len;
    u_char type;
} cell;

/* The values a row's cells point to. */
typedef struct {
    oid index; /* vmIndex */
    char name[24];
    u_char uuid[16];
    long num[LAST_COL + 1];
    struct counter64 c64[LAST_COL + 1];
    cell cells[N_COLS];
} row;

static row *rows;
static size_t n_rows;
static volatile sig_atomic_t stop_signal;

static const u_char date_and_time[11] = { 0x07, 0xEA, 11, 21, 11, 45, 11, 0, '+', 0, 0 };

/* Whether cell (col, row i) exists: the pattern virtsight-subagent shows for gen_node.py's
 * node on libvirt's test driver (no balloon statistics, no admin result, CPU figures and
 * domain ID only while active, uptime only while inactive, start times unknown). */
static int present(int full, unsigned col, size_t i)
{
    int active = i % 10 < 8;
    if (full)
        return 1;
    switch (col) {
    case 18:
    case 19:
    case 20:
    case 27:
        return 0;
    case 4:
    case 21:
    case 22:
        return active;
    case 23:
        return !active;
    default:
        return 1;
    }
}

static void row_cells(row *r, const char *state_reason, int full);

/* Fill row r (vmIndex i) and its cells. */
static void row_fill(row *r, size_t i, int full)
{
    static const char *reasons[] = { "running (unknown)", "paused (unknown)",
                                     "shut off (unknown)" };
    int state = i % 10 < 7 ? 0 : i % 10 == 7 ? 1 : 2; /* gen_node.py's running/paused/off */
    long vcpus = 1 + (long)(i % 4);

    r->index = i;
    snprintf(r->name, sizeof(r->name), "vm-%05zu", i);
    static const u_char uuid_head[10] = { 0x5e, 0x0e, 0, 0, 0, 0, 0x40, 0, 0x80, 0 };
    memcpy(r->uuid, uuid_head, sizeof(uuid_head));
    for (int k = 0; k < 6; k++)
        r->uuid[10 + k] = (u_char)((uint64_t)i >> (8 * (5 - k)));
    /* Numbers by column: vsVmOperState, vsVmLibvirtState and vsVmAdminState by state. */
    static const long oper[] = { 4, 8, 11 }, lv[] = { 1, 3, 5 }, admin[] = { 1, 3, 4 };
    long *n = r->num;
    n[4] = (long)i; /* domain ID */
    n[6] = 1;       /* persistent: true */
    n[7] = oper[state];
    n[9] = lv[state];
    n[10] = 0; /* libvirt reason */
    n[11] = admin[state];
    n[12] = 1; /* action: none */
    n[13] = 2; /* autostart: false */
    n[14] = n[15] = vcpus;
    n[16] = n[17] = 512 * vcpus;
    n[22] = 4919; /* CPU utilisation */
    n[23] = 0;    /* uptime */
    n[25] = 1;    /* admin result status: none */
    for (unsigned c = 18; c <= 21; c++) {
        r->c64[c].high = 0x18EA1234u;
        r->c64[c].low = (u_long)(i * 7919u);
    }
    row_cells(r, reasons[state], full);
}

/* Point r's cells at its values, with the type of each column; state_reason is vsVmStateReason. */
static void row_cells(row *r, const char *state_reason, int full)
{
    long *n = r->num;
    for (unsigned col = FIRST_COL; col <= LAST_COL; col++) {
        cell *x = &r->cells[col - FIRST_COL];
        switch (col) {
        case 2:
            *x = (cell){ r->name, (unsigned short)strlen(r->name), ASN_OCTET_STR };
            break;
        case 3:
            *x = (cell){ r->uuid, 16, ASN_OCTET_STR };
            break;
        case 5:
            *x = (cell){ "hvm", 3, ASN_OCTET_STR };
            break;
        case 8:
            *x = (cell){ state_reason, (unsigned short)strlen(state_reason), ASN_OCTET_STR };
            break;
        case 14:
        case 15:
        case 16:
        case 17:
        case 23:
            *x = (cell){ &n[col], sizeof(long), ASN_UNSIGNED };
            break;
        case 22:
            *x = (cell){ &n[col], sizeof(long), ASN_GAUGE };
            break;
        case 18:
        case 19:
        case 20:
        case 21:
            *x = (cell){ &r->c64[col], sizeof(struct counter64), ASN_COUNTER64 };
            break;
        case 24:
        case 27:
            *x = (cell){ date_and_time, 11, ASN_OCTET_STR };
            break;
        case 26:
            *x = (cell){ "", 0, ASN_OCTET_STR };
            break;
        default:
            *x = (cell){ &n[col], sizeof(long), ASN_INTEGER };
            break;
        }
        if (!present(full, col, r->index))
            x->type = 0;
    }
}

/* Position of the first row whose index {HV_INDEX, vmIndex} is after idx (strictly). */
static size_t row_after(const oid *idx, size_t ilen)
{
    size_t lo = 0, hi = n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        oid key[2] = { HV_INDEX, rows[mid].index };
        if (snmp_oid_compare(key, 2, idx, ilen) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The cell a GET names, or NULL; *err is the error to return then. */
static const cell *cell_get(const oid *name, size_t len, int *err)
{
    *err = SNMP_NOSUCHOBJECT;
    if (len < ENTRY_LEN + 1 || snmp_oid_compare(name, ENTRY_LEN, entry_oid, ENTRY_LEN) != 0
        || name[ENTRY_LEN] < FIRST_COL || name[ENTRY_LEN] > LAST_COL)
        return NULL;
    *err = SNMP_NOSUCHINSTANCE;
    if (len != ENTRY_LEN + 3 || name[ENTRY_LEN + 1] != HV_INDEX)
        return NULL;
    /* The row before the first one after the index is the only candidate. */
    size_t i = row_after(name + ENTRY_LEN + 1, 2);
    if (i == 0 || rows[i - 1].index != name[ENTRY_LEN + 2])
        return NULL;
    const cell *x = &rows[i - 1].cells[name[ENTRY_LEN] - FIRST_COL];
    return x->type != 0 ? x : NULL;
}

/* The first cell after name: its column and row; -1 when name is at or after the table's end. */
static int cell_next(const oid *name, size_t len, unsigned *col_out, size_t *row_out)
{
    size_t n = len < ENTRY_LEN ? len : ENTRY_LEN;
    int cmp = snmp_oid_compare(name, n, entry_oid, n);
    unsigned col = FIRST_COL;
    size_t i = 0;

    if (cmp > 0)
        return -1;
    if (cmp == 0 && len > ENTRY_LEN) {
        if (name[ENTRY_LEN] > LAST_COL)
            return -1;
        if (name[ENTRY_LEN] >= FIRST_COL) {
            col = (unsigned)name[ENTRY_LEN];
            i = row_after(name + ENTRY_LEN + 1, len - ENTRY_LEN - 1);
        }
    }
    for (; col <= LAST_COL; col++, i = 0) {
        for (; i < n_rows; i++) {
            if (rows[i].cells[col - FIRST_COL].type != 0) {
                *col_out = col;
                *row_out = i;
                return 0;
            }
        }
    }
    return -1;
}

/* GET and GETNEXT over the table; anything else is refused. */
static int floor_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    (void)reginfo;
    for (netsnmp_request_info *r = requests; r != NULL; r = r->next) {
        netsnmp_variable_list *vb = r->requestvb;
        if (r->processed)
            continue;
        if (reqinfo->mode == MODE_GET) {
            int err;
            const cell *x = cell_get(vb->name, vb->name_length, &err);
            if (x == NULL)
                netsnmp_set_request_error(reqinfo, r, err);
            else
                snmp_set_var_typed_value(vb, x->type, x->val, x->len);
        } else if (reqinfo->mode == MODE_GETNEXT) {
            unsigned col;
            size_t i;
            if (cell_next(vb->name, vb->name_length, &col, &i) == 0) {
                oid out[ENTRY_LEN + 3];
                memcpy(out, entry_oid, sizeof(entry_oid));
                out[ENTRY_LEN] = col;
                out[ENTRY_LEN + 1] = HV_INDEX;
                out[ENTRY_LEN + 2] = rows[i].index;
                snmp_set_var_objid(vb, out, ENTRY_LEN + 3);
                const cell *x = &rows[i].cells[col - FIRST_COL];
                snmp_set_var_typed_value(vb, x->type, x->val, x->len);
            }
        } else {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
        }
    }
    return SNMP_ERR_NOERROR;
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* Join the master at socket_path as a subagent serving the table. Returns 0 or -1 (printed). */
static int agent_start(const char *socket_path)
{
    setenv("MIBS", "", 1);
    snmp_enable_stderrlog();
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, socket_path);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    if (init_agent(APP) != 0) {
        fprintf(stderr, APP ": cannot initialise the agent library\n");
        return -1;
    }
    netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
        "floorMIB", floor_handler, root_oid, ROOT_LEN, HANDLER_CAN_RONLY);
    if (reg == NULL || netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
        fprintf(stderr, APP ": cannot register the table\n");
        return -1;
    }
    init_snmp(APP);
    return 0;
}

int main(int argc, char **argv)
{
    const char *socket_path = NULL;
    long n = -1;
    int full = 0, c;

    while ((c = getopt(argc, argv, "x:n:F")) != -1) {
        switch (c) {
        case 'x':
            socket_path = optarg;
            break;
        case 'n':
            if (vs_num_parse_long(optarg, 0, 10000000L, &n) < 0)
                n = -1;
            break;
        case 'F':
            full = 1;
            break;
        default:
            n = -1;
            socket_path = NULL;
            break;
        }
    }
    if (socket_path == NULL || n < 0 || optind != argc) {
        fprintf(stderr, "usage: " APP " -x AGENTX-SOCKET -n ROWS [-F]\n");
        return 2;
    }
    n_rows = (size_t)n;
    rows = calloc(n_rows ? n_rows : 1, sizeof(*rows));
    if (rows == NULL) {
        fprintf(stderr, APP ": out of memory for %zu rows\n", n_rows);
        return 1;
    }
    for (size_t i = 0; i < n_rows; i++)
        row_fill(&rows[i], i + 1, full);

    if (agent_start(socket_path) < 0)
        return 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: select returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fprintf(stderr, APP ": serving %zu rows\n", n_rows);
    while (stop_signal == 0)
        agent_check_and_process(1);
    snmp_shutdown(APP);
    free(rows);
    return 0;
}
