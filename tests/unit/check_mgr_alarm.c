/* Unit tests of mgr_alarm, the threshold engine: levels, for, hysteresis, repeats, who gets
 * which message, hosts going down, resources going away, rule reloads, scopes, the state file
 * across restarts (and a corrupt one), and the cost per sample at 10,000 VMs. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mgr_alarm.h"
#include "vs_check.h"
#include "vs_log.h"

/* ---------------------------------------------------------------- recording messages */

typedef struct {
    vs_msg_kind kind;
    vs_severity severity, previous;
    unsigned repeat;
    double time;
    char msg_id[64], alarm_id[64], host[64], resource[128], metric[64], value[64], threshold[64],
        rule[128], summary[256], to[128];
} rec_msg;

typedef struct {
    rec_msg m[256];
    size_t n;
} recorder;

static void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "(null)");
}

static void record(void *ctx, const vs_msg *m, const char *const *to, size_t n)
{
    recorder *r = ctx;
    ck_assert_uint_lt(r->n, sizeof(r->m) / sizeof(r->m[0]));
    ck_assert_uint_gt(n, 0);
    rec_msg *x = &r->m[r->n++];
    x->kind = m->kind;
    x->severity = m->severity;
    x->previous = m->previous;
    x->repeat = m->repeat;
    x->time = m->time;
    copy(x->msg_id, sizeof(x->msg_id), m->msg_id);
    copy(x->alarm_id, sizeof(x->alarm_id), m->alarm_id);
    copy(x->host, sizeof(x->host), m->host);
    copy(x->resource, sizeof(x->resource), m->resource);
    copy(x->metric, sizeof(x->metric), m->metric);
    copy(x->value, sizeof(x->value), m->value);
    copy(x->threshold, sizeof(x->threshold), m->threshold);
    copy(x->rule, sizeof(x->rule), m->rule);
    copy(x->summary, sizeof(x->summary), m->summary);
    x->to[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(x->to);
        snprintf(x->to + len, sizeof(x->to) - len, "%s%s", i ? " " : "", to[i]);
    }
}

/* ---------------------------------------------------------------- building rules */

static const char *const to_warning[] = { "noc" };
static const char *const to_critical[] = { "noc", "pager" };

/* A rule on metric for every resource; warning/critical NULL = none. Notifies "noc" for a
 * warning and "noc pager" for a critical. */
static mgr_alarm_rule make_rule(const char *metric, const char *warning, const char *critical)
{
    mgr_alarm_rule r = { 0 };
    char err[256];
    r.metric = metric;
    r.scope = MGR_SCOPE_ALL;
    if (warning) {
        ck_assert_int_eq(vs_range_parse(warning, &r.warning, err, sizeof(err)), 0);
        r.warning_text = warning;
        r.has_warning = 1;
    }
    if (critical) {
        ck_assert_int_eq(vs_range_parse(critical, &r.critical, err, sizeof(err)), 0);
        r.critical_text = critical;
        r.has_critical = 1;
    }
    r.notify_warning = to_warning;
    r.n_notify_warning = 1;
    r.notify_critical = to_critical;
    r.n_notify_critical = 2;
    return r;
}

static mgr_alarm *engine(const char *path, const mgr_alarm_rule *rules, size_t n, recorder *rec)
{
    char err[256] = "";
    mgr_alarm *a = mgr_alarm_new(path, err, sizeof(err));
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_msg(mgr_alarm_set_rules(a, rules, n, 0, record, rec, err, sizeof(err)) == 0, "%s",
                  err);
    return a;
}

/* One up poll of host hv1 in group "lab" with one VM sample. */
static void vm_sample(mgr_alarm *a, recorder *rec, double now, const char *vm, const char *metric,
                      double v)
{
    char res[128];
    snprintf(res, sizeof(res), "lab/hv1/vm:%s", vm);
    mgr_alarm_sample s = { res, vm, metric, v };
    mgr_alarm_host(a, "hv1", "lab", 1, &s, 1, now, record, rec);
}

static void cpu(mgr_alarm *a, recorder *rec, double now, double v)
{
    vm_sample(a, rec, now, "web1", "vm.cpu.util", v);
}

/* ---------------------------------------------------------------- levels and messages */

