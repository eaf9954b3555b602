/* Unit tests of vs_slack's pure half: the JSON payload (parsed back with json-c) and the
 * escaping of untrusted text for Slack. No sockets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "vs_check.h"
#include "vs_slack.h"

#define FFFD "\xef\xbf\xbd"
#define WJ "\xe2\x81\xa0"

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* A critical alarm as the manager's threshold engine would spool it. */
static vs_msg *alarm_new(vs_msg_kind kind, vs_severity sev, vs_severity prev)
{
    vs_msg *m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    m->kind = kind;
    m->msg_id = xstrdup("a1b2.3");
    m->alarm_id = xstrdup("a1b2");
    m->time = 1700000000.25; /* 2023-11-14 22:13:20 UTC */
    m->severity = sev;
    m->previous = prev;
    m->host = xstrdup("hv1.example.net");
    m->resource = xstrdup("prod/hv1/vm:web01");
    m->metric = xstrdup("vm.cpu.util");
    m->value = xstrdup("97.3");
    m->threshold = xstrdup("95");
    m->rule = xstrdup("cpu-hot");
    m->summary = xstrdup("vm.cpu.util of web01 on hv1 is 97.3 (critical above 95)");
    return m;
}

/* Parse a payload, failing the test unless it is a JSON object. */
static json_object *parse(const char *payload)
{
    ck_assert_ptr_nonnull(payload);
    json_object *o = json_tokener_parse(payload);
    ck_assert_ptr_nonnull(o);
    ck_assert(json_object_is_type(o, json_type_object));
    return o;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
    return v;
}

static const char *get_str(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    ck_assert_msg(json_object_is_type(v, json_type_string), "%s is not a string", key);
    return json_object_get_string(v);
}

static json_object *attachment(json_object *root)
{
    json_object *atts = get(root, "attachments");
    ck_assert_uint_eq(json_object_array_length(atts), 1);
    return json_object_array_get_idx(atts, 0);
}

/* The value of the field titled title, or NULL when there is none. */
static const char *field(json_object *att, const char *title)
{
    json_object *fields = get(att, "fields");
    for (size_t i = 0; i < json_object_array_length(fields); i++) {
        json_object *f = json_object_array_get_idx(fields, i);
        if (strcmp(get_str(f, "title"), title) == 0)
            return get_str(f, "value");
    }
    return NULL;
}

/* Whether s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const unsigned char *s)
{
    while (*s != '\0') {
        size_t n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : 4;
        unsigned cp = n == 1 ? *s : n == 2 ? *s & 0x1fu : n == 3 ? *s & 0x0fu : *s & 0x07u;
        if (*s >= 0x80 && (*s < 0xc2 || *s > 0xf4))
            return 0;
        for (size_t i = 1; i < n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3fu);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff
            || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n;
    }
    return 1;
}

START_TEST(critical_alarm_payload_has_every_field_and_red)
{
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, VS_SEV_CRITICAL, VS_SEV_WARNING);
    char *p = vs_slack_payload(m);
    json_object *root = parse(p);
    json_object *att = attachment(root);

    ck_assert_str_eq(get_str(root, "text"),
                     "[CRITICAL] vm.cpu.util of web01 on hv1 is 97.3 (critical above 95)");
    ck_assert(!json_object_get_boolean(get(root, "unfurl_links")));
    ck_assert(!json_object_get_boolean(get(root, "unfurl_media")));
    ck_assert(!json_object_object_get_ex(root, "link_names", NULL));
    ck_assert(!json_object_object_get_ex(root, "parse", NULL));
    ck_assert_str_eq(get_str(att, "color"), "#d00000");
    ck_assert_str_eq(get_str(att, "fallback"), get_str(root, "text"));
    ck_assert_str_eq(get_str(att, "title"), "CRITICAL: vm.cpu.util on prod/hv1/vm:web01");
    ck_assert_str_eq(get_str(att, "text"), m->summary);
    ck_assert_str_eq(get_str(att, "footer"), "virtsight");
    ck_assert_int_eq(json_object_get_int64(get(att, "ts")), 1700000000);
    ck_assert_str_eq(field(att, "Host"), "hv1.example.net");
    ck_assert_str_eq(field(att, "Resource"), "prod/hv1/vm:web01");
    ck_assert_str_eq(field(att, "Metric"), "vm.cpu.util");
    ck_assert_str_eq(field(att, "Value"), "97.3");
    ck_assert_str_eq(field(att, "Threshold"), "95");
    ck_assert_str_eq(field(att, "Severity"), "CRITICAL (was WARNING)");
    ck_assert_str_eq(field(att, "Rule"), "cpu-hot");
    ck_assert_str_eq(field(att, "Time"), "2023-11-14 22:13:20 UTC");
    ck_assert_str_eq(field(att, "Alarm id"), "a1b2");
    ck_assert_uint_eq(json_object_array_length(get(att, "fields")), 9);
    /* Short fields sit side by side; the long resource path gets a line of its own. */
    json_object *f1 = json_object_array_get_idx(get(att, "fields"), 1);
    ck_assert_str_eq(get_str(f1, "title"), "Resource");
    ck_assert(!json_object_get_boolean(get(f1, "short")));
    ck_assert(
        json_object_get_boolean(get(json_object_array_get_idx(get(att, "fields"), 0), "short")));
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

