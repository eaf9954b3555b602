/* sa_domxml: read a domain's OS type, vCPU and memory sizes, disks and network interfaces
 * from its libvirt XML definition (and the host CPU model from the capabilities), walking the libxml2 tree directly (no XPath: it is called
 * for thousands of domains when a hypervisor is first sampled). */
#include "config.h"

#include "sa_domxml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vs_num.h"

#define DOMXML_CHUNK 1024

/* Whether node is the element called name. */
static int is_elem(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

/* The first child element of node called name, or NULL. */
static xmlNode *child_elem(const xmlNode *node, const char *name)
{
    for (xmlNode *c = node->children; c != NULL; c = c->next) {
        if (is_elem(c, name))
            return c;
    }
    return NULL;
}

/* A copy in the arena of the attribute name of node, "" when absent; NULL when memory is
 * short. */
static const char *attr(sa_domxml *d, const xmlNode *node, const char *name)
{
    if (node == NULL)
        return "";
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    if (v == NULL)
        return "";
    const char *copy = vs_arena_strdup(&d->arena, (const char *)v);
    xmlFree(v);
    return copy;
}

/* As attr, for the text content of node with surrounding blanks removed. */
static const char *text(sa_domxml *d, const xmlNode *node)
{
    if (node == NULL)
        return "";
    xmlChar *v = xmlNodeGetContent(node);
    if (v == NULL)
        return "";
    const char *s = (const char *)v;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    const char *copy = vs_arena_strndup(&d->arena, s, n);
    xmlFree(v);
    return copy;
}

/* Bytes per unit of libvirt's memory units (docs/formatdomain: "unit" attribute); 0 when the
 * unit is unknown. No unit means KiB. */
static uint64_t unit_bytes(const char *unit)
{
    static const struct {
        const char *name;
        uint64_t bytes;
    } units[] = {
        { "", 1024ULL },
        { "b", 1ULL },
        { "bytes", 1ULL },
        { "KB", 1000ULL },
        { "k", 1024ULL },
        { "KiB", 1024ULL },
        { "MB", 1000000ULL },
        { "M", 1ULL << 20 },
        { "MiB", 1ULL << 20 },
        { "GB", 1000000000ULL },
        { "G", 1ULL << 30 },
        { "GiB", 1ULL << 30 },
        { "TB", 1000000000000ULL },
        { "T", 1ULL << 40 },
        { "TiB", 1ULL << 40 },
        { "PB", 1000000000000000ULL },
        { "P", 1ULL << 50 },
        { "PiB", 1ULL << 50 },
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(unit, units[i].name) == 0)
            return units[i].bytes;
    }
    return 0;
}

/* A memory element's size in KiB, rounded up as libvirt does; 0 when the element is absent.
 * Returns 0, or -1 with a message in err. */
static int parse_memory(sa_domxml *d, const xmlNode *node, uint64_t *kib, char *err, size_t size)
{
    unsigned long long value;

    *kib = 0;
    if (node == NULL)
        return 0;
    const char *unit = attr(d, node, "unit");
    const char *t = text(d, node);
    uint64_t scale = unit != NULL ? unit_bytes(unit) : 0;
    if (t == NULL || scale == 0 || vs_num_parse_u64(t, UINT64_MAX / scale, &value) < 0) {
        snprintf(err, size, "<%s> holds \"%s\" with unit \"%s\", not a memory size.",
                 (const char *)node->name, t != NULL ? t : "", unit != NULL ? unit : "");
        return -1;
    }
    uint64_t bytes = value * scale;
    *kib = bytes / 1024 + (bytes % 1024 != 0);
    return 0;
}

