/* th_config_int: what the two halves of th_config share: the routes reader (th_config_route.c)
 * and the elements it defines, for the validator's messages. Not for other modules. */
#ifndef TH_CONFIG_INT_H
#define TH_CONFIG_INT_H

#include <stddef.h>

#include <libxml/tree.h>

#include "th_config.h"
#include "vs_conf.h"

/* <routes>, <route>, <default>, <varbind>. */
extern const vs_conf_elem *const th_config_route_elems[];
extern const size_t th_config_route_n_elems;

/* Read <routes> (node) into cfg->routes: every attribute and condition, MIB names resolved. */
void th_config_routes_read(vs_conf_ctx *ctx, th_config *cfg, xmlNode *node);

/* Checks across elements: route names unique, each route complete (th_route_check), every
 * notifier a route names defined, notifier names unique. */
void th_config_routes_check(vs_conf_ctx *ctx, th_config *cfg);

#endif /* TH_CONFIG_INT_H */