START_TEST(colour_follows_severity)
{
    static const struct {
        vs_msg_kind kind;
        vs_severity sev;
        const char *color, *title, *severity;
    } cases[] = {
        { VS_MSG_ALARM_RAISED, VS_SEV_WARNING, "#daa038",
          "WARNING: vm.cpu.util on prod/hv1/vm:web01", "WARNING (was CRITICAL)" },
        { VS_MSG_ALARM_CLEARED, VS_SEV_OK, "#2eb886", "RECOVERED: vm.cpu.util on prod/hv1/vm:web01",
          "OK (was CRITICAL)" },
        { VS_MSG_TRAP, VS_SEV_INFO, "#a0a0a0", NULL, "INFO" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vs_msg *m = alarm_new(cases[i].kind, cases[i].sev, VS_SEV_CRITICAL);
        char *p = vs_slack_payload(m);
        json_object *root = parse(p);
        json_object *att = attachment(root);
        ck_assert_str_eq(get_str(att, "color"), cases[i].color);
        if (cases[i].title != NULL)
            ck_assert_str_eq(get_str(att, "title"), cases[i].title);
        ck_assert_str_eq(field(att, "Severity"), cases[i].severity);
        json_object_put(root);
        free(p);
        vs_msg_free(m);
    }
}
END_TEST

START_TEST(repeat_is_in_the_title)
{
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, VS_SEV_WARNING, VS_SEV_WARNING);
    m->repeat = 3;
    char *p = vs_slack_payload(m);
    json_object *root = parse(p);
    ck_assert_str_eq(get_str(attachment(root), "title"),
                     "WARNING: vm.cpu.util on prod/hv1/vm:web01 (repeat 3)");
    ck_assert_str_eq(field(attachment(root), "Severity"), "WARNING");
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

START_TEST(control_sequences_are_escaped_exactly)
{
    char *e = vs_slack_escape("a & b <!channel> <@U1> <http://x|y> >");
    ck_assert_str_eq(e, "a &amp; b &lt;!channel&gt; &lt;@U1&gt; &lt;http://x|y&gt; &gt;");
    free(e);
    /* An entity in the input stays literal text: its '&' is escaped too. */
    e = vs_slack_escape("&lt;!here&gt;");
    ck_assert_str_eq(e, "&amp;lt;!here&amp;gt;");
    free(e);
    e = vs_slack_escape("");
    ck_assert_str_eq(e, "");
    free(e);
}
END_TEST

START_TEST(plain_mention_words_are_defused)
{
    char *e = vs_slack_escape("@channel ping @HERE, @everyone and @group; not @channels, "
                              "@here_x, me@example.com or @U123");
    ck_assert_str_eq(e, "@" WJ "channel ping @" WJ "HERE, @" WJ "everyone and @" WJ "group; "
                        "not @channels, @here_x, me@example.com or @U123");
    free(e);
}
END_TEST

START_TEST(invalid_utf8_becomes_replacement_characters)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "a\xff"
          "b",
          "a" FFFD "b" },
        { "\xc3(", FFFD "(" },                       /* lead byte without its tail */
        { "c\xe2\x82", "c" FFFD },                   /* truncated at the end: one U+FFFD */
        { "\xc0\xaf", FFFD FFFD },                   /* overlong '/' */
        { "\xed\xa0\x80", FFFD FFFD FFFD },          /* a surrogate */
        { "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD }, /* past U+10FFFF */
        { "\x80\xbf", FFFD FFFD },                   /* stray continuation bytes */
        { "ok \xc3\xa9 \xf0\x9f\x90\xa7", "ok \xc3\xa9 \xf0\x9f\x90\xa7" }, /* valid stays */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *e = vs_slack_escape(cases[i].in);
        ck_assert_msg(strcmp(e, cases[i].out) == 0, "case %zu", i);
        free(e);
    }

    /* Through the payload: the JSON text itself is valid UTF-8. */
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, VS_SEV_CRITICAL, VS_SEV_OK);
    free(m->resource);
    m->resource = xstrdup("prod/hv1/vm:bad\xfe\xc3name");
    char *p = vs_slack_payload(m);
    ck_assert(utf8_valid((const unsigned char *)p));
    json_object *root = parse(p);
    ck_assert_str_eq(field(attachment(root), "Resource"), "prod/hv1/vm:bad" FFFD FFFD "name");
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

