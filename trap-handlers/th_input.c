/* th_input: snmptrapd's handler input -> th_trap. One pass splits the input into records
 * (a line that starts with an OID, plus the lines a quoted value or, with MIBs loaded, an
 * unquoted multi-line string runs on to); a second pass decodes the kept records. Every scan
 * moves forward only, so the time is linear in the input, and every copy is bounded by the
 * limits in th_input.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "th_input.h"
#include "th_mib.h"
#include "vs_buf.h"

#define MAX_ARCS 128 /* MAX_OID_LEN: Net-SNMP never prints a longer OID */

/* One varbind record: the bytes from its OID to the end of its last line. */
typedef struct {
    size_t start, tok_len; /* the OID token */
    size_t end;            /* end of the record (before the last line's '\n') */
    size_t line;           /* 1-based line of the OID */
    int quoted;            /* value starts with '"' */
} record;

typedef struct {
    const char *buf;
    size_t len;
    th_trap *t;
    record *recs;
    size_t n_recs;
    int hex_mode;
} parser;

static void refuse(th_trap *t, th_refusal_kind k, size_t count, size_t line)
{
    if (t->refused[k].count == 0)
        t->refused[k].first_line = line;
    t->refused[k].count += count;
}

/* A NUL-terminated copy of n bytes, NUL bytes shown as '?'. */
static char *copy_text(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i] == '\0' ? '?' : s[i];
    d[n] = '\0';
    return d;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of a run of [0-9.] at s (at most n). */
static size_t span_numeric(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (is_digit(s[i]) || s[i] == '.'))
        i++;
    return i;
}

/* Length of an identifier ([A-Za-z][A-Za-z0-9-]*) at s, or 0. */
static size_t span_ident(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_alpha(s[0]))
        return 0;
    while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == '_'))
        i++;
    return i;
}

/* Length of the OID that starts line s (n bytes), or 0 if it starts with none: ".1.3...",
 * "iso.3...", or "MODULE::label" with an instance suffix that may hold quoted indexes. The
 * token must end the line or be followed by a space. */
static size_t oid_token(const char *s, size_t n)
{
    size_t i;

    if (n > TH_INPUT_MAX_OID_TOKEN + 1)
        n = TH_INPUT_MAX_OID_TOKEN + 1;
    if (n >= 2 && s[0] == '.' && is_digit(s[1])) {
        i = span_numeric(s, n);
    } else if (n >= 3 && memcmp(s, "iso", 3) == 0 && (n == 3 || s[3] == '.' || s[3] == ' ')) {
        i = 3 + span_numeric(s + 3, n - 3);
    } else {
        i = span_ident(s, n);
        if (i == 0 || i + 2 >= n || s[i] != ':' || s[i + 1] != ':')
            return 0;
        size_t l = span_ident(s + i + 2, n - i - 2);
        if (l == 0)
            return 0;
        i += 2 + l;
        /* Instance: arcs, quoted string indexes ("a b"), bracketed ones. */
        int in_quote = 0;
        while (i < n && (in_quote || s[i] != ' ')) {
            if (s[i] == '\\' && in_quote && i + 1 < n)
                i++;
            else if (s[i] == '"')
                in_quote = !in_quote;
            i++;
        }
        if (in_quote)
            return 0;
    }
    if (i > TH_INPUT_MAX_OID_TOKEN || (i < n && s[i] != ' '))
        return 0;
    return i;
}

/* Scan n bytes of a quoted value for its closing quote, honouring backslash escapes (state
 * in *esc across lines). Returns the offset of the quote, or n. */
static size_t scan_quote(const char *s, size_t n, int *esc)
{
    for (size_t i = 0; i < n; i++) {
        if (*esc)
            *esc = 0;
        else if (s[i] == '\\')
            *esc = 1;
        else if (s[i] == '"')
            return i;
    }
    return n;
}

