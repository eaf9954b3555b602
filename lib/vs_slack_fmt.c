/* vs_slack_fmt: the Slack message for a vs_msg, pure: JSON built by json-c from text escaped
 * here (Slack's three entities, U+FFFD for invalid UTF-8, mention words defused, every field
 * bounded with a marker), so it is unit-tested without sockets. */
#include "config.h"

#include "vs_slack.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "vs_buf.h"

#define TEXT_FALLBACK_MAX 300 /* the notification line: short */
#define VB_LINE_MAX 300       /* one varbind line of a trap */

#define COLOR_CRITICAL "#d00000"
#define COLOR_WARNING "#daa038"
#define COLOR_OK "#2eb886"
#define COLOR_INFO "#a0a0a0"

/* snmpTrapOID.0: already shown as the trap's own field, not repeated among the varbinds. */
#define OID_SNMP_TRAP_OID "1.3.6.1.6.3.1.1.4.1.0"

/* ---------------------------------------------------------------- escaping */

/* One escaped text under construction: bytes go in whole units (a character or an entity),
 * so a cut never splits either; past limit the text ends at a unit boundary with the marker. */
typedef struct {
    vs_buf b;
    size_t limit; /* most bytes, the marker included */
    size_t safe;  /* length at the last boundary that leaves room for the marker */
    int full;     /* the marker was added: ignore further input */
    int oom;
    int one_line; /* control characters shown as \n, \r, \t, \xNN: a value cannot start a
                     line of its own (a trap's varbind list, one line per varbind) */
} esc_text;

static void esc_init(esc_text *t, size_t limit)
{
    vs_buf_init(&t->b, SIZE_MAX / 2);
    t->limit = limit;
    t->safe = 0;
    t->full = 0;
    t->oom = 0;
    t->one_line = 0;
}

/* Append one unit of n bytes, or end the text with the marker when it would pass the limit. */
static void esc_unit(esc_text *t, const char *u, size_t n)
{
    static const size_t mlen = sizeof(VS_SLACK_TRUNC_MARKER) - 1;

    if (t->full || t->oom)
        return;
    if (t->b.len + n > t->limit) {
        t->b.len = t->safe;
        if (t->b.data != NULL)
            t->b.data[t->b.len] = '\0';
        if (vs_buf_append(&t->b, VS_SLACK_TRUNC_MARKER, mlen) < 0)
            t->oom = 1;
        t->full = 1;
        return;
    }
    if (vs_buf_append(&t->b, u, n) < 0) {
        t->oom = 1;
        return;
    }
    if (t->limit >= mlen && t->b.len <= t->limit - mlen)
        t->safe = t->b.len;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0 when it is invalid; then
 * *bad is the length of its maximal invalid prefix (at least 1), replaced by one U+FFFD. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t need;

    *bad = 1;
    if (c >= 0x01 && c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        need = 2;
    else if (c >= 0xe0 && c <= 0xef)
        need = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        need = 4;
    else
        return 0; /* NUL, a stray continuation byte, an overlong lead or past U+10FFFF */
    /* The second byte's range excludes overlongs, surrogates and code points past U+10FFFF. */
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    for (size_t i = 1; i < need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xbf;
    }
    return need;
}

/* Whether s (n bytes) starts with one of Slack's special mention words, followed by a word
 * boundary; these would mention everyone if a webhook ever parsed plain "@channel". */
static int mention_word(const char *s, size_t n)
{
    static const char *const words[] = { "channel", "here", "everyone", "group" };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t w = strlen(words[i]);
        if (n >= w && strncasecmp(s, words[i], w) == 0) {
            unsigned char next = n > w ? (unsigned char)s[w] : ' ';
            if (!(next == '_' || next == '-' || (next >= '0' && next <= '9')
                  || ((next | 0x20) >= 'a' && (next | 0x20) <= 'z')))
                return 1;
        }
    }
    return 0;
}