START_TEST(newlines_quotes_and_cjk_survive_safely)
{
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, VS_SEV_CRITICAL, VS_SEV_OK);
    const char *text = "line1\r\nline2 \"quoted\" back\\slash /path tab\t雪";
    free(m->summary);
    m->summary = xstrdup(text);
    char *p = vs_slack_payload(m);
    /* json-c escapes the control characters and the quotes; UTF-8 goes out as it is. */
    ck_assert_ptr_null(strchr(p, '\r'));
    ck_assert_ptr_null(strchr(p, '\n'));
    ck_assert_ptr_null(strchr(p, '\t'));
    ck_assert_ptr_nonnull(strstr(p, "line1\\r\\nline2 \\\"quoted\\\" back\\\\slash /path"));
    ck_assert_ptr_nonnull(strstr(p, "雪"));
    json_object *root = parse(p);
    ck_assert_str_eq(get_str(attachment(root), "text"), text);
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

/* Fill a new string with count copies of unit. */
static char *repeat_str(const char *unit, size_t count)
{
    size_t n = strlen(unit);
    char *s = malloc(n * count + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * n, unit, n);
    s[n * count] = '\0';
    return s;
}

/* Check that v was cut to the field limit, ends with the marker, and that what precedes the
 * marker is whole copies of unit. */
static void check_cut(const char *v, const char *unit)
{
    size_t mlen = strlen(VS_SLACK_TRUNC_MARKER), ulen = strlen(unit), len = strlen(v);
    ck_assert_uint_le(len, VS_SLACK_FIELD_MAX);
    ck_assert_uint_gt(len, VS_SLACK_FIELD_MAX - mlen - ulen);
    ck_assert_str_eq(v + len - mlen, VS_SLACK_TRUNC_MARKER);
    ck_assert_uint_eq((len - mlen) % ulen, 0);
    for (size_t i = 0; i + mlen < len; i += ulen)
        ck_assert(memcmp(v + i, unit, ulen) == 0);
}

START_TEST(long_fields_are_truncated_with_a_marker)
{
    static const struct {
        const char *in, *out;
    } units[] = { { "x", "x" }, { "&", "&amp;" }, { "雪", "雪" }, { "<", "&lt;" } };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, VS_SEV_CRITICAL, VS_SEV_OK);
        free(m->resource);
        m->resource = repeat_str(units[i].in, 5000);
        free(m->summary);
        m->summary = repeat_str(units[i].in, 5000);
        char *p = vs_slack_payload(m);
        json_object *root = parse(p);
        json_object *att = attachment(root);
        check_cut(field(att, "Resource"), units[i].out);
        check_cut(get_str(att, "text"), units[i].out);
        ck_assert_uint_le(strlen(get_str(root, "text")), 300);
        ck_assert_uint_le(strlen(p), 8000);
        json_object_put(root);
        free(p);
        vs_msg_free(m);
    }

    /* A field exactly at the limit is not cut. */
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, VS_SEV_CRITICAL, VS_SEV_OK);
    free(m->resource);
    m->resource = repeat_str("y", VS_SLACK_FIELD_MAX);
    char *p = vs_slack_payload(m);
    json_object *root = parse(p);
    ck_assert_str_eq(field(attachment(root), "Resource"), m->resource);
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