/* Whether an unquoted value of the OID token s may run on over lines: only snmptrapd with MIBs
 * loaded prints strings unquoted (with their DISPLAY-HINT), and then OIDs are symbolic. An
 * object the table knows runs on only if it is a string. */
static int may_continue(const char *s, size_t n)
{
    const char *colon = memchr(s, ':', n);
    if (colon == NULL)
        return 0;
    const char *label = colon + 2;
    size_t ll = span_ident(label, n - (size_t)(label - s));
    const th_mib_node *node = th_mib_by_label(s, (size_t)(colon - s), label, ll);
    return node == NULL || node->type == 's' || node->type == 'b';
}

/* Pass 1: split buf[pos..] into records; keep the first TH_INPUT_MAX_VBS. */
static int split_records(parser *p, size_t pos, size_t line)
{
    const char *b = p->buf;

    while (pos < p->len) {
        const char *nl = memchr(b + pos, '\n', p->len - pos);
        size_t eol = nl != NULL ? (size_t)(nl - b) : p->len;
        line++;
        size_t tok = oid_token(b + pos, eol - pos);
        if (tok == 0) {
            refuse(p->t, TH_REFUSED_BAD_LINE, 1, line);
            pos = nl != NULL ? eol + 1 : p->len;
            continue;
        }
        record r = { .start = pos, .tok_len = tok, .end = eol, .line = line };
        size_t v = pos + tok + 1; /* the value */
        int open = 0, esc = 0, run_on = 0;
        if (v < eol && b[v] == '"') {
            r.quoted = 1;
            open = scan_quote(b + v + 1, eol - v - 1, &esc) == eol - v - 1;
        } else {
            run_on = may_continue(b + pos, tok);
        }
        pos = nl != NULL ? eol + 1 : p->len;
        /* Continuation lines: inside an open quote, or after an unquoted string (a multi-line
         * DisplayString that snmptrapd printed through a MIB) up to the next OID. */
        while (pos < p->len && (open || run_on)) {
            nl = memchr(b + pos, '\n', p->len - pos);
            eol = nl != NULL ? (size_t)(nl - b) : p->len;
            if (open)
                open = scan_quote(b + pos, eol - pos, &esc) == eol - pos;
            else if (oid_token(b + pos, eol - pos) != 0)
                break;
            line++;
            r.end = eol;
            pos = nl != NULL ? eol + 1 : p->len;
        }
        if (open)
            refuse(p->t, TH_REFUSED_TRUNCATED, 1, r.line);
        if (p->n_recs >= TH_INPUT_MAX_VBS) {
            refuse(p->t, TH_REFUSED_TOO_MANY, 1, r.line);
            continue;
        }
        p->recs[p->n_recs++] = r;
    }
    return 0;
}

/* ------------------------------------------------------------------ values */

