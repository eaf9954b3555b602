/* Unit tests of th_render and th_mib: the generated table agrees with lib/vs_mib.h (both come
 * from the MIB); VIRTSIGHT-MIB notifications, linkDown and unknown traps rendered from inputs
 * recorded from a real snmptrapd; hostile text kept to one line; time per trap. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h> /* oid, for lib/vs_mib.h */

#include "th_input.h"
#include "th_mib.h"
#include "th_render.h"
#include "vs_buf.h"
#include "vs_check.h"
#include "vs_mib.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    vs_buf b;
    vs_buf_init(&b, 1 << 20);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ck_assert_int_eq(vs_buf_append(&b, chunk, n), 0);
    fclose(f);
    *len = b.len;
    return b.data;
}

static th_trap *load(const char *name)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/data/%s.trap", TH_TEST_DIR, name);
    char *buf = read_file(path, &len);
    th_trap *t = th_trap_parse(buf, len, 0);
    free(buf);
    ck_assert_ptr_nonnull(t);
    return t;
}

static vs_msg *render(const char *name)
{
    th_trap *t = load(name);
    vs_msg *m = th_render(t, 1700000000.5);
    th_trap_free(t);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* The varbind of m whose name starts with prefix. */
static const vs_varbind *vb_named(const vs_msg *m, const char *prefix)
{
    for (size_t i = 0; i < m->n_vbs; i++)
        if (m->vbs[i].name != NULL && strncmp(m->vbs[i].name, prefix, strlen(prefix)) == 0)
            return &m->vbs[i];
    ck_abort_msg("no varbind %s", prefix);
    return NULL;
}

/* "1.3.6..." of an oid array from vs_mib.h. */
static void oid_text(const oid *o, size_t n, char *out, size_t outlen)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, outlen - k, "%s%lu", i > 0 ? "." : "", (unsigned long)o[i]);
}

START_TEST(table_agrees_with_vs_mib_h)
{
    static const oid changed[] = { VS_OID_VM_STATE_CHANGED };
    static const oid alarm[] = { VS_OID_ALARM_RAISED };
    static const oid oper[] = { VS_OID_VM_OPER_STATE };
    char want[256];

    oid_text(changed, VS_OID_VM_STATE_CHANGED_LEN, want, sizeof(want));
    ck_assert_str_eq(th_mib_by_label(NULL, 0, "vsVmStateChanged", 16)->oid, want);
    oid_text(alarm, VS_OID_ALARM_RAISED_LEN, want, sizeof(want));
    ck_assert_str_eq(th_mib_by_label(NULL, 0, "vsAlarmRaised", 13)->oid, want);
    oid_text(oper, VS_OID_VM_OPER_STATE_LEN, want, sizeof(want));
    const th_mib_node *n = th_mib_by_oid_exact(want);
    ck_assert_str_eq(n->label, "vsVmOperState");
    ck_assert_str_eq(n->module, "VIRTSIGHT-MIB");
    ck_assert_int_eq(n->type, 'i');
    ck_assert_str_eq(th_mib_enum_label(n, VS_VM_OPER_STATE_PAUSED), "paused");
    ck_assert_str_eq(th_mib_enum_label(n, VS_VM_OPER_STATE_CRASHED), "crashed");
    ck_assert_str_eq(th_mib_enum_label(n, VS_VM_OPER_STATE_SHUTTINGDOWN), "shuttingdown");
    /* A notification carries its OBJECTS in MIB order. */
    const th_mib_node *sc = th_mib_by_label("VIRTSIGHT-MIB", 13, "vsVmStateChanged", 16);
    ck_assert_uint_eq(sc->n_objs, 7);
    ck_assert_str_eq(th_mib_object(sc, 0)->label, "vsHvName");
    ck_assert_str_eq(th_mib_object(sc, 3)->label, "vsVmOperState");
    ck_assert_ptr_null(th_mib_object(sc, 7));
    /* Every notification the renderer names is in the table, as a notification. */
    static const char *const named[] = {
        "vsVmStateChanged",
        "vsVmDefined",
        "vsVmUndefined",
        "vsVmAdminRequestFailed",
        "vsHvConnectionLost",
        "vsHvConnectionRestored",
        "vsAlarmRaised",
        "vsAlarmCleared",
        "coldStart",
        "warmStart",
        "linkDown",
        "linkUp",
        "authenticationFailure",
    };
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        n = th_mib_by_label(NULL, 0, named[i], strlen(named[i]));
        ck_assert_msg(n != NULL && n->type == 'N', "%s is no notification in the table", named[i]);
    }
    /* Sorted for the binary searches. */
    for (size_t i = 1; i < th_mib_count(); i++)
        ck_assert(strcmp(th_mib_node_at(i - 1)->label, th_mib_node_at(i)->label) <= 0);
}
END_TEST

