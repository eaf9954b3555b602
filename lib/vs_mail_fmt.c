/* vs_mail_fmt: the text of an alert mail (RFC 5322 headers, quoted-printable UTF-8 body) built
 * from a vs_msg whose text fields are untrusted. Pure, so it is unit-tested without a server.
 *
 * Safety rules, in the order they apply: every untrusted field first goes through append_safe
 * (invalid UTF-8 -> U+FFFD, controls and invisible direction marks shown as "\n", "\x1B",
 * "\u202E", cut at a limit), so no CR or LF is left; a header is then written either as folded
 * printable ASCII or, when anything else is in it, as RFC 2047 encoded words; the body is
 * quoted-printable, so every line stays short and 7-bit whatever the values hold and the mail
 * needs no 8BITMIME from the server. */
#include "config.h"

#include "vs_mail.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vs_buf.h"

#define MAIL_MAX (1024 * 1024) /* a whole message; far above what the limits below allow */
#define SUBJECT_FIELD_MAX 200  /* bytes of one field inside the Subject */
#define HEADER_LINE_MAX 78     /* RFC 5322's "should" for header lines */
#define WORD_RAW_MAX 42        /* bytes per encoded word: "Subject: =?UTF-8?B?<56>?=" is 77 */
#define QP_LINE_MAX 76         /* RFC 2045 */
#define MSGID_LOCAL_MAX 200    /* bytes of the sanitised msg_id in Message-Id */
#define VBS_SHOWN_MAX 100      /* varbinds listed in a trap mail */
#define VB_NAME_MAX 200        /* bytes of a varbind name */
#define TRUNC_MARK "...[truncated]"
#define LABEL_FMT "%-12s"

/* Decode the UTF-8 sequence at s (n bytes there) into *cp; its length, or 0 when it is not
 * valid (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Characters shown escaped rather than as they are: C0 and C1 controls and DEL (line breaks
 * among them), the Unicode line and paragraph separators, and the direction overrides and
 * isolates that make a mail reader show text in another order than it is. */
static int cp_is_hidden(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029
           || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

static void cp_escape(uint32_t cp, char out[16])
{
    if (cp == '\r')
        snprintf(out, 16, "\\r");
    else if (cp == '\n')
        snprintf(out, 16, "\\n");
    else if (cp == '\t')
        snprintf(out, 16, "\\t");
    else if (cp < 0x100)
        snprintf(out, 16, "\\x%02X", (unsigned)cp);
    else
        snprintf(out, 16, "\\u%04X", (unsigned)cp);
}

/* Append n bytes of untrusted text to b as safe UTF-8 (see the file comment), at most max bytes
 * of it and then TRUNC_MARK. NULL is "-". Returns 0, or -1 when b is full. */
static int append_safe(vs_buf *b, const char *s, size_t n, size_t max)
{
    size_t used = 0;

    if (s == NULL)
        return vs_buf_append_str(b, "-");
    for (size_t i = 0; i < n;) {
        char esc[16];
        const char *piece = s + i;
        uint32_t cp;
        size_t len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        size_t plen = len;

        if (len == 0) {
            piece = "\xEF\xBF\xBD"; /* U+FFFD for each byte that is not UTF-8 */
            plen = 3;
            len = 1;
        } else if (cp_is_hidden(cp)) {
            cp_escape(cp, esc);
            piece = esc;
            plen = strlen(esc);
        }
        if (used + plen > max)
            return vs_buf_append_str(b, TRUNC_MARK);
        if (vs_buf_append(b, piece, plen) < 0)
            return -1;
        used += plen;
        i += len;
    }
    return 0;
}

static int append_safe_str(vs_buf *b, const char *s, size_t max)
{
    return append_safe(b, s, s == NULL ? 0 : strlen(s), max);
}

static int append_base64(vs_buf *b, const unsigned char *s, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        char out[4];
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        out[0] = tab[(v >> 18) & 63];
        out[1] = tab[(v >> 12) & 63];
        out[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[3] = i + 2 < n ? tab[v & 63] : '=';
        if (vs_buf_append(b, out, 4) < 0)
            return -1;
    }
    return 0;
}

/* "Name: text" folded at spaces so lines stay within HEADER_LINE_MAX where a space allows it;
 * text is printable ASCII. Folding puts CRLF before a run of spaces, which unfolding removes,
 * so the text reads back exactly; no line is left holding only spaces. */
static int append_folded(vs_buf *b, const char *name, const char *text)
{
    size_t n = strlen(text), col = strlen(name) + 2, start = col;

    if (vs_buf_appendf(b, "%s: ", name) < 0)
        return -1;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && text[j] == ' ')
            j++;
        int has_word = j < n;
        while (j < n && text[j] != ' ')
            j++;
        if (col > start && text[i] == ' ' && has_word && col + (j - i) > HEADER_LINE_MAX) {
            if (vs_buf_append_str(b, "\r\n") < 0)
                return -1;
            col = 0;
        }
        if (vs_buf_append(b, text + i, j - i) < 0)
            return -1;
        col += j - i;
        i = j;
    }
    return vs_buf_append_str(b, "\r\n");
}

