/* check_vs_mail: the e-mail text (vs_mail_format) and the configuration checks of vs_mail_new:
 * exact headers, a hostile VM name that must not reach a header raw, body fields, truncation. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vs_check.h"
#include "vs_mail.h"

#define EVENT_TIME 1709647387.25 /* Tue, 05 Mar 2024 14:03:07 UTC */
#define NOW 1709647390           /* three seconds later */

static const char *const rcpts[] = { "ops@example.org", "oncall@example.org" };

static vs_mail_conf test_conf(void)
{
    vs_mail_conf c = { .name = "mail",
                       .server = "smtp.example.org",
                       .port = 587,
                       .tls = VS_MAIL_TLS_NONE,
                       .from = "virtsight@example.org",
                       .to = rcpts,
                       .n_to = 2,
                       .helo_name = "mon.example.org" };
    return c;
}

static char *dup_or_null(const char *s)
{
    return s == NULL ? NULL : strdup(s);
}

static vs_msg *alarm_new(vs_msg_kind kind, const char *resource, const char *value)
{
    vs_msg *m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    m->kind = kind;
    m->msg_id = strdup("lab/hv1/vm:web1/vm.cpu.util.3");
    m->alarm_id = strdup("lab/hv1/vm:web1/vm.cpu.util");
    m->time = EVENT_TIME;
    m->severity = kind == VS_MSG_ALARM_CLEARED ? VS_SEV_OK : VS_SEV_CRITICAL;
    m->previous = kind == VS_MSG_ALARM_CLEARED ? VS_SEV_CRITICAL : VS_SEV_OK;
    m->host = strdup("hv1");
    m->resource = dup_or_null(resource);
    m->metric = strdup("vm.cpu.util");
    m->value = dup_or_null(value);
    m->threshold = strdup("95");
    m->rule = strdup("cpu-high");
    return m;
}

/* The header block (up to the empty line), as a new string. */
static char *headers_of(const char *mail)
{
    const char *end = strstr(mail, "\r\n\r\n");
    ck_assert_ptr_nonnull(end);
    return strndup(mail, (size_t)(end - mail) + 2);
}

/* The unfolded value of header name, or NULL. */
static char *header_value(const char *mail, const char *name)
{
    char *h = headers_of(mail), *out = NULL;
    size_t nl = strlen(name);
    for (char *line = h; *line != '\0';) {
        char *eol = strstr(line, "\r\n");
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            size_t cap = strlen(v) + 1, k = 0;
            out = malloc(cap);
            while (*v == ' ')
                v++;
            for (; *v != '\0'; v++) {
                if (v[0] == '\r' && v[1] == '\n' && (v[2] == ' ' || v[2] == '\t')) {
                    v++; /* unfold: drop CRLF, keep the blank */
                    continue;
                }
                if (v[0] == '\r' && v[1] == '\n')
                    break;
                out[k++] = *v;
            }
            out[k] = '\0';
            break;
        }
        line = eol + 2;
    }
    free(h);
    return out;
}

/* The names of the headers in order, "Name1,Name2,..." (continuation lines skipped). */
static char *header_names(const char *mail)
{
    char *h = headers_of(mail), *out = calloc(1, strlen(h) + 1);
    for (char *line = h; *line != '\0';) {
        char *eol = strstr(line, "\r\n");
        if (*line != ' ' && *line != '\t') {
            char *colon = strchr(line, ':');
            ck_assert_msg(colon != NULL && colon < eol, "header line without a colon: %.40s", line);
            if (*out != '\0')
                strncat(out, ",", 2);
            strncat(out, line, (size_t)(colon - line));
        }
        line = eol + 2;
    }
    free(h);
    return out;
}

/* Every CR is followed by LF and every LF preceded by CR; no header line is longer than max;
 * the header block is 7-bit. */
static void assert_header_lines(const char *mail, size_t max)
{
    char *h = headers_of(mail);
    size_t col = 0;
    for (size_t i = 0; h[i] != '\0'; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c == '\r') {
            ck_assert_msg(h[i + 1] == '\n', "bare CR in the headers at %zu", i);
        } else if (c == '\n') {
            ck_assert_msg(i > 0 && h[i - 1] == '\r', "bare LF in the headers at %zu", i);
            col = 0;
            continue;
        } else {
            ck_assert_msg(c >= 0x20 && c < 0x7F, "byte 0x%02X in the headers at %zu", c, i);
            col++;
        }
        ck_assert_msg(col <= max, "header line longer than %zu at %zu", max, i);
    }
    free(h);
}