static int hex_digit(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Whether s (n bytes, inside the quotes) is in the form snmptrapd prints hex strings in:
 * "4A 6B " pairs of upper-case digits, each followed by a space, lines broken after one.
 * Counts the bytes into *nbytes and whether any would not print as text into *binary. */
static int hex_form(const char *s, size_t n, size_t *nbytes, int *binary)
{
    size_t i = 0, k = 0;
    *binary = 0;
    while (i < n) {
        if (s[i] == '\n') {
            i++;
            continue;
        }
        if (i + 2 >= n || hex_digit(s[i]) < 0 || hex_digit(s[i + 1]) < 0 || s[i + 2] != ' ')
            return 0;
        int c = hex_digit(s[i]) * 16 + hex_digit(s[i + 1]);
        /* Net-SNMP prints a string as text unless a byte is neither printable nor space. */
        if (!((c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d)))
            *binary = 1;
        i += 3;
        k++;
    }
    *nbytes = k;
    return 1;
}

/* The value part of a record: after the token and its space, to the record's end. */
static void rec_value(const parser *p, const record *r, const char **v, size_t *vl)
{
    size_t s = r->start + r->tok_len + 1;
    if (s > r->end)
        s = r->end;
    *v = p->buf + s;
    *vl = r->end - s;
}

/* Inside of a quoted value (without the quotes; to the end when it never closed). */
static void quoted_inner(const char *v, size_t vl, const char **in, size_t *inl)
{
    int esc = 0;
    *in = v + 1;
    *inl = scan_quote(v + 1, vl - 1, &esc);
}

/* Decide whether hex-form quoted strings are hex (snmptrapd -Ox): see TH_INPUT_HEX. */
static void detect_hex_mode(parser *p, unsigned flags)
{
    int printable_hex = 0, text = 0;

    if (flags & TH_INPUT_HEX) {
        p->hex_mode = 1;
        return;
    }
    for (size_t i = 0; i < p->n_recs; i++) {
        const char *v, *in;
        size_t vl, inl, nb;
        int binary;
        if (!p->recs[i].quoted)
            continue;
        rec_value(p, &p->recs[i], &v, &vl);
        quoted_inner(v, vl, &in, &inl);
        if (inl == 0)
            continue;
        if (!hex_form(in, inl, &nb, &binary))
            text = 1;
        else if (!binary)
            printable_hex = 1;
    }
    p->hex_mode = printable_hex && !text;
}

/* Decode a quoted value into vb->value: hex bytes, or the text with escapes removed. */
static int decode_quoted(const parser *p, const char *v, size_t vl, vs_varbind *vb)
{
    const char *in;
    size_t inl, nb;
    int binary;

    quoted_inner(v, vl, &in, &inl);
    vb->type = 's';
    if (hex_form(in, inl, &nb, &binary) && (binary || p->hex_mode)) {
        vb->value = malloc(nb + 1);
        if (vb->value == NULL)
            return -1;
        size_t k = 0;
        for (size_t i = 0; i < inl; i++) {
            if (in[i] == '\n')
                continue;
            vb->value[k++] = (char)(hex_digit(in[i]) * 16 + hex_digit(in[i + 1]));
            i += 2;
        }
        vb->value[k] = '\0';
        vb->value_len = k;
        return 0;
    }
    vb->value = malloc(inl + 1);
    if (vb->value == NULL)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < inl; i++) {
        if (in[i] == '\\' && i + 1 < inl)
            i++;
        vb->value[k++] = in[i] == '\0' ? '?' : in[i];
    }
    vb->value[k] = '\0';
    vb->value_len = k;
    return 0;
}

/* Parse all of s (n bytes) as an optionally negative decimal integer that fits 64 bits
 * (unsigned, or signed when negative). */
static int parse_int(const char *s, size_t n, int *neg, uint64_t *mag)
{
    size_t i = 0;
    uint64_t m = 0;
    *neg = 0;
    if (n > 0 && s[0] == '-') {
        *neg = 1;
        i = 1;
    }
    if (i == n || n - i > 20)
        return -1;
    for (; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (m > (UINT64_MAX - d) / 10)
            return -1;
        m = m * 10 + d;
    }
    if (*neg && m > (uint64_t)INT64_MAX + 1)
        return -1;
    *mag = m;
    return 0;
}

/* Time ticks as snmptrapd prints them without -Ot: "D:H:MM:SS.cc". */
static int parse_ticks(const char *s, size_t n, uint64_t *ticks)
{
    uint64_t part[5] = { 0 };
    size_t k = 0, digits = 0;
    static const char sep[] = ":::.";

    for (size_t i = 0; i < n; i++) {
        if (is_digit(s[i])) {
            if (++digits > 9)
                return -1;
            part[k] = part[k] * 10 + (uint64_t)(s[i] - '0');
        } else if (k < 4 && s[i] == sep[k] && digits > 0) {
            k++;
            digits = 0;
        } else {
            return -1;
        }
    }
    if (k != 4 || digits != 2)
        return -1;
    *ticks = part[4] + 100 * (part[3] + 60 * (part[2] + 60 * (part[1] + 24 * part[0])));
    return 0;
}