START_TEST(ok_warning_critical_ok_gives_raised_raised_cleared)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 100, 50);
    ck_assert_uint_eq(rec.n, 0);
    cpu(a, &rec, 160, 85);
    cpu(a, &rec, 220, 97.3);
    cpu(a, &rec, 280, 96);
    cpu(a, &rec, 340, 10);
    ck_assert_uint_eq(rec.n, 3);

    rec_msg *w = &rec.m[0], *c = &rec.m[1], *ok = &rec.m[2];
    ck_assert_int_eq(w->kind, VS_MSG_ALARM_RAISED);
    ck_assert_int_eq(w->severity, VS_SEV_WARNING);
    ck_assert_int_eq(w->previous, VS_SEV_OK);
    ck_assert_uint_eq(w->repeat, 0);
    ck_assert(w->time == 160);
    ck_assert_str_eq(w->host, "hv1");
    ck_assert_str_eq(w->resource, "lab/hv1/vm:web1");
    ck_assert_str_eq(w->metric, "vm.cpu.util");
    ck_assert_str_eq(w->value, "85");
    ck_assert_str_eq(w->threshold, "80");
    ck_assert_str_eq(w->rule, "vm.cpu.util@all");
    ck_assert_str_eq(w->to, "noc");
    ck_assert_str_eq(w->summary, "WARNING: vm.cpu.util = 85 on lab/hv1/vm:web1 (warning 80)");

    ck_assert_int_eq(c->severity, VS_SEV_CRITICAL);
    ck_assert_int_eq(c->previous, VS_SEV_WARNING);
    ck_assert_str_eq(c->value, "97.3");
    ck_assert_str_eq(c->threshold, "95");
    ck_assert_str_eq(c->to, "noc pager");
    ck_assert_str_eq(c->summary, "CRITICAL: vm.cpu.util = 97.3 on lab/hv1/vm:web1 (critical 95)");

    ck_assert_int_eq(ok->kind, VS_MSG_ALARM_CLEARED);
    ck_assert_int_eq(ok->severity, VS_SEV_OK);
    ck_assert_int_eq(ok->previous, VS_SEV_CRITICAL);
    ck_assert_str_eq(ok->value, "10");
    ck_assert_str_eq(ok->threshold, "95");
    ck_assert_str_eq(ok->to, "noc pager");
    ck_assert_str_eq(ok->summary, "OK: vm.cpu.util = 10 on lab/hv1/vm:web1 (was CRITICAL)");

    /* One episode: one alarm id, messages numbered in order. */
    ck_assert_uint_eq(strlen(w->alarm_id), 16);
    ck_assert_str_eq(c->alarm_id, w->alarm_id);
    ck_assert_str_eq(ok->alarm_id, w->alarm_id);
    char id[80];
    snprintf(id, sizeof(id), "%s.1", w->alarm_id);
    ck_assert_str_eq(w->msg_id, id);
    snprintf(id, sizeof(id), "%s.3", w->alarm_id);
    ck_assert_str_eq(ok->msg_id, id);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(new_episode_gets_a_new_alarm_id)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 100, 85);
    cpu(a, &rec, 160, 10);
    cpu(a, &rec, 220, 85);
    ck_assert_uint_eq(rec.n, 3);
    ck_assert_str_eq(rec.m[0].alarm_id, rec.m[1].alarm_id);
    ck_assert_str_ne(rec.m[2].alarm_id, rec.m[0].alarm_id);
    ck_assert(strstr(rec.m[2].msg_id, ".1") != NULL);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(clear_goes_to_every_notifier_of_the_episode)
{
    recorder rec = { .n = 0 };
    static const char *const ops[] = { "ops" };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    r.notify_warning = ops;
    r.notify_critical = to_critical;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 100, 85); /* ops */
    cpu(a, &rec, 160, 99); /* noc pager */
    cpu(a, &rec, 220, 1);
    ck_assert_uint_eq(rec.n, 3);
    ck_assert_str_eq(rec.m[2].to, "ops noc pager");
    mgr_alarm_free(a);
}
END_TEST

START_TEST(values_flapping_inside_hysteresis_band_send_nothing)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    r.hysteresis = 5;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 85);
    ck_assert_uint_eq(rec.n, 1);
    /* Between 75 and 80 a warning neither clears nor re-raises. */
    static const double warn_band[] = { 79, 81, 76, 84, 75.5, 80 };
    for (size_t i = 0; i < sizeof(warn_band) / sizeof(warn_band[0]); i++)
        cpu(a, &rec, 60.0 * (double)(i + 1), warn_band[i]);
    ck_assert_uint_eq(rec.n, 1);
    cpu(a, &rec, 600, 96);
    ck_assert_uint_eq(rec.n, 2);
    /* Between 90 and 95 a critical stays critical. */
    static const double crit_band[] = { 94, 96, 90.5, 91 };
    for (size_t i = 0; i < sizeof(crit_band) / sizeof(crit_band[0]); i++)
        cpu(a, &rec, 660 + 60.0 * (double)i, crit_band[i]);
    ck_assert_uint_eq(rec.n, 2);
    cpu(a, &rec, 1000, 75);
    ck_assert_uint_eq(rec.n, 3);
    ck_assert_int_eq(rec.m[2].kind, VS_MSG_ALARM_CLEARED);
    ck_assert_int_eq(rec.m[2].previous, VS_SEV_CRITICAL);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(critical_clearing_into_warning_band_deescalates_to_warning)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    r.hysteresis = 5;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 99);
    cpu(a, &rec, 60, 88); /* critical cleared (<= 90), warning still beyond */
    ck_assert_uint_eq(rec.n, 2);
    rec_msg *m = &rec.m[1];
    ck_assert_int_eq(m->kind, VS_MSG_ALARM_RAISED);
    ck_assert_int_eq(m->severity, VS_SEV_WARNING);
    ck_assert_int_eq(m->previous, VS_SEV_CRITICAL);
    ck_assert_str_eq(m->threshold, "80");
    ck_assert_str_eq(m->to, "noc");
    ck_assert_str_eq(m->summary,
                     "WARNING: vm.cpu.util = 88 on lab/hv1/vm:web1 (warning 80, was CRITICAL)");
    ck_assert_str_eq(m->alarm_id, rec.m[0].alarm_id);
    /* A critical that clears past the warning's band too goes straight to OK. */
    cpu(a, &rec, 120, 99);
    cpu(a, &rec, 180, 70);
    ck_assert_uint_eq(rec.n, 4);
    ck_assert_int_eq(rec.m[3].kind, VS_MSG_ALARM_CLEARED);
    ck_assert_int_eq(rec.m[3].previous, VS_SEV_CRITICAL);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(for_three_needs_three_consecutive_samples)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    r.for_samples = 3;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 90);
    cpu(a, &rec, 60, 90);
    cpu(a, &rec, 120, 50); /* resets the count */
    cpu(a, &rec, 180, 90);
    cpu(a, &rec, 240, 90);
    ck_assert_uint_eq(rec.n, 0);
    cpu(a, &rec, 300, 91);
    ck_assert_uint_eq(rec.n, 1);
    ck_assert_int_eq(rec.m[0].severity, VS_SEV_WARNING);
    ck_assert(rec.m[0].time == 300);
    ck_assert_str_eq(rec.m[0].value, "91");
    /* Going back to OK does not wait. */
    cpu(a, &rec, 360, 10);
    ck_assert_uint_eq(rec.n, 2);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(for_three_raises_the_least_severe_level_of_the_run)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    r.for_samples = 3;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 85);
    cpu(a, &rec, 60, 99);
    cpu(a, &rec, 120, 99);
    ck_assert_uint_eq(rec.n, 1);
    ck_assert_int_eq(rec.m[0].severity, VS_SEV_WARNING);
    /* From WARNING, critical again needs three samples worse than WARNING. */
    cpu(a, &rec, 180, 99);
    cpu(a, &rec, 240, 99);
    ck_assert_uint_eq(rec.n, 1);
    cpu(a, &rec, 300, 99);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_int_eq(rec.m[1].severity, VS_SEV_CRITICAL);
    ck_assert_int_eq(rec.m[1].previous, VS_SEV_WARNING);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(repeat_every_r_seconds_counts_repeats)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    r.repeat = 300;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 1000, 99);
    for (double t = 1060; t <= 1840; t += 60) {
        cpu(a, &rec, t, 99);
        mgr_alarm_tick(a, t + 0.2, record, &rec);
    }
    /* The raise at 1000, repeats at 1300, 1600 (ticks come 0.2 s after each poll). */
    ck_assert_uint_eq(rec.n, 3);
    ck_assert_uint_eq(rec.m[1].repeat, 1);
    ck_assert_uint_eq(rec.m[2].repeat, 2);
    ck_assert(fabs(rec.m[1].time - 1300.2) < 1e-9);
    ck_assert_int_eq(rec.m[1].severity, VS_SEV_CRITICAL);
    ck_assert_int_eq(rec.m[1].previous, VS_SEV_OK);
    ck_assert_str_eq(rec.m[1].to, "noc pager");
    ck_assert_str_eq(rec.m[1].alarm_id, rec.m[0].alarm_id);
    ck_assert(strstr(rec.m[2].summary, "repeat 2") != NULL);
    /* A change of level starts the count again. */
    cpu(a, &rec, 1960, 85);
    ck_assert_uint_eq(rec.n, 4);
    ck_assert_uint_eq(rec.m[3].repeat, 0);
    mgr_alarm_tick(a, 2260, record, &rec);
    ck_assert_uint_eq(rec.n, 5);
    ck_assert_uint_eq(rec.m[4].repeat, 1);
    ck_assert_int_eq(rec.m[4].severity, VS_SEV_WARNING);
    ck_assert_str_eq(rec.m[4].to, "noc");
    mgr_alarm_free(a);
}
END_TEST

