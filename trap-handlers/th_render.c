/* th_render: th_trap -> vs_msg. Notifications are recognised by their OID through the table
 * generated from the MIBs (th_mib), so the only names written here are descriptors, which
 * check_th_render verifies against that table; state numbers come from lib/vs_mib.h. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "th_mib.h"
#include "th_render.h"
#include "vs_buf.h"
#include "vs_mib.h"
#include "vs_num.h"

#define PIECE_MAX 200 /* bytes of one untrusted string in a summary */
#define UUID_HINT "4x-2x-2x-2x-6x"

typedef struct {
    const th_trap *t;
    const th_mib_node **nodes; /* per varbind: the object it is an instance of, or NULL */
    vs_msg *m;
    int oom;
} ctx;

typedef void (*describe_fn)(ctx *c, vs_buf *b);

/* ------------------------------------------------------------------ text helpers */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* No overlong forms, surrogates or code points past U+10FFFF. */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
        || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Whether s is text people can read as it is: valid UTF-8, no control bytes but tab, CR, LF. */
static int is_readable(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 0;
        size_t l = utf8_len((const unsigned char *)s + i, n - i);
        if (l == 0)
            return 0;
        i += l;
    }
    return 1;
}

/* Append at most max bytes of untrusted s as one line: control characters become spaces,
 * invalid UTF-8 bytes '?', and a cut is marked with "...". */
static void put_line(ctx *c, vs_buf *b, const char *s, size_t n, size_t max)
{
    size_t i = 0, used = 0;

    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        size_t l = utf8_len((const unsigned char *)s + i, n - i);
        if (used + (l == 0 ? 1 : l) > max) {
            if (vs_buf_append_str(b, "...") < 0)
                c->oom = 1;
            return;
        }
        int rc;
        if (l == 0)
            rc = vs_buf_append(b, "?", 1), l = 1;
        else if (ch < 0x20 || ch == 0x7f)
            rc = vs_buf_append(b, " ", 1);
        else
            rc = vs_buf_append(b, s + i, l);
        if (rc < 0) {
            c->oom = 1;
            return;
        }
        i += l;
        used += l;
    }
}

static void put(ctx *c, vs_buf *b, const char *s)
{
    if (vs_buf_append_str(b, s) < 0)
        c->oom = 1;
}

/* ------------------------------------------------------------------ varbind text */

/* Time ticks for people: "1 day, 02:03:04.05", "0:00:42.00". */
static char *ticks_text(unsigned long long t)
{
    char buf[64];
    unsigned long long d = t / 8640000, h = t / 360000 % 24, m = t / 6000 % 60, s = t / 100 % 60,
                       cs = t % 100;
    if (d > 0)
        snprintf(buf, sizeof(buf), "%llu day%s, %02llu:%02llu:%02llu.%02llu", d, d == 1 ? "" : "s",
                 h, m, s, cs);
    else
        snprintf(buf, sizeof(buf), "%llu:%02llu:%02llu.%02llu", h, m, s, cs);
    return strdup(buf);
}

static char *hex_text(const char *v, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    char *h = malloc(n * 3 + 1);
    if (h == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        h[i * 3] = digits[(unsigned char)v[i] >> 4];
        h[i * 3 + 1] = digits[(unsigned char)v[i] & 15];
        h[i * 3 + 2] = ' ';
    }
    h[n > 0 ? n * 3 - 1 : 0] = '\0';
    return h;
}

/* The object a varbind is an instance of (NULL when unknown or not an object). */
static const th_mib_node *object_of(const vs_varbind *vb)
{
    size_t suffix;
    const th_mib_node *n = vb->oid != NULL ? th_mib_by_oid(vb->oid, &suffix) : NULL;
    return n != NULL && n->type != 0 && n->type != 'N' ? n : NULL;
}

