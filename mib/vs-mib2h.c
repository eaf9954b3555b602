/* vs-mib2h: generate the C header of OIDs, column numbers, types, ranges and enumerations
 * of a MIB subtree, using Net-SNMP's MIB parser, so the code never types an OID by hand.
 *
 * usage: vs-mib2h MODULE ROOT-DESCRIPTOR GUARD > header.h   (MIBDIRS must find the modules)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define NAME_MAX_LEN 128
#define MAX_NODES 1024

typedef struct {
    struct tree *node;
    char name[NAME_MAX_LEN]; /* upper snake case, without the "vs" prefix */
} gen_node;

static gen_node nodes[MAX_NODES];
static size_t n_nodes;

/* Turn a descriptor such as vsVmUuidVmIndex into VM_UUID_VM_INDEX (vsFoo loses its "vs").
 * Returns 0, or -1 (and says why) when the result does not fit. */
static int name_to_macro(const char *label, char *out, size_t outlen)
{
    const char *s = label;
    size_t o = 0;

    if (s[0] == 'v' && s[1] == 's' && isupper((unsigned char)s[2]))
        s += 2;
    for (size_t i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned char prev = i > 0 ? (unsigned char)s[i - 1] : 0;
        unsigned char next = (unsigned char)s[i + 1];
        int boundary = i > 0 && isupper(c)
                       && (islower(prev) || isdigit(prev) || (isupper(prev) && islower(next)));

        if (o + 3 > outlen) {
            fprintf(stderr, "vs-mib2h: descriptor %s is too long.\n", label);
            return -1;
        }
        if (boundary)
            out[o++] = '_';
        out[o++] = c == '-' ? '_' : (char)toupper(c);
    }
    out[o] = '\0';
    return 0;
}