/* <vcpu current='N'>MAX</vcpu>. Returns 0, or -1 with a message in err. */
static int parse_vcpu(sa_domxml *d, const xmlNode *node, char *err, size_t size)
{
    unsigned long v;

    if (node == NULL)
        return 0;
    const char *t = text(d, node);
    if (t == NULL || vs_num_parse_ulong(t, UINT32_MAX, &v) < 0) {
        snprintf(err, size, "<vcpu> holds \"%s\", not a number of vCPUs.", t != NULL ? t : "");
        return -1;
    }
    d->vcpus_max = d->vcpus_current = (uint32_t)v;
    const char *cur = attr(d, node, "current");
    if (cur != NULL && *cur != '\0') {
        if (vs_num_parse_ulong(cur, UINT32_MAX, &v) < 0) {
            snprintf(err, size, "<vcpu current> is \"%s\", not a number of vCPUs.", cur);
            return -1;
        }
        d->vcpus_current = (uint32_t)v;
    }
    return 0;
}

int sa_domxml_parse_mac(const char *text_mac, unsigned char mac[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = *text_mac++;
            unsigned nib;
            if (c >= '0' && c <= '9')
                nib = (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                nib = (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                nib = (unsigned)(c - 'A' + 10);
            else
                return -1;
            v = v * 16 + nib;
        }
        mac[i] = (unsigned char)v;
        if (*text_mac != (i < 5 ? ':' : '\0'))
            return -1;
        text_mac++;
    }
    return 0;
}

/* Where a disk's data comes from, as virsh domblklist shows it: the first of its source's
 * file, dev, dir, name (a network disk) and volume attributes; "" when it has none. */
static const char *disk_source(sa_domxml *d, const xmlNode *src)
{
    static const char *const attrs[] = { "file", "dev", "dir", "name", "volume" };

    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        const char *v = attr(d, src, attrs[i]);
        if (v == NULL || *v != '\0')
            return v;
    }
    return "";
}

/* What an interface of type is attached to, per vsNicSource: the network, the bridge or the
 * host device. */
static const char *nic_source(sa_domxml *d, const char *type, const xmlNode *src)
{
    if (strcmp(type, "network") == 0)
        return attr(d, src, "network");
    if (strcmp(type, "bridge") == 0)
        return attr(d, src, "bridge");
    if (strcmp(type, "direct") == 0)
        return attr(d, src, "dev");
    return "";
}

/* Fill one disk from its element; -1 when memory is short. */
static int parse_disk(sa_domxml *d, const xmlNode *node, sa_domxml_disk *out)
{
    out->type = attr(d, node, "type");
    out->device = attr(d, node, "device");
    if (out->device != NULL && *out->device == '\0')
        out->device = "disk";
    out->target = attr(d, child_elem(node, "target"), "dev");
    out->source = disk_source(d, child_elem(node, "source"));
    return out->type && out->device && out->target && out->source ? 0 : -1;
}

/* Fill one interface from its element; -1 with a message in err. */
static int parse_nic(sa_domxml *d, const xmlNode *node, sa_domxml_nic *out, char *err, size_t size)
{
    out->type = attr(d, node, "type");
    out->model = attr(d, child_elem(node, "model"), "type");
    out->target = attr(d, child_elem(node, "target"), "dev");
    out->source = out->type != NULL ? nic_source(d, out->type, child_elem(node, "source")) : NULL;
    const char *mac = attr(d, child_elem(node, "mac"), "address");
    if (!out->type || !out->model || !out->target || !out->source || !mac) {
        snprintf(err, size, "Out of memory.");
        return -1;
    }
    out->has_mac = *mac != '\0';
    if (out->has_mac && sa_domxml_parse_mac(mac, out->mac) < 0) {
        snprintf(err, size, "<mac address> is \"%s\", not a MAC address.", mac);
        return -1;
    }
    return 0;
}