static int b64val(char c)
{
    const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(tab, c);
    return p == NULL || c == '\0' ? -1 : (int)(p - tab);
}

/* Decode an unfolded unstructured value made of RFC 2047 "=?UTF-8?B?...?=" words separated by
 * blanks (plain text is returned as it is). */
static char *decode_words(const char *v)
{
    char *out = calloc(1, strlen(v) + 1);
    size_t k = 0;
    if (strncmp(v, "=?", 2) != 0) {
        memcpy(out, v, strlen(v) + 1);
        return out;
    }
    while (*v != '\0') {
        while (*v == ' ')
            v++;
        ck_assert_msg(strncmp(v, "=?UTF-8?B?", 10) == 0, "not an encoded word: %s", v);
        v += 10;
        unsigned acc = 0;
        int bits = 0;
        for (; *v != '?'; v++) {
            if (*v == '=')
                continue;
            int d = b64val(*v);
            ck_assert_int_ge(d, 0);
            acc = (acc << 6) | (unsigned)d;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[k++] = (char)((acc >> bits) & 0xFF);
            }
        }
        ck_assert(v[1] == '=');
        v += 2;
    }
    out[k] = '\0';
    return out;
}

/* The body decoded from quoted-printable, lines ending "\n"; checks the encoded lines. */
static char *body_decoded(const char *mail)
{
    const char *b = strstr(mail, "\r\n\r\n") + 4;
    char *out = calloc(1, strlen(b) + 1);
    size_t k = 0, col = 0;
    for (const char *p = b; *p != '\0'; p++) {
        ck_assert_msg((unsigned char)*p < 0x80, "8-bit byte in a quoted-printable body");
        if (p[0] == '\r' && p[1] == '\n') {
            out[k++] = '\n';
            p++;
            col = 0;
            continue;
        }
        ck_assert_msg(++col <= 76, "quoted-printable line longer than 76");
        if (*p == '=') {
            if (p[1] == '\r' && p[2] == '\n') {
                p += 2;
                col = 0;
                continue;
            }
            unsigned v;
            char hex[3] = { p[1], p[2], '\0' };
            ck_assert_int_eq(sscanf(hex, "%2X", &v), 1);
            out[k++] = (char)v;
            p += 2;
            col += 2;
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
    return out;
}

/* Whether text has the line exactly (lines separated by '\n'). */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *eol = strchr(p, '\n');
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return 1;
        p = eol != NULL ? eol + 1 : NULL;
    }
    return 0;
}

START_TEST(test_alarm_headers)
{
    vs_mail_conf c = test_conf();
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, "lab/hv1/vm:web1", "97.3");
    char *mail = vs_mail_format(&c, m, NOW);
    ck_assert_ptr_nonnull(mail);

    char *names = header_names(mail);
    ck_assert_str_eq(names, "Date,From,To,Subject,Message-Id,MIME-Version,Content-Type,"
                            "Content-Transfer-Encoding,Auto-Submitted");
    char *v;
    ck_assert_str_eq(v = header_value(mail, "Date"), "Tue, 05 Mar 2024 14:03:10 +0000");
    free(v);
    ck_assert_str_eq(v = header_value(mail, "From"), "virtsight@example.org");
    free(v);
    ck_assert_str_eq(v = header_value(mail, "To"), "ops@example.org, oncall@example.org");
    free(v);
    ck_assert_str_eq(v = header_value(mail, "Subject"),
                     "[virtsight] CRITICAL vm.cpu.util on lab/hv1/vm:web1: 97.3 (threshold 95)");
    free(v);
    ck_assert_str_eq(v = header_value(mail, "Message-Id"),
                     "<lab=2Fhv1=2Fvm=3Aweb1=2Fvm.cpu.util.3@mon.example.org>");
    free(v);
    ck_assert_str_eq(v = header_value(mail, "MIME-Version"), "1.0");
    free(v);
    ck_assert_str_eq(v = header_value(mail, "Content-Type"), "text/plain; charset=UTF-8");
    free(v);
    ck_assert_str_eq(v = header_value(mail, "Content-Transfer-Encoding"), "quoted-printable");
    free(v);
    /* The 84-character Subject line was folded at a space to stay within 78. */
    assert_header_lines(mail, 78);
    ck_assert_ptr_nonnull(strstr(mail, "Subject: [virtsight] CRITICAL vm.cpu.util on "
                                       "lab/hv1/vm:web1: 97.3 (threshold\r\n 95)\r\n"));
    free(names);
    free(mail);
    vs_msg_free(m);
}
END_TEST

