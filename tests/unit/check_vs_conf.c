/* Unit tests of lib/libvsconf in isolation: a tiny schema and options table (file:line for a bad
 * number, an unknown attribute, a missing required attribute, in the reader and from the
 * validator), secret files (first line, USM passphrases, wiped when freed, never quoted), and the
 * shared <notifiers> reader with its name checks, validated against lib/vs-notifiers.rng. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vs_buf.h"
#include "vs_check.h"
#include "vs_conf.h"
#include "vs_conf_notify.h"

/* Every explicit_bzero the library makes, with what the buffer held: secrets must be wiped
 * before their memory is freed. The library's calls come here (the program's definition wins
 * over the C library's). */
static char wiped[16][128];
static size_t n_wiped;

void explicit_bzero(void *s, size_t n)
{
    if (n_wiped < sizeof(wiped) / sizeof(wiped[0])) {
        size_t keep = n < sizeof(wiped[0]) - 1 ? n : sizeof(wiped[0]) - 1;
        memcpy(wiped[n_wiped], s, keep);
        wiped[n_wiped][keep] = '\0';
        n_wiped++;
    }
    volatile unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        p[i] = 0;
}

/* Whether text was wiped (a buffer starting with it was cleared). */
static int was_wiped(const char *text)
{
    for (size_t i = 0; i < n_wiped; i++) {
        if (strncmp(wiped[i], text, strlen(text)) == 0)
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- fixtures */

static char dir[64];

static char *dir_file(const char *name)
{
    vs_buf b;

    vs_buf_init(&b, 4096);
    ck_assert_int_eq(vs_buf_appendf(&b, "%s/%s", dir, name), 0);
    return vs_buf_steal(&b);
}

static void file_put(const char *name, const char *text)
{
    size_t len = strlen(text);
    char *path = dir_file(name);
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    free(path);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/vs-check-conf.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    n_wiped = 0;
}

static void teardown(void)
{
    static const char *const names[] = { "demo.xml", "community", "usm",      "password",
                                         "url",      "empty",     "short.usm" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *p = dir_file(names[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

/* The whole contents of a file under the source tree, as a new string. */
static char *src_slurp(const char *rel)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".", rel);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    vs_buf b;
    vs_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ck_assert_int_eq(vs_buf_append(&b, chunk, n), 0);
    fclose(f);
    return vs_buf_steal(&b);
}

/* ---------------------------------------------------------------- the tiny schema */

/* <demo> takes any attribute (so that the reader, not the validator, judges them) and holds
 * <item id="..."> and at most what vs-notifiers.rng defines; the fragment's definitions go where
 * the build would put them. */
static char *schema_make(void)
{
    char *frag = src_slurp("lib/vs-notifiers.rng");
    const char *from = strstr(frag, "\n<grammar");
    ck_assert_ptr_nonnull(from);
    from = strchr(from + 1, '\n') + 1;
    const char *to = strstr(from, "</grammar>");
    ck_assert_ptr_nonnull(to);
    vs_buf b;
    vs_buf_init(&b, 1 << 20);
    vs_buf_append_str(&b, "<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\" ns=\"\">\n"
                          "<start><element name=\"demo\">\n"
                          "<zeroOrMore><attribute><anyName/></attribute></zeroOrMore>\n"
                          "<zeroOrMore><choice><ref name=\"item\"/><ref name=\"notifiers\"/>"
                          "</choice></zeroOrMore>\n"
                          "</element></start>\n"
                          "<define name=\"item\"><element name=\"item\">"
                          "<attribute name=\"id\"/><empty/></element></define>\n");
    vs_buf_append(&b, from, (size_t)(to - from));
    vs_buf_append_str(&b, "</grammar>\n");
    free(frag);
    return vs_buf_steal(&b);
}

typedef struct {
    int count;
    double delay;
    int on;
    char *label;
    char *mode;
    char *name;
} demo_attrs;
enum { DEMO_COUNT, DEMO_DELAY, DEMO_ON, DEMO_LABEL, DEMO_MODE, DEMO_NAME };
static const char *const demo_modes[] = { "fast", "slow", NULL };
static const vs_conf_attr demo_defs[] = {
    [DEMO_COUNT] = VS_CONF_A_INT("count", demo_attrs, count, "3", 1, 10, NULL),
    [DEMO_DELAY] = VS_CONF_A_SEC("delay", demo_attrs, delay),
    [DEMO_ON] = VS_CONF_A_STR("on", VS_CONF_YESNO, demo_attrs, on, 0, "no"),
    [DEMO_LABEL] = VS_CONF_A_STR("label", VS_CONF_TEXT, demo_attrs, label, 0, NULL),
    [DEMO_MODE] = VS_CONF_A_CHOICE("mode", demo_attrs, mode, 0, demo_modes, " (say how fast)"),
    [DEMO_NAME] = VS_CONF_A_STR("name", VS_CONF_NAME, demo_attrs, name, 1, NULL),
};
static const vs_conf_elem demo_elem = VS_CONF_ELEM("demo", demo_defs);

typedef struct {
    int id;
} item_attrs;
static const vs_conf_attr item_defs[] = {
    { "id", VS_CONF_INT, offsetof(item_attrs, id), 1, NULL, 0, 99, NULL, NULL, NULL },
};
static const vs_conf_elem item_elem = VS_CONF_ELEM("item", item_defs);

/* One load of dir/demo.xml (text) against the tiny schema; problems into errors. */
typedef struct {
    vs_conf_ctx ctx;
    char *path;
    char *schema;
    const vs_conf_elem *elems[8];
    xmlDoc *doc;
} demo_load;

static void demo_open(demo_load *L, const char *text, vs_buf *errors)
{
    memset(L, 0, sizeof(*L));
    file_put("demo.xml", text);
    L->path = dir_file("demo.xml");
    L->schema = schema_make();
    ck_assert_int_eq(vs_conf_ctx_init(&L->ctx, L->path, errors, L->schema, strlen(L->schema)), 0);
    size_t n = 0;
    L->elems[n++] = &demo_elem;
    L->elems[n++] = &item_elem;
    for (size_t i = 0; i < vs_notify_n_elems; i++)
        L->elems[n++] = vs_notify_elems[i];
    L->ctx.elems = L->elems;
    L->ctx.n_elems = n;
    L->doc = vs_conf_xml_load(&L->ctx);
}

static void demo_close(demo_load *L)
{
    xmlFreeDoc(L->doc);
    vs_conf_ctx_clear(&L->ctx);
    free(L->schema);
    free(L->path);
}

static void demo_attrs_clear(demo_attrs *a)
{
    free(a->label);
    free(a->mode);
    free(a->name);
}

/* Assert that errors hold exactly the line "<dir>/demo.xml:<line>: <message>". */
static void error_expect(const char *errors, int line, const char *message)
{
    char want[1024];
    snprintf(want, sizeof(want), "%s/demo.xml:%d: %s\n", dir, line, message);
    ck_assert_msg(strstr(errors, want) != NULL, "missing line\n  %sin\n%s", want, errors);
}

/* ---------------------------------------------------------------- attributes */

START_TEST(attrs_good_and_defaults)
{
    vs_buf errors;
    demo_load L;
    demo_attrs a;

    vs_buf_init(&errors, 1 << 16);
    demo_open(&L, "<demo name=\"alpha\" delay=\"2.5\" on=\"YES\" mode=\"Slow\" label=\"x y\"/>\n",
              &errors);
    ck_assert_msg(L.doc != NULL, "%s", vs_buf_str(&errors));
    memset(&a, 0, sizeof(a));
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(&L.ctx, xmlDocGetRootElement(L.doc), &demo_elem, &a, &good);
    ck_assert_int_eq(L.ctx.n_errors, 0);
    ck_assert_uint_eq(seen, good);
    ck_assert_uint_eq(seen, VS_CONF_SEEN(DEMO_DELAY) | VS_CONF_SEEN(DEMO_ON)
                                | VS_CONF_SEEN(DEMO_LABEL) | VS_CONF_SEEN(DEMO_MODE)
                                | VS_CONF_SEEN(DEMO_NAME));
    ck_assert_int_eq(a.count, 3);
    ck_assert_double_eq(a.delay, 2.5);
    ck_assert_int_eq(a.on, 1);
    ck_assert_str_eq(a.mode, "slow");
    ck_assert_str_eq(a.label, "x y");
    ck_assert_str_eq(a.name, "alpha");
    demo_attrs_clear(&a);
    demo_close(&L);
    vs_buf_free(&errors);
}
END_TEST

START_TEST(attrs_problems_at_their_line)
{
    vs_buf errors;
    demo_load L;
    demo_attrs a;

    vs_buf_init(&errors, 1 << 16);
    demo_open(&L,
              "<?xml version=\"1.0\"?>\n"
              "<!-- a comment -->\n"
              "<demo count=\"many\"\n" /* libxml2 gives the line where the start tag ends */
              "      colour=\"red\" mode=\"medium\" on=\"maybe\"/>\n",
              &errors);
    ck_assert_msg(L.doc != NULL, "%s", vs_buf_str(&errors));
    memset(&a, 0, sizeof(a));
    unsigned good = 0;
    unsigned seen = vs_conf_attrs_read(&L.ctx, xmlDocGetRootElement(L.doc), &demo_elem, &a, &good);
    const char *e = vs_buf_str(&errors);
    error_expect(e, 4, "<demo> attribute count=\"many\" is not a whole number.");
    error_expect(e, 4, "<demo> has no attribute colour.");
    error_expect(e, 4,
                 "<demo> attribute mode=\"medium\" is not allowed; use fast or slow (say how "
                 "fast).");
    error_expect(e, 4, "<demo> attribute on=\"maybe\" is neither \"yes\" nor \"no\".");
    error_expect(e, 4, "<demo> needs attribute name.");
    ck_assert_int_eq(L.ctx.n_errors, 5);
    ck_assert_uint_eq(seen,
                      VS_CONF_SEEN(DEMO_COUNT) | VS_CONF_SEEN(DEMO_MODE) | VS_CONF_SEEN(DEMO_ON));
    ck_assert_uint_eq(good, 0);
    ck_assert_int_eq(a.count, 3); /* the default stays */
    demo_attrs_clear(&a);
    demo_close(&L);
    vs_buf_free(&errors);
}
END_TEST

START_TEST(attrs_out_of_range)
{
    vs_buf errors;
    demo_load L;
    demo_attrs a;

    vs_buf_init(&errors, 1 << 16);
    demo_open(&L, "<demo name=\"..\" count=\"11\"/>\n", &errors);
    ck_assert_ptr_nonnull(L.doc);
    memset(&a, 0, sizeof(a));
    vs_conf_attrs_read(&L.ctx, xmlDocGetRootElement(L.doc), &demo_elem, &a, NULL);
    const char *e = vs_buf_str(&errors);
    error_expect(e, 1, "<demo> attribute count=\"11\" is out of range; it must be from 1 to 10.");
    error_expect(e, 1,
                 "<demo> attribute name=\"..\" is not a valid name; use 1 to 64 letters, "
                 "digits, '.', '_' or '-' (but not \".\" or \"..\").");
    demo_attrs_clear(&a);
    demo_close(&L);
    vs_buf_free(&errors);
}
END_TEST

/* The validator's complaint about a missing required attribute becomes the same sentence the
 * reader would say, at the element's line. */
START_TEST(validator_missing_attribute)
{
    vs_buf errors;
    demo_load L;

    vs_buf_init(&errors, 1 << 16);
    demo_open(&L, "<demo name=\"a\">\n  <item id=\"1\"/>\n  <item/>\n</demo>\n", &errors);
    ck_assert_ptr_null(L.doc);
    error_expect(vs_buf_str(&errors), 3, "<item> needs attribute id.");
    demo_close(&L);
    vs_buf_free(&errors);
}
END_TEST

START_TEST(validator_unknown_element_and_doctype)
{
    vs_buf errors;
    demo_load L;

    vs_buf_init(&errors, 1 << 16);
    demo_open(&L, "<demo name=\"a\">\n\n  <thing/>\n</demo>\n", &errors);
    ck_assert_ptr_null(L.doc);
    ck_assert_msg(strstr(vs_buf_str(&errors), "/demo.xml:3: ") != NULL, "%s", vs_buf_str(&errors));
    demo_close(&L);
    vs_buf_reset(&errors);

    demo_open(&L, "<?xml version=\"1.0\"?>\n<!DOCTYPE demo [<!ENTITY x \"y\">]>\n<demo/>\n",
              &errors);
    ck_assert_ptr_null(L.doc);
    error_expect(vs_buf_str(&errors), 2,
                 "A DOCTYPE declaration is not allowed here; DTDs and entities are refused.");
    demo_close(&L);
    vs_buf_free(&errors);
}
END_TEST

/* ---------------------------------------------------------------- secret files */

START_TEST(secret_line_read_and_wiped)
{
    vs_buf errors;
    vs_conf_ctx ctx;
    char *path = dir_file("demo.xml");
    char *secret = NULL;

    vs_buf_init(&errors, 1 << 16);
    file_put("community", "Sup3rSecretCommunity\r\nsecond line\n");
    ck_assert_int_eq(vs_conf_ctx_init(&ctx, path, &errors, NULL, 0), 0);
    ck_assert_int_eq(
        vs_conf_secret_line(&ctx, 7, "demo", "community-file", "community", "community", &secret),
        0);
    ck_assert_str_eq(secret, "Sup3rSecretCommunity");
    /* The file's contents were wiped as soon as the line was taken... */
    ck_assert(was_wiped("Sup3rSecretCommunity\r\nsecond line"));
    /* ...and the secret itself when freed. */
    n_wiped = 0;
    vs_conf_secret_free(secret);
    ck_assert(was_wiped("Sup3rSecretCommunity"));
    ck_assert_int_eq(ctx.n_errors, 0);

    /* An empty file is named with its own path and line; nothing is quoted. */
    file_put("empty", "\n");
    secret = NULL;
    ck_assert_int_eq(
        vs_conf_secret_line(&ctx, 7, "demo", "community-file", "community", "empty", &secret), -1);
    ck_assert_ptr_null(secret);
    char want[512];
    snprintf(want, sizeof(want),
             "%s/empty:1: The community file is empty; put the community on its first line.\n",
             dir);
    ck_assert_str_eq(vs_buf_str(&errors), want);

    /* A file that is not there: the configuration's line, and the path as resolved. */
    vs_buf_reset(&errors);
    ck_assert_int_eq(
        vs_conf_secret_line(&ctx, 9, "demo", "community-file", "community", "nope", &secret), -1);
    snprintf(want, sizeof(want),
             "%s/demo.xml:9: <demo> attribute community-file names %s/nope, which cannot be "
             "read: No such file or directory.\n",
             dir, dir);
    ck_assert_str_eq(vs_buf_str(&errors), want);
    vs_conf_ctx_clear(&ctx);
    free(path);
    vs_buf_free(&errors);
}
END_TEST

START_TEST(secret_usm)
{
    vs_buf errors;
    vs_conf_ctx ctx;
    char *path = dir_file("demo.xml");
    char *auth = NULL, *priv = NULL;

    vs_buf_init(&errors, 1 << 16);
    ck_assert_int_eq(vs_conf_ctx_init(&ctx, path, &errors, NULL, 0), 0);
    const char usm[] = "# passphrases\nauth AuthPass-123\n\npriv PrivPass-456\n";
    file_put("usm", usm);
    ck_assert_int_eq(vs_conf_secret_usm(&ctx, 4, "demo", "usm", &auth, &priv), 0);
    ck_assert_str_eq(auth, "AuthPass-123");
    ck_assert_str_eq(priv, "PrivPass-456");
    vs_conf_secret_free(auth);
    vs_conf_secret_free(priv);
    ck_assert(was_wiped("AuthPass-123"));
    ck_assert(was_wiped("PrivPass-456"));

    const char bad[] = "auth short\npriv PrivPass-456\n";
    file_put("short.usm", bad);
    ck_assert_int_eq(vs_conf_secret_usm(&ctx, 4, "demo", "short.usm", &auth, &priv), -1);
    char want[512];
    snprintf(want, sizeof(want),
             "%s/short.usm:1: The auth passphrase is shorter than 8 characters, the least "
             "Net-SNMP accepts.\n",
             dir);
    ck_assert_str_eq(vs_buf_str(&errors), want);
    ck_assert_ptr_null(strstr(vs_buf_str(&errors), "PrivPass"));
    vs_conf_ctx_clear(&ctx);
    free(path);
    vs_buf_free(&errors);
}
END_TEST

/* ---------------------------------------------------------------- <notifiers> */

static const char notifiers_doc[] =
    "<demo name=\"n\">\n"
    "  <notifiers retry-min=\"2\" max-age=\"600\">\n"
    "    <trap name=\"noc\" target=\"udp:127.0.0.1:1162\" version=\"2c\"\n"
    "          community-file=\"community\"/>\n"
    "    <email name=\"ops\" server=\"mail.example.net:2525\" from=\"vs@example.net\"\n"
    "           to=\"a@example.net  b@example.net\" user=\"vs\" password-file=\"password\"/>\n"
    "    <slack name=\"chat\" webhook-url-file=\"url\" min-interval=\"0.5\"/>\n"
    "  </notifiers>\n"
    "</demo>\n";

/* Read the <notifiers> of text; returns the number of problems. */
static int notifiers_load(const char *text, vs_buf *errors, vs_notify_spool *spool,
                          vs_notify_cfg **list, size_t *n)
{
    demo_load L;

    demo_open(&L, text, errors);
    ck_assert_msg(L.doc != NULL, "%s", vs_buf_str(errors));
    vs_notify_spool_defaults(spool);
    for (xmlNode *c = xmlDocGetRootElement(L.doc)->children; c != NULL; c = c->next) {
        if (vs_conf_node_is(c, "notifiers"))
            vs_notify_cfg_read(&L.ctx, c, spool, list, n);
    }
    vs_notify_cfg_check_unique(&L.ctx, *list, *n);
    int problems = L.ctx.n_errors;
    demo_close(&L);
    return problems;
}

START_TEST(notifiers_one_of_each)
{
    vs_buf errors;
    vs_notify_spool spool;
    vs_notify_cfg *list = NULL;
    size_t n = 0;

    vs_buf_init(&errors, 1 << 16);
    file_put("community", "TrapCommunity\n");
    file_put("password", "MailPassw0rd\n");
    file_put("url", "https://hooks.example.net/T000/B000/XXXX\n");
    ck_assert_int_eq(notifiers_load(notifiers_doc, &errors, &spool, &list, &n), 0);
    ck_assert_str_eq(vs_buf_str(&errors), "");
    ck_assert_double_eq(spool.retry_min, 2);
    ck_assert_double_eq(spool.retry_max, 300);
    ck_assert_int_eq(spool.max_age, 600);
    ck_assert_uint_eq(n, 3);

    ck_assert_int_eq(list[0].kind, VS_NOTIFY_TRAP);
    ck_assert_str_eq(list[0].name, "noc");
    ck_assert_int_eq(list[0].line, 4); /* libxml2: where the start tag ends */
    ck_assert_int_eq(list[0].version, 2);
    ck_assert_int_eq(list[0].inform, 0);
    ck_assert_str_eq(list[0].community, "TrapCommunity");
    ck_assert_int_eq(list[0].timeout_ms, 5000);
    ck_assert_int_eq(list[0].retries, 3);

    ck_assert_int_eq(list[1].kind, VS_NOTIFY_EMAIL);
    ck_assert_str_eq(list[1].server, "mail.example.net");
    ck_assert_int_eq(list[1].port, 2525);
    ck_assert_str_eq(list[1].tls, "starttls");
    ck_assert_uint_eq(list[1].n_to, 2);
    ck_assert_str_eq(list[1].to[1], "b@example.net");
    ck_assert_str_eq(list[1].mail_user, "vs");
    ck_assert_str_eq(list[1].password, "MailPassw0rd");
    ck_assert_double_eq(list[1].timeout, 30);

    ck_assert_int_eq(list[2].kind, VS_NOTIFY_SLACK);
    ck_assert_str_eq(list[2].url, "https://hooks.example.net/T000/B000/XXXX");
    ck_assert_double_eq(list[2].min_interval, 0.5);
    ck_assert_double_eq(list[2].timeout, 15);
    ck_assert_double_eq(list[2].connect_timeout, 5);

    ck_assert_ptr_eq(vs_notify_cfg_find(list, n, "ops"), &list[1]);
    ck_assert_ptr_null(vs_notify_cfg_find(list, n, "nobody"));

    /* A reference to names: the missing one reported once, at the referring element's line. */
    vs_conf_ctx ctx;
    char *path = dir_file("demo.xml");
    ck_assert_int_eq(vs_conf_ctx_init(&ctx, path, &errors, NULL, 0), 0);
    char *names[] = { "chat", "pager", "noc" };
    char *skip[] = { "pager" };
    ck_assert_uint_eq(vs_notify_cfg_names_check(&ctx, 12, "route", list, n, names, 3, NULL, 0), 1);
    ck_assert_uint_eq(vs_notify_cfg_names_check(&ctx, 12, "route", list, n, names, 3, skip, 1), 0);
    error_expect(vs_buf_str(&errors), 12,
                 "<route> names notifier \"pager\", which <notifiers> does not define.");
    ck_assert_int_eq(ctx.n_errors, 1);
    vs_conf_ctx_clear(&ctx);
    free(path);

    /* Freeing wipes every secret read. */
    n_wiped = 0;
    vs_notify_cfg_list_free(list, n);
    ck_assert(was_wiped("TrapCommunity"));
    ck_assert(was_wiped("MailPassw0rd"));
    ck_assert(was_wiped("https://hooks.example.net/T000/B000/XXXX"));
    vs_buf_free(&errors);
}
END_TEST

START_TEST(notifiers_problems)
{
    vs_buf errors;
    vs_notify_spool spool;
    vs_notify_cfg *list = NULL;
    size_t n = 0;

    vs_buf_init(&errors, 1 << 16);
    file_put("url", "ftp://nope\n");
    const char doc[] = "<demo name=\"n\">\n"
                       "  <notifiers retry-min=\"20\" retry-max=\"10\">\n"
                       "    <trap name=\"x\" target=\"udp:h:162\" version=\"3\"/>\n"
                       "    <email name=\"x\" server=\"[::1]\" from=\"me\" to=\"a@b\"/>\n"
                       "    <slack name=\"s\" webhook-url-file=\"url\"/>\n"
                       "  </notifiers>\n"
                       "</demo>\n";
    ck_assert_int_gt(notifiers_load(doc, &errors, &spool, &list, &n), 0);
    const char *e = vs_buf_str(&errors);
    error_expect(e, 2, "<notifiers> attribute retry-min (20 s) is more than retry-max (10 s).");
    error_expect(e, 3, "<trap> version=\"3\" needs attribute user; virtsight uses authPriv.");
    error_expect(e, 4,
                 "<email> attribute server=\"[::1]\" is an IPv6 address, which libESMTP "
                 "cannot connect to; give a host name.");
    error_expect(e, 4, "<email> attribute from=\"me\" is not a mail address (local@domain).");
    error_expect(e, 5,
                 "<slack> attribute webhook-url-file names a file whose first line is not "
                 "an http:// or https:// URL.");
    error_expect(e, 4,
                 "Notifier name \"x\" is already used at line 3; notifier names must be "
                 "unique.");
    ck_assert_ptr_null(strstr(e, "ftp://nope"));
    ck_assert_uint_eq(n, 3);
    vs_notify_cfg_list_free(list, n);
    vs_buf_free(&errors);
}
END_TEST

/* The fragment is a grammar of its own (for editors and xmllint) with the four definitions. */
START_TEST(fragment_is_a_grammar)
{
    char *frag = src_slurp("lib/vs-notifiers.rng");
    static const char *const defines[] = { "notifiers", "trap", "email", "slack" };

    for (size_t i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof(want), "<define name=\"%s\">", defines[i]);
        ck_assert_msg(strstr(frag, want) != NULL, "no %s", want);
    }
    ck_assert_ptr_nonnull(strstr(frag, "\n<grammar "));
    ck_assert_ptr_nonnull(strstr(frag, "\n</grammar>\n"));
    ck_assert_ptr_null(strstr(frag, "<start"));
    free(frag);
}
END_TEST

static Suite *conf_suite(void)
{
    Suite *s = suite_create("vs_conf");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, attrs_good_and_defaults);
    tcase_add_test(tc, attrs_problems_at_their_line);
    tcase_add_test(tc, attrs_out_of_range);
    tcase_add_test(tc, validator_missing_attribute);
    tcase_add_test(tc, validator_unknown_element_and_doctype);
    tcase_add_test(tc, secret_line_read_and_wiped);
    tcase_add_test(tc, secret_usm);
    tcase_add_test(tc, notifiers_one_of_each);
    tcase_add_test(tc, notifiers_problems);
    tcase_add_test(tc, fragment_is_a_grammar);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(conf_suite)
