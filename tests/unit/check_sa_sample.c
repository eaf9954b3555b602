/* Unit tests of sa_sample (and sa_bulk) against libvirt's test driver in this process:
 * test:///default and test:///$top_srcdir/tests/data/node-mixed.xml. Each snapshot is compared
 * VM by VM with what the libvirt C API reports, and with the node file's contents. */
#include "config.h"

#include <ftw.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sa_bulk.h"
#include "sa_hv.h"
#include "sa_sample.h"
#include "sa_vmindex.h"
#include "vs_check.h"
#include "vs_log.h"
#include "vs_mib.h"

/* The snapshot posted, dropping events and jobs (none are made here). */
static sa_snapshot *take(sa_hv *hv)
{
    sa_event *ev;
    sa_ctl_job *done;
    sa_snapshot *s = sa_hv_take(hv, &ev, &done);
    sa_event_free_list(ev);
    sa_ctl_free_list(done);
    return s;
}

static char statedir[256];
static char mixed_uri[1024];

static void quiet_libvirt(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static void setup(void)
{
    const char *top = getenv("top_srcdir");
    snprintf(mixed_uri, sizeof(mixed_uri), "test://%s/tests/data/node-mixed.xml",
             top != NULL ? top : "..");
    const char *tmp = getenv("TMPDIR");
    snprintf(statedir, sizeof(statedir), "%s/check_sa_sample.XXXXXX",
             tmp != NULL && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(statedir));
    vs_log_init("test", VS_LOG_WARNING);
    virSetErrorFunc(NULL, quiet_libvirt);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void teardown(void)
{
    nftw(statedir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A sampler with its own map in statedir. */
typedef struct {
    sa_vmindex *map;
    sa_sampler *sp;
    virConnectPtr conn;
    sa_snapshot *prev;
} rig;

static void rig_open(rig *r, const char *uri)
{
    r->map = sa_vmindex_open(statedir, "hv");
    ck_assert_ptr_nonnull(r->map);
    r->sp = sa_sampler_new("hv", r->map);
    r->conn = virConnectOpen(uri);
    ck_assert_ptr_nonnull(r->conn);
    r->prev = NULL;
}

/* Take a sample; the rig keeps it as the previous one and returns it (borrowed). */
static const sa_snapshot *rig_sample(rig *r)
{
    char err[512] = "";
    sa_snapshot *s = sa_snapshot_new();
    s->conn_state = VS_HV_CONN_STATE_CONNECTING;
    ck_assert_msg(sa_sample_take(r->sp, r->conn, r->prev, s, err, sizeof(err)) == 0, "%s", err);
    sa_snapshot_unref(r->prev);
    r->prev = s;
    return s;
}

static void rig_close(rig *r)
{
    sa_snapshot_unref(r->prev);
    sa_sampler_free(r->sp);
    sa_vmindex_free(r->map);
    virConnectClose(r->conn);
}

static const sa_vm *vm_named(const sa_snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->n_vm; i++) {
        if (strcmp(s->vm[i].name, name) == 0)
            return &s->vm[i];
    }
    ck_abort_msg("no VM named %s in the snapshot", name);
    return NULL;
}

/* Compare one VM with what the libvirt API says about the domain of its UUID. */
static void check_vm_against_api(virConnectPtr conn, const sa_vm *vm)
{
    virDomainPtr d = virDomainLookupByUUID(conn, vm->uuid);
    int state, reason, autostart;
    virDomainInfo info;

    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(vm->name, virDomainGetName(d));
    ck_assert_int_eq(virDomainGetState(d, &state, &reason, 0), 0);
    ck_assert_int_eq(vm->lv_state, state);
    ck_assert_int_eq(vm->lv_reason, reason);
    ck_assert_int_eq(vm->active, virDomainIsActive(d));
    ck_assert_int_eq(vm->persistent, virDomainIsPersistent(d));
    ck_assert_int_eq(vm->has_managed_save, virDomainHasManagedSaveImage(d, 0));
    ck_assert_int_eq(virDomainGetAutostart(d, &autostart), 0);
    ck_assert(vm->has & SA_VM_HAS_AUTOSTART);
    ck_assert_int_eq(vm->autostart, autostart);
    if (vm->active) {
        ck_assert(vm->has & SA_VM_HAS_DOMAIN_ID);
        ck_assert_int_eq(vm->domain_id, (int)virDomainGetID(d));
        ck_assert(vm->has & SA_VM_HAS_CPU_TIME);
    } else {
        ck_assert(!(vm->has & (SA_VM_HAS_DOMAIN_ID | SA_VM_HAS_CPU_TIME | SA_VM_HAS_CPU_UTIL)));
        ck_assert_uint_eq(vm->n_vcpu, 0);
    }
    ck_assert_int_eq(virDomainGetInfo(d, &info), 0);
    ck_assert(vm->has & SA_VM_HAS_VCPUS);
    ck_assert_uint_eq(vm->vcpus, info.nrVirtCpu);
    ck_assert_uint_eq(vm->mem_target_mib, info.memory / 1024);
    ck_assert_uint_eq(vm->mem_max_mib, info.maxMem / 1024);
    ck_assert_uint_eq(vm->mem_max_mib, virDomainGetMaxMemory(d) / 1024);
    if (vm->active) {
        ck_assert_uint_eq(vm->vcpus_max, (unsigned)virDomainGetMaxVcpus(d));
        ck_assert_uint_eq(vm->n_vcpu, vm->vcpus);
        for (size_t i = 0; i < vm->n_vcpu; i++)
            ck_assert_uint_eq(vm->vcpu[i].number, i);
    }
    ck_assert_str_eq(vm->os_type, "hvm");
    virDomainFree(d);
}

/* Every VM of the snapshot matches the API, and the snapshot has every domain once. */
static void check_snapshot_against_api(virConnectPtr conn, const sa_snapshot *s)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    int n_active = 0;

    ck_assert_int_eq((int)s->n_vm, n);
    for (int i = 0; i < n; i++) {
        n_active += virDomainIsActive(doms[i]);
        virDomainFree(doms[i]);
    }
    free(doms);
    ck_assert_uint_eq(s->vm_count, (unsigned)n);
    ck_assert_uint_eq(s->vm_active, (unsigned)n_active);
    for (size_t i = 0; i < s->n_vm; i++) {
        if (i > 0)
            ck_assert_int_lt(s->vm[i - 1].index, s->vm[i].index);
        ck_assert_int_eq(sa_sample_find_uuid(s, s->vm[i].uuid), (long)i);
        ck_assert_ptr_eq(sa_snapshot_find_vm(s, s->vm[i].index), &s->vm[i]);
        check_vm_against_api(conn, &s->vm[i]);
    }
}

START_TEST(default_driver_matches_api)
{
    rig r;
    rig_open(&r, "test:///default");
    const sa_snapshot *s = rig_sample(&r);

    ck_assert_int_eq(s->conn_state, VS_HV_CONN_STATE_CONNECTED);
    ck_assert(s->has & SA_HV_HAS_SAMPLE_TIME);
    ck_assert_str_eq(s->driver, "TEST");
    ck_assert_str_eq(s->libvirt_version, "9.0.0");
    ck_assert_str_eq(s->driver_version, "0.0.2");
    ck_assert_str_eq(s->cpu_model, "i686");
    ck_assert_str_ne(s->hostname, "");
    ck_assert_uint_eq(s->cpu_count, 16);
    ck_assert_uint_eq(s->cpu_mhz, 1400);
    ck_assert_uint_eq(s->mem_total, 3145728ULL * 1024);
    ck_assert(!(s->has & (SA_HV_HAS_MEM_FREE | SA_HV_HAS_MEM_UTIL | SA_HV_HAS_CPU_UTIL)));
    ck_assert_int_eq(s->has_node_cpu_raw, 1);
    check_snapshot_against_api(r.conn, s);
    const sa_vm *vm = vm_named(s, "test");
    ck_assert_int_eq(vm->index, 1);
    ck_assert_str_eq(vm->state_reason, "running (unknown)");
    ck_assert_int_eq(vm->oper_state, VS_VM_OPER_STATE_RUNNING);
    ck_assert_uint_eq(vm->vcpus_max, 2);
    ck_assert_uint_eq(vm->mem_target_mib, 2048);
    ck_assert_uint_eq(vm->mem_max_mib, 8192);
    ck_assert(!(vm->has & SA_VM_HAS_START_TIME)); /* running when first seen */
    ck_assert(!(vm->has & SA_VM_HAS_CPU_UTIL));
    ck_assert_int_eq((int)(vm->discontinuity - s->sample_time), 0);
    ck_assert_uint_eq(vm->n_disk, 1);
    ck_assert_str_eq(vm->disk[0].target, "vda");
    ck_assert_str_eq(vm->disk[0].source, "/guest/diskimage1");
    ck_assert_uint_eq(vm->disk[0].has, 0);
    ck_assert_uint_eq(vm->n_nic, 1);
    ck_assert_str_eq(vm->nic[0].name, "testnet0");
    ck_assert_str_eq(vm->nic[0].source_type, "network");
    ck_assert_str_eq(vm->nic[0].source, "default");
    ck_assert_uint_eq(vm->nic[0].has, SA_NIC_HAS_MAC);
    rig_close(&r);
}
END_TEST

/* What node-mixed.xml says about each VM. */
typedef struct {
    const char *name, *state_reason;
    int oper, active, persistent, managed;
    unsigned vcpus, vcpus_max, mem, mem_max;
    const char *disks; /* "target=source;..." */
    const char *nics;  /* "mac-last-byte:model:type:source;..." */
} mixed_vm;

static const mixed_vm mixed[] = {
    { "web01", "running (unknown)", VS_VM_OPER_STATE_RUNNING, 1, 1, 0, 2, 4, 2048, 4096,
      "vda=/var/lib/libvirt/images/web01.qcow2;vdb=/var/lib/libvirt/images/web01-data.raw;"
      "vdc=/dev/vg0/web01-logs;",
      "01:virtio:network:default;02:e1000:bridge:br0;03:rtl8139:direct:eth1;" },
    { "db server 02", "idle (unknown)", VS_VM_OPER_STATE_RUNNING, 1, 1, 0, 8, 8, 8192, 8192,
      "sda=/dev/sdb;sdb=/dev/mapper/db-data;",
      "01:virtio:bridge:br-storage;02:e1000:network:default;" },
    { "Ωmega-虚拟机-ñandú-🚀", "paused (unknown)", VS_VM_OPER_STATE_PAUSED, 1, 1, 0, 1, 1, 512, 1024,
      "hda=/srv/images/ωmega root.img;hdc=;", "01:rtl8139:network:default;" },
    { "it's a \"quoted\" vm", "in shutdown (unknown)", VS_VM_OPER_STATE_SHUTTINGDOWN, 1, 1, 0, 2, 2,
      512, 512, "vda=/var/lib/libvirt/images/quoted.qcow2;vdb=export1;", "01:virtio:bridge:br0;" },
    { "stopped-vm", "shut off (unknown)", VS_VM_OPER_STATE_SHUTDOWN, 0, 1, 0, 1, 2, 1024, 2048,
      "vda=/var/lib/libvirt/images/stopped.qcow2;vdb=/dev/vg0/stopped-swap;",
      "01:virtio:network:default;02:virtio:bridge:br0;" },
    { "crashed-vm", "crashed (unknown)", VS_VM_OPER_STATE_CRASHED, 1, 1, 0, 3, 3, 1024, 1024,
      "vda=/var/lib/libvirt/images/crashed.qcow2;", "01:virtio:network:default;" },
    { "sleepy", "pmsuspended (unknown)", VS_VM_OPER_STATE_SUSPENDED, 1, 1, 0, 1, 1, 768, 768,
      "vda=/var/lib/libvirt/images/sleepy.qcow2;", "01:e1000:bridge:br1;" },
    { "nostate-vm", "no state (unknown)", VS_VM_OPER_STATE_UNKNOWN, 1, 1, 0, 1, 1, 256, 256, "",
      "" },
    { "saved-vm", "shut off (unknown)", VS_VM_OPER_STATE_SUSPENDED, 0, 1, 1, 2, 2, 2048, 2048,
      "vda=/var/lib/libvirt/images/saved.qcow2;", "01:virtio:network:default;" },
    { "transient-run", "running (unknown)", VS_VM_OPER_STATE_RUNNING, 1, 0, 0, 4, 4, 1024, 1024,
      "vda=/tmp/transient-run.qcow2;", "01:virtio:network:default;" },
    { "transient-paused", "paused (unknown)", VS_VM_OPER_STATE_PAUSED, 1, 0, 0, 2, 2, 640, 640,
      "vda=/dev/vg0/transient-paused;", "" },
    { "long-name-abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
      "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
      "abcdefghijabcdefghij",
      "running (unknown)", VS_VM_OPER_STATE_RUNNING, 1, 1, 0, 1, 1, 128, 128, "",
      "01:virtio:bridge:br0;" },
    { "empty-shell", "shut off (unknown)", VS_VM_OPER_STATE_SHUTDOWN, 0, 1, 0, 1, 1, 64, 64, "",
      "" },
};

/* The devices of vm as the "target=source;" and "mac:model:type:source;" strings. */
static void devices_text(const sa_vm *vm, char *disks, char *nics, size_t size)
{
    size_t o = 0;
    disks[0] = nics[0] = '\0';
    for (size_t i = 0; i < vm->n_disk; i++)
        o +=
            (size_t)snprintf(disks + o, size - o, "%s=%s;", vm->disk[i].target, vm->disk[i].source);
    o = 0;
    for (size_t i = 0; i < vm->n_nic; i++) {
        const sa_nic *n = &vm->nic[i];
        ck_assert(n->has & SA_NIC_HAS_MAC);
        ck_assert_int_eq(n->mac[0], 0x52);
        o += (size_t)snprintf(nics + o, size - o, "%02x:%s:%s:%s;", n->mac[5], n->model,
                              n->source_type, n->source);
        char want[32] = "";
        if (vm->active)
            snprintf(want, sizeof(want), "testnet%zu", i);
        ck_assert_str_eq(n->name, want);
    }
}

START_TEST(mixed_node_matches_api_and_file)
{
    rig r;
    char disks[1024], nics[1024];
    rig_open(&r, mixed_uri);
    const sa_snapshot *s = rig_sample(&r);

    ck_assert_str_eq(s->cpu_model, "Skylake-Server-IBRS");
    ck_assert_uint_eq(s->cpu_count, 16);
    ck_assert_uint_eq(s->cpu_mhz, 2400);
    ck_assert_uint_eq(s->mem_total, 33554432ULL * 1024);
    check_snapshot_against_api(r.conn, s);
    ck_assert_uint_eq(s->n_vm, sizeof(mixed) / sizeof(mixed[0]));
    ck_assert_uint_eq(s->vm_running, 4);
    ck_assert_uint_eq(s->vm_active, 10);
    for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++) {
        const mixed_vm *m = &mixed[i];
        const sa_vm *vm = vm_named(s, m->name);
        ck_assert_str_eq(vm->state_reason, m->state_reason);
        ck_assert_int_eq(vm->oper_state, m->oper);
        ck_assert_int_eq(vm->active, m->active);
        ck_assert_int_eq(vm->persistent, m->persistent);
        ck_assert_int_eq(vm->has_managed_save, m->managed);
        ck_assert_uint_eq(vm->vcpus, m->vcpus);
        ck_assert_uint_eq(vm->vcpus_max, m->vcpus_max);
        ck_assert_uint_eq(vm->mem_target_mib, m->mem);
        ck_assert_uint_eq(vm->mem_max_mib, m->mem_max);
        devices_text(vm, disks, nics, sizeof(disks));
        ck_assert_str_eq(disks, m->disks);
        ck_assert_str_eq(nics, m->nics);
        ck_assert_uint_eq(vm->n_vcpu, m->active ? m->vcpus : 0);
    }
    /* New VMs are numbered in name order on a first start. */
    ck_assert_str_eq(s->vm[0].name, "crashed-vm");
    ck_assert_str_eq(s->vm[s->n_vm - 1].name, "Ωmega-虚拟机-ñandú-🚀");
    rig_close(&r);
}
END_TEST

START_TEST(indexes_stable_across_restarts)
{
    int32_t first[64];
    rig r;

    rig_open(&r, mixed_uri);
    const sa_snapshot *s = rig_sample(&r);
    size_t n = s->n_vm;
    for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
        first[i] = vm_named(s, mixed[i].name)->index;
    rig_close(&r);

    rig_open(&r, mixed_uri);
    for (int round = 0; round < 2; round++) {
        s = rig_sample(&r);
        ck_assert_uint_eq(s->n_vm, n);
        for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
            ck_assert_int_eq(vm_named(s, mixed[i].name)->index, first[i]);
    }
    rig_close(&r);
}
END_TEST

/* Define (or redefine) a domain on test:///default with this name and UUID. */
static virDomainPtr define_domain(virConnectPtr conn, const char *name, const char *uuid)
{
    char xml[1024];
    snprintf(xml, sizeof(xml),
             "<domain type='test'><name>%s</name><uuid>%s</uuid><memory>65536</memory>"
             "<vcpu>1</vcpu><os><type>hvm</type></os><devices><disk type='file' device='disk'>"
             "<source file='/img/%s'/><target dev='vda'/></disk></devices></domain>",
             name, uuid, name);
    virDomainPtr d = virDomainDefineXML(conn, xml);
    ck_assert_ptr_nonnull(d);
    return d;
}

START_TEST(new_vm_gets_new_index_never_an_old_one)
{
    rig r;
    rig_open(&r, "test:///default");
    virConnectPtr ctl = virConnectOpen("test:///default");
    const char *u1 = "aaaaaaaa-0000-4000-8000-000000000001";
    const char *u2 = "aaaaaaaa-0000-4000-8000-000000000002";

    ck_assert_int_eq(vm_named(rig_sample(&r), "test")->index, 1);
    virDomainPtr d = define_domain(ctl, "extra", u1);
    const sa_snapshot *s = rig_sample(&r);
    ck_assert_int_eq(vm_named(s, "extra")->index, 2);
    ck_assert_int_eq(vm_named(s, "extra")->active, 0);
    ck_assert_str_eq(vm_named(s, "extra")->state_reason, "shut off (unknown)");
    ck_assert_int_eq(virDomainUndefine(d), 0);
    virDomainFree(d);
    s = rig_sample(&r);
    ck_assert_uint_eq(s->n_vm, 1);
    /* Same name, new UUID: a new index. The old UUID comes back: its old index. */
    d = define_domain(ctl, "extra", u2);
    ck_assert_int_eq(vm_named(rig_sample(&r), "extra")->index, 3);
    ck_assert_int_eq(virDomainUndefine(d), 0);
    virDomainFree(d);
    d = define_domain(ctl, "extra-again", u1);
    ck_assert_int_eq(vm_named(rig_sample(&r), "extra-again")->index, 2);
    virDomainFree(d);
    rig_close(&r);
    /* And after a restart of the sampler. */
    rig_open(&r, "test:///default");
    d = define_domain(ctl, "third", "aaaaaaaa-0000-4000-8000-000000000003");
    s = rig_sample(&r);
    ck_assert_int_eq(vm_named(s, "extra-again")->index, 2);
    ck_assert_int_eq(vm_named(s, "third")->index, 4);
    virDomainFree(d);
    rig_close(&r);
    virConnectClose(ctl);
}
END_TEST

START_TEST(state_changes_times_and_rates)
{
    rig r;
    rig_open(&r, "test:///default");
    virConnectPtr ctl = virConnectOpen("test:///default");
    virDomainPtr d = virDomainLookupByName(ctl, "test");
    struct timespec pause = { 0, 150 * 1000 * 1000 };

    const sa_snapshot *s = rig_sample(&r);
    time_t first_disc = vm_named(s, "test")->discontinuity;
    time_t change = s->last_change;
    nanosleep(&pause, NULL);
    s = rig_sample(&r);
    const sa_vm *vm = vm_named(s, "test");
    ck_assert(vm->has & SA_VM_HAS_CPU_UTIL); /* the test driver's CPU time is the wall clock */
    ck_assert_uint_gt(vm->cpu_util, 3500);
    ck_assert_uint_le(vm->cpu_util, 6500);
    ck_assert_int_eq((int)(vm->discontinuity - first_disc), 0);
    ck_assert_int_eq((int)(s->last_change - change), 0);

    ck_assert_int_eq(virDomainSuspend(d), 0);
    s = rig_sample(&r);
    vm = vm_named(s, "test");
    ck_assert_str_eq(vm->state_reason, "paused (user)");
    ck_assert_int_eq(vm->oper_state, VS_VM_OPER_STATE_PAUSED);
    ck_assert_uint_eq(s->vm_running, 0);
    ck_assert_int_eq(virDomainResume(d), 0);
    ck_assert_str_eq(vm_named(rig_sample(&r), "test")->state_reason, "running (unpaused)");

    ck_assert_int_eq(virDomainDestroy(d), 0);
    s = rig_sample(&r);
    vm = vm_named(s, "test");
    ck_assert_str_eq(vm->state_reason, "shut off (destroyed)");
    ck_assert_int_eq(vm->oper_state, VS_VM_OPER_STATE_SHUTDOWN);
    ck_assert_uint_eq(vm->n_vcpu, 0);
    ck_assert(vm->has & SA_VM_HAS_START_TIME); /* uptime 0 while inactive */
    ck_assert_int_eq((int)vm->start_time, 0);
    ck_assert_uint_eq(vm->n_disk, 1);
    ck_assert_str_eq(vm->nic[0].name, "");

    ck_assert_int_eq(virDomainCreate(d), 0);
    s = rig_sample(&r);
    vm = vm_named(s, "test");
    ck_assert_str_eq(vm->state_reason, "running (booted)");
    ck_assert(vm->has & SA_VM_HAS_START_TIME); /* seen starting */
    ck_assert_int_eq((int)(vm->start_time - s->sample_time), 0);
    ck_assert_int_eq((int)(vm->discontinuity - s->sample_time), 0);
    ck_assert(!(vm->has & SA_VM_HAS_CPU_UTIL));
    ck_assert_int_eq(vm->domain_id, (int)virDomainGetID(d));
    nanosleep(&pause, NULL);
    ck_assert(vm_named(rig_sample(&r), "test")->has & SA_VM_HAS_CPU_UTIL);
    rig_close(&r);
    virDomainFree(d);
    virConnectClose(ctl);
}
END_TEST

START_TEST(start_time_survives_sampler_restart)
{
    rig r;
    rig_open(&r, "test:///default");
    virConnectPtr ctl = virConnectOpen("test:///default");
    virDomainPtr d = virDomainLookupByName(ctl, "test");

    ck_assert(!(vm_named(rig_sample(&r), "test")->has & SA_VM_HAS_START_TIME));
    ck_assert_int_eq(virDomainDestroy(d), 0);
    ck_assert_int_eq(virDomainCreate(d), 0);
    const sa_vm *vm = vm_named(rig_sample(&r), "test");
    ck_assert(vm->has & SA_VM_HAS_START_TIME);
    time_t started = vm->start_time;
    rig_close(&r);
    sleep(1);

    /* The start time survives a restart of the sampler while the instance runs... */
    rig_open(&r, "test:///default");
    vm = vm_named(rig_sample(&r), "test");
    ck_assert(vm->has & SA_VM_HAS_START_TIME);
    ck_assert_int_eq((int)(vm->start_time - started), 0);
    rig_close(&r);
    /* ...but not a restart of the VM while the sampler was away. */
    ck_assert_int_eq(virDomainDestroy(d), 0);
    ck_assert_int_eq(virDomainCreate(d), 0);
    rig_open(&r, "test:///default");
    vm = vm_named(rig_sample(&r), "test");
    ck_assert(!(vm->has & SA_VM_HAS_START_TIME));
    rig_close(&r);
    virDomainFree(d);
    virConnectClose(ctl);
}
END_TEST

START_TEST(autostart_and_managed_save)
{
    rig r;
    rig_open(&r, "test:///default");
    virConnectPtr ctl = virConnectOpen("test:///default");
    virDomainPtr d = virDomainLookupByName(ctl, "test");

    ck_assert_int_eq(vm_named(rig_sample(&r), "test")->autostart, 0);
    ck_assert_int_eq(virDomainSetAutostart(d, 1), 0);
    ck_assert_int_eq(virDomainManagedSave(d, 0), 0);
    const sa_snapshot *s = rig_sample(&r);
    const sa_vm *vm = vm_named(s, "test");
    ck_assert_int_eq(vm->autostart, 1);
    ck_assert_int_eq(vm->has_managed_save, 1);
    ck_assert_str_eq(vm->state_reason, "shut off (saved)");
    ck_assert_int_eq(vm->oper_state, VS_VM_OPER_STATE_SUSPENDED);
    check_snapshot_against_api(ctl, s);
    virDomainFree(d);
    virConnectClose(ctl);
    rig_close(&r);
}
END_TEST

START_TEST(vm_set_and_state_move_last_change)
{
    rig r;
    rig_open(&r, mixed_uri);
    const sa_snapshot *s = rig_sample(&r);
    time_t t0 = s->last_change;

    ck_assert_int_eq((int)(t0 - s->sample_time), 0);
    sleep(1);
    ck_assert_int_eq((int)(rig_sample(&r)->last_change - t0), 0);
    virDomainPtr d = virDomainLookupByName(r.conn, "web01");
    ck_assert_int_eq(virDomainSuspend(d), 0);
    virDomainFree(d);
    s = rig_sample(&r);
    ck_assert_int_gt((int)(s->last_change - t0), 0);
    rig_close(&r);
}
END_TEST

/* Append a typed parameter to p[*n]. */
static virTypedParameter *param_add(virTypedParameter *p, int *n, const char *field, int type)
{
    virTypedParameter *tp = &p[(*n)++];
    memset(tp, 0, sizeof(*tp));
    snprintf(tp->field, sizeof(tp->field), "%s", field);
    tp->type = type;
    return tp;
}

static void add_u(virTypedParameter *p, int *n, const char *field, unsigned long long v)
{
    param_add(p, n, field, VIR_TYPED_PARAM_ULLONG)->value.ul = v;
}

static void add_i(virTypedParameter *p, int *n, const char *field, int v)
{
    param_add(p, n, field, VIR_TYPED_PARAM_INT)->value.i = v;
}

static void add_s(virTypedParameter *p, int *n, const char *field, const char *v)
{
    param_add(p, n, field, VIR_TYPED_PARAM_STRING)->value.s = (char *)v;
}

/* A qemu-like bulk record, which the test driver never gives. */
static int qemu_like_record(virTypedParameter *p)
{
    int n = 0;
    add_i(p, &n, "state.state", 1);
    add_i(p, &n, "state.reason", 1);
    add_u(p, &n, "cpu.time", 123456789);
    add_u(p, &n, "balloon.current", 2097152);
    add_u(p, &n, "balloon.maximum", 4194304);
    add_u(p, &n, "balloon.available", 2000000);
    add_u(p, &n, "balloon.unused", 500000);
    add_u(p, &n, "vcpu.current", 2);
    add_u(p, &n, "vcpu.maximum", 4);
    add_i(p, &n, "vcpu.0.state", 1);
    add_u(p, &n, "vcpu.0.time", 1000);
    add_u(p, &n, "vcpu.0.wait", 7);
    add_i(p, &n, "vcpu.1.state", 2);
    add_u(p, &n, "vcpu.1.time", 2000);
    add_u(p, &n, "block.count", 2);
    add_s(p, &n, "block.0.name", "vda");
    add_s(p, &n, "block.0.path", "/img/a.qcow2");
    add_u(p, &n, "block.0.rd.reqs", 11);
    add_u(p, &n, "block.0.rd.bytes", 4096);
    add_u(p, &n, "block.0.wr.times", 99);
    add_u(p, &n, "block.0.capacity", 10737418240ULL);
    add_s(p, &n, "block.1.name", "hdc"); /* p[21] */
    add_u(p, &n, "net.count", 1);
    add_s(p, &n, "net.0.name", "vnet7");
    add_u(p, &n, "net.0.rx.bytes", 1500);
    add_u(p, &n, "net.0.tx.drop", 3);
    add_u(p, &n, "vcpu.99999999.time", 1);    /* index out of range: ignored */
    add_s(p, &n, "cpu.time", "not a number"); /* wrong type: ignored */
    return n;
}

START_TEST(bulk_record_parsed)
{
    virTypedParameter p[40];
    int n = qemu_like_record(p);
    vs_arena a;
    sa_bulk_dom b;

    vs_arena_init(&a, 1024);
    ck_assert_int_eq(sa_bulk_parse(p, n, &a, &b), 0);
    ck_assert_uint_eq(b.state, 1);
    ck_assert_uint_eq(b.cpu_time, 123456789);
    ck_assert_uint_eq(b.vcpu_max, 4);
    ck_assert_uint_eq(b.bal_avail - b.bal_unused, 1500000);
    ck_assert(b.has & SA_BULK_BAL_MAX);
    ck_assert(!(b.has & SA_BULK_BAL_RSS));
    ck_assert_uint_eq(b.n_vcpu, 2);
    ck_assert_int_eq(b.vcpu[0].state, VS_VCPU_STATE_RUNNING);
    ck_assert_int_eq(b.vcpu[1].state, VS_VCPU_STATE_BLOCKED);
    ck_assert_uint_eq(b.vcpu[0].wait_ns, 7);
    ck_assert_uint_eq(b.vcpu[1].has, SA_VCPU_HAS_STATE | SA_VCPU_HAS_TIME);
    ck_assert_int_eq(b.has_block, 1);
    ck_assert_uint_eq(b.n_disk, 2);
    ck_assert_str_eq(b.disk[0].source, "/img/a.qcow2");
    ck_assert_uint_eq(b.disk[0].has, SA_DISK_HAS_RD_REQS | SA_DISK_HAS_RD_BYTES
                                         | SA_DISK_HAS_WR_TIME | SA_DISK_HAS_CAPACITY);
    ck_assert_ptr_null(b.disk[1].source);
    ck_assert_uint_eq(b.n_nic, 1);
    ck_assert_str_eq(b.nic[0].name, "vnet7");
    ck_assert_uint_eq(b.nic[0].tx_drop, 3);
    uint64_t sig = sa_bulk_names_sig(&b);
    ck_assert_uint_ne(sig, 0);
    p[21].value.s = (char *)"hdd";
    ck_assert_int_eq(sa_bulk_parse(p, n, &a, &b), 0);
    ck_assert_uint_ne(sa_bulk_names_sig(&b), sig);
    ck_assert_int_eq(sa_bulk_parse(p, 2, &a, &b), 0); /* state only, as the test driver */
    ck_assert_uint_eq(sa_bulk_names_sig(&b), 0);
    ck_assert_uint_eq(b.n_disk + b.n_nic + b.n_vcpu, 0);
    vs_arena_free(&a);
}
END_TEST

START_TEST(sample_failure_reported)
{
    rig r;
    char err[512] = "";
    rig_open(&r, "test:///default");
    rig_sample(&r);
    /* A call on no connection fails as a dead one does. */
    sa_snapshot *s = sa_snapshot_new();
    ck_assert_int_eq(sa_sample_take(r.sp, NULL, r.prev, s, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "virNodeGetInfo"));
    sa_snapshot_unref(s);
    /* The sampler recovers on the next good sample. */
    ck_assert_uint_eq(rig_sample(&r)->n_vm, 1);
    rig_close(&r);
}
END_TEST

START_TEST(failing_uri_gives_disconnected_snapshot)
{
    int fds[2];
    sa_hv_conf conf = { "broken", "test:///nonexistent/node.xml", 3 };
    sa_hv_opts opts = { 1, statedir, 1 };

    ck_assert_int_eq(pipe(fds), 0);
    sa_hv *hv = sa_hv_new(&conf, &opts, fds[1]);
    ck_assert_ptr_nonnull(hv);
    ck_assert_int_eq(sa_hv_start(hv), 0);
    sa_snapshot *s = NULL;
    for (int i = 0; i < 100; i++) {
        sa_snapshot *t = take(hv);
        if (t != NULL) {
            sa_snapshot_unref(s);
            s = t;
        }
        if (s != NULL && s->conn_state == VS_HV_CONN_STATE_DISCONNECTED)
            break;
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->conn_state, VS_HV_CONN_STATE_DISCONNECTED);
    ck_assert_int_eq(s->hv_index, 3);
    ck_assert_str_eq(s->name, "broken");
    ck_assert_ptr_nonnull(strstr(s->last_error, "nonexistent/node.xml"));
    ck_assert(s->has & SA_HV_HAS_LAST_ERROR_TIME);
    ck_assert_uint_eq(s->n_vm, 0);
    ck_assert(!(s->has & SA_HV_HAS_CPU_COUNT));
    sa_snapshot_unref(s);
    sa_hv_stop(hv, 5);
    sa_hv_free(hv);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

static Suite *sample_suite(void)
{
    Suite *s = suite_create("sa_sample");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, default_driver_matches_api);
    tcase_add_test(tc, mixed_node_matches_api_and_file);
    tcase_add_test(tc, indexes_stable_across_restarts);
    tcase_add_test(tc, new_vm_gets_new_index_never_an_old_one);
    tcase_add_test(tc, state_changes_times_and_rates);
    tcase_add_test(tc, start_time_survives_sampler_restart);
    tcase_add_test(tc, autostart_and_managed_save);
    tcase_add_test(tc, vm_set_and_state_move_last_change);
    tcase_add_test(tc, bulk_record_parsed);
    tcase_add_test(tc, sample_failure_reported);
    tcase_add_test(tc, failing_uri_gives_disconnected_snapshot);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(sample_suite)