char *th_render_varbind_text(const vs_varbind *vb, int *oom)
{
    const th_mib_node *n = object_of(vb);
    const char *v = vb->value != NULL ? vb->value : "";
    char *out = NULL;
    long num;

    *oom = 0;
    if (vb->type == 'i' && n != NULL && n->n_enums > 0
        && vs_num_parse_long(v, LONG_MIN, LONG_MAX, &num) == 0) {
        const char *label = th_mib_enum_label(n, num);
        if (label == NULL)
            return NULL;
        size_t len = strlen(label) + 24;
        if ((out = malloc(len)) != NULL)
            snprintf(out, len, "%s(%ld)", label, num);
    } else if (vb->type == 's' && n != NULL && n->hint != NULL && strcmp(n->hint, UUID_HINT) == 0
               && vb->value_len == 16) {
        vs_buf b;
        vs_buf_init(&b, 64);
        for (size_t i = 0; i < 16; i++)
            vs_buf_appendf(&b, "%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
                           (unsigned char)v[i]);
        if ((out = vs_buf_steal(&b)) == NULL)
            vs_buf_free(&b);
    } else if (vb->type == 't') {
        unsigned long long ticks;
        if (vs_num_parse_u64(v, ULLONG_MAX, &ticks) < 0)
            return NULL;
        out = ticks_text(ticks);
    } else if (vb->type == 'o' && vb->text == NULL) {
        size_t suffix;
        const th_mib_node *on = th_mib_by_oid(v, &suffix);
        if (on == NULL)
            return NULL;
        size_t len = strlen(on->label) + strlen(v + suffix) + 1;
        if ((out = malloc(len)) != NULL)
            snprintf(out, len, "%s%s", on->label, v + suffix);
    } else if (vb->type == 's' && !is_readable(v, vb->value_len)) {
        out = hex_text(v, vb->value_len);
    } else if ((vb->type == 'u' || vb->type == 'c' || vb->type == 'i') && n != NULL
               && n->units != NULL) {
        size_t len = strlen(v) + strlen(n->units) + 2;
        if ((out = malloc(len)) != NULL)
            snprintf(out, len, "%s %s", v, n->units);
    } else {
        return NULL;
    }
    *oom = out == NULL;
    return out;
}

/* ------------------------------------------------------------------ lookups */

/* The first varbind that is an instance of the object labelled label, or NULL. */
static const vs_varbind *vb_of(const ctx *c, const char *label)
{
    for (size_t i = 0; i < c->t->n_vbs; i++)
        if (c->nodes[i] != NULL && strcmp(c->nodes[i]->label, label) == 0)
            return &c->t->vbs[i];
    return NULL;
}

static int vb_long(const ctx *c, const char *label, long *out)
{
    const vs_varbind *vb = vb_of(c, label);
    return vb != NULL && vs_num_parse_long(vb->value, LONG_MIN, LONG_MAX, out) == 0 ? 0 : -1;
}

/* Append an object's value for people: its enumeration label, or its sanitized text. */
static void put_vb(ctx *c, vs_buf *b, const char *label, const char *missing)
{
    const vs_varbind *vb = vb_of(c, label);
    const th_mib_node *n = vb != NULL ? object_of(vb) : NULL;
    long v;

    if (vb == NULL) {
        put(c, b, missing);
        return;
    }
    if (n != NULL && n->n_enums > 0 && vs_num_parse_long(vb->value, LONG_MIN, LONG_MAX, &v) == 0
        && th_mib_enum_label(n, v) != NULL) {
        put(c, b, th_mib_enum_label(n, v));
        return;
    }
    put_line(c, b, vb->value, vb->value_len, PIECE_MAX);
}

/* Set a message field to a value's sanitized text (fields are not cut beyond the varbind's). */
static void set_field(ctx *c, char **field, const char *label)
{
    vs_buf b;
    vs_buf_init(&b, 4096);
    put_vb(c, &b, label, "");
    free(*field);
    if ((*field = vs_buf_steal(&b)) == NULL)
        c->oom = 1;
    vs_buf_free(&b);
}

/* ------------------------------------------------------------------ known notifications */

/* Severity of a VM being in oper state s (VS_VM_OPER_STATE_*). */
static vs_severity vm_state_severity(long s)
{
    switch (s) {
    case VS_VM_OPER_STATE_CRASHED:
        return VS_SEV_CRITICAL;
    case VS_VM_OPER_STATE_PAUSED:
    case VS_VM_OPER_STATE_SHUTDOWN:
    case VS_VM_OPER_STATE_UNKNOWN:
        return VS_SEV_WARNING;
    case VS_VM_OPER_STATE_RUNNING:
        return VS_SEV_OK;
    default:
        return VS_SEV_INFO;
    }
}