/* Whether s is a dotted-quad IPv4 address. */
static int is_ipv4(const char *s, size_t n)
{
    char tmp[16];
    struct in_addr a;
    if (n < 7 || n > 15)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET, tmp, &a) == 1;
}

static int is_decimal(const char *s, size_t n)
{
    size_t i = n > 0 && s[0] == '-' ? 1 : 0, dots = 0, digits = 0;
    for (; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if (is_digit(s[i]))
            digits++;
        else
            return 0;
    }
    return dots == 1 && digits >= 2 && s[n - 1] != '.' && s[n > 0 && s[0] == '-'] != '.';
}

/* Resolve an OID token (".1.3.6", "iso.3.6", "MOD::label.1.2") into *oid (numeric, or NULL
 * when it cannot be) and *name ("label.instance" for known OIDs, else the token as given). */
static int resolve_oid(const char *s, size_t n, char **oid, char **name)
{
    vs_buf b;
    const th_mib_node *node = NULL;
    size_t suffix = 0;

    *oid = NULL;
    *name = NULL;
    vs_buf_init(&b, TH_INPUT_MAX_OID_TOKEN + 64);
    if (n >= 2 && s[0] == '.' && is_digit(s[1])) {
        if (vs_buf_append(&b, s + 1, n - 1) < 0)
            goto fail;
    } else if (n >= 3 && memcmp(s, "iso", 3) == 0) {
        if (vs_buf_append(&b, "1", 1) < 0 || vs_buf_append(&b, s + 3, n - 3) < 0)
            goto fail;
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon == NULL || (size_t)(colon - s) + 2 > n)
            goto as_given;
        const char *label = colon + 2;
        size_t ll = span_ident(label, n - (size_t)(label - s));
        node = th_mib_by_label(s, (size_t)(colon - s), label, ll);
        const char *inst = label + ll;
        size_t il = n - (size_t)(inst - s);
        if (node == NULL || span_numeric(inst, il) != il || (il > 0 && inst[0] != '.'))
            goto as_given;
        if (vs_buf_append_str(&b, node->oid) < 0 || vs_buf_append(&b, inst, il) < 0)
            goto fail;
    }
    /* Check the numeric form strictly: arcs of digits, at most MAX_ARCS of them. */
    const char *o = vs_buf_str(&b);
    size_t arcs = 1, run = 0;
    for (size_t i = 0; o[i] != '\0'; i++) {
        if (o[i] == '.') {
            if (run == 0)
                goto as_given;
            arcs++;
            run = 0;
        } else if (++run > 10) {
            goto as_given;
        }
    }
    if (run == 0 || arcs > MAX_ARCS)
        goto as_given;
    node = th_mib_by_oid(o, &suffix);
    if (node != NULL) {
        vs_buf nb;
        vs_buf_init(&nb, TH_INPUT_MAX_OID_TOKEN + 256);
        if (vs_buf_append_str(&nb, node->label) < 0 || vs_buf_append_str(&nb, o + suffix) < 0
            || (*name = vs_buf_steal(&nb)) == NULL) {
            vs_buf_free(&nb);
            goto fail;
        }
    }
    if ((*oid = vs_buf_steal(&b)) == NULL)
        goto fail;
    return 0;

as_given:
    vs_buf_free(&b);
    *name = copy_text(s, n);
    return *name != NULL ? 0 : -1;
fail:
    vs_buf_free(&b);
    free(*name);
    *name = NULL;
    return -1;
}

/* Set vb to a number of the object's type, or one inferred from its range. */
static int set_number(vs_varbind *vb, char known, const char *s, size_t n, int neg, uint64_t m)
{
    if (known == 'i' || known == 'u' || known == 'c' || known == 't' || known == 'C')
        vb->type = known;
    else if (neg)
        vb->type = m <= (uint64_t)INT32_MAX + 1 ? 'i' : 'I';
    else
        vb->type = m <= INT32_MAX ? 'i' : m <= UINT32_MAX ? 'u' : 'C';
    vb->value = copy_text(s, n);
    vb->value_len = n;
    return vb->value != NULL ? 0 : -1;
}