START_TEST(repeat_zero_never_repeats)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 99);
    for (double t = 60; t < 86400; t += 600) {
        cpu(a, &rec, t, 99);
        mgr_alarm_tick(a, t, record, &rec);
    }
    ck_assert_uint_eq(rec.n, 1);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(unsent_raise_gets_no_recovery)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    r.n_notify_warning = 0;
    r.repeat = 60;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 85);
    mgr_alarm_tick(a, 120, record, &rec);
    cpu(a, &rec, 180, 10);
    ck_assert_uint_eq(rec.n, 0);
    /* The critical goes out; its clear too, even after a silent de-escalation. */
    cpu(a, &rec, 240, 99);
    cpu(a, &rec, 300, 85);
    cpu(a, &rec, 360, 10);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_int_eq(rec.m[0].severity, VS_SEV_CRITICAL);
    ck_assert_int_eq(rec.m[1].kind, VS_MSG_ALARM_CLEARED);
    ck_assert_int_eq(rec.m[1].previous, VS_SEV_WARNING);
    ck_assert_str_eq(rec.m[1].to, "noc pager");
    mgr_alarm_free(a);
}
END_TEST

START_TEST(nan_sample_is_skipped)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    r.for_samples = 2;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 90);
    cpu(a, &rec, 60, NAN);
    cpu(a, &rec, 120, 90);
    ck_assert_uint_eq(rec.n, 1);
    mgr_alarm_free(a);
}
END_TEST

/* ---------------------------------------------------------------- hosts */

static void host_down(mgr_alarm *a, recorder *rec, double now)
{
    mgr_alarm_host(a, "hv1", "lab", 0, NULL, 0, now, record, rec);
}

START_TEST(host_down_raises_one_host_up_critical_and_holds_the_rest)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule rules[2] = { make_rule("vm.cpu.util", "80", "95"),
                                make_rule("host.up", NULL, NULL) };
    rules[0].repeat = 60;
    rules[1].repeat = 600;
    mgr_alarm *a = engine(NULL, rules, 2, &rec);
    cpu(a, &rec, 0, 99);
    ck_assert_uint_eq(rec.n, 1);
    for (double t = 60; t <= 540; t += 60) {
        host_down(a, &rec, t);
        mgr_alarm_tick(a, t, record, &rec);
    }
    ck_assert_uint_eq(rec.n, 2);
    rec_msg *d = &rec.m[1];
    ck_assert_int_eq(d->kind, VS_MSG_ALARM_RAISED);
    ck_assert_int_eq(d->severity, VS_SEV_CRITICAL);
    ck_assert_str_eq(d->metric, "host.up");
    ck_assert_str_eq(d->resource, "lab/hv1");
    ck_assert_str_eq(d->host, "hv1");
    ck_assert_str_eq(d->value, "0");
    ck_assert_str_eq(d->threshold, "1:");
    ck_assert_str_eq(d->to, "noc pager");
    ck_assert_str_eq(d->summary, "CRITICAL: lab/hv1 is down (host.up = 0, critical 1:)");

    /* The host.up alarm itself repeats while down. */
    host_down(a, &rec, 660);
    mgr_alarm_tick(a, 660, record, &rec);
    ck_assert_uint_eq(rec.n, 3);
    ck_assert_str_eq(rec.m[2].metric, "host.up");
    ck_assert_uint_eq(rec.m[2].repeat, 1);

    /* Back up with the VM still hot: host.up clears, the VM alarm resumes as it was. */
    cpu(a, &rec, 720, 99);
    ck_assert_uint_eq(rec.n, 4);
    ck_assert_int_eq(rec.m[3].kind, VS_MSG_ALARM_CLEARED);
    ck_assert_str_eq(rec.m[3].metric, "host.up");
    ck_assert_str_eq(rec.m[3].value, "1");
    ck_assert_str_eq(rec.m[3].summary, "OK: lab/hv1 is up again (host.up = 1, was CRITICAL)");
    mgr_alarm_tick(a, 720, record, &rec);
    ck_assert_uint_eq(rec.n, 5);
    ck_assert_str_eq(rec.m[4].metric, "vm.cpu.util");
    ck_assert_uint_eq(rec.m[4].repeat, 1);
    cpu(a, &rec, 780, 10);
    ck_assert_uint_eq(rec.n, 6);
    ck_assert_int_eq(rec.m[5].kind, VS_MSG_ALARM_CLEARED);
    ck_assert_str_eq(rec.m[5].alarm_id, rec.m[0].alarm_id);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(host_down_does_not_clear_or_forget_held_alarms)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 99);
    /* Far more down polls than gone_after: a held alarm is not "gone". */
    for (double t = 60; t <= 600; t += 60)
        host_down(a, &rec, t);
    ck_assert_uint_eq(rec.n, 1); /* no host.up rule: nothing for the host itself */
    mgr_alarm_view v[4];
    ck_assert_uint_eq(mgr_alarm_active(a, v, 4), 1);
    ck_assert_int_eq(v[0].held, 1);
    ck_assert_int_eq(v[0].level, VS_SEV_CRITICAL);
    cpu(a, &rec, 660, 99);
    ck_assert_uint_eq(rec.n, 1);
    ck_assert_uint_eq(mgr_alarm_active(a, v, 4), 1);
    ck_assert_int_eq(v[0].held, 0);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(host_up_rule_counts_down_polls_for_for)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("host.up", NULL, NULL);
    r.for_samples = 2;
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    host_down(a, &rec, 0);
    ck_assert_uint_eq(rec.n, 0);
    cpu(a, &rec, 60, 1); /* up again: the count starts over */
    host_down(a, &rec, 120);
    ck_assert_uint_eq(rec.n, 0);
    host_down(a, &rec, 180);
    ck_assert_uint_eq(rec.n, 1);
    ck_assert_str_eq(rec.m[0].metric, "host.up");
    mgr_alarm_free(a);
}
END_TEST