/* "VM web1 on hv1" and the resource "hv1/vm:web1". */
static void put_vm(ctx *c, vs_buf *b)
{
    vs_buf r;
    put(c, b, "VM ");
    put_vb(c, b, "vsVmName", "?");
    put(c, b, " on ");
    put_vb(c, b, "vsHvName", "?");
    vs_buf_init(&r, 4096);
    put_vb(c, &r, "vsHvName", "?");
    put(c, &r, "/vm:");
    put_vb(c, &r, "vsVmName", "?");
    free(c->m->resource);
    if ((c->m->resource = vs_buf_steal(&r)) == NULL)
        c->oom = 1;
    vs_buf_free(&r);
}

static void describe_vm_state(ctx *c, vs_buf *b)
{
    long now, prev;
    put_vm(c, b);
    put(c, b, ": ");
    put_vb(c, b, "vsNotifyPrevOperState", "?");
    put(c, b, " -> ");
    put_vb(c, b, "vsVmOperState", "?");
    if (vb_of(c, "vsVmStateReason") != NULL) {
        put(c, b, " (reason: ");
        put_vb(c, b, "vsVmStateReason", "");
        put(c, b, ")");
    }
    set_field(c, &c->m->value, "vsVmOperState");
    if (vb_long(c, "vsVmOperState", &now) == 0)
        c->m->severity = vm_state_severity(now);
    if (vb_long(c, "vsNotifyPrevOperState", &prev) == 0)
        c->m->previous = vm_state_severity(prev);
}

static void describe_vm_defined(ctx *c, vs_buf *b)
{
    put_vm(c, b);
    put(c, b, " was defined (state ");
    put_vb(c, b, "vsVmOperState", "?");
    put(c, b, ")");
}

static void describe_vm_undefined(ctx *c, vs_buf *b)
{
    put_vm(c, b);
    put(c, b, " was undefined");
}

static void describe_vm_admin_failed(ctx *c, vs_buf *b)
{
    put_vm(c, b);
    put(c, b, ": request failed: ");
    put_vb(c, b, "vsVmAdminResultText", "?");
}

static void put_hv(ctx *c, vs_buf *b)
{
    put(c, b, "hypervisor ");
    put_vb(c, b, "vsHvName", "?");
    set_field(c, &c->m->resource, "vsHvName");
}

static void describe_hv_lost(ctx *c, vs_buf *b)
{
    put_hv(c, b);
    put(c, b, " connection lost: ");
    put_vb(c, b, "vsHvLastError", "?");
}

static void describe_hv_restored(ctx *c, vs_buf *b)
{
    put_hv(c, b);
    put(c, b, " connection restored");
}

static void describe_alarm(ctx *c, vs_buf *b)
{
    long sev;
    int cleared = c->m->severity == VS_SEV_OK;

    if (vb_long(c, "vsAlarmSeverity", &sev) == 0) {
        vs_severity s = sev == VS_ALARM_SEVERITY_CRITICAL  ? VS_SEV_CRITICAL
                        : sev == VS_ALARM_SEVERITY_WARNING ? VS_SEV_WARNING
                                                           : VS_SEV_INFO;
        if (cleared)
            c->m->previous = s;
        else
            c->m->severity = s;
    }
    put(c, b, cleared ? "cleared: " : vs_severity_name(c->m->severity));
    put(c, b, cleared ? "" : ": ");
    put_vb(c, b, "vsAlarmMetric", "?");
    put(c, b, " of ");
    put_vb(c, b, "vsAlarmResource", "?");
    put(c, b, " is ");
    put_vb(c, b, "vsAlarmValue", "?");
    put(c, b, " (threshold ");
    put_vb(c, b, "vsAlarmThreshold", "?");
    put(c, b, ")");
    set_field(c, &c->m->resource, "vsAlarmResource");
    set_field(c, &c->m->value, "vsAlarmValue");
    set_field(c, &c->m->threshold, "vsAlarmThreshold");
}

