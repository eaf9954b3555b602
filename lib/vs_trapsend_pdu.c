/* vs_trapsend_pdu: the varbinds of an SNMP notification built from a vs_msg, without sockets:
 * VIRTSIGHT-MIB alarm notifications (OIDs from the generated vs_mib.h, text cut to the MIB's
 * sizes on a UTF-8 boundary) and routed traps re-encoded from their text form. */
#include <config.h>

#include "vs_trapsend.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vs_log.h"
#include "vs_mib.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Standard objects of every SNMPv2 notification (RFC 3418 SNMPv2-MIB) and the source address
 * a proxy forwarder adds (RFC 3584 SNMP-COMMUNITY-MIB): not ours, so not in vs_mib.h. */
static const oid sysuptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid trapoid_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid trapaddr_oid[] = { 1, 3, 6, 1, 6, 3, 18, 1, 3, 0 };

/* VIRTSIGHT-MIB: the notifications and their objects, sent with instance 0. */
static const oid raised_oid[] = { VS_OID_ALARM_RAISED };
static const oid cleared_oid[] = { VS_OID_ALARM_CLEARED };
static const oid resource_oid[] = { VS_OID_ALARM_RESOURCE, 0 };
static const oid metric_oid[] = { VS_OID_ALARM_METRIC, 0 };
static const oid value_oid[] = { VS_OID_ALARM_VALUE, 0 };
static const oid threshold_oid[] = { VS_OID_ALARM_THRESHOLD, 0 };
static const oid severity_oid[] = { VS_OID_ALARM_SEVERITY, 0 };

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

size_t vs_trapsend_utf8_fit(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t cut = max;
    /* s[cut] is the first byte left out: while it continues a sequence, the sequence it
     * belongs to started before the cut and must go too. */
    for (int back = 0; back < 3 && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; back++)
        cut--;
    if (((unsigned char)s[cut] & 0xC0) == 0x80)
        return max; /* not UTF-8 there: any cut is as good */
    return cut;
}

/* Append an OCTET STRING varbind: text (NULL = empty) cut to max bytes. */
static int add_text(netsnmp_pdu *pdu, const oid *name, size_t name_len, const char *text,
                    size_t max)
{
    const char *s = text ? text : "";
    size_t len = vs_trapsend_utf8_fit(s, strlen(s), max);
    return snmp_pdu_add_variable(pdu, name, name_len, ASN_OCTET_STR, s, len) ? 0 : -1;
}

/* The VirtsightAlarmSeverity an alarm message carries: raised, the severity entered; cleared,
 * the severity that ended. 0 when the message holds none of warning or critical. */
static long alarm_severity(const vs_msg *m)
{
    vs_severity s = m->kind == VS_MSG_ALARM_CLEARED ? m->previous : m->severity;
    if (m->kind == VS_MSG_ALARM_CLEARED && s != VS_SEV_WARNING && s != VS_SEV_CRITICAL)
        s = m->severity; /* a producer that put the ended severity in severity */
    if (s == VS_SEV_WARNING)
        return VS_ALARM_SEVERITY_WARNING;
    if (s == VS_SEV_CRITICAL)
        return VS_ALARM_SEVERITY_CRITICAL;
    return 0;
}