START_TEST(host_up_rule_with_a_warning_threshold_raises_a_warning)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("host.up", "1:", NULL);
    r.hysteresis = 10; /* ignored for host.up: 1 must still clear */
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    host_down(a, &rec, 0);
    mgr_alarm_host(a, "hv1", "lab", 1, NULL, 0, 60, record, &rec);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_int_eq(rec.m[0].severity, VS_SEV_WARNING);
    ck_assert_str_eq(rec.m[0].to, "noc");
    ck_assert_int_eq(rec.m[1].kind, VS_MSG_ALARM_CLEARED);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(host_up_sample_from_the_caller_is_used_while_up)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("host.up", NULL, NULL);
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    /* Up (answers), but one source failed: the caller's host.up 0 counts. */
    mgr_alarm_sample s = { "lab/hv1", NULL, "host.up", 0 };
    mgr_alarm_host(a, "hv1", "lab", 1, &s, 1, 0, record, &rec);
    ck_assert_uint_eq(rec.n, 1);
    s.value = 1;
    mgr_alarm_host(a, "hv1", "lab", 1, &s, 1, 60, record, &rec);
    ck_assert_uint_eq(rec.n, 2);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(vm_gone_for_three_polls_is_cleared_as_gone)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 99);
    /* web1 no longer reported; web2 still is. */
    vm_sample(a, &rec, 60, "web2", "vm.cpu.util", 5);
    vm_sample(a, &rec, 120, "web2", "vm.cpu.util", 5);
    ck_assert_uint_eq(rec.n, 1);
    vm_sample(a, &rec, 180, "web2", "vm.cpu.util", 5);
    ck_assert_uint_eq(rec.n, 2);
    rec_msg *m = &rec.m[1];
    ck_assert_int_eq(m->kind, VS_MSG_ALARM_CLEARED);
    ck_assert_int_eq(m->previous, VS_SEV_CRITICAL);
    ck_assert_str_eq(m->value, "gone");
    ck_assert_str_eq(m->resource, "lab/hv1/vm:web1");
    ck_assert_str_eq(m->to, "noc pager");
    ck_assert_str_eq(m->alarm_id, rec.m[0].alarm_id);
    ck_assert_str_eq(m->summary, "OK: vm.cpu.util on lab/hv1/vm:web1 is gone (was CRITICAL)");
    mgr_alarm_view v[2];
    ck_assert_uint_eq(mgr_alarm_active(a, v, 2), 0);
    /* If it comes back it is a new alarm. */
    cpu(a, &rec, 240, 99);
    ck_assert_uint_eq(rec.n, 3);
    ck_assert_str_ne(rec.m[2].alarm_id, rec.m[0].alarm_id);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(gone_after_is_settable_and_a_sample_resets_the_count)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    mgr_alarm_set_gone_after(a, 2);
    cpu(a, &rec, 0, 99);
    vm_sample(a, &rec, 60, "web2", "vm.cpu.util", 5);
    cpu(a, &rec, 120, 99);
    vm_sample(a, &rec, 180, "web2", "vm.cpu.util", 5);
    ck_assert_uint_eq(rec.n, 1);
    vm_sample(a, &rec, 240, "web2", "vm.cpu.util", 5);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_str_eq(rec.m[1].value, "gone");
    mgr_alarm_free(a);
}
END_TEST

START_TEST(host_remove_clears_its_alarms)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    cpu(a, &rec, 0, 99);
    mgr_alarm_host_remove(a, "hv1", 60, record, &rec);
    mgr_alarm_host_remove(a, "nosuchhost", 60, record, &rec);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_str_eq(rec.m[1].value, "host removed");
    mgr_alarm_view v[2];
    ck_assert_uint_eq(mgr_alarm_active(a, v, 2), 0);
    mgr_alarm_free(a);
}
END_TEST

/* ---------------------------------------------------------------- scopes */

/* Whether a critical on metric "m" of resource res of host in group raises under rule r. */
static int fires(mgr_alarm_rule r, const char *group, const char *host, const char *vm)
{
    recorder rec = { .n = 0 };
    r.metric = "m";
    r.has_warning = 0;
    r.has_critical = 1;
    r.critical = (vs_range){ 0, 10, 0, 0 };
    r.critical_text = "10";
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    char res[256];
    snprintf(res, sizeof(res), "%s/%s%s%s", group, host, vm ? "/vm:" : "", vm ? vm : "");
    mgr_alarm_sample s = { res, vm, "m", 50 };
    mgr_alarm_host(a, host, group, 1, &s, 1, 0, record, &rec);
    mgr_alarm_free(a);
    return rec.n == 1;
}