/* The disks and interfaces of <devices>, in document order. Returns 0 or -1 (err set). */
static int parse_devices(sa_domxml *d, const xmlNode *devices, char *err, size_t size)
{
    size_t nd = 0, nn = 0;

    if (devices == NULL)
        return 0;
    for (const xmlNode *c = devices->children; c != NULL; c = c->next) {
        nd += is_elem(c, "disk");
        nn += is_elem(c, "interface");
    }
    sa_domxml_disk *disk = vs_arena_calloc(&d->arena, nd ? nd : 1, sizeof(*disk));
    sa_domxml_nic *nic = vs_arena_calloc(&d->arena, nn ? nn : 1, sizeof(*nic));
    if (disk == NULL || nic == NULL) {
        snprintf(err, size, "Out of memory.");
        return -1;
    }
    for (const xmlNode *c = devices->children; c != NULL; c = c->next) {
        if (is_elem(c, "disk") && parse_disk(d, c, &disk[d->n_disk++]) < 0) {
            snprintf(err, size, "Out of memory.");
            return -1;
        }
        if (is_elem(c, "interface") && parse_nic(d, c, &nic[d->n_nic++], err, size) < 0)
            return -1;
    }
    d->disk = disk;
    d->nic = nic;
    return 0;
}

/* Everything below the <domain> root. Returns 0 or -1 (err set). */
static int parse_domain(sa_domxml *d, const xmlNode *root, char *err, size_t size)
{
    const xmlNode *os = child_elem(root, "os");
    d->os_type = os != NULL ? text(d, child_elem(os, "type")) : "";
    if (d->os_type == NULL) {
        snprintf(err, size, "Out of memory.");
        return -1;
    }
    if (parse_vcpu(d, child_elem(root, "vcpu"), err, size) < 0
        || parse_memory(d, child_elem(root, "memory"), &d->mem_max_kib, err, size) < 0
        || parse_memory(d, child_elem(root, "currentMemory"), &d->mem_cur_kib, err, size) < 0)
        return -1;
    if (d->mem_cur_kib == 0)
        d->mem_cur_kib = d->mem_max_kib;
    return parse_devices(d, child_elem(root, "devices"), err, size);
}

void sa_domxml_init(void)
{
    xmlInitParser();
}

static sa_domxml *domxml_compact(const sa_domxml *d);

sa_domxml *sa_domxml_parse(const char *xml, size_t len, char *err, size_t err_size)
{
    if (len > INT32_MAX) {
        snprintf(err, err_size, "The domain XML is too large (%zu bytes).", len);
        return NULL;
    }
    xmlDoc *doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        const xmlError *e = xmlGetLastError();
        snprintf(err, err_size, "The domain XML is not well-formed%s%s", e ? ": " : ".",
                 e && e->message ? e->message : "");
        /* libxml2's messages end in a newline. */
        size_t n = strlen(err);
        if (n > 0 && err[n - 1] == '\n')
            err[n - 1] = '\0';
        return NULL;
    }
    sa_domxml *d = calloc(1, sizeof(*d));
    xmlNode *root = xmlDocGetRootElement(doc);
    int rc = -1;
    if (d == NULL) {
        snprintf(err, err_size, "Out of memory.");
    } else if (root == NULL || !is_elem(root, "domain")) {
        snprintf(err, err_size, "The XML is not a domain definition (its root is <%s>).",
                 root != NULL ? (const char *)root->name : "");
    } else {
        vs_arena_init(&d->arena, DOMXML_CHUNK);
        rc = parse_domain(d, root, err, err_size);
    }
    xmlFreeDoc(doc);
    sa_domxml *c = rc == 0 ? domxml_compact(d) : NULL;
    if (rc == 0 && c == NULL)
        snprintf(err, err_size, "Out of memory.");
    sa_domxml_free(d);
    return c;
}

static const char *const common_words[] = {
    "",       "hvm",     "linux",  "xen",    "exe",    "file",     "block",   "network",
    "volume", "dir",     "disk",   "cdrom",  "floppy", "lun",      "virtio",  "e1000",
    "e1000e", "rtl8139", "bridge", "direct", "user",   "ethernet", "default", "virtio-net",
    "vda",    "vdb",     "vdc",    "vdd",    "sda",    "sdb",      "hda",     "hdc",
};