static int fill_alarm(netsnmp_pdu *pdu, const vs_msg *m, unsigned long uptime, char *err,
                      size_t errlen)
{
    long sev = alarm_severity(m);
    if (!sev) {
        set_err(err, errlen, "The alarm message %s has no warning or critical severity.",
                m->msg_id ? m->msg_id : "(no id)");
        return -1;
    }
    u_long ticks = uptime & 0xFFFFFFFFUL;
    int raised = m->kind == VS_MSG_ALARM_RAISED;
    const oid *trap = raised ? raised_oid : cleared_oid;
    size_t trap_len = raised ? N_OF(raised_oid) : N_OF(cleared_oid);
    if (!snmp_pdu_add_variable(pdu, sysuptime_oid, N_OF(sysuptime_oid), ASN_TIMETICKS, &ticks,
                               sizeof(ticks))
        || !snmp_pdu_add_variable(pdu, trapoid_oid, N_OF(trapoid_oid), ASN_OBJECT_ID, trap,
                                  trap_len * sizeof(oid))
        || add_text(pdu, resource_oid, N_OF(resource_oid), m->resource, VS_SIZE_ALARM_RESOURCE_MAX)
               < 0
        || add_text(pdu, metric_oid, N_OF(metric_oid), m->metric, VS_SIZE_ALARM_METRIC_MAX) < 0
        || add_text(pdu, value_oid, N_OF(value_oid), m->value, VS_SIZE_ALARM_VALUE_MAX) < 0
        || add_text(pdu, threshold_oid, N_OF(threshold_oid), m->threshold,
                    VS_SIZE_ALARM_THRESHOLD_MAX)
               < 0
        || !snmp_pdu_add_variable(pdu, severity_oid, N_OF(severity_oid), ASN_INTEGER, &sev,
                                  sizeof(sev))) {
        set_err(err, errlen, "Out of memory.");
        return -2;
    }
    return 0;
}

/* Parse a numeric OID ("1.3.6.1", a leading dot allowed) into out[*len]; 0 or -1. */
static int oid_parse(const char *s, oid *out, size_t *len)
{
    size_t n = 0;
    if (!s)
        return -1;
    if (*s == '.')
        s++;
    while (*s) {
        if (*s < '0' || *s > '9' || n >= MAX_OID_LEN)
            return -1;
        unsigned long long v = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (v > 0xFFFFFFFFULL)
                return -1;
        }
        out[n++] = (oid)v;
        if (*s == '.' && s[1] != '\0')
            s++;
        else if (*s != '\0')
            return -1;
    }
    if (n < 2)
        return -1;
    *len = n;
    return 0;
}

static int oid_is(const oid *a, size_t alen, const oid *b, size_t blen)
{
    return snmp_oid_compare(a, alen, b, blen) == 0;
}

/* Append one routed varbind: strings as raw bytes (they may hold any byte), everything else
 * through snmp_add_var, which parses the text form of its type letter. */
static int add_routed(netsnmp_pdu *pdu, const oid *name, size_t name_len, const vs_varbind *vb)
{
    if (vb->type == 's')
        return snmp_pdu_add_variable(pdu, name, name_len, ASN_OCTET_STR, vb->value ? vb->value : "",
                                     vb->value ? vb->value_len : 0)
                   ? 0
                   : -1;
    if (!vb->value || memchr(vb->value, '\0', vb->value_len))
        return vb->type == 'n' ? (snmp_add_null_var(pdu, name, name_len) ? 0 : -1) : -1;
    /* snmp_add_var reads a NUL-terminated string; an OID value gets the leading dot that makes
     * it absolute without a MIB. */
    char *text = malloc(vb->value_len + 2);
    if (!text)
        return -1;
    size_t off = vb->type == 'o' && vb->value_len > 0 && vb->value[0] != '.' ? 1 : 0;
    text[0] = '.';
    memcpy(text + off, vb->value, vb->value_len);
    text[off + vb->value_len] = '\0';
    int rc = snmp_add_var(pdu, name, name_len, vb->type, text) == 0 ? 0 : -1;
    free(text);
    return rc;
}

