/* Unit tests of sa_domxml on domain definitions given as strings: OS type, vCPUs, memory in
 * every unit, disks of each kind, interfaces of each kind, and malformed input. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sa_domxml.h"
#include "vs_check.h"

static sa_domxml *parse_ok(const char *xml)
{
    char err[256] = "";
    sa_domxml *d = sa_domxml_parse(xml, strlen(xml), err, sizeof(err));
    ck_assert_msg(d != NULL, "parse failed: %s", err);
    return d;
}

static const char full_xml[] =
    "<domain type='kvm' id='7'>\n"
    "  <name>web01</name>\n"
    "  <uuid>11111111-0000-4000-8000-000000000001</uuid>\n"
    "  <memory unit='MiB'>4096</memory>\n"
    "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
    "  <vcpu placement='static' current='2'>4</vcpu>\n"
    "  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>\n"
    "  <devices>\n"
    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>\n"
    "      <source file='/var/lib/libvirt/images/web 01.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/></disk>\n"
    "    <disk type='block' device='disk'><source dev='/dev/vg0/logs'/>\n"
    "      <target dev='vdb' bus='virtio'/></disk>\n"
    "    <disk type='network' device='disk'>\n"
    "      <source protocol='rbd' name='pool/image'><host name='mon1'/></source>\n"
    "      <target dev='vdc' bus='virtio'/></disk>\n"
    "    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>\n"
    "    <disk type='volume' device='disk'><source pool='default' volume='data.img'/>\n"
    "      <target dev='vdd'/></disk>\n"
    "    <disk type='dir' device='floppy'><source dir='/srv/floppy'/><target dev='fda'/></disk>\n"
    "    <controller type='usb' index='0'/>\n"
    "    <interface type='network'><mac address='52:54:00:AB:cd:01'/>\n"
    "      <source network='default' bridge='virbr0'/><target dev='vnet3'/>\n"
    "      <model type='virtio'/></interface>\n"
    "    <interface type='bridge'><mac address='52:54:00:00:00:02'/>\n"
    "      <source bridge='br0'/><model type='e1000'/></interface>\n"
    "    <interface type='direct'><mac address='52:54:00:00:00:03'/>\n"
    "      <source dev='eth1' mode='vepa'/></interface>\n"
    "    <interface type='user'><model type='rtl8139'/></interface>\n"
    "  </devices>\n"
    "</domain>\n";

START_TEST(full_definition)
{
    sa_domxml *d = parse_ok(full_xml);
    static const unsigned char mac0[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0x01 };

    ck_assert_str_eq(d->os_type, "hvm");
    ck_assert_uint_eq(d->vcpus_max, 4);
    ck_assert_uint_eq(d->vcpus_current, 2);
    ck_assert_uint_eq(d->mem_max_kib, 4096 * 1024);
    ck_assert_uint_eq(d->mem_cur_kib, 2097152);
    ck_assert_uint_eq(d->n_disk, 6);
    const char *targets[] = { "vda", "vdb", "vdc", "hdc", "vdd", "fda" };
    const char *sources[] = {
        "/var/lib/libvirt/images/web 01.qcow2",
        "/dev/vg0/logs",
        "pool/image",
        "",
        "data.img",
        "/srv/floppy",
    };
    const char *types[] = { "file", "block", "network", "file", "volume", "dir" };
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(d->disk[i].target, targets[i]);
        ck_assert_str_eq(d->disk[i].source, sources[i]);
        ck_assert_str_eq(d->disk[i].type, types[i]);
    }
    ck_assert_str_eq(d->disk[3].device, "cdrom");
    ck_assert_uint_eq(d->n_nic, 4);
    ck_assert_int_eq(d->nic[0].has_mac, 1);
    ck_assert_mem_eq(d->nic[0].mac, mac0, 6);
    ck_assert_str_eq(d->nic[0].type, "network");
    ck_assert_str_eq(d->nic[0].source, "default");
    ck_assert_str_eq(d->nic[0].target, "vnet3");
    ck_assert_str_eq(d->nic[0].model, "virtio");
    ck_assert_str_eq(d->nic[1].source, "br0");
    ck_assert_str_eq(d->nic[1].target, "");
    ck_assert_str_eq(d->nic[2].source, "eth1");
    ck_assert_str_eq(d->nic[2].model, "");
    ck_assert_str_eq(d->nic[3].type, "user");
    ck_assert_str_eq(d->nic[3].source, "");
    ck_assert_int_eq(d->nic[3].has_mac, 0);
    sa_domxml_free(d);
}
END_TEST

START_TEST(minimal_definition)
{
    sa_domxml *d = parse_ok("<domain type='test'><name>x</name></domain>");

    ck_assert_str_eq(d->os_type, "");
    ck_assert_uint_eq(d->vcpus_max, 0);
    ck_assert_uint_eq(d->mem_max_kib, 0);
    ck_assert_uint_eq(d->n_disk, 0);
    ck_assert_uint_eq(d->n_nic, 0);
    sa_domxml_free(d);
    sa_domxml_free(NULL);
}
END_TEST

typedef struct {
    const char *unit;
    const char *value;
    unsigned long long kib;
} unit_case;

static const unit_case unit_cases[] = {
    { NULL, "1024", 1024 },
    { "b", "1024", 1 },
    { "bytes", "1025", 2 },
    { "KB", "1024", 1000 },
    { "k", "3", 3 },
    { "KiB", "3", 3 },
    { "MB", "1", 977 },
    { "M", "2", 2048 },
    { "MiB", "2", 2048 },
    { "GB", "1", 976563 },
    { "G", "1", 1048576 },
    { "GiB", "8", 8388608 },
    { "TB", "1", 976562500 },
    { "T", "1", 1073741824ULL },
    { "TiB", "2", 2147483648ULL },
    { "PB", "1", 976562500000ULL },
    { "P", "1", 1ULL << 40 },
    { "PiB", "1", 1ULL << 40 },
};

START_TEST(memory_units)
{
    const unit_case *c = &unit_cases[_i];
    char xml[256];

    if (c->unit != NULL)
        snprintf(xml, sizeof(xml), "<domain><memory unit='%s'> %s </memory></domain>", c->unit,
                 c->value);
    else
        snprintf(xml, sizeof(xml), "<domain><memory>%s</memory></domain>", c->value);
    sa_domxml *d = parse_ok(xml);
    ck_assert_uint_eq(d->mem_max_kib, c->kib);
    ck_assert_uint_eq(d->mem_cur_kib, c->kib);
    sa_domxml_free(d);
}
END_TEST

static const char *const bad_xml[] = {
    "",
    "<domain><name>x</name>",
    "<network><name>x</name></network>",
    "<domain><memory unit='parsecs'>1</memory></domain>",
    "<domain><memory>lots</memory></domain>",
    "<domain><memory unit='PiB'>99999999999</memory></domain>",
    "<domain><vcpu>-1</vcpu></domain>",
    "<domain><vcpu current='two'>4</vcpu></domain>",
    "<domain><devices><interface type='network'><mac address='52:54:00:00:00'/></interface>"
    "</devices></domain>",
    "<domain><devices><interface type='network'><mac address='52:54:00:00:00:0g'/></interface>"
    "</devices></domain>",
};

START_TEST(malformed_definitions)
{
    char err[256] = "";
    const char *xml = bad_xml[_i];

    ck_assert_ptr_null(sa_domxml_parse(xml, strlen(xml), err, sizeof(err)));
    ck_assert_msg(err[0] != '\0', "no message for case %d", _i);
    ck_assert_msg(strchr(err, '\n') == NULL, "message has a newline: %s", err);
}
END_TEST

START_TEST(mac_addresses)
{
    unsigned char mac[6];
    static const unsigned char want[6] = { 0, 0x1b, 0x21, 0xff, 0xa0, 0x0f };

    ck_assert_int_eq(sa_domxml_parse_mac("00:1b:21:FF:a0:0F", mac), 0);
    ck_assert_mem_eq(mac, want, 6);
    ck_assert_int_eq(sa_domxml_parse_mac("00:1b:21:FF:a0:0F:", mac), -1);
    ck_assert_int_eq(sa_domxml_parse_mac("00-1b-21-FF-a0-0F", mac), -1);
    ck_assert_int_eq(sa_domxml_parse_mac("0:1b:21:FF:a0:0F", mac), -1);
    ck_assert_int_eq(sa_domxml_parse_mac("", mac), -1);
}
END_TEST

START_TEST(capabilities_cpu_model)
{
    const char *caps = "<capabilities><host><uuid>x</uuid><cpu><arch>x86_64</arch>"
                       "<model>Skylake-Client-IBRS</model><vendor>Intel</vendor></cpu></host>"
                       "</capabilities>";
    const char *none = "<capabilities><host><cpu><arch>i686</arch></cpu></host></capabilities>";
    char *m = sa_domxml_caps_cpu_model(caps, strlen(caps));

    ck_assert_str_eq(m, "Skylake-Client-IBRS");
    free(m);
    m = sa_domxml_caps_cpu_model(none, strlen(none));
    ck_assert_str_eq(m, "");
    free(m);
    ck_assert_ptr_null(sa_domxml_caps_cpu_model("<caps", 5));
}
END_TEST

static Suite *domxml_suite(void)
{
    Suite *s = suite_create("sa_domxml");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, full_definition);
    tcase_add_test(tc, minimal_definition);
    tcase_add_loop_test(tc, memory_units, 0, (int)(sizeof(unit_cases) / sizeof(unit_cases[0])));
    tcase_add_loop_test(tc, malformed_definitions, 0, (int)(sizeof(bad_xml) / sizeof(bad_xml[0])));
    tcase_add_test(tc, mac_addresses);
    tcase_add_test(tc, capabilities_cpu_model);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(domxml_suite)