/* A routed trap with n extra varbinds after sysUpTime.0 and snmpTrapOID.0. */
static vs_msg *trap_new(size_t n)
{
    vs_msg *m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    m->kind = VS_MSG_TRAP;
    m->msg_id = xstrdup("trap.77");
    m->time = 1700000000;
    m->severity = VS_SEV_INFO;
    m->previous = VS_SEV_INFO;
    m->host = xstrdup("10.0.0.9");
    m->source = xstrdup("UDP: [10.0.0.9]:41981");
    m->metric = xstrdup("linkDown");
    m->trap_oid = xstrdup("1.3.6.1.6.3.1.1.5.3");
    m->rule = xstrdup("links");
    m->n_vbs = n + 2;
    m->vbs = calloc(m->n_vbs, sizeof(*m->vbs));
    ck_assert_ptr_nonnull(m->vbs);
    m->vbs[0] = (vs_varbind){
        xstrdup("1.3.6.1.2.1.1.3.0"), xstrdup("sysUpTime.0"), 't', xstrdup("12345"), 5, NULL
    };
    m->vbs[1] = (vs_varbind){ xstrdup("1.3.6.1.6.3.1.1.4.1.0"),
                              xstrdup("snmpTrapOID.0"),
                              'o',
                              xstrdup("1.3.6.1.6.3.1.1.5.3"),
                              19,
                              NULL };
    for (size_t i = 0; i < n; i++) {
        char oid[64];
        snprintf(oid, sizeof(oid), "1.3.6.1.2.1.2.2.1.2.%zu", i + 1);
        m->vbs[i + 2] = (vs_varbind){ xstrdup(oid), NULL, 's', xstrdup("eth<!here>"), 10, NULL };
    }
    return m;
}

