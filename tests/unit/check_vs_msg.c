/* Unit tests of vs_msg: the JSON form round-trips every field byte for byte, and objects that are
 * not messages are refused with a reason. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vs_check.h"
#include "vs_msg.h"

/* Strings as a spool file carries them: untrusted bytes, not always UTF-8. */
#define BAD_UTF8 "vm-\xff\xfe-\xc3\x28-end"
#define CRLF "line one\r\nline two\rthree\n"

static char *dup_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    ck_assert_ptr_nonnull(d);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *dup_str(const char *s)
{
    return dup_bytes(s, strlen(s));
}

/* A trap message with every field set, varbinds of several kinds included. */
static vs_msg *msg_full(void)
{
    vs_msg *m = calloc(1, sizeof *m);
    ck_assert_ptr_nonnull(m);
    m->kind = VS_MSG_TRAP;
    m->msg_id = dup_str("trap.1700000000.42");
    m->alarm_id = dup_str("alarm-7");
    m->time = 1700000000.123456;
    m->severity = VS_SEV_CRITICAL;
    m->previous = VS_SEV_WARNING;
    m->repeat = 3;
    m->host = dup_str(BAD_UTF8);
    m->resource = dup_str("seoul/hv1/vm:" BAD_UTF8);
    m->metric = dup_str("vm.cpu.util");
    m->value = dup_str("97.3");
    m->threshold = dup_str("@10:20");
    m->rule = dup_str("cpu \"hot\" \\ rule / x");
    m->summary = dup_str(CRLF);
    m->source = dup_str("UDP: [192.0.2.1]:161->[192.0.2.2]:162");
    m->trap_oid = dup_str("1.3.6.1.4.1.8072.9999.9999.0.1");
    m->n_vbs = 3;
    m->vbs = calloc(3, sizeof *m->vbs);
    ck_assert_ptr_nonnull(m->vbs);
    m->vbs[0] = (vs_varbind){
        dup_str("1.3.6.1.2.1.1.3.0"), dup_str("sysUpTime.0"), 't', dup_str("12345"), 5, NULL
    };
    m->vbs[1] = (vs_varbind){ dup_str("1.3.6.1.4.1.8072.9999.9999.1.2.1"),
                              NULL,
                              's',
                              dup_str(CRLF BAD_UTF8),
                              strlen(CRLF BAD_UTF8),
                              dup_str("shown") };
    /* An OCTET STRING holding NUL bytes: stored as hex, back as the same bytes. */
    m->vbs[2] = (vs_varbind){ dup_str("1.3.6.1.4.1.8072.9999.9999.1.2.2"),
                              dup_str("vsBlob.1"),
                              'x',
                              dup_bytes("a\0b\0\xff\x01", 6),
                              6,
                              NULL };
    return m;
}

static void str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        ck_assert_ptr_eq(a, b);
        return;
    }
    ck_assert_uint_eq(strlen(a), strlen(b));
    ck_assert_int_eq(memcmp(a, b, strlen(a)), 0);
}

static void msg_eq(const vs_msg *a, const vs_msg *b)
{
    ck_assert_int_eq(a->kind, b->kind);
    ck_assert(a->time == b->time);
    ck_assert_int_eq(a->severity, b->severity);
    ck_assert_int_eq(a->previous, b->previous);
    ck_assert_uint_eq(a->repeat, b->repeat);
    str_eq(a->msg_id, b->msg_id);
    str_eq(a->alarm_id, b->alarm_id);
    str_eq(a->host, b->host);
    str_eq(a->resource, b->resource);
    str_eq(a->metric, b->metric);
    str_eq(a->value, b->value);
    str_eq(a->threshold, b->threshold);
    str_eq(a->rule, b->rule);
    str_eq(a->summary, b->summary);
    str_eq(a->source, b->source);
    str_eq(a->trap_oid, b->trap_oid);
    ck_assert_uint_eq(a->n_vbs, b->n_vbs);
    for (size_t i = 0; i < a->n_vbs; i++) {
        const vs_varbind *x = &a->vbs[i], *y = &b->vbs[i];
        str_eq(x->oid, y->oid);
        str_eq(x->name, y->name);
        ck_assert_int_eq(x->type, y->type);
        ck_assert_uint_eq(x->value_len, y->value_len);
        ck_assert_int_eq(memcmp(x->value, y->value, x->value_len), 0);
        str_eq(x->text, y->text);
    }
}

/* To JSON text and back, as a spool file goes to disk and returns. */
static vs_msg *through_text(const vs_msg *m, char **text_out)
{
    json_object *o = vs_msg_to_json(m);
    ck_assert_ptr_nonnull(o);
    char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    json_object *back = json_tokener_parse(text);
    ck_assert_ptr_nonnull(back);
    char err[256] = "";
    vs_msg *r = vs_msg_from_json(back, err, sizeof err);
    json_object_put(back);
    ck_assert_msg(r != NULL, "refused: %s", err);
    if (text_out != NULL)
        *text_out = text;
    else
        free(text);
    return r;
}

START_TEST(round_trip_every_field)
{
    vs_msg *m = msg_full();
    vs_msg *r = through_text(m, NULL);
    msg_eq(m, r);
    vs_msg_free(r);
    vs_msg_free(m);
}
END_TEST