static void describe_link(ctx *c, vs_buf *b)
{
    static const char *const parts[][2] = {
        { "ifDescr", "" },
        { "ifIndex", "ifIndex " },
        { "ifAdminStatus", "admin " },
        { "ifOperStatus", "oper " },
    };
    put(c, b, "interface");
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (vb_of(c, parts[i][0]) == NULL)
            continue;
        put(c, b, " ");
        put(c, b, parts[i][1]);
        put_vb(c, b, parts[i][0], "");
    }
    vs_buf r;
    vs_buf_init(&r, 4096);
    put(c, &r, "if:");
    put_vb(c, &r, vb_of(c, "ifDescr") != NULL ? "ifDescr" : "ifIndex", "?");
    free(c->m->resource);
    if ((c->m->resource = vs_buf_steal(&r)) == NULL)
        c->oom = 1;
    vs_buf_free(&r);
    set_field(c, &c->m->value, "ifOperStatus");
}

static void describe_agent(ctx *c, vs_buf *b)
{
    put(c, b, c->m->metric);
}

/* The notifications rendered by name, and their severity before describe() refines it. */
static const struct {
    const char *label;
    vs_severity severity;
    describe_fn describe;
} known[] = {
    { "vsVmStateChanged", VS_SEV_INFO, describe_vm_state },
    { "vsVmDefined", VS_SEV_INFO, describe_vm_defined },
    { "vsVmUndefined", VS_SEV_INFO, describe_vm_undefined },
    { "vsVmAdminRequestFailed", VS_SEV_WARNING, describe_vm_admin_failed },
    { "vsHvConnectionLost", VS_SEV_CRITICAL, describe_hv_lost },
    { "vsHvConnectionRestored", VS_SEV_OK, describe_hv_restored },
    { "vsAlarmRaised", VS_SEV_WARNING, describe_alarm },
    { "vsAlarmCleared", VS_SEV_OK, describe_alarm },
    { "coldStart", VS_SEV_INFO, describe_agent },
    { "warmStart", VS_SEV_INFO, describe_agent },
    { "linkDown", VS_SEV_WARNING, describe_link },
    { "linkUp", VS_SEV_OK, describe_link },
    { "authenticationFailure", VS_SEV_WARNING, describe_agent },
};

/* Any other trap: its varbinds after the first two, "name=value", as far as they fit. */
static void describe_generic(ctx *c, vs_buf *b)
{
    size_t shown = 0;
    for (size_t i = 0; i < c->t->n_vbs && b->len < TH_SUMMARY_MAX; i++) {
        const vs_varbind *vb = &c->t->vbs[i];
        if (th_mib_is(vb->oid, "sysUpTime", ".0") || th_mib_is(vb->oid, "snmpTrapOID", ".0"))
            continue;
        put(c, b, shown++ == 0 ? "" : ", ");
        const char *nm = vb->name != NULL ? vb->name : vb->oid;
        put_line(c, b, nm, strlen(nm), PIECE_MAX);
        put(c, b, "=");
        int oom;
        char *txt = th_render_varbind_text(vb, &oom);
        const char *s = txt != NULL ? txt : vb->text != NULL ? vb->text : vb->value;
        put_line(c, b, s, txt != NULL || vb->text != NULL ? strlen(s) : vb->value_len, 64);
        c->oom |= oom;
        free(txt);
    }
    if (shown == 0)
        put(c, b, "no varbinds");
}

/* ------------------------------------------------------------------ API */

static char *dup_or_null(const char *s, int *oom)
{
    char *d = s != NULL ? strdup(s) : NULL;
    *oom |= s != NULL && d == NULL;
    return d;
}

