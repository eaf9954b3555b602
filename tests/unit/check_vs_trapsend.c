/* Unit tests of vs_trapsend's pure parts: the varbinds of alarm notifications (OIDs equal to
 * vs_mib.h's, values, severity, cuts on UTF-8 boundaries), routed traps re-encoded with
 * snmpTrapAddress.0, and the configuration checks of vs_trapsend_new. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vs_check.h"
#include "vs_mib.h"
#include "vs_trapsend.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const oid sysuptime0[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid trapoid0[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid trapaddr0[] = { 1, 3, 6, 1, 6, 3, 18, 1, 3, 0 };

/* Fail unless vb's name is the given OID. */
static void assert_name(const netsnmp_variable_list *vb, const oid *o, size_t len)
{
    ck_assert_ptr_nonnull(vb);
    ck_assert_int_eq(snmp_oid_compare(vb->name, vb->name_length, o, len), 0);
}

/* Fail unless vb is the OCTET STRING of the len bytes at s. */
static void assert_bytes(const netsnmp_variable_list *vb, const void *s, size_t len)
{
    ck_assert_int_eq(vb->type, ASN_OCTET_STR);
    ck_assert_uint_eq(vb->val_len, len);
    ck_assert(memcmp(vb->val.string, s, len) == 0);
}

static vs_msg alarm(vs_msg_kind kind, vs_severity sev, vs_severity prev)
{
    vs_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = kind;
    m.msg_id = (char *)"a1.1";
    m.severity = sev;
    m.previous = prev;
    m.resource = (char *)"seoul/hv1/vm:web01";
    m.metric = (char *)"vm.cpu.util";
    m.value = (char *)"97.3";
    m.threshold = (char *)"95";
    return m;
}

/* A new INFORM PDU filled from m; the fill's return value in *rc. */
static netsnmp_pdu *filled(const vs_msg *m, int *rc, char *err, size_t errlen)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_INFORM);
    ck_assert_ptr_nonnull(pdu);
    *rc = vs_trapsend_pdu_fill(pdu, m, 4242, "test", err, errlen);
    return pdu;
}

static size_t count_vars(const netsnmp_pdu *pdu)
{
    size_t n = 0;
    for (const netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable)
        n++;
    return n;
}

START_TEST(alarm_raised_carries_the_five_alarm_objects)
{
    static const oid raised[] = { VS_OID_ALARM_RAISED };
    static const oid resource[] = { VS_OID_ALARM_RESOURCE, 0 };
    static const oid metric[] = { VS_OID_ALARM_METRIC, 0 };
    static const oid value[] = { VS_OID_ALARM_VALUE, 0 };
    static const oid threshold[] = { VS_OID_ALARM_THRESHOLD, 0 };
    static const oid severity[] = { VS_OID_ALARM_SEVERITY, 0 };
    vs_msg m = alarm(VS_MSG_ALARM_RAISED, VS_SEV_CRITICAL, VS_SEV_WARNING);
    char err[200] = "";
    int rc;
    netsnmp_pdu *pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(count_vars(pdu), 7);
    netsnmp_variable_list *v = pdu->variables;
    assert_name(v, sysuptime0, N_OF(sysuptime0));
    ck_assert_int_eq(v->type, ASN_TIMETICKS);
    ck_assert_uint_eq(*v->val.integer, 4242);
    v = v->next_variable;
    assert_name(v, trapoid0, N_OF(trapoid0));
    ck_assert_int_eq(v->type, ASN_OBJECT_ID);
    ck_assert_int_eq(
        snmp_oid_compare(v->val.objid, v->val_len / sizeof(oid), raised, VS_OID_ALARM_RAISED_LEN),
        0);
    v = v->next_variable;
    assert_name(v, resource, VS_OID_ALARM_RESOURCE_LEN + 1);
    assert_bytes(v, "seoul/hv1/vm:web01", 18);
    v = v->next_variable;
    assert_name(v, metric, VS_OID_ALARM_METRIC_LEN + 1);
    assert_bytes(v, "vm.cpu.util", 11);
    v = v->next_variable;
    assert_name(v, value, VS_OID_ALARM_VALUE_LEN + 1);
    assert_bytes(v, "97.3", 4);
    v = v->next_variable;
    assert_name(v, threshold, VS_OID_ALARM_THRESHOLD_LEN + 1);
    assert_bytes(v, "95", 2);
    v = v->next_variable;
    assert_name(v, severity, VS_OID_ALARM_SEVERITY_LEN + 1);
    ck_assert_int_eq(v->type, ASN_INTEGER);
    ck_assert_int_eq(*v->val.integer, VS_ALARM_SEVERITY_CRITICAL);
    ck_assert_int_eq(*v->val.integer, 2); /* VirtsightAlarmSeverity critical(2) */
    snmp_free_pdu(pdu);
}
END_TEST

