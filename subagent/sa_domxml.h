/* sa_domxml: the few facts the sampler needs from a domain's XML definition (OS type, vCPU and
 * memory sizes, disks and network interfaces), parsed once with libxml2 into a small struct
 * that owns its strings; and the host CPU model from a capabilities document. Pure functions:
 * no libvirt call, no logging. */
#ifndef SA_DOMXML_H
#define SA_DOMXML_H

#include <stddef.h>
#include <stdint.h>

#include "vs_arena.h"

typedef struct {
    const char *target; /* <target dev>, "vda"; "" when missing */
    const char *source; /* file, dev or dir path, or volume name; "" for network or empty */
    const char *type;   /* <disk type>: "file", "block", "network", ... */
    const char *device; /* <disk device>: "disk", "cdrom", ... ("disk" when missing) */
} sa_domxml_disk;

typedef struct {
    unsigned char mac[6];
    int has_mac;
    const char *model;  /* <model type>, "" when none */
    const char *type;   /* <interface type>: "network", "bridge", "direct", ... */
    const char *source; /* network name, bridge or host device; "" when the type has none */
    const char *target; /* <target dev>, the host-side name; "" when none */
} sa_domxml_nic;

typedef struct {
    vs_arena arena;         /* while parsing: owns everything below; empty once compacted */
    const char *os_type;    /* <os><type>, "hvm"; "" when missing */
    uint32_t vcpus_max;     /* <vcpu>; 0 when missing */
    uint32_t vcpus_current; /* <vcpu current>, else vcpus_max */
    uint64_t mem_max_kib;   /* <memory>, in KiB; 0 when missing */
    uint64_t mem_cur_kib;   /* <currentMemory>, else mem_max_kib */
    const sa_domxml_disk *disk;
    size_t n_disk;
    const sa_domxml_nic *nic;
    size_t n_nic;
} sa_domxml;

/* Initialise libxml2 for use from several threads; once, before any thread parses. */
void sa_domxml_init(void);

/* Parse a <domain> document of len bytes. Returns a new sa_domxml, or NULL with a sentence
 * saying what is wrong in err (never NULL) when the text is not a well-formed domain
 * definition or a number in it is invalid. */
sa_domxml *sa_domxml_parse(const char *xml, size_t len, char *err, size_t err_size);

/* Free a parse result; accepts NULL. */
void sa_domxml_free(sa_domxml *d);

/* A static copy of s when it is one of the common words of domain definitions ("", "hvm",
 * "file", "disk", "virtio", "network", ...), else NULL: callers that keep many copies of such
 * words point to these instead. */
const char *sa_domxml_common(const char *s);

/* The host CPU model of a capabilities document (capabilities/host/cpu/model) as a malloc'd
 * string; "" (malloc'd) when it names none; NULL when the text is not XML or memory is short. */
char *sa_domxml_caps_cpu_model(const char *caps_xml, size_t len);

/* Parse "aa:bb:cc:dd:ee:ff" (either case) into mac. Returns 0 or -1. */
int sa_domxml_parse_mac(const char *text, unsigned char mac[6]);

#endif /* SA_DOMXML_H */