static int copy_varbinds(ctx *c)
{
    const th_trap *t = c->t;
    vs_msg *m = c->m;

    m->vbs = calloc(t->n_vbs > 0 ? t->n_vbs : 1, sizeof(vs_varbind));
    if (m->vbs == NULL)
        return -1;
    for (size_t i = 0; i < t->n_vbs; i++) {
        const vs_varbind *s = &t->vbs[i];
        vs_varbind *d = &m->vbs[m->n_vbs++];
        int oom = 0;
        d->oid = dup_or_null(s->oid, &oom);
        d->name = dup_or_null(s->name, &oom);
        d->type = s->type;
        d->value_len = s->value_len;
        if ((d->value = malloc(s->value_len + 1)) == NULL)
            return -1;
        memcpy(d->value, s->value, s->value_len);
        d->value[s->value_len] = '\0';
        d->text = th_render_varbind_text(s, &oom);
        if (d->text == NULL)
            d->text = dup_or_null(s->text, &oom);
        if (oom)
            return -1;
    }
    return 0;
}

/* Fill metric, severity and summary from the notification's kind. */
static void describe(ctx *c)
{
    const th_trap *t = c->t;
    vs_msg *m = c->m;
    const th_mib_node *n = t->trap_oid != NULL ? th_mib_by_oid_exact(t->trap_oid) : NULL;
    describe_fn fn = describe_generic;
    vs_buf b;

    m->severity = VS_SEV_INFO;
    m->previous = VS_SEV_INFO;
    if (n != NULL && n->type == 'N') {
        m->metric = dup_or_null(n->label, &c->oom);
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
            if (strcmp(known[i].label, n->label) == 0) {
                m->severity = known[i].severity;
                fn = known[i].describe;
            }
        }
    } else {
        const char *id = t->trap_oid != NULL ? t->trap_oid : t->trap_name;
        vs_buf mb;
        vs_buf_init(&mb, 4096);
        put_line(c, &mb, id != NULL ? id : "unknown", id != NULL ? strlen(id) : 7, 1024);
        if ((m->metric = vs_buf_steal(&mb)) == NULL)
            c->oom = 1;
        vs_buf_free(&mb);
    }
    if (m->metric == NULL)
        return;
    vs_buf_init(&b, (size_t)TH_SUMMARY_MAX * 8);
    put_line(c, &b, m->metric, strlen(m->metric), PIECE_MAX);
    put(c, &b, " from ");
    put_line(c, &b, m->source, strlen(m->source), PIECE_MAX);
    put(c, &b, ": ");
    fn(c, &b);
    /* Cut to the limit at a character boundary. */
    if (b.len > TH_SUMMARY_MAX) {
        size_t cut = TH_SUMMARY_MAX - 3;
        while (cut > 0 && ((unsigned char)b.data[cut] & 0xc0) == 0x80)
            cut--;
        b.len = cut;
        b.data[cut] = '\0';
        put(c, &b, "...");
    }
    if ((m->summary = vs_buf_steal(&b)) == NULL)
        c->oom = 1;
    vs_buf_free(&b);
}

vs_msg *th_render(const th_trap *t, double now)
{
    ctx c = { .t = t };
    vs_msg *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    c.m = m;
    m->kind = VS_MSG_TRAP;
    m->time = now;
    /* With snmptrapd -n the host line is the transport again: the address says it better. */
    const char *src = t->src_addr != NULL ? t->src_addr : t->transport != NULL ? t->transport : "";
    const char *host =
        t->host != NULL && (t->transport == NULL || strcmp(t->host, t->transport) != 0) ? t->host
                                                                                        : src;
    vs_buf hb;
    vs_buf_init(&hb, 4096);
    put_line(&c, &hb, host, strlen(host), TH_INPUT_MAX_HEADER);
    m->host = vs_buf_steal(&hb);
    vs_buf_free(&hb);
    m->source = dup_or_null(src, &c.oom);
    m->trap_oid = dup_or_null(t->trap_oid, &c.oom);
    c.nodes = calloc(t->n_vbs > 0 ? t->n_vbs : 1, sizeof(*c.nodes));
    if (m->host == NULL || c.nodes == NULL || copy_varbinds(&c) < 0) {
        c.oom = 1;
    } else {
        for (size_t i = 0; i < t->n_vbs; i++)
            c.nodes[i] = object_of(&t->vbs[i]);
        describe(&c);
    }
    free(c.nodes);
    if (c.oom || m->summary == NULL) {
        vs_msg_free(m);
        return NULL;
    }
    return m;
}