START_TEST(test_alarm_body)
{
    vs_mail_conf c = test_conf();
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, "lab/hv1/vm:web1", "97.3");
    m->summary = strdup("vm.cpu.util on lab/hv1/vm:web1 is 97.3, above 95 = bad");
    m->repeat = 2;
    char *mail = vs_mail_format(&c, m, NOW);
    char *body = body_decoded(mail);

    ck_assert(has_line(body, "vm.cpu.util on lab/hv1/vm:web1 is 97.3, above 95 = bad"));
    ck_assert(has_line(body, "Status:     PROBLEM"));
    ck_assert(has_line(body, "Severity:   CRITICAL (was OK)"));
    ck_assert(has_line(body, "Host:       hv1"));
    ck_assert(has_line(body, "Resource:   lab/hv1/vm:web1"));
    ck_assert(has_line(body, "Metric:     vm.cpu.util"));
    ck_assert(has_line(body, "Value:      97.3"));
    ck_assert(has_line(body, "Threshold:  95"));
    ck_assert(has_line(body, "Rule:       cpu-high"));
    ck_assert(has_line(body, "Time:       2024-03-05 14:03:07 UTC"));
    ck_assert(has_line(body, "Repeat:     2"));
    ck_assert(has_line(body, "Alarm id:   lab/hv1/vm:web1/vm.cpu.util"));
    ck_assert(has_line(body, "Message id: lab/hv1/vm:web1/vm.cpu.util.3"));
    /* '=' in a value is encoded on the wire. */
    ck_assert_ptr_nonnull(strstr(mail, "above 95 =3D bad"));
    free(body);
    free(mail);
    vs_msg_free(m);
}
END_TEST

START_TEST(test_cleared)
{
    vs_mail_conf c = test_conf();
    vs_msg *m = alarm_new(VS_MSG_ALARM_CLEARED, "lab/hv1/vm:web1", "42.0");
    char *mail = vs_mail_format(&c, m, NOW);
    char *v = header_value(mail, "Subject");
    char *body = body_decoded(mail);
    ck_assert_str_eq(v,
                     "[virtsight] RECOVERED vm.cpu.util on lab/hv1/vm:web1: 42.0 (threshold 95)");
    ck_assert(has_line(body, "Status:     RECOVERED"));
    ck_assert(has_line(body, "Severity:   OK (was CRITICAL)"));
    free(v);
    free(body);
    free(mail);
    vs_msg_free(m);
}
END_TEST

static void add_vb(vs_msg *m, const char *oid, const char *name, const char *value, size_t len,
                   const char *text)
{
    m->vbs = realloc(m->vbs, (m->n_vbs + 1) * sizeof(*m->vbs));
    vs_varbind *vb = &m->vbs[m->n_vbs++];
    memset(vb, 0, sizeof(*vb));
    vb->oid = strdup(oid);
    vb->name = dup_or_null(name);
    vb->type = 's';
    vb->value = malloc(len + 1);
    memcpy(vb->value, value, len);
    vb->value[len] = '\0';
    vb->value_len = len;
    vb->text = dup_or_null(text);
}

START_TEST(test_trap)
{
    vs_mail_conf c = test_conf();
    vs_msg *m = calloc(1, sizeof(*m));
    m->kind = VS_MSG_TRAP;
    m->msg_id = strdup("trap.17");
    m->time = EVENT_TIME;
    m->severity = VS_SEV_INFO;
    m->host = strdup("192.0.2.1");
    m->metric = strdup("linkDown");
    m->source = strdup("192.0.2.1");
    m->trap_oid = strdup("1.3.6.1.6.3.1.1.5.3");
    m->rule = strdup("links");
    add_vb(m, "1.3.6.1.2.1.1.3.0", "sysUpTime.0", "12345", 5, NULL);
    add_vb(m, "1.3.6.1.2.1.2.2.1.7.2", "ifAdminStatus.2", "1", 1, "up(1)");
    add_vb(m, "1.3.6.1.4.1.99.1", NULL, "a\r\nBcc: x\0z", 11, NULL);
    char *mail = vs_mail_format(&c, m, NOW);
    char *v = header_value(mail, "Subject");
    char *body = body_decoded(mail);

    ck_assert_str_eq(v, "[virtsight] trap linkDown from 192.0.2.1");
    ck_assert(has_line(body, "Trap:       linkDown"));
    ck_assert(has_line(body, "Trap OID:   1.3.6.1.6.3.1.1.5.3"));
    ck_assert(has_line(body, "Source:     192.0.2.1"));
    ck_assert(has_line(body, "Varbinds:"));
    ck_assert(has_line(body, "  sysUpTime.0 = 12345"));
    ck_assert(has_line(body, "  ifAdminStatus.2 = up(1)"));
    ck_assert(has_line(body, "  1.3.6.1.4.1.99.1 = a\\r\\nBcc: x\\x00z"));
    ck_assert(!has_line(body, "Bcc: x"));
    ck_assert_ptr_null(strstr(body, "Alarm id:"));
    free(v);
    free(body);
    free(mail);
    vs_msg_free(m);
}
END_TEST