START_TEST(vm_state_change_names_vm_and_states)
{
    static const char *const fmts[] = { "num", "plain", "mibs" };
    for (size_t f = 0; f < 3; f++) {
        char name[64];
        snprintf(name, sizeof(name), "%s-v3-statechanged", fmts[f]);
        vs_msg *m = render(name);
        ck_assert_int_eq(m->kind, VS_MSG_TRAP);
        ck_assert_str_eq(m->metric, "vsVmStateChanged");
        ck_assert_str_eq(m->summary,
                         "vsVmStateChanged from 127.0.0.1: VM web1 on hv1: running -> paused "
                         "(reason: user)");
        ck_assert_int_eq(m->severity, VS_SEV_WARNING);
        ck_assert_int_eq(m->previous, VS_SEV_OK);
        ck_assert_str_eq(m->resource, "hv1/vm:web1");
        ck_assert_str_eq(m->value, "paused");
        ck_assert_str_eq(m->source, "127.0.0.1");
        ck_assert_str_eq(m->host, f == 0 ? "127.0.0.1" : "localhost");
        ck_assert_str_eq(m->trap_oid, "1.3.6.1.4.1.8072.9999.9999.8478.1.1.0.1");
        ck_assert(m->time == 1700000000.5);
        ck_assert_uint_eq(m->n_vbs, 9);
        ck_assert_str_eq(vb_named(m, "vsVmOperState")->text, "paused(8)");
        ck_assert_str_eq(vb_named(m, "vsNotifyPrevOperState")->text, "running(4)");
        ck_assert_str_eq(vb_named(m, "sysUpTime")->text, "0:00:50.00");
        ck_assert_str_eq(vb_named(m, "vsNotifyCoalesced")->text, "0 state changes");
        if (f < 2)
            ck_assert_str_eq(vb_named(m, "vsVmUuid")->text, "6b1e2c3d-4e5f-4061-8293-a4b5c6d7e8f9");
        ck_assert_ptr_null(m->msg_id);
        ck_assert_ptr_null(m->rule);
        vs_msg_free(m);
    }
}
END_TEST

START_TEST(crash_is_critical)
{
    vs_msg *m = render("num-v2c-crashed");
    ck_assert_int_eq(m->severity, VS_SEV_CRITICAL);
    ck_assert_str_eq(m->summary, "vsVmStateChanged from 127.0.0.1: VM db\"1 on hv2: running -> "
                                 "crashed (reason: panicked)");
    ck_assert_str_eq(m->resource, "hv2/vm:db\"1");
    vs_msg_free(m);
}
END_TEST

START_TEST(hypervisor_and_alarm_notifications)
{
    vs_msg *m = render("num-v2c-hvlost");
    ck_assert_int_eq(m->severity, VS_SEV_CRITICAL);
    /* The newline in the error text does not break the summary's one line. */
    ck_assert_str_eq(m->summary, "vsHvConnectionLost from 127.0.0.1: hypervisor hv1 connection "
                                 "lost: Cannot recv data: ssh: connect to host hv1 port 22: No "
                                 "route to host <!here> \"quoted\"");
    /* The varbind itself keeps its bytes: escaping is each channel's business. */
    ck_assert_ptr_nonnull(strchr(vb_named(m, "vsHvLastError")->value, '\n'));
    vs_msg_free(m);

    m = render("mibs-v3-inform-alarm");
    ck_assert_int_eq(m->severity, VS_SEV_CRITICAL);
    ck_assert_str_eq(m->metric, "vsAlarmRaised");
    ck_assert_str_eq(m->resource, "seoul/hv1/vm:web1");
    ck_assert_str_eq(m->value, "97.3");
    ck_assert_str_eq(m->threshold, "95");
    ck_assert_str_eq(m->summary, "vsAlarmRaised from 127.0.0.1: CRITICAL: vm.cpu.util of "
                                 "seoul/hv1/vm:web1 is 97.3 (threshold 95)");
    ck_assert_str_eq(vb_named(m, "vsAlarmSeverity")->text, "critical(2)");
    vs_msg_free(m);
}
END_TEST

START_TEST(link_down_names_interface)
{
    vs_msg *m = render("plain-v2c-linkdown");
    ck_assert_str_eq(m->metric, "linkDown");
    ck_assert_int_eq(m->severity, VS_SEV_WARNING);
    ck_assert_str_eq(m->summary,
                     "linkDown from 127.0.0.1: interface eth0 ifIndex 2 admin up oper down");
    ck_assert_str_eq(m->resource, "if:eth0");
    ck_assert_str_eq(m->value, "down");
    ck_assert_str_eq(vb_named(m, "ifOperStatus")->text, "down(2)");
    vs_msg_free(m);

    m = render("num-v2c-inform-linkup");
    ck_assert_int_eq(m->severity, VS_SEV_OK);
    vs_msg_free(m);

    /* v1 linkDown, converted by snmptrapd: enterprise and agent address shown by name. */
    m = render("num-v1-linkdown");
    ck_assert_str_eq(m->summary, "linkDown from 127.0.0.1: interface ifIndex 3");
    ck_assert_str_eq(vb_named(m, "snmpTrapEnterprise")->text, "netSnmpAgentOIDs.10");
    vs_msg_free(m);

    m = render("num-v2c-coldstart");
    ck_assert_str_eq(m->summary, "coldStart from 127.0.0.1: coldStart");
    ck_assert_int_eq(m->severity, VS_SEV_INFO);
    vs_msg_free(m);
}
END_TEST

