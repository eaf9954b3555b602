/* Unit tests of vs_vmstate against VIRTSIGHT-MIB's rules, written here a second time as a
 * table of VMs (one row per kind of libvirt state) rather than as the module's switches. */
#include "config.h"

#include <libvirt/libvirt.h>
#include <string.h>

#include "vs_check.h"
#include "vs_mib.h"
#include "vs_vmstate.h"

#define REF (-1) /* refused: inconsistentValue */
#define OPER(x) VS_VM_OPER_STATE_##x
#define ADMIN(x) VS_VM_ADMIN_STATE_##x

typedef struct {
    const char *what;
    vs_vm_facts facts;
    int oper;
    int admin_read;
    /* Expected op (or REF) for running, suspended, paused, shutdown, off; reboot, reset. */
    int admin[5];
    int action[2];
} vm_case;

static const vm_case cases[] = {
    { "running",
      { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, 1, 1, 0 },
      OPER(RUNNING),
      ADMIN(RUNNING),
      { VS_VM_OP_NONE, VS_VM_OP_MANAGED_SAVE, VS_VM_OP_SUSPEND, VS_VM_OP_SHUTDOWN,
        VS_VM_OP_DESTROY },
      { VS_VM_OP_REBOOT, VS_VM_OP_RESET } },
    { "blocked",
      { VIR_DOMAIN_BLOCKED, 0, 1, 1, 0 },
      OPER(RUNNING),
      ADMIN(RUNNING),
      { VS_VM_OP_NONE, VS_VM_OP_MANAGED_SAVE, VS_VM_OP_SUSPEND, VS_VM_OP_SHUTDOWN,
        VS_VM_OP_DESTROY },
      { VS_VM_OP_REBOOT, VS_VM_OP_RESET } },
    { "transient running",
      { VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, 1, 0, 0 },
      OPER(RUNNING),
      ADMIN(RUNNING),
      { VS_VM_OP_NONE, REF, VS_VM_OP_SUSPEND, VS_VM_OP_SHUTDOWN, VS_VM_OP_DESTROY },
      { VS_VM_OP_REBOOT, VS_VM_OP_RESET } },
    { "paused by user",
      { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, 1, 1, 0 },
      OPER(PAUSED),
      ADMIN(PAUSED),
      { VS_VM_OP_RESUME, VS_VM_OP_MANAGED_SAVE, VS_VM_OP_NONE, REF, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "starting up",
      { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP, 1, 1, 0 },
      OPER(PREPARING),
      ADMIN(RUNNING),
      { REF, REF, REF, REF, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "being saved",
      { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SAVE, 1, 1, 0 },
      OPER(SUSPENDING),
      ADMIN(SUSPENDED),
      { REF, REF, REF, REF, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "migrating",
      { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION, 1, 1, 0 },
      OPER(MIGRATING),
      ADMIN(RUNNING),
      { REF, REF, REF, REF, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "post-copy",
      { VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY, 1, 1, 0 },
      OPER(MIGRATING),
      ADMIN(RUNNING),
      { REF, REF, REF, REF, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "shutting down",
      { VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER, 1, 1, 0 },
      OPER(SHUTTINGDOWN),
      ADMIN(SHUTDOWN),
      { REF, REF, REF, VS_VM_OP_NONE, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "shut off",
      { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN, 0, 1, 0 },
      OPER(SHUTDOWN),
      ADMIN(SHUTDOWN),
      { VS_VM_OP_CREATE, REF, REF, VS_VM_OP_NONE, VS_VM_OP_NONE },
      { REF, REF } },
    { "managed-saved",
      { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED, 0, 1, 1 },
      OPER(SUSPENDED),
      ADMIN(SUSPENDED),
      { VS_VM_OP_CREATE, VS_VM_OP_NONE, REF, REF, VS_VM_OP_MANAGED_SAVE_REMOVE },
      { REF, REF } },
    { "managed-saved, reason lost",
      { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN, 0, 1, 1 },
      OPER(SUSPENDED),
      ADMIN(SUSPENDED),
      { VS_VM_OP_CREATE, VS_VM_OP_NONE, REF, REF, VS_VM_OP_MANAGED_SAVE_REMOVE },
      { REF, REF } },
    { "shut off after a crash",
      { VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED, 0, 1, 0 },
      OPER(CRASHED),
      ADMIN(SHUTDOWN),
      { VS_VM_OP_CREATE, REF, REF, REF, VS_VM_OP_NONE },
      { REF, REF } },
    { "crashed, held",
      { VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED, 1, 1, 0 },
      OPER(CRASHED),
      ADMIN(SHUTDOWN),
      { VS_VM_OP_DESTROY_CREATE, REF, REF, REF, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "suspended to RAM",
      { VIR_DOMAIN_PMSUSPENDED, 0, 1, 1, 0 },
      OPER(SUSPENDED),
      ADMIN(SUSPENDED),
      { VS_VM_OP_PM_WAKEUP, VS_VM_OP_NONE, REF, REF, VS_VM_OP_DESTROY },
      { REF, REF } },
    { "no state, active",
      { VIR_DOMAIN_NOSTATE, 0, 1, 1, 0 },
      OPER(UNKNOWN),
      ADMIN(RUNNING),
      { REF, REF, REF, REF, REF },
      { REF, REF } },
    { "no state, inactive",
      { VIR_DOMAIN_NOSTATE, 0, 0, 1, 0 },
      OPER(UNKNOWN),
      ADMIN(SHUTDOWN),
      { REF, REF, REF, REF, REF },
      { REF, REF } },
    { "a state from a later libvirt",
      { 42, 0, 1, 1, 0 },
      OPER(OTHER),
      ADMIN(RUNNING),
      { REF, REF, REF, REF, REF },
      { REF, REF } },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static const int admin_values[5] = { ADMIN(RUNNING), ADMIN(SUSPENDED), ADMIN(PAUSED),
                                     ADMIN(SHUTDOWN), ADMIN(OFF) };
static const int action_values[2] = { VS_VM_ACTION_REBOOT, VS_VM_ACTION_RESET };

START_TEST(oper_state_follows_libvirt_state_and_reason)
{
    const vm_case *c = &cases[_i];
    ck_assert_msg(vs_vm_oper_state(&c->facts) == c->oper, "%s: oper %d, expected %d", c->what,
                  vs_vm_oper_state(&c->facts), c->oper);
}
END_TEST

START_TEST(admin_state_reads_from_oper_state)
{
    const vm_case *c = &cases[_i];
    int got = vs_vm_admin_state_read(vs_vm_oper_state(&c->facts), c->facts.active);
    ck_assert_msg(got == c->admin_read, "%s: reads %d, expected %d", c->what, got, c->admin_read);
}
END_TEST

START_TEST(admin_requests_follow_the_transition_matrix)
{
    const vm_case *c = &cases[_i];
    for (int k = 0; k < 5; k++) {
        vs_vm_op op = (vs_vm_op)99;
        int rc = vs_vm_admin_request(admin_values[k], &c->facts, &op);
        if (c->admin[k] == REF) {
            ck_assert_msg(rc == -1, "%s: admin %d accepted (%s), expected refused", c->what,
                          admin_values[k], vs_vm_op_name(op));
            ck_assert_int_eq(op, 99);
        } else {
            ck_assert_msg(rc == 0, "%s: admin %d refused, expected %s", c->what, admin_values[k],
                          vs_vm_op_name((vs_vm_op)c->admin[k]));
            ck_assert_msg((int)op == c->admin[k], "%s: admin %d gives %s, expected %s", c->what,
                          admin_values[k], vs_vm_op_name(op), vs_vm_op_name((vs_vm_op)c->admin[k]));
        }
    }
}
END_TEST

START_TEST(actions_need_a_running_vm)
{
    const vm_case *c = &cases[_i];
    for (int k = 0; k < 2; k++) {
        vs_vm_op op = (vs_vm_op)99;
        int rc = vs_vm_action_request(action_values[k], &c->facts, &op);
        if (c->action[k] == REF)
            ck_assert_msg(rc == -1, "%s: action %d accepted", c->what, action_values[k]);
        else
            ck_assert_msg(rc == 0 && (int)op == c->action[k], "%s: action %d gives %s", c->what,
                          action_values[k], vs_vm_op_name(op));
    }
    vs_vm_op op = (vs_vm_op)99;
    ck_assert_int_eq(vs_vm_action_request(VS_VM_ACTION_NONE, &c->facts, &op), 0);
    ck_assert_int_eq(op, VS_VM_OP_NONE);
}
END_TEST

START_TEST(values_outside_the_enumerations_are_refused)
{
    vs_vm_op op = (vs_vm_op)99;
    ck_assert_int_eq(vs_vm_admin_request(0, &cases[0].facts, &op), -1);
    ck_assert_int_eq(vs_vm_admin_request(ADMIN(OFF) + 1, &cases[0].facts, &op), -1);
    ck_assert_int_eq(vs_vm_action_request(0, &cases[0].facts, &op), -1);
    ck_assert_int_eq(vs_vm_action_request(VS_VM_ACTION_RESET + 1, &cases[0].facts, &op), -1);
    ck_assert_int_eq(op, 99);
}
END_TEST

/* Lifecycle events: the state libvirt reports after each, written out as virsh would show it. */
typedef struct {
    int event, detail, persistent;
    int ok; /* 0: a change of state; -1: not one */
    int state, reason, active, oper;
} event_case;

static const event_case events[] = {
    { VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, 1, 0, VIR_DOMAIN_RUNNING,
      VIR_DOMAIN_RUNNING_BOOTED, 1, OPER(RUNNING) },
    { VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED, 1, 0, VIR_DOMAIN_RUNNING,
      VIR_DOMAIN_RUNNING_RESTORED, 1, OPER(RUNNING) },
    { VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, 1, 0, VIR_DOMAIN_RUNNING,
      VIR_DOMAIN_RUNNING_UNPAUSED, 1, OPER(RUNNING) },
    { VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, 1, 0, VIR_DOMAIN_PAUSED,
      VIR_DOMAIN_PAUSED_USER, 1, OPER(PAUSED) },
    { VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED, 1, 0, VIR_DOMAIN_PAUSED,
      VIR_DOMAIN_PAUSED_MIGRATION, 1, OPER(MIGRATING) },
    { VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_IOERROR, 1, 0, VIR_DOMAIN_PAUSED,
      VIR_DOMAIN_PAUSED_IOERROR, 1, OPER(PAUSED) },
    { VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED, 1, 0, VIR_DOMAIN_SHUTOFF,
      VIR_DOMAIN_SHUTOFF_DESTROYED, 0, OPER(SHUTDOWN) },
    { VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, 1, 0, VIR_DOMAIN_SHUTOFF,
      VIR_DOMAIN_SHUTOFF_SHUTDOWN, 0, OPER(SHUTDOWN) },
    { VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, 1, 0, VIR_DOMAIN_SHUTOFF,
      VIR_DOMAIN_SHUTOFF_CRASHED, 0, OPER(CRASHED) },
    { VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED, 1, 0, VIR_DOMAIN_SHUTOFF,
      VIR_DOMAIN_SHUTOFF_SAVED, 0, OPER(SUSPENDED) },
    { VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED, 0, 0, VIR_DOMAIN_SHUTOFF,
      VIR_DOMAIN_SHUTOFF_SAVED, 0, OPER(SHUTDOWN) },
    { VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY, 1, 0,
      VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN, 1, OPER(SUSPENDED) },
    { VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED, 1, 0, VIR_DOMAIN_CRASHED,
      VIR_DOMAIN_CRASHED_PANICKED, 1, OPER(CRASHED) },
    { VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED, 1, -1, 0, 0, 0, 0 },
    { VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, 1, -1, 0, 0, 0, 0 },
    { VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED, 1, -1, 0, 0, 0, 0 },
    { VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK, 1, -1, 0, 0, 0, 0 },
    { 99, 0, 1, -1, 0, 0, 0, 0 },
};
#define N_EVENTS (sizeof(events) / sizeof(events[0]))

START_TEST(events_give_the_state_libvirt_reports_after_them)
{
    const event_case *e = &events[_i];
    vs_vm_facts f = { -7, -7, -7, e->persistent, -7 };
    int rc = vs_vm_event_state(e->event, e->detail, &f);
    ck_assert_msg(rc == e->ok, "event %d detail %d: %d", e->event, e->detail, rc);
    if (rc == 0) {
        ck_assert_int_eq(f.state, e->state);
        ck_assert_int_eq(f.reason, e->reason);
        ck_assert_int_eq(f.active, e->active);
        ck_assert_int_eq(vs_vm_oper_state(&f), e->oper);
    }
}
END_TEST

START_TEST(every_op_has_a_distinct_name)
{
    for (int a = VS_VM_OP_NONE; a <= VS_VM_OP_RESET; a++) {
        ck_assert_str_ne(vs_vm_op_name((vs_vm_op)a), "unknown");
        for (int b = a + 1; b <= VS_VM_OP_RESET; b++)
            ck_assert_str_ne(vs_vm_op_name((vs_vm_op)a), vs_vm_op_name((vs_vm_op)b));
    }
}
END_TEST

static Suite *vmstate_suite(void)
{
    Suite *s = suite_create("vs_vmstate");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, oper_state_follows_libvirt_state_and_reason, 0, N_CASES);
    tcase_add_loop_test(tc, admin_state_reads_from_oper_state, 0, N_CASES);
    tcase_add_loop_test(tc, admin_requests_follow_the_transition_matrix, 0, N_CASES);
    tcase_add_loop_test(tc, actions_need_a_running_vm, 0, N_CASES);
    tcase_add_test(tc, values_outside_the_enumerations_are_refused);
    tcase_add_test(tc, every_op_has_a_distinct_name);
    tcase_add_loop_test(tc, events_give_the_state_libvirt_reports_after_them, 0, N_EVENTS);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(vmstate_suite)