START_TEST(alarm_cleared_names_the_severity_that_ended)
{
    static const oid cleared[] = { VS_OID_ALARM_CLEARED };
    vs_msg m = alarm(VS_MSG_ALARM_CLEARED, VS_SEV_OK, VS_SEV_WARNING);
    char err[200] = "";
    int rc;
    netsnmp_pdu *pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, 0);
    netsnmp_variable_list *v = pdu->variables->next_variable;
    ck_assert_int_eq(
        snmp_oid_compare(v->val.objid, v->val_len / sizeof(oid), cleared, VS_OID_ALARM_CLEARED_LEN),
        0);
    while (v->next_variable)
        v = v->next_variable;
    ck_assert_int_eq(*v->val.integer, VS_ALARM_SEVERITY_WARNING);
    ck_assert_int_eq(*v->val.integer, 1); /* VirtsightAlarmSeverity warning(1) */
    snmp_free_pdu(pdu);
}
END_TEST

START_TEST(alarm_without_warning_or_critical_is_refused)
{
    vs_msg m = alarm(VS_MSG_ALARM_RAISED, VS_SEV_INFO, VS_SEV_OK);
    char err[200] = "";
    int rc;
    netsnmp_pdu *pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_nonnull(strstr(err, "a1.1"));
    snmp_free_pdu(pdu);
}
END_TEST

START_TEST(missing_text_is_sent_empty)
{
    vs_msg m = alarm(VS_MSG_ALARM_RAISED, VS_SEV_WARNING, VS_SEV_OK);
    m.threshold = NULL;
    char err[200] = "";
    int rc;
    netsnmp_pdu *pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, 0);
    netsnmp_variable_list *v = pdu->variables;
    for (int i = 0; i < 5; i++)
        v = v->next_variable;
    assert_bytes(v, "", 0);
    snmp_free_pdu(pdu);
}
END_TEST

START_TEST(utf8_fit_never_splits_a_character)
{
    /* "aé€😀": 1 + 2 + 3 + 4 bytes */
    const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    size_t len = strlen(s);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 100), len);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 10), 10);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 9), 6);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 7), 6);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 6), 6);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 5), 3);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 2), 1);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 1), 1);
    ck_assert_uint_eq(vs_trapsend_utf8_fit(s, len, 0), 0);
    /* Invalid input (a run of continuation bytes) still gives a prefix near the limit. */
    const char *bad = "ab\x80\x80\x80\x80\x80\x80";
    ck_assert_uint_eq(vs_trapsend_utf8_fit(bad, strlen(bad), 7), 7);
}
END_TEST

START_TEST(alarm_text_is_cut_to_the_mib_size_on_a_character_boundary)
{
    /* 63 ASCII bytes then "é": the 64-byte limit falls inside the 2-byte character. */
    char metric[80];
    memset(metric, 'm', 63);
    memcpy(metric + 63, "\xC3\xA9xyz", 6);
    /* A resource of 1030 bytes made of 3-byte characters: 1024 is not a multiple of 3. */
    char *resource = malloc(1031);
    ck_assert_ptr_nonnull(resource);
    for (int i = 0; i < 1029; i += 3)
        memcpy(resource + i, "\xE2\x82\xAC", 3);
    resource[1029] = 'z';
    resource[1030] = '\0';
    vs_msg m = alarm(VS_MSG_ALARM_RAISED, VS_SEV_WARNING, VS_SEV_OK);
    m.metric = metric;
    m.resource = resource;
    char err[200] = "";
    int rc;
    netsnmp_pdu *pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, 0);
    netsnmp_variable_list *res = pdu->variables->next_variable->next_variable;
    ck_assert_uint_eq(VS_SIZE_ALARM_RESOURCE_MAX, 1024);
    ck_assert_uint_eq(res->val_len, 1023); /* 341 whole characters */
    assert_bytes(res, resource, 1023);
    netsnmp_variable_list *met = res->next_variable;
    ck_assert_uint_eq(VS_SIZE_ALARM_METRIC_MAX, 64);
    ck_assert_uint_eq(met->val_len, 63);
    assert_bytes(met, metric, 63);
    snmp_free_pdu(pdu);
    free(resource);
}
END_TEST