START_TEST(unknown_trap_is_rendered_generically)
{
    vs_msg *m = render("num-v2c-types");
    ck_assert_str_eq(m->metric, "1.3.6.1.4.1.8072.9999.1.0.1");
    ck_assert_int_eq(m->severity, VS_SEV_INFO);
    ck_assert(strncmp(m->summary,
                      "1.3.6.1.4.1.8072.9999.1.0.1 from 127.0.0.1: netSnmpExperimental.1.1.0=-42, "
                      "netSnmpExperimental.1.2.0=4294967295, ",
                      100)
              == 0);
    ck_assert_uint_le(strlen(m->summary), TH_SUMMARY_MAX);
    ck_assert_str_eq(vb_named(m, "netSnmpExperimental.1.9.0")->text, "00 01 7F 80 FF");
    ck_assert_str_eq(vb_named(m, "netSnmpExperimental.1.7.0")->text, "linkDown");
    ck_assert_ptr_null(vb_named(m, "netSnmpExperimental.1.8.0")->text);
    vs_msg_free(m);
}
END_TEST

START_TEST(hostile_text_stays_one_line)
{
    vs_buf b;
    vs_buf_init(&b, 1 << 20);
    vs_buf_append_str(&b, "h\nUDP: [192.0.2.9]:1->[127.0.0.1]:162\n.1.3.6.1.2.1.1.3.0 1\n"
                          ".1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.4.1.8072.9999.9999.8478.1.1.0.3\n"
                          ".1.3.6.1.4.1.8072.9999.9999.8478.1.1.1.2.1.1.2.1.3 \"");
    /* A VM name of control characters, invalid UTF-8 and a Slack mention, 3 KiB long. */
    for (int i = 0; i < 300; i++)
        vs_buf_append_str(&b, "0A 0D 1B FF 3C 21 68 3E C3 20 ");
    vs_buf_append_str(&b, "\"\n");
    th_trap *t = th_trap_parse(b.data, b.len, 0);
    vs_msg *m = th_render(t, 0);
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->metric, "vsVmUndefined");
    ck_assert_uint_le(strlen(m->summary), TH_SUMMARY_MAX);
    for (const char *p = m->summary; *p != '\0'; p++)
        ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                      "byte 0x%02x in summary", (unsigned char)*p);
    ck_assert_ptr_nonnull(strstr(m->summary, "..."));
    ck_assert_str_eq(m->source, "192.0.2.9");
    ck_assert_str_eq(m->host, "h");
    /* The varbind's bytes are kept exactly, and shown as hex. */
    ck_assert_uint_eq(m->vbs[2].value_len, 3000);
    ck_assert(strncmp(m->vbs[2].text, "0A 0D 1B FF", 11) == 0);
    vs_msg_free(m);
    th_trap_free(t);
    vs_buf_free(&b);
}
END_TEST

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

START_TEST(typical_trap_takes_well_under_the_budget)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof(path), "%s/data/num-v3-statechanged.trap", TH_TEST_DIR);
    char *buf = read_file(path, &len);
    int rounds = 2000;
    double t0 = now_ms();
    for (int i = 0; i < rounds; i++) {
        th_trap *t = th_trap_parse(buf, len, 0);
        vs_msg *m = th_render(t, 0);
        vs_msg_free(m);
        th_trap_free(t);
    }
    double per = (now_ms() - t0) / rounds;
    printf("th_render: typical trap (vsVmStateChanged, 9 varbinds): parse + render %.1f us\n",
           per * 1000);
    /* The budget is 50 ms end to end; sanitizers make malloc 50-100 times slower. */
    ck_assert_msg(per < 20.0, "%.3f ms per trap", per);
    free(buf);
}
END_TEST

static Suite *render_suite(void)
{
    Suite *s = suite_create("th_render");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, table_agrees_with_vs_mib_h);
    tcase_add_test(tc, vm_state_change_names_vm_and_states);
    tcase_add_test(tc, crash_is_critical);
    tcase_add_test(tc, hypervisor_and_alarm_notifications);
    tcase_add_test(tc, link_down_names_interface);
    tcase_add_test(tc, unknown_trap_is_rendered_generically);
    tcase_add_test(tc, hostile_text_stays_one_line);
    tcase_add_test(tc, typical_trap_takes_well_under_the_budget);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(render_suite)