static int fill_trap(netsnmp_pdu *pdu, const vs_msg *m, unsigned long uptime, const char *name,
                     char *err, size_t errlen)
{
    oid trap[MAX_OID_LEN], vname[MAX_OID_LEN];
    size_t trap_len = 0, vlen = 0;
    if (oid_parse(m->trap_oid, trap, &trap_len) < 0) {
        set_err(err, errlen, "The routed trap %s has no valid snmpTrapOID (\"%s\").",
                m->msg_id ? m->msg_id : "(no id)", m->trap_oid ? m->trap_oid : "");
        return -1;
    }
    /* sysUpTime.0 as the trap carried it (a proxy passes it on), else ours. */
    const vs_varbind *up = NULL;
    int has_addr = 0;
    for (size_t i = 0; i < m->n_vbs; i++) {
        if (oid_parse(m->vbs[i].oid, vname, &vlen) < 0)
            continue;
        if (!up && m->vbs[i].type == 't' && oid_is(vname, vlen, sysuptime_oid, N_OF(sysuptime_oid)))
            up = &m->vbs[i];
        if (oid_is(vname, vlen, trapaddr_oid, N_OF(trapaddr_oid)))
            has_addr = 1;
    }
    u_long ticks = uptime & 0xFFFFFFFFUL;
    int up_sent = up && add_routed(pdu, sysuptime_oid, N_OF(sysuptime_oid), up) == 0;
    if (!up_sent
        && !snmp_pdu_add_variable(pdu, sysuptime_oid, N_OF(sysuptime_oid), ASN_TIMETICKS, &ticks,
                                  sizeof(ticks))) {
        set_err(err, errlen, "Out of memory.");
        return -2;
    }
    if (!snmp_pdu_add_variable(pdu, trapoid_oid, N_OF(trapoid_oid), ASN_OBJECT_ID, trap,
                               trap_len * sizeof(oid))) {
        set_err(err, errlen, "Out of memory.");
        return -2;
    }
    int skipped = 0;
    for (size_t i = 0; i < m->n_vbs; i++) {
        const vs_varbind *vb = &m->vbs[i];
        int bad_name = oid_parse(vb->oid, vname, &vlen) < 0;
        if (!bad_name
            && (oid_is(vname, vlen, sysuptime_oid, N_OF(sysuptime_oid))
                || oid_is(vname, vlen, trapoid_oid, N_OF(trapoid_oid))))
            continue; /* sent first, above */
        if (bad_name || add_routed(pdu, vname, vlen, vb) < 0) {
            VS_LOG(VS_LOG_WARNING, name,
                   "Trap %s: varbind %s of type '%c' cannot be encoded; skipped.",
                   m->msg_id ? m->msg_id : "(no id)", vb->oid ? vb->oid : "(no OID)",
                   vb->type ? vb->type : '?');
            skipped++;
        }
    }
    unsigned char ip[4];
    if (!has_addr && vs_trapsend_source_ipv4(m->source, ip) == 0
        && !snmp_pdu_add_variable(pdu, trapaddr_oid, N_OF(trapaddr_oid), ASN_IPADDRESS, ip, 4)) {
        set_err(err, errlen, "Out of memory.");
        return -2;
    }
    return skipped;
}

int vs_trapsend_pdu_fill(netsnmp_pdu *pdu, const vs_msg *m, unsigned long uptime, const char *name,
                         char *err, size_t errlen)
{
    switch (m->kind) {
    case VS_MSG_ALARM_RAISED:
    case VS_MSG_ALARM_CLEARED:
        return fill_alarm(pdu, m, uptime, err, errlen);
    case VS_MSG_TRAP:
        return fill_trap(pdu, m, uptime, name, err, errlen);
    }
    set_err(err, errlen, "Message %s is of an unknown kind (%d).",
            m->msg_id ? m->msg_id : "(no id)", (int)m->kind);
    return -1;
}

/* Copy the IPv4 address text that starts at s and ends before one of the stop characters
 * into out; 0 or -1. */
static int ipv4_at(const char *s, const char *stops, unsigned char out[4])
{
    char buf[INET_ADDRSTRLEN];
    size_t n = strcspn(s, stops);
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return inet_pton(AF_INET, buf, out) == 1 ? 0 : -1;
}

int vs_trapsend_source_ipv4(const char *source, unsigned char out[4])
{
    if (!source)
        return -1;
    const char *s = source;
    const char *br = strchr(s, '[');
    const char *arrow = strstr(s, "->");
    if (br && (!arrow || br < arrow)) /* "UDP: [a.b.c.d]:port->[...]:port" */
        return ipv4_at(br + 1, "]", out);
    while (*s == ' ')
        s++;
    return ipv4_at(s, ":- ", out); /* "a.b.c.d" or "a.b.c.d:port" */
}