/* "Name: text" as RFC 2047 B-encoded words of whole UTF-8 characters, one per line. */
static int append_encoded_words(vs_buf *b, const char *name, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);

    if (vs_buf_appendf(b, "%s: ", name) < 0)
        return -1;
    for (size_t i = 0; i < n;) {
        size_t take = 0;
        while (i + take < n) {
            uint32_t cp;
            size_t len = utf8_decode(s + i + take, n - i - take, &cp);
            if (len == 0)
                len = 1;
            if (take > 0 && take + len > WORD_RAW_MAX)
                break;
            take += len;
        }
        if ((i > 0 && vs_buf_append_str(b, "\r\n ") < 0) || vs_buf_append_str(b, "=?UTF-8?B?") < 0
            || append_base64(b, s + i, take) < 0 || vs_buf_append_str(b, "?=") < 0)
            return -1;
        i += take;
    }
    return vs_buf_append_str(b, "\r\n");
}

/* An unstructured header (Subject) from sanitised text: plain and folded when it is printable
 * ASCII that a reader could not take for an encoded word, encoded words otherwise. */
static int append_unstructured(vs_buf *b, const char *name, const char *text)
{
    int plain = strstr(text, "=?") == NULL;
    for (const char *p = text; *p != '\0' && plain; p++)
        plain = (unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7E;
    return plain ? append_folded(b, name, text) : append_encoded_words(b, name, text);
}

/* An address from the configuration, with anything that could end or extend it left out
 * (vs_mail_new has refused such addresses already; this keeps the pure function safe too). */
static int append_addr(vs_buf *b, const char *a)
{
    for (const char *p = a == NULL ? "" : a; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c > 0x20 && c < 0x7F && strchr("<>(),;:\"\\[]", c) == NULL
            && vs_buf_append(b, p, 1) < 0)
            return -1;
    }
    return 0;
}

/* A domain for Message-Id: letters, digits, '-' and single inner dots of name, else
 * "localhost". */
static int append_domain(vs_buf *b, const char *name)
{
    size_t before = b->len;
    int dot = 0;
    for (const char *p = name == NULL ? "" : name; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-') {
            if (dot && b->len > before && vs_buf_append_str(b, ".") < 0)
                return -1;
            dot = 0;
            if (vs_buf_append(b, p, 1) < 0)
                return -1;
        } else if (c == '.') {
            dot = 1;
        }
    }
    return b->len > before ? 0 : vs_buf_append_str(b, "localhost");
}

/* FNV-1a, to keep a cut Message-Id unique. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The local part of Message-Id from msg_id: letters, digits, '-' and '_' as they are, a '.'
 * as it is where a dot-atom allows it, every other byte as "=XX". The mapping is one-to-one, so
 * distinct msg_ids give distinct Message-Ids; a long one is cut and followed by a hash of it. */
static int append_msgid_local(vs_buf *b, const char *id)
{
    size_t n, out = 0;

    if (id == NULL || *id == '\0')
        id = "none";
    n = strlen(id);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        int r;
        if (out >= MSGID_LOCAL_MAX)
            return vs_buf_appendf(b, "+%016llx", (unsigned long long)fnv1a(id));
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_' || (c == '.' && i > 0 && i + 1 < n && id[i - 1] != '.')) {
            r = vs_buf_append(b, &id[i], 1);
            out += 1;
        } else {
            r = vs_buf_appendf(b, "=%02X", c);
            out += 3;
        }
        if (r < 0)
            return -1;
    }
    return 0;
}

static const char *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* RFC 5322 date-time in UTC, with English names whatever the locale. */
static int append_rfc5322_date(vs_buf *b, time_t t)
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    return vs_buf_appendf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", day_names[tm.tm_wday],
                          tm.tm_mday, month_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
                          tm.tm_min, tm.tm_sec);
}