START_TEST(round_trip_alarm_without_trap_fields)
{
    vs_msg m = { .kind = VS_MSG_ALARM_CLEARED,
                 .msg_id = (char *)"a.2",
                 .alarm_id = (char *)"a",
                 .time = 0.5,
                 .severity = VS_SEV_OK,
                 .previous = VS_SEV_CRITICAL,
                 .summary = (char *)"cleared" };
    vs_msg *r = through_text(&m, NULL);
    msg_eq(&m, r);
    ck_assert_ptr_null(r->vbs);
    ck_assert_ptr_null(r->host);
    vs_msg_free(r);
}
END_TEST

START_TEST(invalid_utf8_and_crlf_kept_exactly)
{
    vs_msg *m = msg_full();
    char *text;
    vs_msg *r = through_text(m, &text);
    /* The raw bytes are in the file as they are (not replaced, not dropped). */
    ck_assert_ptr_nonnull(strstr(text, "vm-\xff\xfe-\xc3\x28-end"));
    ck_assert_int_eq(memcmp(r->summary, CRLF, sizeof CRLF), 0);
    ck_assert_int_eq(memcmp(r->host, BAD_UTF8, sizeof BAD_UTF8), 0);
    ck_assert_uint_eq(r->vbs[1].value_len, strlen(CRLF BAD_UTF8));
    ck_assert_int_eq(memcmp(r->vbs[1].value, CRLF BAD_UTF8, r->vbs[1].value_len), 0);
    free(text);
    vs_msg_free(r);
    vs_msg_free(m);
}
END_TEST

START_TEST(varbind_with_nul_bytes_round_trips)
{
    vs_msg *m = msg_full();
    char *text;
    vs_msg *r = through_text(m, &text);
    ck_assert_ptr_nonnull(strstr(text, "\"value_hex\":\"61006200ff01\""));
    ck_assert_uint_eq(r->vbs[2].value_len, 6);
    ck_assert_int_eq(memcmp(r->vbs[2].value, "a\0b\0\xff\x01", 6), 0);
    free(text);
    vs_msg_free(r);
    vs_msg_free(m);
}
END_TEST

START_TEST(dup_is_deep_and_equal)
{
    vs_msg *m = msg_full();
    vs_msg *d = vs_msg_dup(m);
    ck_assert_ptr_nonnull(d);
    msg_eq(m, d);
    ck_assert_ptr_ne(m->summary, d->summary);
    ck_assert_ptr_ne(m->vbs[2].value, d->vbs[2].value);
    vs_msg_free(m);
    vs_msg_free(d);
}
END_TEST

/* Parse text and expect vs_msg_from_json to refuse it with a reason mentioning want. */
static void refused(const char *text, const char *want)
{
    json_object *o = json_tokener_parse(text);
    char err[256] = "";
    vs_msg *m = vs_msg_from_json(o, err, sizeof err);
    json_object_put(o);
    ck_assert_msg(m == NULL, "accepted %s", text);
    ck_assert_msg(strstr(err, want) != NULL, "for %s: \"%s\" does not mention %s", text, err, want);
}

START_TEST(bad_objects_refused_with_a_reason)
{
    refused("[1,2]", "not a JSON object");
    refused("{}", "kind");
    refused("{\"kind\":9}", "kind");
    refused("{\"kind\":\"trap\"}", "kind");
    refused("{\"kind\":1,\"severity\":7}", "severity");
    refused("{\"kind\":1,\"time\":\"now\"}", "time");
    refused("{\"kind\":1,\"host\":5}", "host");
    refused("{\"kind\":1,\"repeat\":-1}", "repeat");
    refused("{\"kind\":3,\"varbinds\":{}}", "varbinds");
    refused("{\"kind\":3,\"varbinds\":[7]}", "varbind");
    refused("{\"kind\":3,\"varbinds\":[{\"type\":\"s\"}]}", "oid");
    refused("{\"kind\":3,\"varbinds\":[{\"oid\":\"1.3\",\"type\":\"st\"}]}", "type");
    refused("{\"kind\":3,\"varbinds\":[{\"oid\":\"1.3\",\"type\":\"x\",\"value_hex\":\"zz\"}]}",
            "value_hex");
    char err[64] = "";
    ck_assert_ptr_null(vs_msg_from_json(NULL, err, sizeof err));
    ck_assert_str_ne(err, "");
}
END_TEST

START_TEST(severity_names)
{
    ck_assert_str_eq(vs_severity_name(VS_SEV_OK), "OK");
    ck_assert_str_eq(vs_severity_name(VS_SEV_WARNING), "WARNING");
    ck_assert_str_eq(vs_severity_name(VS_SEV_CRITICAL), "CRITICAL");
    ck_assert_str_eq(vs_severity_name(VS_SEV_INFO), "INFO");
}
END_TEST

static Suite *msg_suite(void)
{
    Suite *s = suite_create("vs_msg");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, round_trip_every_field);
    tcase_add_test(tc, round_trip_alarm_without_trap_fields);
    tcase_add_test(tc, invalid_utf8_and_crlf_kept_exactly);
    tcase_add_test(tc, varbind_with_nul_bytes_round_trips);
    tcase_add_test(tc, dup_is_deep_and_equal);
    tcase_add_test(tc, bad_objects_refused_with_a_reason);
    tcase_add_test(tc, severity_names);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(msg_suite)