/* Depth-first walk in OID order, collecting every node under root. */
static int collect(struct tree *node)
{
    struct tree *kids[MAX_NODES];
    size_t n = 0;

    if (n_nodes >= MAX_NODES) {
        fprintf(stderr, "vs-mib2h: more than %d nodes.\n", MAX_NODES);
        return -1;
    }
    nodes[n_nodes].node = node;
    if (name_to_macro(node->label, nodes[n_nodes].name, NAME_MAX_LEN) < 0)
        return -1;
    for (size_t i = 0; i < n_nodes; i++) {
        if (strcmp(nodes[i].name, nodes[n_nodes].name) == 0) {
            fprintf(stderr, "vs-mib2h: %s and %s both map to the C name %s.\n",
                    nodes[i].node->label, node->label, nodes[i].name);
            return -1;
        }
    }
    n_nodes++;
    for (struct tree *k = node->child_list; k != NULL && n < MAX_NODES; k = k->next_peer)
        kids[n++] = k;
    /* Child lists are not kept in order: sort by sub-identifier (insertion sort, few kids). */
    for (size_t i = 1; i < n; i++) {
        struct tree *t = kids[i];
        size_t j = i;
        while (j > 0 && kids[j - 1]->subid > t->subid) {
            kids[j] = kids[j - 1];
            j--;
        }
        kids[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        if (collect(kids[i]) < 0)
            return -1;
    }
    return 0;
}

/* The ASN.1 tag macro for a node's base type, or NULL for nodes that carry no value. */
static const char *type_macro(int type)
{
    switch (type) {
    case TYPE_INTEGER:
    case TYPE_INTEGER32:
        return "ASN_INTEGER";
    case TYPE_OCTETSTR:
        return "ASN_OCTET_STR";
    case TYPE_OBJID:
        return "ASN_OBJECT_ID";
    case TYPE_IPADDR:
        return "ASN_IPADDRESS";
    case TYPE_COUNTER:
        return "ASN_COUNTER";
    case TYPE_GAUGE:
        return "ASN_GAUGE";
    case TYPE_UNSIGNED32:
        return "ASN_UNSIGNED";
    case TYPE_TIMETICKS:
        return "ASN_TIMETICKS";
    case TYPE_COUNTER64:
        return "ASN_COUNTER64";
    case TYPE_BITSTRING:
        return "ASN_OCTET_STR";
    default:
        return NULL;
    }
}

static int type_is_unsigned(int type)
{
    return type == TYPE_GAUGE || type == TYPE_UNSIGNED32 || type == TYPE_COUNTER
           || type == TYPE_TIMETICKS;
}

static const char *access_name(int access)
{
    switch (access) {
    case MIB_ACCESS_READONLY:
        return "read-only";
    case MIB_ACCESS_READWRITE:
        return "read-write";
    case MIB_ACCESS_NOACCESS:
        return "not-accessible";
    case MIB_ACCESS_NOTIFY:
        return "accessible-for-notify";
    case MIB_ACCESS_CREATE:
        return "read-create";
    default:
        return "none";
    }
}

/* Print the OID of node as "1, 3, 6, ..." and return its length. */
static int print_oid(struct tree *node)
{
    unsigned long subids[MAX_OID_LEN];
    int len = 0;

    for (struct tree *t = node; t != NULL && len < MAX_OID_LEN; t = t->parent)
        subids[len++] = t->subid;
    for (int i = len - 1; i >= 0; i--)
        printf("%lu%s", subids[i], i > 0 ? ", " : "");
    return len;
}

static int node_is_column(struct tree *t)
{
    return t->parent != NULL && t->parent->indexes != NULL;
}

static void emit_node(const gen_node *g)
{
    struct tree *t = g->node;
    const char *tm = type_macro(t->type);

    if (t->type == TYPE_NOTIFTYPE)
        printf("\n/* %s: notification */\n", t->label);
    else if (tm != NULL)
        printf("\n/* %s: %s, %s */\n", t->label, tm, access_name(t->access));
    else
        printf("\n/* %s */\n", t->label);
    printf("#define VS_OID_%s ", g->name);
    int len = print_oid(t);
    printf(" /* %s */\n", t->label);
    printf("#define VS_OID_%s_LEN %d\n", g->name, len);

    if (t->indexes != NULL) {
        unsigned long last = 0;
        for (struct tree *k = t->child_list; k != NULL; k = k->next_peer)
            last = k->subid > last ? k->subid : last;
        printf("#define VS_%s_LAST_COLUMN %lu\n", g->name, last);
    }
    if (node_is_column(t))
        printf("#define VS_COL_%s %lu\n", g->name, t->subid);
    else if (tm != NULL && t->type != TYPE_NOTIFTYPE)
        printf("#define VS_SCALAR_%s %lu\n", g->name, t->subid);
    if (tm != NULL && t->type != TYPE_NOTIFTYPE)
        printf("#define VS_TYPE_%s %s\n", g->name, tm);
    if (t->ranges != NULL && tm != NULL) {
        const char *what = t->type == TYPE_OCTETSTR ? "SIZE" : "RANGE";
        const char *sfx = type_is_unsigned(t->type) ? "U" : "";
        long low = t->ranges->low, high = t->ranges->high;
        for (struct range_list *r = t->ranges; r != NULL; r = r->next) {
            if (type_is_unsigned(t->type)) {
                low = (unsigned)r->low < (unsigned)low ? r->low : low;
                high = (unsigned)r->high > (unsigned)high ? r->high : high;
            } else {
                low = r->low < low ? r->low : low;
                high = r->high > high ? r->high : high;
            }
        }
        if (type_is_unsigned(t->type)) {
            printf("#define VS_%s_%s_MIN %u%s\n", what, g->name, (unsigned)low, sfx);
            printf("#define VS_%s_%s_MAX %u%s\n", what, g->name, (unsigned)high, sfx);
        } else {
            printf("#define VS_%s_%s_MIN %ld\n", what, g->name, low);
            printf("#define VS_%s_%s_MAX %ld\n", what, g->name, high);
        }
    }
    for (struct enum_list *e = t->enums; e != NULL; e = e->next) {
        char ename[NAME_MAX_LEN];
        if (name_to_macro(e->label, ename, sizeof(ename)) == 0)
            printf("#define VS_%s_%s %d\n", g->name, ename, e->value);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: vs-mib2h MODULE ROOT-DESCRIPTOR GUARD\n");
        return 2;
    }
    const char *module = argv[1], *root_name = argv[2], *guard = argv[3];

    /* Load only the module asked for (and what it imports); MIBDIRS comes from the caller. */
    setenv("MIBS", module, 1);
    /* Parse problems are reported by the MIB checks (smilint, snmptranslate -Pw); a root
     * that does not link up to iso, checked below, is what would make this header wrong. */
    netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
    netsnmp_init_mib();

    struct tree *root = find_tree_node(root_name, -1);
    if (root == NULL) {
        fprintf(stderr, "vs-mib2h: %s not found after loading %s (MIBDIRS=%s).\n", root_name,
                module, getenv("MIBDIRS") ? getenv("MIBDIRS") : "(unset)");
        shutdown_mib();
        return 1;
    }
    /* A root that did not link up to iso means an import was not found. */
    struct tree *top = root;
    while (top->parent != NULL)
        top = top->parent;
    if (top->subid != 1 || strcmp(top->label, "iso") != 0) {
        fprintf(stderr, "vs-mib2h: %s is not linked under iso: an imported module is missing.\n",
                root_name);
        shutdown_mib();
        return 1;
    }
    if (collect(root) < 0) {
        shutdown_mib();
        return 1;
    }

    printf("/* Generated by vs-mib2h from %s: do not edit; edit the MIB instead.\n"
           " * Needs <net-snmp/net-snmp-includes.h> for the ASN_* type tags. */\n"
           "#ifndef %s\n#define %s\n",
           module, guard, guard);
    for (size_t i = 0; i < n_nodes; i++)
        emit_node(&nodes[i]);
    printf("\n#endif /* %s */\n", guard);
    shutdown_mib();
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