/* Append untrusted bytes s[0..n) escaped for Slack. */
/* A control character shown, not obeyed: "\n", "\r", "\t" or "\xNN". */
static void esc_control(esc_text *t, unsigned char c)
{
    char shown[5];
    if (c == '\n' || c == '\r' || c == '\t') {
        shown[0] = '\\';
        shown[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        esc_unit(t, shown, 2);
        return;
    }
    snprintf(shown, sizeof(shown), "\\x%02x", c);
    esc_unit(t, shown, 4);
}

static void esc_add(esc_text *t, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && !t->full && !t->oom) {
        unsigned char c = (unsigned char)s[i];
        size_t bad, len = utf8_seq((const unsigned char *)s + i, n - i, &bad);
        if (len == 0) {
            esc_unit(t, "\xef\xbf\xbd", 3);
            i += bad;
            continue;
        }
        if (c == '&')
            esc_unit(t, "&amp;", 5);
        else if (c == '<')
            esc_unit(t, "&lt;", 4);
        else if (c == '>')
            esc_unit(t, "&gt;", 4);
        else if (c == '@' && mention_word(s + i + 1, n - i - 1))
            esc_unit(t, "@\xe2\x81\xa0", 4); /* U+2060 WORD JOINER after the '@' */
        else if (t->one_line && (c < 0x20 || c == 0x7f))
            esc_control(t, c);
        else
            esc_unit(t, s + i, len);
        i += len;
    }
}

static void esc_str(esc_text *t, const char *s)
{
    if (s != NULL)
        esc_add(t, s, strlen(s));
}

char *vs_slack_escape(const char *s)
{
    esc_text t;

    esc_init(&t, SIZE_MAX / 4);
    esc_str(&t, s);
    if (t.oom) {
        vs_buf_free(&t.b);
        return NULL;
    }
    return vs_buf_steal(&t.b);
}

/* ---------------------------------------------------------------- payload */