#define HOSTILE "lab/hv1/vm:web\r\nBcc: evil@x \"q\" <!channel> \xE9\x9B\xAA \xFF\xC0\x80"
#define HOSTILE_SHOWN                                                                              \
    "lab/hv1/vm:web\\r\\nBcc: evil@x \"q\" <!channel> \xE9\x9B\xAA "                               \
    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"

START_TEST(test_hostile_name)
{
    vs_mail_conf c = test_conf();
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, HOSTILE, "97.3");
    char *mail = vs_mail_format(&c, m, NOW);

    assert_header_lines(mail, 78);
    char *names = header_names(mail);
    ck_assert_str_eq(names, "Date,From,To,Subject,Message-Id,MIME-Version,Content-Type,"
                            "Content-Transfer-Encoding,Auto-Submitted");
    char *v = header_value(mail, "Subject");
    ck_assert_msg(strncmp(v, "=?UTF-8?B?", 10) == 0, "Subject not encoded: %s", v);
    char *subject = decode_words(v);
    ck_assert_str_eq(subject,
                     "[virtsight] CRITICAL vm.cpu.util on " HOSTILE_SHOWN ": 97.3 (threshold 95)");
    char *body = body_decoded(mail);
    ck_assert(has_line(body, "Resource:   " HOSTILE_SHOWN));
    ck_assert_ptr_null(strstr(body, "\nBcc:"));
    free(body);
    free(subject);
    free(v);
    free(names);
    free(mail);
    vs_msg_free(m);
}
END_TEST

/* Text that looks like an encoded word is not left for a reader to decode. */
START_TEST(test_encoded_word_lookalike)
{
    vs_mail_conf c = test_conf();
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, "vm:=?UTF-8?B?ZXZpbA==?=", "1");
    char *mail = vs_mail_format(&c, m, NOW);
    char *v = header_value(mail, "Subject");
    char *subject = decode_words(v);
    ck_assert_str_eq(
        subject, "[virtsight] CRITICAL vm.cpu.util on vm:=?UTF-8?B?ZXZpbA==?=: 1 (threshold 95)");
    free(subject);
    free(v);
    free(mail);
    vs_msg_free(m);
}
END_TEST

START_TEST(test_truncation)
{
    vs_mail_conf c = test_conf();
    char big[5001];
    memset(big, 'x', 5000);
    big[5000] = '\0';
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, "lab/hv1/vm:web1", big);
    char *mail = vs_mail_format(&c, m, NOW);
    char *body = body_decoded(mail);
    char want[1100];
    snprintf(want, sizeof(want), "Value:      %.*s...[truncated]", VS_MAIL_FIELD_MAX, big);
    ck_assert(has_line(body, want));
    /* The Subject holds at most 200 bytes of a field. */
    char *v = header_value(mail, "Subject");
    ck_assert_ptr_nonnull(strstr(v, ": xxx"));
    ck_assert_uint_lt(strlen(v), 400);
    ck_assert_ptr_nonnull(strstr(v, "...[truncated] (threshold 95)"));
    assert_header_lines(mail, 998);
    free(v);
    free(body);
    free(mail);
    vs_msg_free(m);
}
END_TEST

/* A multi-byte character at the cut is kept whole or dropped whole. */
START_TEST(test_truncation_utf8)
{
    vs_mail_conf c = test_conf();
    char big[3 * 400 + 1] = "";
    for (int i = 0; i < 400; i++)
        memcpy(big + 3 * i, "\xE9\x9B\xAA", 4);
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, "r", big);
    char *mail = vs_mail_format(&c, m, NOW);
    char *body = body_decoded(mail);
    char want[1100];
    /* 333 whole characters fit in 1000 bytes */
    snprintf(want, sizeof(want), "Value:      %.999s...[truncated]", big);
    ck_assert(has_line(body, want));
    char *v = header_value(mail, "Subject");
    char *subject = decode_words(v);
    ck_assert_ptr_nonnull(strstr(subject, "\xE9\x9B\xAA...[truncated]"));
    assert_header_lines(mail, 78);
    free(subject);
    free(v);
    free(body);
    free(mail);
    vs_msg_free(m);
}
END_TEST

