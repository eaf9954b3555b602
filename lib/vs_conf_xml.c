/* vs_conf_xml: reads a configuration file and has libxml2 parse it (no DTD, no entities, no
 * network) and validate it against the RELAX NG schema the program carries in memory, turning
 * each of its complaints into "file:line: message". */
#include "config.h"

#include "vs_conf.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#define CONFIG_FILE_MAX (16L << 20) /* largest configuration file read */

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ptr;
#else
typedef xmlError *xml_error_ptr;
#endif

#define ERR VS_CONF_ERR

/* libxml2's parser and validator report here; each becomes a "file:line: message" line. */
static void xml_error_take(void *data, xml_error_ptr err)
{
    vs_conf_ctx *ctx = data;
    char msg[512];

    if (err == NULL || err->level == XML_ERR_NONE || err->level == XML_ERR_WARNING)
        return;
    int line = err->line;
    if (line <= 0 && err->node != NULL && ((xmlNode *)err->node)->type == XML_ELEMENT_NODE)
        line = vs_conf_node_line(err->node);
    vs_conf_show(err->message != NULL ? err->message : "error", msg, sizeof(msg));
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '?' || msg[n - 1] == ' '))
        msg[--n] = '\0'; /* the newline libxml2 ends with, now a '?' */
    /* The validator follows "Did not expect element x there" with "Element y has extra
     * content: x" for the same line: one problem, one line. */
    if (line == ctx->xml_line && strstr(msg, "has extra content") != NULL)
        return;
    ctx->xml_line = line;
    int attrs_failed = strstr(msg, "failed to validate attributes") != NULL;
    if (attrs_failed && err->node != NULL && vs_conf_attrs_missing(ctx, msg, err->node) == 0)
        return;
    const char *hint = attrs_failed ? ": an attribute it requires is missing" : "";
    const char *stop = n > 0 && strchr(".:!", msg[n - 1]) != NULL ? "" : ".";
    ERR(ctx, line, "%s%s%s", msg, hint, stop);
}

/* The parser meets a DOCTYPE: refuse it (no DTD, no entities, nothing loaded from outside). */
static void doctype_refuse(void *data, const xmlChar *name, const xmlChar *ext_id,
                           const xmlChar *sys_id)
{
    xmlParserCtxt *pc = data;
    vs_conf_ctx *ctx = pc->_private;

    (void)name;
    (void)ext_id;
    (void)sys_id;
    ERR(ctx, pc->input != NULL ? pc->input->line : 0,
        "A DOCTYPE declaration is not allowed here; DTDs and entities are refused.");
    xmlStopParser(pc);
}

/* Parse the configuration's text into a document, or NULL after reporting why not. */
static xmlDoc *xml_parse(vs_conf_ctx *ctx, const char *text, size_t len)
{
    int before = ctx->n_errors;
    xmlParserCtxt *pc = xmlNewParserCtxt();

    if (pc == NULL) {
        ERR(ctx, 0, "Out of memory while parsing.");
        return NULL;
    }
    pc->_private = ctx;
    pc->sax->internalSubset = doctype_refuse;
    xmlDoc *doc = xmlCtxtReadMemory(pc, text, (int)len, ctx->file, NULL,
                                    XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (doc != NULL && (!pc->wellFormed || ctx->n_errors != before)) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    if (doc == NULL && ctx->n_errors == before)
        ERR(ctx, 0, "The file is not well-formed XML.");
    xmlFreeParserCtxt(pc);
    return doc;
}

/* Validate doc against ctx's schema. Returns 0, or -1 after reporting each problem. The schema is
 * parsed from memory, so it must be whole: an <include> would be looked for in the current
 * directory (there is no base URI), hence the build merges shared fragments into it. */
static int xml_validate(vs_conf_ctx *ctx, xmlDoc *doc)
{
    int before = ctx->n_errors;
    xmlRelaxNGValidCtxt *vc = NULL;
    xmlRelaxNG *schema = NULL;
    xmlRelaxNGParserCtxt *pc = NULL;

    if (ctx->schema != NULL && ctx->schema_len <= INT_MAX)
        pc = xmlRelaxNGNewMemParserCtxt(ctx->schema, (int)ctx->schema_len);
    if (pc != NULL) {
        xmlRelaxNGSetParserStructuredErrors(pc, xml_error_take, ctx);
        schema = xmlRelaxNGParse(pc);
    }
    if (schema != NULL)
        vc = xmlRelaxNGNewValidCtxt(schema);
    if (vc == NULL) {
        ERR(ctx, 0, "The built-in schema could not be prepared (out of memory, or a bug).");
    } else {
        xmlRelaxNGSetValidStructuredErrors(vc, xml_error_take, ctx);
        if (xmlRelaxNGValidateDoc(vc, doc) != 0 && ctx->n_errors == before)
            ERR(ctx, 0, "The file does not follow the schema.");
    }
    xmlRelaxNGFreeValidCtxt(vc);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pc);
    return ctx->n_errors == before ? 0 : -1;
}

/* Read the whole configuration file into a new buffer. Returns 0, or -1 after reporting. */
static int file_read(vs_conf_ctx *ctx, char **text, size_t *len)
{
    struct stat st;
    int before = ctx->n_errors;
    int fd = open(ctx->file, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    *text = NULL;
    if (fd < 0 || fstat(fd, &st) < 0) {
        ERR(ctx, 0, "Cannot read the configuration: %s.", strerror(errno));
    } else if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
        ERR(ctx, 0, "The configuration is not a regular file of at most 16 MiB.");
    } else if ((*text = malloc((size_t)st.st_size + 1)) == NULL) {
        ERR(ctx, 0, "Out of memory while reading the configuration.");
    } else {
        size_t size = (size_t)st.st_size;
        size_t got = 0;
        ssize_t n = 1;
        while (got < size && (n = read(fd, *text + got, size - got)) != 0) {
            if (n < 0 && errno != EINTR)
                break;
            got += n > 0 ? (size_t)n : 0;
        }
        if (n < 0)
            ERR(ctx, 0, "Cannot read the configuration: %s.", strerror(errno));
        *len = got;
    }
    if (fd >= 0)
        close(fd);
    if (*text != NULL && ctx->n_errors != before) {
        free(*text);
        *text = NULL;
    }
    return *text != NULL ? 0 : -1;
}

xmlDoc *vs_conf_xml_load(vs_conf_ctx *ctx)
{
    char *text = NULL;
    size_t len = 0;

    if (file_read(ctx, &text, &len) < 0)
        return NULL;
    xmlInitParser();
    xmlSetStructuredErrorFunc(ctx, xml_error_take);
    xmlDoc *doc = xml_parse(ctx, text, len);
    if (doc != NULL && xml_validate(ctx, doc) < 0) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlSetStructuredErrorFunc(NULL, NULL);
    free(text);
    return doc;
}