START_TEST(source_ipv4_is_found_in_every_form)
{
    unsigned char ip[4];
    const unsigned char want[4] = { 192, 0, 2, 7 };
    ck_assert_int_eq(vs_trapsend_source_ipv4("192.0.2.7", ip), 0);
    ck_assert(memcmp(ip, want, 4) == 0);
    memset(ip, 0, 4);
    ck_assert_int_eq(vs_trapsend_source_ipv4("192.0.2.7:162", ip), 0);
    ck_assert(memcmp(ip, want, 4) == 0);
    memset(ip, 0, 4);
    ck_assert_int_eq(vs_trapsend_source_ipv4("UDP: [192.0.2.7]:41981->[127.0.0.1]:162", ip), 0);
    ck_assert(memcmp(ip, want, 4) == 0);
    ck_assert_int_eq(vs_trapsend_source_ipv4("UDP/IPv6: [::1]:41981->[::1]:162", ip), -1);
    ck_assert_int_eq(vs_trapsend_source_ipv4("hv1.example.net", ip), -1);
    ck_assert_int_eq(vs_trapsend_source_ipv4("300.1.1.1", ip), -1);
    ck_assert_int_eq(vs_trapsend_source_ipv4(NULL, ip), -1);
}
END_TEST

/* A routed trap as the trap handler hands it over. */
static vs_varbind vb(const char *o, char type, const char *value, size_t len)
{
    vs_varbind v;
    memset(&v, 0, sizeof(v));
    v.oid = (char *)o;
    v.type = type;
    v.value = (char *)value;
    v.value_len = len;
    return v;
}

START_TEST(routed_trap_keeps_its_varbinds_and_gains_its_source)
{
    static const oid trap[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 42, 0, 9 };
    static const oid s1[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 42, 1, 1 };
    static const oid i2[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 42, 1, 2 };
    static const oid o3[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 42, 1, 3 };
    static const oid c4[] = { 1, 3, 6, 1, 4, 1, 8072, 9999, 42, 1, 4 };
    static const oid system_oid[] = { 1, 3, 6, 1, 2, 1, 1 };
    vs_varbind vbs[] = {
        vb("1.3.6.1.2.1.1.3.0", 't', "12345", 5),
        vb("1.3.6.1.6.3.1.1.4.1.0", 'o', "1.3.6.1.4.1.8072.9999.42.0.1", 28),
        vb("1.3.6.1.4.1.8072.9999.42.1.1", 's', "\x00\x41\xFF", 3),
        vb("1.3.6.1.4.1.8072.9999.42.1.2", 'i', "-42", 3),
        vb("1.3.6.1.4.1.8072.9999.42.1.5", 'i', "notanumber", 10),
        vb("1.3.6.1.4.1.8072.9999.42.1.3", 'o', "1.3.6.1.2.1.1", 13),
        vb("1.3.6.1.4.1.8072.9999.42.1.4", 'C', "18446744073709551615", 20),
        vb("1.3.6.1.4.1.8072.9999.x", 'i', "1", 1),
    };
    vs_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = VS_MSG_TRAP;
    m.msg_id = (char *)"t1";
    m.source = (char *)"UDP: [192.0.2.7]:41981->[127.0.0.1]:162";
    m.trap_oid = (char *)"1.3.6.1.4.1.8072.9999.42.0.9";
    m.vbs = vbs;
    m.n_vbs = N_OF(vbs);
    char err[200] = "";
    int rc;
    netsnmp_pdu *pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, 2); /* "notanumber" and the bad OID */
    ck_assert_uint_eq(count_vars(pdu), 7);
    netsnmp_variable_list *v = pdu->variables;
    assert_name(v, sysuptime0, N_OF(sysuptime0));
    ck_assert_uint_eq(*v->val.integer, 12345); /* the trap's own, not ours (4242) */
    v = v->next_variable;
    assert_name(v, trapoid0, N_OF(trapoid0));
    ck_assert_int_eq(snmp_oid_compare(v->val.objid, v->val_len / sizeof(oid), trap, N_OF(trap)), 0);
    v = v->next_variable;
    assert_name(v, s1, N_OF(s1));
    assert_bytes(v, "\x00\x41\xFF", 3);
    v = v->next_variable;
    assert_name(v, i2, N_OF(i2));
    ck_assert_int_eq(v->type, ASN_INTEGER);
    ck_assert_int_eq(*v->val.integer, -42);
    v = v->next_variable;
    assert_name(v, o3, N_OF(o3));
    ck_assert_int_eq(v->type, ASN_OBJECT_ID);
    ck_assert_int_eq(
        snmp_oid_compare(v->val.objid, v->val_len / sizeof(oid), system_oid, N_OF(system_oid)), 0);
    v = v->next_variable;
    assert_name(v, c4, N_OF(c4));
    ck_assert_int_eq(v->type, ASN_COUNTER64);
    ck_assert_uint_eq(v->val.counter64->high, 0xFFFFFFFFUL);
    ck_assert_uint_eq(v->val.counter64->low, 0xFFFFFFFFUL);
    v = v->next_variable;
    assert_name(v, trapaddr0, N_OF(trapaddr0));
    ck_assert_int_eq(v->type, ASN_IPADDRESS);
    ck_assert_uint_eq(v->val_len, 4);
    ck_assert(memcmp(v->val.string, "\xC0\x00\x02\x07", 4) == 0);
    snmp_free_pdu(pdu);
}
END_TEST