/* Decode an unquoted value, using what the table knows of the object (node may be NULL). */
static int decode_plain(const char *v, size_t vl, const th_mib_node *node, vs_varbind *vb)
{
    char known = node != NULL ? node->type : 0;
    int neg;
    uint64_t m, ticks;
    long ev;

    if (known == 's' || known == 'b')
        goto text;
    /* A number, maybe followed by the object's UNITS ("0 state changes"). */
    size_t nl = vl;
    if (node != NULL && node->units != NULL) {
        size_t ul = strlen(node->units);
        if (vl > ul + 1 && v[vl - ul - 1] == ' ' && memcmp(v + vl - ul, node->units, ul) == 0)
            nl = vl - ul - 1;
    }
    if (parse_int(v, nl, &neg, &m) == 0) {
        if (set_number(vb, known, v, nl, neg, m) < 0)
            return -1;
        if (nl != vl && (vb->text = copy_text(v, vl)) == NULL)
            return -1;
        return 0;
    }
    if (node != NULL && node->n_enums > 0 && th_mib_enum_value(node, v, vl, &ev) == 0) {
        char num[24];
        int k = snprintf(num, sizeof(num), "%ld", ev);
        vb->type = 'i';
        vb->value = copy_text(num, (size_t)k);
        vb->value_len = (size_t)k;
        vb->text = copy_text(v, vl);
        return vb->value != NULL && vb->text != NULL ? 0 : -1;
    }
    if (parse_ticks(v, vl, &ticks) == 0) {
        char num[24];
        int k = snprintf(num, sizeof(num), "%llu", (unsigned long long)ticks);
        vb->type = 't';
        vb->value = copy_text(num, (size_t)k);
        vb->value_len = (size_t)k;
        vb->text = copy_text(v, vl);
        return vb->value != NULL && vb->text != NULL ? 0 : -1;
    }
    if (vl == 4 && memcmp(v, "NULL", 4) == 0) {
        vb->type = 'n';
        vb->value = copy_text("", 0);
        return vb->value != NULL ? 0 : -1;
    }
    if (known != 'o' && is_ipv4(v, vl)) {
        vb->type = 'a';
        goto copy;
    }
    if (is_decimal(v, vl)) {
        vb->type = 'D';
        goto copy;
    }
    if (oid_token(v, vl) == vl && vl > 0) {
        char *oid, *name;
        if (resolve_oid(v, vl, &oid, &name) < 0)
            return -1;
        vb->type = 'o';
        if (oid != NULL) {
            vb->value = oid;
            vb->value_len = strlen(oid);
            vb->text = name;
        } else {
            vb->value = name;
            vb->value_len = strlen(name);
        }
        return 0;
    }
text:
    vb->type = 's';
copy:
    vb->value = copy_text(v, vl);
    vb->value_len = vl;
    return vb->value != NULL ? 0 : -1;
}

/* Pass 2: one record -> one varbind. */
static int decode_record(parser *p, const record *r, vs_varbind *vb)
{
    const char *v;
    size_t vl;

    if (resolve_oid(p->buf + r->start, r->tok_len, &vb->oid, &vb->name) < 0)
        return -1;
    if (r->end - r->start > TH_INPUT_MAX_VARBIND) {
        char note[96];
        refuse(p->t, TH_REFUSED_LONG_VARBIND, 1, r->line);
        int k = snprintf(note, sizeof(note), "[value not kept: %zu bytes, more than %zu]",
                         r->end - r->start, TH_INPUT_MAX_VARBIND);
        vb->type = 's';
        vb->value = copy_text("", 0);
        vb->text = copy_text(note, (size_t)k);
        return vb->value != NULL && vb->text != NULL ? 0 : -1;
    }
    rec_value(p, r, &v, &vl);
    if (r->quoted)
        return decode_quoted(p, v, vl, vb);
    const th_mib_node *node = vb->oid != NULL ? th_mib_by_oid(vb->oid, &(size_t){ 0 }) : NULL;
    if (node != NULL && (node->type == 0 || node->type == 'N'))
        node = NULL;
    return decode_plain(v, vl, node, vb);
}