/* Add key: the text of t (freed here) to o; -1 when memory is short. */
static int put_text(json_object *o, const char *key, esc_text *t)
{
    json_object *v = NULL;

    if (!t->oom)
        v = json_object_new_string_len(vs_buf_str(&t->b), (int)t->b.len);
    vs_buf_free(&t->b);
    if (v == NULL)
        return -1;
    if (json_object_object_add(o, key, v) < 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

/* Append one attachment field {title, value, short} when value is set and not empty. */
static int put_field(json_object *fields, const char *title, const char *value, int is_short)
{
    if (value == NULL || value[0] == '\0')
        return 0;
    esc_text t;
    json_object *f = json_object_new_object();
    if (f == NULL)
        return -1;
    esc_init(&t, VS_SLACK_FIELD_MAX);
    esc_str(&t, value);
    if (json_object_object_add(f, "title", json_object_new_string(title)) < 0
        || put_text(f, "value", &t) < 0
        || json_object_object_add(f, "short", json_object_new_boolean(is_short)) < 0
        || json_object_array_add(fields, f) < 0) {
        json_object_put(f);
        return -1;
    }
    return 0;
}

static const char *severity_color(vs_severity s)
{
    switch (s) {
    case VS_SEV_CRITICAL:
        return COLOR_CRITICAL;
    case VS_SEV_WARNING:
        return COLOR_WARNING;
    case VS_SEV_OK:
        return COLOR_OK;
    case VS_SEV_INFO:
        break;
    }
    return COLOR_INFO;
}

/* "CRITICAL", or "OK (was CRITICAL)" when the message reports a change from a bad state. */
static void severity_text(const vs_msg *m, char *out, size_t len)
{
    if (m->kind != VS_MSG_TRAP && m->previous != m->severity && m->previous != VS_SEV_OK
        && m->previous != VS_SEV_INFO)
        snprintf(out, len, "%s (was %s)", vs_severity_name(m->severity),
                 vs_severity_name(m->previous));
    else
        snprintf(out, len, "%s", vs_severity_name(m->severity));
}

/* The event time in UTC, or "" when unset. */
static void time_text(double t, char *out, size_t len)
{
    struct tm tm;
    time_t sec = (time_t)t;

    out[0] = '\0';
    if (t > 0 && gmtime_r(&sec, &tm) != NULL)
        strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* The title: what happened to what, in one line. */
static void title_build(esc_text *t, const vs_msg *m)
{
    char rep[48] = "";

    if (m->kind == VS_MSG_TRAP) {
        esc_str(t, "Trap ");
        esc_str(t, m->metric != NULL ? m->metric : m->trap_oid);
        esc_str(t, " from ");
        esc_str(t, m->source != NULL ? m->source : m->host);
        return;
    }
    esc_str(t, m->kind == VS_MSG_ALARM_CLEARED ? "RECOVERED" : vs_severity_name(m->severity));
    esc_str(t, ": ");
    esc_str(t, m->metric);
    esc_str(t, " on ");
    esc_str(t, m->resource != NULL ? m->resource : m->host);
    if (m->kind == VS_MSG_ALARM_RAISED && m->repeat > 0) {
        snprintf(rep, sizeof(rep), " (repeat %u)", m->repeat);
        esc_str(t, rep);
    }
}

/* The short notification line: "[CRITICAL] summary" (or the title without a summary). */
static void fallback_build(esc_text *t, const vs_msg *m)
{
    esc_str(t, "[");
    esc_str(t, vs_severity_name(m->severity));
    esc_str(t, "] ");
    if (m->summary != NULL && m->summary[0] != '\0')
        esc_str(t, m->summary);
    else
        title_build(t, m);
}

/* The trap's varbinds, one "name = value" line each, at most VS_SLACK_VB_LINES_MAX. */
static void varbinds_build(vs_buf *out, const vs_msg *m, int *oom)
{
    size_t shown = 0, skipped = 0;

    for (size_t i = 0; i < m->n_vbs && !*oom; i++) {
        const vs_varbind *vb = &m->vbs[i];
        if (vb->oid != NULL && strcmp(vb->oid, OID_SNMP_TRAP_OID) == 0)
            continue;
        if (shown == VS_SLACK_VB_LINES_MAX) {
            skipped++;
            continue;
        }
        esc_text line;
        esc_init(&line, VB_LINE_MAX);
        line.one_line = 1;
        esc_str(&line, vb->name != NULL ? vb->name : vb->oid);
        esc_str(&line, " = ");
        if (vb->text != NULL)
            esc_str(&line, vb->text);
        else if (vb->value != NULL)
            esc_add(&line, vb->value, vb->value_len);
        if (line.oom || (out->len > 0 && vs_buf_append_str(out, "\n") < 0)
            || vs_buf_append(out, vs_buf_str(&line.b), line.b.len) < 0)
            *oom = 1;
        vs_buf_free(&line.b);
        shown++;
    }
    if (skipped > 0 && vs_buf_appendf(out, "\n(%zu more varbinds not shown)", skipped) < 0)
        *oom = 1;
}

/* The attachment's body: the summary, and for a trap its varbind lines. */
static int body_put(json_object *att, const vs_msg *m)
{
    esc_text t;
    int oom = 0;

    esc_init(&t, VS_SLACK_FIELD_MAX);
    esc_str(&t, m->summary);
    if (m->kind != VS_MSG_TRAP || m->n_vbs == 0)
        return put_text(att, "text", &t);

    /* The varbind block has its own bounds (lines and line length), not the field's. */
    vs_buf all;
    vs_buf_init(&all, SIZE_MAX / 2);
    if (t.oom || vs_buf_append(&all, vs_buf_str(&t.b), t.b.len) < 0)
        oom = 1;
    vs_buf_free(&t.b);
    if (all.len > 0 && vs_buf_append_str(&all, "\n") < 0)
        oom = 1;
    varbinds_build(&all, m, &oom);
    json_object *v = oom ? NULL : json_object_new_string_len(vs_buf_str(&all), (int)all.len);
    vs_buf_free(&all);
    if (v == NULL)
        return -1;
    if (json_object_object_add(att, "text", v) < 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

/* The fields of an alarm or a trap, in reading order. */
static int fields_put(json_object *fields, const vs_msg *m)
{
    char sev[64], when[64];
    int rc = 0;

    severity_text(m, sev, sizeof(sev));
    time_text(m->time, when, sizeof(when));
    if (m->kind == VS_MSG_TRAP) {
        rc |= put_field(fields, "Source", m->source, 1);
        rc |= put_field(fields, "Host", m->host, 1);
        rc |= put_field(fields, "Trap", m->metric, 1);
        if (m->trap_oid != NULL && (m->metric == NULL || strcmp(m->metric, m->trap_oid) != 0))
            rc |= put_field(fields, "Trap OID", m->trap_oid, 1);
        rc |= put_field(fields, "Severity", sev, 1);
        rc |= put_field(fields, "Rule", m->rule, 1);
        rc |= put_field(fields, "Time", when, 1);
        return rc;
    }
    rc |= put_field(fields, "Host", m->host, 1);
    rc |= put_field(fields, "Resource", m->resource, 0);
    rc |= put_field(fields, "Metric", m->metric, 1);
    rc |= put_field(fields, "Value", m->value, 1);
    rc |= put_field(fields, "Threshold", m->threshold, 1);
    rc |= put_field(fields, "Severity", sev, 1);
    rc |= put_field(fields, "Rule", m->rule, 1);
    rc |= put_field(fields, "Time", when, 1);
    rc |= put_field(fields, "Alarm id", m->alarm_id, 1);
    return rc;
}

/* The single attachment: colour, fallback, title, body, fields, footer and timestamp. */
static json_object *attachment_new(const vs_msg *m)
{
    json_object *att = json_object_new_object();
    json_object *fields = json_object_new_array();
    esc_text fb, title;
    int rc = 0;

    if (att == NULL || fields == NULL || json_object_object_add(att, "fields", fields) < 0) {
        json_object_put(att);
        json_object_put(fields);
        return NULL;
    }
    esc_init(&fb, TEXT_FALLBACK_MAX);
    fallback_build(&fb, m);
    esc_init(&title, VS_SLACK_FIELD_MAX);
    title_build(&title, m);
    rc |= json_object_object_add(att, "color", json_object_new_string(severity_color(m->severity)));
    rc |= put_text(att, "fallback", &fb);
    rc |= put_text(att, "title", &title);
    rc |= body_put(att, m);
    rc |= fields_put(fields, m);
    rc |= json_object_object_add(att, "footer", json_object_new_string("virtsight"));
    if (m->time > 0)
        rc |= json_object_object_add(att, "ts", json_object_new_int64((int64_t)m->time));
    if (rc != 0) {
        json_object_put(att);
        return NULL;
    }
    return att;
}

char *vs_slack_payload(const vs_msg *m)
{
    json_object *root = json_object_new_object();
    json_object *atts = json_object_new_array();
    json_object *att = attachment_new(m);
    esc_text text;
    char *out = NULL;
    int rc = 0;

    if (root == NULL || atts == NULL || att == NULL) {
        json_object_put(root);
        json_object_put(atts);
        json_object_put(att);
        return NULL;
    }
    json_object_array_add(atts, att);
    esc_init(&text, TEXT_FALLBACK_MAX);
    fallback_build(&text, m);
    rc |= put_text(root, "text", &text);
    rc |= json_object_object_add(root, "attachments", atts);
    /* No link_names and no parse: plain "@channel" stays text. No unfurling: a URL in a VM
     * name must not make Slack fetch it. */
    rc |= json_object_object_add(root, "unfurl_links", json_object_new_boolean(0));
    rc |= json_object_object_add(root, "unfurl_media", json_object_new_boolean(0));
    if (rc == 0) {
        const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN
                                                                 | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (s != NULL)
            out = strdup(s);
    }
    json_object_put(root);
    return out;
}