START_TEST(group_scope_matches_on_path_boundaries)
{
    mgr_alarm_rule r = make_rule("m", NULL, "10");
    r.scope = MGR_SCOPE_GROUP;
    r.scope_value = "seoul";
    ck_assert(fires(r, "seoul", "hv1", NULL));
    ck_assert(fires(r, "seoul/lab", "hv1", NULL));
    ck_assert(fires(r, "seoul/lab", "hv1", "web1"));
    ck_assert(!fires(r, "seoul2", "hv1", NULL));
    ck_assert(!fires(r, "busan/seoul", "hv1", NULL));
    r.scope_value = "seoul/lab/"; /* a trailing slash is not part of the path */
    ck_assert(fires(r, "seoul/lab", "hv1", NULL));
    ck_assert(fires(r, "seoul/lab/rack2", "hv1", NULL));
    ck_assert(!fires(r, "seoul", "hv1", NULL));
    ck_assert(!fires(r, "seoul/labs", "hv1", NULL));
}
END_TEST

START_TEST(host_scope_matches_the_host_name_exactly)
{
    mgr_alarm_rule r = make_rule("m", NULL, "10");
    r.scope = MGR_SCOPE_HOST;
    r.scope_value = "hv1";
    ck_assert(fires(r, "lab", "hv1", NULL));
    ck_assert(fires(r, "lab", "hv1", "web1"));
    ck_assert(!fires(r, "lab", "hv10", NULL));
    ck_assert(!fires(r, "hv1", "hv2", NULL));
}
END_TEST

START_TEST(vm_scope_matches_vm_names_by_glob)
{
    mgr_alarm_rule r = make_rule("m", NULL, "10");
    r.scope = MGR_SCOPE_VM;
    r.scope_value = "web*";
    ck_assert(fires(r, "lab", "hv1", "web1"));
    ck_assert(fires(r, "lab", "hv1", "web"));
    ck_assert(!fires(r, "lab", "hv1", "db1"));
    ck_assert(!fires(r, "lab", "hv1", "myweb1"));
    ck_assert(!fires(r, "lab", "web1", NULL)); /* a host is not a VM */
    r.scope_value = "db[0-9]";
    ck_assert(fires(r, "lab", "hv1", "db7"));
    ck_assert(!fires(r, "lab", "hv1", "db10"));
}
END_TEST

START_TEST(overlapping_rules_are_separate_alarms)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule rules[2] = { make_rule("vm.cpu.util", NULL, "95"),
                                make_rule("vm.cpu.util", NULL, "99") };
    rules[1].scope = MGR_SCOPE_VM;
    rules[1].scope_value = "web*";
    mgr_alarm *a = engine(NULL, rules, 2, &rec);
    cpu(a, &rec, 0, 100);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_str_eq(rec.m[0].rule, "vm.cpu.util@all");
    ck_assert_str_eq(rec.m[1].rule, "vm.cpu.util@vm:web*");
    ck_assert_str_ne(rec.m[0].alarm_id, rec.m[1].alarm_id);
    mgr_alarm_free(a);
}
END_TEST

/* ---------------------------------------------------------------- rules and reloads */

START_TEST(set_rules_refuses_bad_rules_and_keeps_the_old_set)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule good = make_rule("vm.cpu.util", "80", NULL);
    mgr_alarm *a = engine(NULL, &good, 1, &rec);
    char err[256];
    static const struct {
        const char *why;
    } cases[] = { { "neither a warning nor a critical" },
                  { "same key 'vm.cpu.util@all'" },
                  { "hysteresis 6 leaves no value that clears the warning threshold 10:20" },
                  { "scope without a value" },
                  { "repeat -1" },
                  { "hysteresis -1" },
                  { "no metric" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mgr_alarm_rule bad[2] = { make_rule("vm.cpu.util", "80", NULL),
                                  make_rule("vm.mem.used.pct", "10:20", NULL) };
        size_t n = 2;
        switch (i) {
        case 0:
            bad[1].has_warning = 0;
            break;
        case 1:
            bad[1].metric = "vm.cpu.util";
            break;
        case 2:
            bad[1].hysteresis = 6;
            break;
        case 3:
            bad[1].scope = MGR_SCOPE_GROUP;
            break;
        case 4:
            bad[1].repeat = -1;
            break;
        case 5:
            bad[1].hysteresis = -1;
            break;
        case 6:
            bad[1].metric = NULL;
            break;
        }
        err[0] = '\0';
        ck_assert_int_eq(mgr_alarm_set_rules(a, bad, n, 0, record, &rec, err, sizeof(err)), -1);
        ck_assert_msg(strstr(err, cases[i].why) != NULL, "case %zu: '%s'", i, err);
    }
    /* The old rule still works. */
    cpu(a, &rec, 0, 90);
    ck_assert_uint_eq(rec.n, 1);
    /* Two rules on one metric and scope are fine once one has a name. */
    mgr_alarm_rule named[2] = { make_rule("vm.cpu.util", "80", NULL),
                                make_rule("vm.cpu.util", "90", NULL) };
    named[1].name = "cpu-high";
    ck_assert_int_eq(mgr_alarm_set_rules(a, named, 2, 0, record, &rec, err, sizeof(err)), 0);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(reload_with_changed_threshold_keeps_the_alarm)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    mgr_alarm *a = engine(NULL, &r, 1, &rec);
    char err[256];
    cpu(a, &rec, 0, 99);
    mgr_alarm_rule changed = make_rule("vm.cpu.util", "85", "98");
    ck_assert_int_eq(mgr_alarm_set_rules(a, &changed, 1, 30, record, &rec, err, sizeof(err)), 0);
    ck_assert_uint_eq(rec.n, 1);
    cpu(a, &rec, 60, 99);
    ck_assert_uint_eq(rec.n, 1);
    cpu(a, &rec, 120, 10);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_str_eq(rec.m[1].alarm_id, rec.m[0].alarm_id);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(rule_removed_on_reload_clears_its_notified_alarms)
{
    recorder rec = { .n = 0 };
    mgr_alarm_rule rules[2] = { make_rule("vm.cpu.util", "80", NULL),
                                make_rule("vm.mem.used.pct", "80", NULL) };
    rules[1].n_notify_warning = 0;
    mgr_alarm *a = engine(NULL, rules, 2, &rec);
    char err[256];
    cpu(a, &rec, 0, 90);
    vm_sample(a, &rec, 0, "web1", "vm.mem.used.pct", 90); /* open, never sent */
    ck_assert_uint_eq(rec.n, 1);
    mgr_alarm_rule other = make_rule("host.load", "10", NULL);
    ck_assert_int_eq(mgr_alarm_set_rules(a, &other, 1, 30, record, &rec, err, sizeof(err)), 0);
    ck_assert_uint_eq(rec.n, 2);
    rec_msg *m = &rec.m[1];
    ck_assert_int_eq(m->kind, VS_MSG_ALARM_CLEARED);
    ck_assert_str_eq(m->value, "rule removed");
    ck_assert_str_eq(m->rule, "vm.cpu.util@all");
    ck_assert_str_eq(m->alarm_id, rec.m[0].alarm_id);
    ck_assert_str_eq(m->to, "noc");
    ck_assert(m->time == 30);
    ck_assert_str_eq(m->summary, "OK: vm.cpu.util on lab/hv1/vm:web1 is no longer watched: rule "
                                 "removed (was WARNING)");
    mgr_alarm_view v[4];
    ck_assert_uint_eq(mgr_alarm_active(a, v, 4), 0);
    mgr_alarm_free(a);
}
END_TEST

/* ---------------------------------------------------------------- persistence */

/* One directory for the persistence tests, made and removed by the parent (so a failing
 * test leaves nothing behind); each test starts with it empty. */
static char tmpdir[64];

static void clear_tmpdir(void)
{
    static const char *const names[] = { "alarms.json", "alarms.json.tmp", "alarms.json.corrupt",
                                         "dir.json" };
    char p[128];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
        if (unlink(p) < 0 && errno == EISDIR)
            rmdir(p);
    }
}

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs-alarm-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    clear_tmpdir();
    rmdir(tmpdir);
}