/* ------------------------------------------------------------------ header */

/* Copy one header line (at most TH_INPUT_MAX_HEADER bytes, no '\r'); advance *pos. Returns 0,
 * 1 when the input ended before the line, -1 when memory is short. */
static int header_line(parser *p, size_t *pos, size_t line, char **out)
{
    if (*pos >= p->len)
        return 1;
    const char *s = p->buf + *pos;
    const char *nl = memchr(s, '\n', p->len - *pos);
    size_t n = nl != NULL ? (size_t)(nl - s) : p->len - *pos;
    *pos += nl != NULL ? n + 1 : n;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n > TH_INPUT_MAX_HEADER) {
        refuse(p->t, TH_REFUSED_LONG_HEADER, 1, line);
        n = TH_INPUT_MAX_HEADER;
    }
    *out = copy_text(s, n);
    return *out != NULL ? 0 : -1;
}

/* The first bracketed address of a transport ("UDP: [192.0.2.1]:162->[...]"), if it is one. */
static int source_address(const char *tr, char **out)
{
    const char *lb = tr != NULL ? strchr(tr, '[') : NULL;
    const char *rb = lb != NULL ? strchr(lb, ']') : NULL;
    unsigned char a[16];
    char tmp[64];

    *out = NULL;
    if (rb == NULL || (size_t)(rb - lb - 1) >= sizeof(tmp))
        return 0;
    memcpy(tmp, lb + 1, (size_t)(rb - lb - 1));
    tmp[rb - lb - 1] = '\0';
    if (inet_pton(AF_INET, tmp, a) != 1 && inet_pton(AF_INET6, tmp, a) != 1)
        return 0;
    *out = strdup(tmp);
    return *out != NULL ? 0 : -1;
}

/* ------------------------------------------------------------------ API */

static int parse_into(parser *p, unsigned flags)
{
    th_trap *t = p->t;
    size_t pos = 0;
    int rc;

    for (const char *z = memchr(p->buf, '\0', p->len); z != NULL;
         z = memchr(z + 1, '\0', p->len - (size_t)(z + 1 - p->buf)))
        refuse(t, TH_REFUSED_NUL, 1, 0);
    if ((rc = header_line(p, &pos, 1, &t->host)) != 0
        || (rc = header_line(p, &pos, 2, &t->transport)) != 0) {
        if (rc > 0)
            refuse(t, TH_REFUSED_TRUNCATED, 1, t->host == NULL ? 1 : 2);
        return rc < 0 ? -1 : 0;
    }
    if (source_address(t->transport, &t->src_addr) < 0)
        return -1;
    if (t->src_addr == NULL && source_address(t->host, &t->src_addr) < 0)
        return -1;
    p->recs = calloc(TH_INPUT_MAX_VBS, sizeof(record));
    if (p->recs == NULL || split_records(p, pos, 2) < 0)
        return -1;
    detect_hex_mode(p, flags);
    t->vbs = calloc(p->n_recs > 0 ? p->n_recs : 1, sizeof(vs_varbind));
    if (t->vbs == NULL)
        return -1;
    for (size_t i = 0; i < p->n_recs; i++) {
        /* Counted first: th_trap_free releases what a failed decode left behind. */
        t->n_vbs++;
        if (decode_record(p, &p->recs[i], &t->vbs[i]) < 0)
            return -1;
    }
    for (size_t i = 0; i < t->n_vbs; i++) {
        const vs_varbind *vb = &t->vbs[i];
        if (vb->type != 'o' || !th_mib_is(vb->oid, "snmpTrapOID", ".0"))
            continue;
        if (span_numeric(vb->value, vb->value_len) == vb->value_len) {
            if ((t->trap_oid = strdup(vb->value)) == NULL)
                return -1;
        } else if ((t->trap_name = strdup(vb->value)) == NULL) {
            return -1;
        }
        return 0;
    }
    refuse(t, TH_REFUSED_NO_TRAP_OID, 1, 0);
    return 0;
}