START_TEST(trap_payload_lists_source_oid_and_varbinds)
{
    vs_msg *m = trap_new(2);
    /* A binary value with a NUL and a byte that is not UTF-8, and one with a rendered text. */
    free(m->vbs[3].value);
    m->vbs[3].value = malloc(4);
    memcpy(m->vbs[3].value,
           "a\0\xff"
           "b",
           4);
    m->vbs[3].value_len = 4;
    m->vbs[2].text = xstrdup("up(1) & <@U9>");
    char *p = vs_slack_payload(m);
    json_object *root = parse(p);
    json_object *att = attachment(root);
    ck_assert_str_eq(get_str(att, "color"), "#a0a0a0");
    ck_assert_str_eq(get_str(att, "title"), "Trap linkDown from UDP: [10.0.0.9]:41981");
    ck_assert_str_eq(field(att, "Source"), "UDP: [10.0.0.9]:41981");
    ck_assert_str_eq(field(att, "Host"), "10.0.0.9");
    ck_assert_str_eq(field(att, "Trap"), "linkDown");
    ck_assert_str_eq(field(att, "Trap OID"), "1.3.6.1.6.3.1.1.5.3");
    ck_assert_str_eq(field(att, "Rule"), "links");
    ck_assert_str_eq(field(att, "Severity"), "INFO");
    ck_assert_ptr_null(field(att, "Alarm id"));
    ck_assert_str_eq(get_str(att, "text"), "sysUpTime.0 = 12345\n"
                                           "1.3.6.1.2.1.2.2.1.2.1 = up(1) &amp; &lt;@U9&gt;\n"
                                           "1.3.6.1.2.1.2.2.1.2.2 = a" FFFD FFFD "b");
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

START_TEST(trap_varbind_lines_are_bounded)
{
    vs_msg *m = trap_new(70);
    char *p = vs_slack_payload(m);
    json_object *root = parse(p);
    const char *text = get_str(attachment(root), "text");
    size_t lines = 1;
    for (const char *c = text; *c != '\0'; c++)
        lines += *c == '\n';
    /* sysUpTime.0 and 49 of the 70, then one line counting the 21 left out. */
    ck_assert_uint_eq(lines, VS_SLACK_VB_LINES_MAX + 1);
    ck_assert_ptr_nonnull(strstr(text, "\n(21 more varbinds not shown)"));
    ck_assert_ptr_nonnull(strstr(text, "= eth&lt;!here&gt;\n"));
    ck_assert_ptr_null(strstr(p, "<!here>"));
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

/* A trap string cannot forge a varbind line of its own: its control characters are shown. */
START_TEST(trap_varbind_values_stay_on_their_line)
{
    vs_msg *m = trap_new(1);
    free(m->vbs[2].value);
    m->vbs[2].value = xstrdup("x\r\nvsVmOperState.1.1 = running\tz\x1b[1m");
    m->vbs[2].value_len = strlen(m->vbs[2].value);
    char *p = vs_slack_payload(m);
    json_object *root = parse(p);
    ck_assert_str_eq(get_str(attachment(root), "text"),
                     "sysUpTime.0 = 12345\n"
                     "1.3.6.1.2.1.2.2.1.2.1 = x\\r\\nvsVmOperState.1.1 = running\\tz\\x1b[1m");
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

START_TEST(hostile_names_never_reach_the_payload_raw)
{
    vs_msg *m = alarm_new(VS_MSG_ALARM_RAISED, VS_SEV_CRITICAL, VS_SEV_OK);
    free(m->resource);
    m->resource = xstrdup("prod/hv1/vm:<!channel> <http://evil|click> @here");
    free(m->summary);
    m->summary = xstrdup("vm <!channel> is hot");
    char *p = vs_slack_payload(m);
    ck_assert_ptr_null(strstr(p, "<!channel>"));
    ck_assert_ptr_null(strstr(p, "<http"));
    ck_assert_ptr_null(strstr(p, "@here"));
    ck_assert_ptr_nonnull(strstr(p, "&lt;!channel&gt;"));
    json_object *root = parse(p);
    ck_assert_str_eq(get_str(attachment(root), "title"),
                     "CRITICAL: vm.cpu.util on prod/hv1/vm:&lt;!channel&gt; "
                     "&lt;http://evil|click&gt; @" WJ "here");
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

START_TEST(missing_fields_are_left_out)
{
    vs_msg *m = calloc(1, sizeof(*m));
    m->kind = VS_MSG_ALARM_RAISED;
    m->severity = VS_SEV_WARNING;
    m->metric = xstrdup("host.up");
    m->host = xstrdup("hv2");
    char *p = vs_slack_payload(m);
    json_object *root = parse(p);
    json_object *att = attachment(root);
    ck_assert_str_eq(get_str(att, "title"), "WARNING: host.up on hv2");
    ck_assert_str_eq(get_str(root, "text"), "[WARNING] WARNING: host.up on hv2");
    ck_assert_uint_eq(json_object_array_length(get(att, "fields")), 3); /* host, metric, sev */
    ck_assert(!json_object_object_get_ex(att, "ts", NULL));
    json_object_put(root);
    free(p);
    vs_msg_free(m);
}
END_TEST

static Suite *slack_suite(void)
{
    Suite *s = suite_create("vs_slack");
    TCase *tc = tcase_create("payload");
    tcase_add_test(tc, critical_alarm_payload_has_every_field_and_red);
    tcase_add_test(tc, colour_follows_severity);
    tcase_add_test(tc, repeat_is_in_the_title);
    tcase_add_test(tc, control_sequences_are_escaped_exactly);
    tcase_add_test(tc, plain_mention_words_are_defused);
    tcase_add_test(tc, invalid_utf8_becomes_replacement_characters);
    tcase_add_test(tc, newlines_quotes_and_cjk_survive_safely);
    tcase_add_test(tc, long_fields_are_truncated_with_a_marker);
    tcase_add_test(tc, trap_payload_lists_source_oid_and_varbinds);
    tcase_add_test(tc, trap_varbind_lines_are_bounded);
    tcase_add_test(tc, trap_varbind_values_stay_on_their_line);
    tcase_add_test(tc, hostile_names_never_reach_the_payload_raw);
    tcase_add_test(tc, missing_fields_are_left_out);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(slack_suite)