static void state_path(char *buf, size_t len)
{
    snprintf(buf, len, "%s/alarms.json", tmpdir);
}

static void save(mgr_alarm *a)
{
    char err[256] = "";
    ck_assert_msg(mgr_alarm_save(a, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(restart_keeps_open_alarm_without_resending_and_clears_with_same_id)
{
    char path[128];
    state_path(path, sizeof(path));
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", "95");
    r.repeat = 600;
    mgr_alarm *a = engine(path, &r, 1, &rec);
    cpu(a, &rec, 1000, 99);
    ck_assert_int_eq(mgr_alarm_dirty(a), 1);
    save(a);
    ck_assert_int_eq(mgr_alarm_dirty(a), 0);
    mgr_alarm_free(a);
    ck_assert_uint_eq(rec.n, 1);

    a = engine(path, &r, 1, &rec);
    mgr_alarm_view v[2];
    ck_assert_uint_eq(mgr_alarm_active(a, v, 2), 1);
    ck_assert_str_eq(v[0].alarm_id, rec.m[0].alarm_id);
    ck_assert_int_eq(v[0].level, VS_SEV_CRITICAL);
    ck_assert(v[0].since == 1000);
    ck_assert(v[0].value == 99);
    ck_assert_int_eq(v[0].notified, 1);
    /* Still critical: nothing, until the repeat is due 600 s after the raise. */
    cpu(a, &rec, 1060, 99);
    mgr_alarm_tick(a, 1060, record, &rec);
    ck_assert_uint_eq(rec.n, 1);
    mgr_alarm_tick(a, 1600, record, &rec);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_uint_eq(rec.m[1].repeat, 1);
    ck_assert_str_eq(rec.m[1].alarm_id, rec.m[0].alarm_id);
    save(a);
    mgr_alarm_free(a);

    a = engine(path, &r, 1, &rec);
    cpu(a, &rec, 1660, 10);
    ck_assert_uint_eq(rec.n, 3);
    rec_msg *m = &rec.m[2];
    ck_assert_int_eq(m->kind, VS_MSG_ALARM_CLEARED);
    ck_assert_str_eq(m->alarm_id, rec.m[0].alarm_id);
    char id[80];
    snprintf(id, sizeof(id), "%s.3", rec.m[0].alarm_id);
    ck_assert_str_eq(m->msg_id, id);
    ck_assert_str_eq(m->to, "noc pager");
    ck_assert_str_eq(m->threshold, "95");
    save(a);
    mgr_alarm_free(a);

    /* Nothing open any more after the next restart. */
    a = engine(path, &r, 1, &rec);
    ck_assert_uint_eq(mgr_alarm_active(a, v, 2), 0);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(restart_keeps_the_for_count)
{
    char path[128];
    state_path(path, sizeof(path));
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    r.for_samples = 3;
    mgr_alarm *a = engine(path, &r, 1, &rec);
    cpu(a, &rec, 0, 90);
    cpu(a, &rec, 60, 90);
    save(a);
    mgr_alarm_free(a);
    a = engine(path, &r, 1, &rec);
    cpu(a, &rec, 120, 90);
    ck_assert_uint_eq(rec.n, 1);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(restart_with_a_rule_gone_clears_it_as_rule_removed)
{
    char path[128];
    state_path(path, sizeof(path));
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    r.name = "cpu";
    mgr_alarm *a = engine(path, &r, 1, &rec);
    cpu(a, &rec, 0, 90);
    save(a);
    mgr_alarm_free(a);
    /* Same name, another metric: not the same rule. */
    mgr_alarm_rule other = make_rule("vm.mem.used.pct", "80", NULL);
    other.name = "cpu";
    a = engine(path, &other, 1, &rec);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_str_eq(rec.m[1].value, "rule removed");
    ck_assert_str_eq(rec.m[1].rule, "cpu");
    ck_assert_str_eq(rec.m[1].metric, "vm.cpu.util");
    mgr_alarm_free(a);
}
END_TEST

START_TEST(save_writes_only_when_something_changed)
{
    char path[128];
    state_path(path, sizeof(path));
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    mgr_alarm *a = engine(path, &r, 1, &rec);
    cpu(a, &rec, 0, 10);
    ck_assert_int_eq(mgr_alarm_dirty(a), 0);
    save(a);
    ck_assert_int_eq(access(path, F_OK), -1);
    cpu(a, &rec, 60, 90);
    save(a);
    ck_assert_int_eq(access(path, F_OK), 0);
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    ck_assert_int_eq(access(tmp, F_OK), -1); /* renamed into place, nothing left over */
    /* Another sample of the same level changes no state worth a write. */
    cpu(a, &rec, 120, 91);
    ck_assert_int_eq(mgr_alarm_dirty(a), 0);
    mgr_alarm_free(a);
}
END_TEST

static int log_lines;
static char log_last[512];

static void log_sink(vs_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)ctx;
    log_lines++;
    snprintf(log_last, sizeof(log_last), "%s", line);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static const char *const corrupt_files[] = {
    "this is not json",
    "",
    "{\"version\":1,\"alarms\":[]} trailing",
    "[1,2,3]",
    "{\"version\":99,\"alarms\":[]}",
    "{\"version\":1,\"alarms\":{}}",
    "{\"version\":1,\"alarms\":[{\"rule\":\"x\"}]}",
    "{\"version\":1,\"alarms\":[{\"rule\":\"r\",\"resource\":\"lab/hv1\",\"host\":\"hv1\","
    "\"metric\":\"m\",\"threshold\":null,\"level\":7,\"previous\":0,\"pending\":0,\"count\":0,"
    "\"notified\":[],\"alarm_id\":\"0123456789abcdef\",\"seq\":1,\"episode_start\":1,"
    "\"since\":1,\"last_msg\":1,\"repeat\":0,\"value\":1,\"missed\":0}]}",
    "{\"version\":1,\"alarms\":[{\"rule\":\"r\",\"resource\":\"lab/hv1\",\"host\":\"hv1\","
    "\"metric\":\"m\",\"threshold\":null,\"level\":2,\"previous\":0,\"pending\":0,\"count\":0,"
    "\"notified\":[3],\"alarm_id\":\"0123456789abcdef\",\"seq\":1,\"episode_start\":1,"
    "\"since\":1,\"last_msg\":1,\"repeat\":0,\"value\":1,\"missed\":0}]}",
    "{\"version\":1,\"alarms\":[{\"rule\":\"r\",\"resource\":\"lab/hv1\",\"host\":\"hv1\","
    "\"metric\":\"m\",\"threshold\":null,\"level\":2,\"previous\":0,\"pending\":0,\"count\":0,"
    "\"notified\":[],\"alarm_id\":\"xyz\",\"seq\":1,\"episode_start\":1,"
    "\"since\":1,\"last_msg\":1,\"repeat\":0,\"value\":1,\"missed\":0}]}",
};

START_TEST(corrupt_state_file_is_logged_once_set_aside_and_ignored)
{
    char path[128], aside[160], err[256] = "";
    state_path(path, sizeof(path));
    snprintf(aside, sizeof(aside), "%s.corrupt", path);
    write_file(path, corrupt_files[_i]);
    log_lines = 0;
    vs_log_init("test", VS_LOG_DEBUG);
    vs_log_set_sink(log_sink, NULL);
    mgr_alarm *a = mgr_alarm_new(path, err, sizeof(err));
    vs_log_set_sink(NULL, NULL);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(log_lines, 1);
    ck_assert_msg(strstr(log_last, "corrupt") != NULL && strstr(log_last, aside) != NULL, "%s",
                  log_last);
    ck_assert_int_eq(access(path, F_OK), -1);
    ck_assert_int_eq(access(aside, F_OK), 0);
    mgr_alarm_view v[2];
    ck_assert_uint_eq(mgr_alarm_active(a, v, 2), 0);
    /* The engine works and can write a good file in its place. */
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    ck_assert_int_eq(mgr_alarm_set_rules(a, &r, 1, 0, record, &rec, err, sizeof(err)), 0);
    cpu(a, &rec, 0, 90);
    save(a);
    mgr_alarm_free(a);
    a = engine(path, &r, 1, &rec);
    ck_assert_uint_eq(mgr_alarm_active(a, v, 2), 1);
    mgr_alarm_free(a);
}
END_TEST

START_TEST(unreadable_state_file_is_an_error)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof(path), "%s/dir.json", tmpdir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_ptr_null(mgr_alarm_new(path, err, sizeof(err)));
    ck_assert_msg(strstr(err, "cannot read the alarm state file") != NULL, "%s", err);
}
END_TEST

START_TEST(save_failure_is_reported_and_retried)
{
    char path[160], err[256] = "";
    snprintf(path, sizeof(path), "%s/missing-dir/alarms.json", tmpdir);
    recorder rec = { .n = 0 };
    mgr_alarm_rule r = make_rule("vm.cpu.util", "80", NULL);
    mgr_alarm *a = engine(path, &r, 1, &rec);
    cpu(a, &rec, 0, 90);
    ck_assert_int_eq(mgr_alarm_save(a, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "alarm state file") != NULL, "%s", err);
    ck_assert_int_eq(mgr_alarm_dirty(a), 1);
    mgr_alarm_free(a);
}
END_TEST

/* ---------------------------------------------------------------- cost */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 100 hosts x 100 VMs, 10 metrics per VM, 3 rules on VM metrics (one scoped by glob); 5% of
 * VMs hot. Prints the cost per sample fed and per (rule, sample) evaluation. */
START_TEST(ten_thousand_vms_three_rules_cost_little_per_sample)
{
    static const char *const metrics[10] = { "vm.state",       "vm.cpu.util",     "vm.cpu.time",
                                             "vm.mem.used",    "vm.mem.used.pct", "vm.disk.rd.bps",
                                             "vm.disk.wr.bps", "vm.disk.iops",    "vm.net.rx.bps",
                                             "vm.net.tx.bps" };
    enum { HOSTS = 100, VMS = 100, METRICS = 10, CYCLES = 5 };
    mgr_alarm_rule rules[3] = { make_rule("vm.cpu.util", "80", "95"),
                                make_rule("vm.mem.used.pct", "85", "95"),
                                make_rule("vm.cpu.util", NULL, "99") };
    rules[2].scope = MGR_SCOPE_VM;
    rules[2].scope_value = "vm-1*";
    recorder rec = { .n = 0 };
    mgr_alarm *a = engine(NULL, rules, 3, &rec);
    mgr_alarm_sample *s = calloc(VMS * METRICS, sizeof *s);
    char(*res)[64] = calloc(VMS, sizeof *res);
    char(*names)[32] = calloc(VMS, sizeof *names);
    ck_assert(s && res && names);
    double t0 = mono();
    size_t fed = 0, hot = 0;
    for (int c = 0; c < CYCLES; c++) {
        for (int h = 0; h < HOSTS; h++) {
            char host[32];
            snprintf(host, sizeof(host), "hv%d", h);
            for (int v = 0; v < VMS; v++) {
                snprintf(names[v], sizeof(names[v]), "vm-%d", v);
                snprintf(res[v], sizeof(res[v]), "lab/%s/vm:%s", host, names[v]);
                int is_hot = (h * VMS + v) % 20 == 0;
                for (int m = 0; m < METRICS; m++) {
                    mgr_alarm_sample *x = &s[v * METRICS + m];
                    x->resource = res[v];
                    x->vm_name = names[v];
                    x->metric = metrics[m];
                    x->value = is_hot ? 90.0 : 20.0 + m;
                }
            }
            mgr_alarm_host(a, host, "lab", 1, s, VMS * METRICS, 60.0 * c, NULL, NULL);
            fed += VMS * METRICS;
        }
        mgr_alarm_tick(a, 60.0 * c, NULL, NULL);
    }
    double dt = mono() - t0;
    mgr_alarm_view v[1];
    hot = mgr_alarm_active(a, v, 0);
    /* vm.cpu.util and vm.mem.used.pct of every 20th VM: 2 x 500 alarms. */
    ck_assert_uint_eq(hot, 1000);
    size_t evals = (size_t)CYCLES * HOSTS * VMS * 3;
    fprintf(stderr,
            "mgr_alarm: %d cycles of %d VMs x %d metrics, 3 rules: %.3f s, %.3f us per sample "
            "fed, %.3f us per rule evaluation, %.1f ms per cycle\n",
            CYCLES, HOSTS * VMS, METRICS, dt, dt * 1e6 / (double)fed, dt * 1e6 / (double)evals,
            dt * 1e3 / CYCLES);
    /* Loose enough for sanitizer builds on a busy machine; a quadratic scan would not pass. */
    ck_assert_msg(dt * 1e6 / (double)fed < 20.0, "%.3f us per sample", dt * 1e6 / (double)fed);
    free(s);
    free(res);
    free(names);
    mgr_alarm_free(a);
}
END_TEST

static Suite *alarm_suite(void)
{
    Suite *s = suite_create("mgr_alarm");
    TCase *tc = tcase_create("levels");
    tcase_add_test(tc, ok_warning_critical_ok_gives_raised_raised_cleared);
    tcase_add_test(tc, new_episode_gets_a_new_alarm_id);
    tcase_add_test(tc, clear_goes_to_every_notifier_of_the_episode);
    tcase_add_test(tc, values_flapping_inside_hysteresis_band_send_nothing);
    tcase_add_test(tc, critical_clearing_into_warning_band_deescalates_to_warning);
    tcase_add_test(tc, for_three_needs_three_consecutive_samples);
    tcase_add_test(tc, for_three_raises_the_least_severe_level_of_the_run);
    tcase_add_test(tc, repeat_every_r_seconds_counts_repeats);
    tcase_add_test(tc, repeat_zero_never_repeats);
    tcase_add_test(tc, unsent_raise_gets_no_recovery);
    tcase_add_test(tc, nan_sample_is_skipped);
    suite_add_tcase(s, tc);
    tc = tcase_create("hosts");
    tcase_add_test(tc, host_down_raises_one_host_up_critical_and_holds_the_rest);
    tcase_add_test(tc, host_down_does_not_clear_or_forget_held_alarms);
    tcase_add_test(tc, host_up_rule_counts_down_polls_for_for);
    tcase_add_test(tc, host_up_rule_with_a_warning_threshold_raises_a_warning);
    tcase_add_test(tc, host_up_sample_from_the_caller_is_used_while_up);
    tcase_add_test(tc, vm_gone_for_three_polls_is_cleared_as_gone);
    tcase_add_test(tc, gone_after_is_settable_and_a_sample_resets_the_count);
    tcase_add_test(tc, host_remove_clears_its_alarms);
    suite_add_tcase(s, tc);
    tc = tcase_create("scopes");
    tcase_add_test(tc, group_scope_matches_on_path_boundaries);
    tcase_add_test(tc, host_scope_matches_the_host_name_exactly);
    tcase_add_test(tc, vm_scope_matches_vm_names_by_glob);
    tcase_add_test(tc, overlapping_rules_are_separate_alarms);
    suite_add_tcase(s, tc);
    tc = tcase_create("rules");
    tcase_add_test(tc, set_rules_refuses_bad_rules_and_keeps_the_old_set);
    tcase_add_test(tc, reload_with_changed_threshold_keeps_the_alarm);
    tcase_add_test(tc, rule_removed_on_reload_clears_its_notified_alarms);
    suite_add_tcase(s, tc);
    tc = tcase_create("persistence");
    tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_add_checked_fixture(tc, clear_tmpdir, NULL);
    tcase_add_test(tc, restart_keeps_open_alarm_without_resending_and_clears_with_same_id);
    tcase_add_test(tc, restart_keeps_the_for_count);
    tcase_add_test(tc, restart_with_a_rule_gone_clears_it_as_rule_removed);
    tcase_add_test(tc, save_writes_only_when_something_changed);
    tcase_add_loop_test(tc, corrupt_state_file_is_logged_once_set_aside_and_ignored, 0,
                        sizeof(corrupt_files) / sizeof(corrupt_files[0]));
    tcase_add_test(tc, unreadable_state_file_is_an_error);
    tcase_add_test(tc, save_failure_is_reported_and_retried);
    suite_add_tcase(s, tc);
    tc = tcase_create("cost");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ten_thousand_vms_three_rules_cost_little_per_sample);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(alarm_suite)