const char *sa_domxml_common(const char *s)
{
    for (size_t i = 0; i < sizeof(common_words) / sizeof(common_words[0]); i++) {
        if (strcmp(s, common_words[i]) == 0)
            return common_words[i];
    }
    return NULL;
}

/* Bytes s takes in a compacted block: none for a common word. */
static size_t str_need(const char *s)
{
    return sa_domxml_common(s) != NULL ? 0 : strlen(s) + 1;
}

/* s in a compacted block: the static common word, or a copy written at *pos. */
static const char *str_put(char **pos, const char *s)
{
    const char *w = sa_domxml_common(s);
    if (w != NULL)
        return w;
    size_t n = strlen(s) + 1;
    memcpy(*pos, s, n);
    *pos += n;
    return *pos - n;
}

/* A copy of d in one block of exactly the size it needs (the struct, then the arrays, then the
 * strings), so that the thousands of parse results the sampler keeps cost what they hold.
 * NULL when memory is short. */
static sa_domxml *domxml_compact(const sa_domxml *d)
{
    size_t need = sizeof(sa_domxml) + d->n_disk * sizeof(sa_domxml_disk)
                  + d->n_nic * sizeof(sa_domxml_nic) + str_need(d->os_type);
    for (size_t i = 0; i < d->n_disk; i++) {
        const sa_domxml_disk *k = &d->disk[i];
        need += str_need(k->target) + str_need(k->source) + str_need(k->type) + str_need(k->device);
    }
    for (size_t i = 0; i < d->n_nic; i++) {
        const sa_domxml_nic *k = &d->nic[i];
        need += str_need(k->model) + str_need(k->type) + str_need(k->source) + str_need(k->target);
    }
    sa_domxml *c = malloc(need);
    if (c == NULL)
        return NULL;
    *c = *d;
    memset(&c->arena, 0, sizeof(c->arena));
    sa_domxml_disk *disk = (sa_domxml_disk *)(c + 1);
    sa_domxml_nic *nic = (sa_domxml_nic *)(disk + d->n_disk);
    char *pos = (char *)(nic + d->n_nic);
    for (size_t i = 0; i < d->n_disk; i++) {
        disk[i].target = str_put(&pos, d->disk[i].target);
        disk[i].source = str_put(&pos, d->disk[i].source);
        disk[i].type = str_put(&pos, d->disk[i].type);
        disk[i].device = str_put(&pos, d->disk[i].device);
    }
    for (size_t i = 0; i < d->n_nic; i++) {
        nic[i] = d->nic[i];
        nic[i].model = str_put(&pos, d->nic[i].model);
        nic[i].type = str_put(&pos, d->nic[i].type);
        nic[i].source = str_put(&pos, d->nic[i].source);
        nic[i].target = str_put(&pos, d->nic[i].target);
    }
    c->os_type = str_put(&pos, d->os_type);
    c->disk = d->n_disk ? disk : NULL;
    c->nic = d->n_nic ? nic : NULL;
    return c;
}

void sa_domxml_free(sa_domxml *d)
{
    if (d == NULL)
        return;
    vs_arena_free(&d->arena);
    free(d);
}

char *sa_domxml_caps_cpu_model(const char *caps_xml, size_t len)
{
    if (len > INT32_MAX)
        return NULL;
    xmlDoc *doc = xmlReadMemory(caps_xml, (int)len, "capabilities.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return NULL;
    const xmlNode *n = xmlDocGetRootElement(doc);
    static const char *const path[] = { "host", "cpu", "model" };
    for (size_t i = 0; n != NULL && i < sizeof(path) / sizeof(path[0]); i++)
        n = child_elem(n, path[i]);
    xmlChar *v = n != NULL ? xmlNodeGetContent(n) : NULL;
    char *model = strdup(v != NULL ? (const char *)v : "");
    xmlFree(v);
    xmlFreeDoc(doc);
    return model;
}
