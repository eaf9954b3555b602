/* vs_conf_load: the skeleton every program's configuration load follows (context, file, schema,
 * the program's reader, clean-up), so that each program writes only what its file holds. */
#include "config.h"

#include "vs_conf.h"

#include <libxml/tree.h>

int vs_conf_load(vs_conf_ctx *ctx, const char *path, vs_buf *errors, const vs_conf_loader *ld,
                 int no_memory, void *arg)
{
    const vs_conf_elem *elems[VS_CONF_ELEMS_MAX];
    size_t n_elems = 0;

    for (size_t l = 0; l < VS_CONF_ELEM_LISTS; l++) {
        for (size_t i = 0; i < ld->elems[l].n && n_elems < VS_CONF_ELEMS_MAX; i++)
            elems[n_elems++] = ld->elems[l].elems[i];
    }
    if (vs_conf_ctx_init(ctx, path, errors, ld->schema, ld->schema_len) == 0) {
        ctx->elems = elems; /* only while the load runs */
        ctx->n_elems = n_elems;
        ctx->uri_redact = ld->uri_redact;
        if (no_memory) {
            VS_CONF_ERR(ctx, 0, "Out of memory while loading the configuration.");
        } else {
            xmlDoc *doc = vs_conf_xml_load(ctx);
            if (doc != NULL)
                ld->read(arg, xmlDocGetRootElement(doc));
            xmlFreeDoc(doc);
        }
    }
    vs_conf_ctx_clear(ctx);
    ctx->elems = NULL;
    ctx->n_elems = 0;
    return ctx->n_errors;
}