/* The event time for people: "2024-03-05 14:03:07 UTC", or "unknown". */
static int append_event_time(vs_buf *b, double when)
{
    struct tm tm;
    time_t t = (time_t)when;
    if (!(when >= 0.0 && when < 1e11) || gmtime_r(&t, &tm) == NULL)
        return vs_buf_append_str(b, "unknown");
    return vs_buf_appendf(b, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int present(const char *s)
{
    return s != NULL && *s != '\0';
}

/* The Subject as sanitised UTF-8 text (not yet a header). */
static int build_subject(vs_buf *s, const vs_msg *m)
{
    const char *where = present(m->resource) ? m->resource : m->host;
    int r = vs_buf_append_str(s, "[virtsight] ");

    if (m->kind == VS_MSG_TRAP) {
        const char *what = present(m->metric) ? m->metric : m->trap_oid;
        const char *from = present(m->source) ? m->source : m->host;
        r = r < 0 ? r : vs_buf_append_str(s, "trap ");
        r = r < 0 ? r : append_safe_str(s, what, SUBJECT_FIELD_MAX);
        r = r < 0 ? r : vs_buf_append_str(s, " from ");
        return r < 0 ? r : append_safe_str(s, from, SUBJECT_FIELD_MAX);
    }
    r = r < 0 ? r
              : vs_buf_append_str(
                  s, m->kind == VS_MSG_ALARM_CLEARED ? "RECOVERED" : vs_severity_name(m->severity));
    r = r < 0 ? r : vs_buf_append_str(s, " ");
    r = r < 0 ? r : append_safe_str(s, m->metric, SUBJECT_FIELD_MAX);
    r = r < 0 ? r : vs_buf_append_str(s, " on ");
    r = r < 0 ? r : append_safe_str(s, where, SUBJECT_FIELD_MAX);
    if (present(m->value)) {
        r = r < 0 ? r : vs_buf_append_str(s, ": ");
        r = r < 0 ? r : append_safe_str(s, m->value, SUBJECT_FIELD_MAX);
    }
    if (present(m->threshold)) {
        r = r < 0 ? r : vs_buf_append_str(s, " (threshold ");
        r = r < 0 ? r : append_safe_str(s, m->threshold, SUBJECT_FIELD_MAX);
        r = r < 0 ? r : vs_buf_append_str(s, ")");
    }
    return r;
}

/* One body line "Label:      value" with the value sanitised. */
static int body_field(vs_buf *t, const char *label, const char *value)
{
    if (vs_buf_appendf(t, LABEL_FMT, label) < 0 || append_safe_str(t, value, VS_MAIL_FIELD_MAX) < 0)
        return -1;
    return vs_buf_append_str(t, "\n");
}

static int body_varbinds(vs_buf *t, const vs_msg *m)
{
    if (m->n_vbs == 0)
        return 0;
    if (vs_buf_append_str(t, "\nVarbinds:\n") < 0)
        return -1;
    for (size_t i = 0; i < m->n_vbs && i < VBS_SHOWN_MAX; i++) {
        const vs_varbind *vb = &m->vbs[i];
        const char *name = present(vb->name) ? vb->name : vb->oid;
        int r = vs_buf_append_str(t, "  ");
        r = r < 0 ? r : append_safe_str(t, name, VB_NAME_MAX);
        r = r < 0 ? r : vs_buf_append_str(t, " = ");
        if (vb->text != NULL)
            r = r < 0 ? r : append_safe_str(t, vb->text, VS_MAIL_FIELD_MAX);
        else
            r = r < 0 ? r : append_safe(t, vb->value, vb->value_len, VS_MAIL_FIELD_MAX);
        r = r < 0 ? r : vs_buf_append_str(t, "\n");
        if (r < 0)
            return -1;
    }
    if (m->n_vbs > VBS_SHOWN_MAX)
        return vs_buf_appendf(t, "  (%zu more varbinds not shown)\n", m->n_vbs - VBS_SHOWN_MAX);
    return 0;
}

/* The body as sanitised UTF-8 text, lines separated by '\n'. */
static int build_body(vs_buf *t, const vs_msg *m)
{
    vs_buf tm;
    int r = 0;

    vs_buf_init(&tm, 64);
    r = append_event_time(&tm, m->time);
    if (present(m->summary)) {
        r = r < 0 ? r : append_safe_str(t, m->summary, VS_MAIL_FIELD_MAX);
        r = r < 0 ? r : vs_buf_append_str(t, "\n\n");
    }
    if (m->kind == VS_MSG_TRAP) {
        r = r < 0 ? r : body_field(t, "Trap:", present(m->metric) ? m->metric : m->trap_oid);
        r = r < 0 ? r : body_field(t, "Trap OID:", m->trap_oid);
        r = r < 0 ? r : body_field(t, "Source:", m->source);
        r = r < 0 ? r : body_field(t, "Host:", m->host);
        r = r < 0 ? r : body_field(t, "Severity:", vs_severity_name(m->severity));
    } else {
        char sev[64];
        snprintf(sev, sizeof(sev), "%s (was %s)", vs_severity_name(m->severity),
                 vs_severity_name(m->previous));
        r = r < 0 ? r
                  : body_field(
                      t, "Status:", m->kind == VS_MSG_ALARM_CLEARED ? "RECOVERED" : "PROBLEM");
        r = r < 0 ? r : body_field(t, "Severity:", sev);
        r = r < 0 ? r : body_field(t, "Host:", m->host);
        r = r < 0 ? r : body_field(t, "Resource:", m->resource);
        r = r < 0 ? r : body_field(t, "Metric:", m->metric);
        r = r < 0 ? r : body_field(t, "Value:", m->value);
        r = r < 0 ? r : body_field(t, "Threshold:", m->threshold);
    }
    r = r < 0 ? r : body_field(t, "Rule:", m->rule);
    r = r < 0 ? r : body_field(t, "Time:", vs_buf_str(&tm));
    if (m->repeat > 0)
        r = r < 0 ? r : vs_buf_appendf(t, LABEL_FMT "%u\n", "Repeat:", m->repeat);
    if (m->kind != VS_MSG_TRAP || present(m->alarm_id))
        r = r < 0 ? r : body_field(t, "Alarm id:", m->alarm_id);
    r = r < 0 ? r : body_field(t, "Message id:", m->msg_id);
    if (m->kind == VS_MSG_TRAP)
        r = r < 0 ? r : body_varbinds(t, m);
    vs_buf_free(&tm);
    return r;
}

/* Append text ('\n'-separated lines) to b as quoted-printable lines ending in CRLF, none longer
 * than QP_LINE_MAX. A '.' opening an encoded line is encoded too, so no line can be read as the
 * end of DATA whatever the SMTP library does. */
static int append_qp(vs_buf *b, const char *text)
{
    const char *p = text;

    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t col = 0;
        if (eol == NULL)
            eol = p + strlen(p);
        for (; p < eol; p++) {
            unsigned char c = (unsigned char)*p;
            int last = p + 1 == eol;
            char enc[4];
            size_t el = 1;
            if (((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last))
                && !(c == '.' && col == 0)) {
                enc[0] = (char)c;
            } else {
                snprintf(enc, sizeof(enc), "=%02X", c);
                el = 3;
            }
            /* A soft break needs a column for its '='; the last character does not. */
            if (col + el > (last ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
                if (vs_buf_append_str(b, "=\r\n") < 0)
                    return -1;
                col = 0;
                if (c == '.') {
                    snprintf(enc, sizeof(enc), "=2E");
                    el = 3;
                }
            }
            if (vs_buf_append(b, enc, el) < 0)
                return -1;
            col += el;
        }
        if (vs_buf_append_str(b, "\r\n") < 0)
            return -1;
        if (*p == '\n')
            p++;
    }
    return 0;
}

/* The header block. */
static int build_headers(vs_buf *b, const vs_mail_conf *c, const vs_msg *m, time_t now)
{
    vs_buf subject, to;
    int r;

    vs_buf_init(&subject, 8 * SUBJECT_FIELD_MAX);
    vs_buf_init(&to, 64 * 1024);
    r = build_subject(&subject, m);
    for (size_t i = 0; i < c->n_to && r == 0; i++) {
        if (i > 0)
            r = vs_buf_append_str(&to, ", ");
        r = r < 0 ? r : append_addr(&to, c->to[i]);
    }
    r = r < 0 ? r : vs_buf_append_str(b, "Date: ");
    r = r < 0 ? r : append_rfc5322_date(b, now);
    r = r < 0 ? r : vs_buf_append_str(b, "\r\nFrom: ");
    r = r < 0 ? r : append_addr(b, c->from);
    r = r < 0 ? r : vs_buf_append_str(b, "\r\n");
    r = r < 0 ? r : append_folded(b, "To", vs_buf_str(&to));
    r = r < 0 ? r : append_unstructured(b, "Subject", vs_buf_str(&subject));
    r = r < 0 ? r : vs_buf_append_str(b, "Message-Id: <");
    r = r < 0 ? r : append_msgid_local(b, m->msg_id);
    r = r < 0 ? r : vs_buf_append_str(b, "@");
    r = r < 0 ? r : append_domain(b, c->helo_name);
    r = r < 0 ? r
              : vs_buf_append_str(b, ">\r\n"
                                     "MIME-Version: 1.0\r\n"
                                     "Content-Type: text/plain; charset=UTF-8\r\n"
                                     "Content-Transfer-Encoding: quoted-printable\r\n"
                                     "Auto-Submitted: auto-generated\r\n");
    vs_buf_free(&subject);
    vs_buf_free(&to);
    return r;
}

char *vs_mail_format(const vs_mail_conf *c, const vs_msg *m, time_t now)
{
    vs_buf b, body;
    char *out = NULL;

    vs_buf_init(&b, MAIL_MAX);
    vs_buf_init(&body, MAIL_MAX / 4);
    if (build_headers(&b, c, m, now) == 0 && vs_buf_append_str(&b, "\r\n") == 0
        && build_body(&body, m) == 0 && append_qp(&b, vs_buf_str(&body)) == 0)
        out = vs_buf_steal(&b);
    vs_buf_free(&b);
    vs_buf_free(&body);
    return out;
}