th_trap *th_trap_parse(const char *buf, size_t len, unsigned flags)
{
    th_trap *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->input_bytes = len;
    if (len > TH_INPUT_MAX_BYTES) {
        refuse(t, TH_REFUSED_INPUT_CAP, len - TH_INPUT_MAX_BYTES, 0);
        len = TH_INPUT_MAX_BYTES;
    }
    parser p = { .buf = buf, .len = len, .t = t };
    int rc = parse_into(&p, flags);
    free(p.recs);
    if (rc < 0) {
        th_trap_free(t);
        return NULL;
    }
    return t;
}

int th_trap_read_fd(int fd, unsigned flags, th_trap **out)
{
    size_t cap = 64 << 10, len = 0, extra = 0;
    char *buf = malloc(cap);
    char sink[16384];

    *out = NULL;
    if (buf == NULL)
        return -1;
    for (;;) {
        if (len == cap && cap < TH_INPUT_MAX_BYTES) {
            size_t nc = cap * 2 > TH_INPUT_MAX_BYTES ? TH_INPUT_MAX_BYTES : cap * 2;
            char *nb = realloc(buf, nc);
            if (nb == NULL) {
                free(buf);
                errno = ENOMEM;
                return -1;
            }
            buf = nb;
            cap = nc;
        }
        /* Past the cap, read on into a scratch buffer so the writer is not blocked. */
        ssize_t n = len < cap ? read(fd, buf + len, cap - len) : read(fd, sink, sizeof(sink));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        if (len < cap)
            len += (size_t)n;
        else
            extra += (size_t)n;
    }
    th_trap *t = th_trap_parse(buf, len, flags);
    free(buf);
    if (t == NULL) {
        errno = ENOMEM;
        return -1;
    }
    if (extra > 0) {
        t->input_bytes += extra;
        refuse(t, TH_REFUSED_INPUT_CAP, extra, 0);
    }
    *out = t;
    return 0;
}

void th_trap_free(th_trap *t)
{
    if (t == NULL)
        return;
    free(t->host);
    free(t->transport);
    free(t->src_addr);
    free(t->trap_oid);
    free(t->trap_name);
    for (size_t i = 0; i < t->n_vbs; i++) {
        free(t->vbs[i].oid);
        free(t->vbs[i].name);
        free(t->vbs[i].value);
        free(t->vbs[i].text);
    }
    free(t->vbs);
    free(t);
}

const char *th_refusal_describe(th_refusal_kind k)
{
    switch (k) {
    case TH_REFUSED_INPUT_CAP:
        return "bytes past the input limit, not read";
    case TH_REFUSED_LONG_VARBIND:
        return "varbinds too long, value replaced by a marker";
    case TH_REFUSED_LONG_HEADER:
        return "host or transport lines too long, cut";
    case TH_REFUSED_TOO_MANY:
        return "varbinds past the limit, dropped";
    case TH_REFUSED_BAD_LINE:
        return "lines that are no varbind, dropped";
    case TH_REFUSED_NUL:
        return "NUL bytes, shown as '?'";
    case TH_REFUSED_TRUNCATED:
        return "input that ended early";
    case TH_REFUSED_NO_TRAP_OID:
        return "traps without snmpTrapOID.0";
    default:
        return "unknown problems";
    }
}

int th_trap_has_refusals(const th_trap *t)
{
    for (int k = 0; k < TH_REFUSED_KINDS; k++)
        if (t->refused[k].count > 0)
            return 1;
    return 0;
}