static char *msgid_for(const char *id)
{
    vs_mail_conf c = test_conf();
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, "r", "1");
    free(m->msg_id);
    m->msg_id = strdup(id);
    char *mail = vs_mail_format(&c, m, NOW);
    char *v = header_value(mail, "Message-Id");
    free(mail);
    vs_msg_free(m);
    return v;
}

/* <dot-atom@domain>: no blank, no bracket inside, no leading, trailing or double dot. */
static void assert_msgid_form(const char *v)
{
    size_t n = strlen(v);
    ck_assert_msg(n > 2 && v[0] == '<' && v[n - 1] == '>', "Message-Id %s", v);
    const char *at = strchr(v, '@');
    ck_assert_ptr_nonnull(at);
    ck_assert_msg(v[1] != '.' && at[-1] != '.' && strstr(v, "..") == NULL, "Message-Id %s", v);
    for (const char *p = v + 1; p < v + n - 1; p++)
        ck_assert_msg(*p > 0x20 && *p < 0x7F && *p != '<' && *p != '>', "Message-Id %s", v);
}

START_TEST(test_message_id)
{
    const char *ids[] = { "a/b", "a_b", "a.b", "a..b", ".a", "a.", "a=2Fb", "a b\r\n<x>" };
    char *got[8];
    for (size_t i = 0; i < 8; i++) {
        got[i] = msgid_for(ids[i]);
        assert_msgid_form(got[i]);
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(got[i], got[k]);
    }
    ck_assert_str_eq(got[2], "<a.b@mon.example.org>");
    char long1[601], long2[601];
    memset(long1, 'q', 600);
    long1[600] = '\0';
    memcpy(long2, long1, sizeof(long1));
    long2[599] = 'r';
    char *l1 = msgid_for(long1), *l2 = msgid_for(long2);
    assert_msgid_form(l1);
    ck_assert_uint_lt(strlen(l1), 260);
    ck_assert_str_ne(l1, l2);
    for (size_t i = 0; i < 8; i++)
        free(got[i]);
    free(l1);
    free(l2);
}
END_TEST

START_TEST(test_new_refuses)
{
    char err[256];
    vs_mail_conf c = test_conf();
    c.tls = VS_MAIL_TLS_TLS;
    c.port = 465;
    ck_assert_ptr_null(vs_mail_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "implicit TLS"));

    c = test_conf();
    const char *bad_to[] = { "ops@example.org", "x@y\r\nBcc: evil@x" };
    c.to = bad_to;
    ck_assert_ptr_null(vs_mail_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "recipient"));
    ck_assert_ptr_null(strpbrk(err, "\r\n")); /* the bad value is shown, not reproduced */

    c = test_conf();
    c.from = "Virtsight <v@example.org>";
    ck_assert_ptr_null(vs_mail_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "from address"));

    c = test_conf();
    c.server = "::1";
    ck_assert_ptr_null(vs_mail_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "server"));

    c = test_conf();
    c.user = "u";
    ck_assert_ptr_null(vs_mail_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "password"));

    c = test_conf();
    c.tls = VS_MAIL_TLS_STARTTLS;
    c.ca_file = "/nonexistent/ca.pem";
    ck_assert_ptr_null(vs_mail_new(&c, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/ca.pem"));

    c = test_conf();
    c.user = "u";
    c.password = "s3cret-value";
    vs_notifier *n = vs_mail_new(&c, err, sizeof(err));
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n->ops->type, "email");
    ck_assert_str_eq(n->name, "mail");
    vs_notifier_free(n);
}
END_TEST

static Suite *mail_suite(void)
{
    Suite *s = suite_create("vs_mail");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_alarm_headers);
    tcase_add_test(tc, test_alarm_body);
    tcase_add_test(tc, test_cleared);
    tcase_add_test(tc, test_trap);
    tcase_add_test(tc, test_hostile_name);
    tcase_add_test(tc, test_encoded_word_lookalike);
    tcase_add_test(tc, test_truncation);
    tcase_add_test(tc, test_truncation_utf8);
    tcase_add_test(tc, test_message_id);
    suite_add_tcase(s, tc);
    TCase *tn = tcase_create("new");
    tcase_add_test(tn, test_new_refuses);
    suite_add_tcase(s, tn);
    return s;
}

VS_CHECK_MAIN(mail_suite)