START_TEST(routed_trap_without_address_or_uptime)
{
    vs_varbind vbs[] = { vb("1.3.6.1.4.1.8072.9999.42.1.2", 'u', "7", 1) };
    vs_msg m;
    memset(&m, 0, sizeof(m));
    m.kind = VS_MSG_TRAP;
    m.source = (char *)"hv1.example.net";
    m.trap_oid = (char *)".1.3.6.1.4.1.8072.9999.42.0.9";
    m.vbs = vbs;
    m.n_vbs = 1;
    char err[200] = "";
    int rc;
    netsnmp_pdu *pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(count_vars(pdu), 3); /* sysUpTime.0 (ours), snmpTrapOID.0, the one */
    ck_assert_uint_eq(*pdu->variables->val.integer, 4242);
    ck_assert_int_eq(pdu->variables->next_variable->next_variable->type, ASN_UNSIGNED);
    snmp_free_pdu(pdu);
    m.trap_oid = (char *)"not.an.oid";
    pdu = filled(&m, &rc, err, sizeof(err));
    ck_assert_int_eq(rc, -1);
    ck_assert_ptr_nonnull(strstr(err, "snmpTrapOID"));
    snmp_free_pdu(pdu);
}
END_TEST

START_TEST(weak_or_incomplete_configurations_are_refused)
{
    char err[256];
    vs_trapsend_conf c = { .name = "noc", .target = "udp:127.0.0.1:162", .version = 2 };
    ck_assert_ptr_null(vs_trapsend_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "community"));
    c.community = "s3cret-community";
    c.version = 1;
    ck_assert_ptr_null(vs_trapsend_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "version 1"));
    c.version = 2;
    c.target = "";
    ck_assert_ptr_null(vs_trapsend_new(&c, err, sizeof(err)));
    c.target = "udp:127.0.0.1:162";
    vs_notifier *n = vs_trapsend_new(&c, err, sizeof(err));
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n->name, "noc");
    ck_assert_str_eq(n->ops->type, "trap");
    vs_notifier_free(n);

    vs_trapsend_conf v3 = { .name = "noc3",
                            .target = "udp:127.0.0.1:162",
                            .version = 3,
                            .user = "tester",
                            .auth_proto = "MD5",
                            .priv_proto = "AES",
                            .auth_pass = "authpassphrase",
                            .priv_pass = "privpassphrase" };
    ck_assert_ptr_null(vs_trapsend_new(&v3, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "MD5"));
    v3.auth_proto = "SHA";
    ck_assert_ptr_null(vs_trapsend_new(&v3, err, sizeof(err)));
    v3.auth_proto = "SHA-256";
    v3.priv_proto = "DES";
    ck_assert_ptr_null(vs_trapsend_new(&v3, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "DES"));
    v3.priv_proto = "AES-256";
    v3.priv_pass = "short";
    ck_assert_ptr_null(vs_trapsend_new(&v3, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "8 characters"));
    ck_assert_ptr_null(strstr(err, "short")); /* never the secret itself */
    v3.priv_pass = "privpassphrase";
    n = vs_trapsend_new(&v3, err, sizeof(err));
    ck_assert_ptr_nonnull(n);
    vs_notifier_free(n);
}
END_TEST

static Suite *trapsend_suite(void)
{
    Suite *s = suite_create("vs_trapsend");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, alarm_raised_carries_the_five_alarm_objects);
    tcase_add_test(tc, alarm_cleared_names_the_severity_that_ended);
    tcase_add_test(tc, alarm_without_warning_or_critical_is_refused);
    tcase_add_test(tc, missing_text_is_sent_empty);
    tcase_add_test(tc, utf8_fit_never_splits_a_character);
    tcase_add_test(tc, alarm_text_is_cut_to_the_mib_size_on_a_character_boundary);
    tcase_add_test(tc, source_ipv4_is_found_in_every_form);
    tcase_add_test(tc, routed_trap_keeps_its_varbinds_and_gains_its_source);
    tcase_add_test(tc, routed_trap_without_address_or_uptime);
    tcase_add_test(tc, weak_or_incomplete_configurations_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

/* Net-SNMP set up as a program would: no MIB files, no configuration, no state written. */
static Suite *make_suite(void)
{
    setenv("MIBS", "", 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    init_snmp("check_vs_trapsend");
    return trapsend_suite();
}

VS_CHECK_MAIN(make_suite)
