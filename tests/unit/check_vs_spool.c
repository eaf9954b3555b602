/* Unit tests of vs_spool's mechanics with fake notifiers defined here: durable before the first
 * attempt, delivered once, back-off and its gate, dead letters, resuming after a crash, entries
 * from other processes, logging once per outage, prompt stop, a stop bounded by its grace that
 * abandons a send() that hangs (and what the abandoned thread may still do). Real channels are
 * tested by their own parts. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vs_check.h"
#include "vs_log.h"
#include "vs_spool.h"

#define MAX_CALLS 256
#define MAX_LINES 64

/* Log capture ---------------------------------------------------------------------------------*/

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_lines[MAX_LINES][512];
static int n_log;

static void capture(vs_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)ctx;
    pthread_mutex_lock(&log_lock);
    if (n_log < MAX_LINES)
        snprintf(log_lines[n_log], sizeof log_lines[0], "%s", line);
    n_log++;
    pthread_mutex_unlock(&log_lock);
}

/* Lines captured so far that contain needle (NULL: all). */
static int log_count(const char *needle)
{
    int n = 0;
    pthread_mutex_lock(&log_lock);
    for (int i = 0; i < n_log && i < MAX_LINES; i++)
        n += needle == NULL || strstr(log_lines[i], needle) != NULL;
    pthread_mutex_unlock(&log_lock);
    return n;
}

static void log_dump(void)
{
    pthread_mutex_lock(&log_lock);
    for (int i = 0; i < n_log && i < MAX_LINES; i++)
        fprintf(stderr, "  log: %s\n", log_lines[i]);
    pthread_mutex_unlock(&log_lock);
}

/* Time and waiting ---------------------------------------------------------------------------*/

static double now_mono(void)
{
    return vs_log_now();
}

static void nap(double secs)
{
    struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };
    nanosleep(&ts, NULL);
}

/* Poll cond(arg) every 2 ms until it holds or timeout seconds pass; whether it held. */
static int wait_for(int (*cond)(void *), void *arg, double timeout)
{
    double end = now_mono() + timeout;
    while (!cond(arg)) {
        if (now_mono() > end)
            return 0;
        nap(0.002);
    }
    return 1;
}

/* The fake notifier ----------------------------------------------------------------------------*/

typedef struct {
    vs_send_result script[64]; /* results of the first calls, then dflt */
    size_t n_script;
    vs_send_result dflt;
    double retry_after;
    const char *spool_dir; /* to check that the entry is on disk when send runs */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t calls;
    double at[MAX_CALLS];
    char ids[MAX_CALLS][64];
    char states[MAX_CALLS][128];
    int not_on_disk;
} fake;

static fake fakes[2];
static vs_notifier notifiers[2];
static char tmpdir[64], spool_dir[96], dead_dir[96];

/* Whether DIR/notifier holds a file that mentions msg_id. */
static int entry_on_disk(const char *dir, const char *notifier, const char *msg_id)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, notifier);
    DIR *d = opendir(path);
    int found = 0;
    struct dirent *de;
    while (d != NULL && !found && (de = readdir(d)) != NULL) {
        char file[512], buf[8192];
        if (de->d_name[0] == '.')
            continue;
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        FILE *f = fopen(file, "r");
        size_t n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
        buf[n] = '\0';
        found = strstr(buf, msg_id) != NULL;
        if (f != NULL)
            fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return found;
}

static void fake_send(vs_notifier *n, const vs_msg *msg, json_object *state, vs_send_status *st)
{
    fake *f = n->impl;
    int on_disk = entry_on_disk(f->spool_dir, n->name, msg->msg_id);
    pthread_mutex_lock(&f->lock);
    size_t i = f->calls;
    if (i < MAX_CALLS) {
        f->at[i] = now_mono();
        snprintf(f->ids[i], sizeof f->ids[0], "%s", msg->msg_id);
        snprintf(f->states[i], sizeof f->states[0], "%s",
                 json_object_to_json_string_ext(state, JSON_C_TO_STRING_PLAIN));
    }
    f->not_on_disk += !on_disk;
    st->result = i < f->n_script ? f->script[i] : f->dflt;
    st->retry_after = f->retry_after;
    snprintf(st->error, sizeof st->error, "connection refused (call %zu)", i + 1);
    /* Progress kept in the entry, as e-mail keeps the recipients still owed. */
    json_object_object_add(state, "calls", json_object_new_int((int)i + 1));
    f->calls++;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

static void fake_free(vs_notifier *n)
{
    (void)n;
}

static const struct vs_notifier_ops fake_ops = { "fake", fake_send, fake_free };

static size_t fake_calls(fake *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = f->calls;
    pthread_mutex_unlock(&f->lock);
    return n;
}

/* Wait until f has been called n times (or timeout); whether it was. */
static int fake_wait(fake *f, size_t n, double timeout)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double until = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + timeout;
    ts.tv_sec = (time_t)until;
    ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
    pthread_mutex_lock(&f->lock);
    while (f->calls < n && pthread_cond_timedwait(&f->cond, &f->lock, &ts) == 0)
        continue;
    int ok = f->calls >= n;
    pthread_mutex_unlock(&f->lock);
    return ok;
}

/* A notifier whose send() hangs until the test lets it go or `hold` seconds pass, then answers
 * `result`; it counts its calls and its free(), to see who frees it and when. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered, returned, freed;
    int released;
    double hold;
    vs_send_result result;
} blocker;

static blocker blk;

static void blocker_send(vs_notifier *n, const vs_msg *msg, json_object *state, vs_send_status *st)
{
    blocker *b = n->impl;
    (void)msg;
    pthread_mutex_lock(&b->lock);
    b->entered++;
    pthread_cond_broadcast(&b->cond);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double until = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + b->hold;
    ts.tv_sec = (time_t)until;
    ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
    while (!b->released && pthread_cond_timedwait(&b->cond, &b->lock, &ts) == 0)
        continue;
    st->result = b->result;
    snprintf(st->error, sizeof st->error, "no answer within %g s", b->hold);
    /* Progress in the state: a save of the entry would show. */
    json_object_object_add(state, "blocked", json_object_new_int(b->entered));
    b->returned++;
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

static void blocker_free(vs_notifier *n)
{
    blocker *b = n->impl;
    pthread_mutex_lock(&b->lock);
    b->freed++;
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

static const struct vs_notifier_ops blocker_ops = { "blocker", blocker_send, blocker_free };
static vs_notifier blocker_notifier = { &blocker_ops, (char *)"ops", &blk };

/* Read one of blk's counters. */
static int blk_get(const int *field)
{
    pthread_mutex_lock(&blk.lock);
    int v = *field;
    pthread_mutex_unlock(&blk.lock);
    return v;
}

/* Wait until *field (one of blk's counters) reaches want, or timeout; whether it did. */
static int blk_wait(const int *field, int want, double timeout)
{
    double end = now_mono() + timeout;
    while (blk_get(field) < want) {
        if (now_mono() > end)
            return 0;
        nap(0.002);
    }
    return 1;
}

static void blk_release(void)
{
    pthread_mutex_lock(&blk.lock);
    blk.released = 1;
    pthread_cond_broadcast(&blk.cond);
    pthread_mutex_unlock(&blk.lock);
}

/* Start s with the blocker as notifier "ops" and wait until its send() hangs. */
static void blocker_start(vs_spool *s)
{
    vs_notifier *list[1] = { &blocker_notifier };
    char err[256] = "";
    ck_assert_msg(vs_spool_start(s, list, 1, err, sizeof err) == 0, "start: %s", err);
    ck_assert(blk_wait(&blk.entered, 1, 2));
}

/* Fixture ---------------------------------------------------------------------------------------*/

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vs-spool-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(spool_dir, sizeof spool_dir, "%s/state/spool", tmpdir);
    snprintf(dead_dir, sizeof dead_dir, "%s/state/dead", tmpdir);
    const char *names[] = { "ops", "chat" };
    for (int i = 0; i < 2; i++) {
        memset(&fakes[i], 0, sizeof fakes[i]);
        pthread_mutex_init(&fakes[i].lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&fakes[i].cond, &ca);
        pthread_condattr_destroy(&ca);
        fakes[i].dflt = VS_SEND_OK;
        fakes[i].spool_dir = spool_dir;
        notifiers[i] = (vs_notifier){ &fake_ops, (char *)names[i], &fakes[i] };
    }
    memset(&blk, 0, sizeof blk);
    pthread_mutex_init(&blk.lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&blk.cond, &ca);
    pthread_condattr_destroy(&ca);
    blk.hold = 5;
    blk.result = VS_SEND_OK;
    n_log = 0;
    vs_log_init("vs-test", VS_LOG_INFO);
    vs_log_set_sink(capture, NULL);
}

static void teardown(void)
{
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static vs_spool *spool_open(double rmin, double rmax, double max_age, int watch)
{
    vs_spool_conf c = { spool_dir, dead_dir, rmin, rmax, max_age, watch };
    char err[256] = "";
    vs_spool *s = vs_spool_open(&c, err, sizeof err);
    ck_assert_msg(s != NULL, "open: %s", err);
    return s;
}

static void spool_start(vs_spool *s, size_t n)
{
    vs_notifier *list[2] = { &notifiers[0], &notifiers[1] };
    char err[256] = "";
    ck_assert_msg(vs_spool_start(s, list, n, err, sizeof err) == 0, "start: %s", err);
}

static void put(vs_spool *s, const char *notifier, const char *id)
{
    vs_msg m = { .kind = VS_MSG_ALARM_RAISED,
                 .msg_id = (char *)id,
                 .alarm_id = (char *)"a1",
                 .time = 1700000000.5,
                 .severity = VS_SEV_CRITICAL,
                 .summary = (char *)"vm1 cpu 97.3 > 95" };
    char err[256] = "";
    ck_assert_msg(vs_spool_put(s, notifier, &m, err, sizeof err) == 0, "put: %s", err);
}

/* Regular files in DIR/sub (dot names excluded). */
static int files_in(const char *dir, const char *sub)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return n;
}

struct spool_count {
    vs_spool *s;
    const char *notifier;
    size_t want;
};

static int pending_is(void *arg)
{
    struct spool_count *c = arg;
    return vs_spool_pending(c->s, c->notifier) == c->want;
}

static int dead_is(void *arg)
{
    struct spool_count *c = arg;
    return vs_spool_dead(c->s) == c->want;
}

/* Write text as spool_dir/ops/name. */
static void plant(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/ops", spool_dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/ops/%s", spool_dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Tests -----------------------------------------------------------------------------------------*/

START_TEST(put_then_start_delivers_once_in_order)
{
    vs_spool *s = spool_open(0.05, 0.2, 0, 0);
    put(s, "ops", "m1");
    put(s, "ops", "m2");
    put(s, "ops", "m3");
    ck_assert_int_eq(files_in(spool_dir, "ops"), 3);
    ck_assert_uint_eq(vs_spool_pending(s, "ops"), 3);
    spool_start(s, 1);
    struct spool_count idle = { s, NULL, 0 };
    ck_assert(wait_for(pending_is, &idle, 3));
    vs_spool_stop(s, 5); /* no thread left that could send a duplicate */
    ck_assert_uint_eq(fake_calls(&fakes[0]), 3);
    ck_assert_str_eq(fakes[0].ids[0], "m1");
    ck_assert_str_eq(fakes[0].ids[1], "m2");
    ck_assert_str_eq(fakes[0].ids[2], "m3");
    ck_assert_int_eq(fakes[0].not_on_disk, 0);
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    ck_assert_int_eq(log_count(NULL), 0);
    vs_spool_close(s);
}
END_TEST

START_TEST(in_process_put_reaches_running_thread_at_once)
{
    vs_spool *s = spool_open(0.05, 0.2, 0, 1); /* watching too: not delivered twice */
    spool_start(s, 1);
    double worst = 0, worst_wake = 0;
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "m%d", i);
        double t0 = now_mono();
        put(s, "ops", id);
        double t1 = now_mono();
        ck_assert(fake_wait(&fakes[0], (size_t)i + 1, 2));
        double lat = fakes[0].at[i] - t0, wake = fakes[0].at[i] - t1;
        worst = lat > worst ? lat : worst;
        worst_wake = wake > worst_wake ? wake : worst_wake;
    }
    struct spool_count idle = { s, NULL, 0 };
    ck_assert(wait_for(pending_is, &idle, 2));
    vs_spool_stop(s, 5);
    ck_assert_uint_eq(fake_calls(&fakes[0]), 20);
    ck_assert_int_eq(fakes[0].not_on_disk, 0);
    fprintf(stderr,
            "check_vs_spool: in-process put -> send, worst of 20: %.2f ms (from put's return: "
            "%.2f ms)\n",
            worst * 1e3, worst_wake * 1e3);
    ck_assert(worst < 0.5);
    vs_spool_close(s);
}
END_TEST

START_TEST(retry_backs_off_and_keeps_state)
{
    fakes[0].script[0] = fakes[0].script[1] = fakes[0].script[2] = VS_SEND_RETRY;
    fakes[0].n_script = 3;
    vs_spool *s = spool_open(0.1, 0.8, 0, 0); /* waits of 0.1, 0.2, 0.4 s (+ jitter) */
    put(s, "ops", "m1");
    put(s, "ops", "m2");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 5, 5));
    vs_spool_stop(s, 5);
    fake *f = &fakes[0];
    double d1 = f->at[1] - f->at[0], d2 = f->at[2] - f->at[1], d3 = f->at[3] - f->at[2];
    ck_assert_msg(d1 >= 0.1, "second attempt after %.3f s", d1);
    ck_assert_msg(d2 > d1 && d3 > d2, "intervals %.3f %.3f %.3f do not grow", d1, d2, d3);
    /* The head is retried alone: m2 waits behind it, then follows at once. */
    ck_assert_str_eq(f->ids[3], "m1");
    ck_assert_str_eq(f->ids[4], "m2");
    ck_assert_msg(f->at[4] - f->at[3] < 0.1, "queue drained %.3f s late", f->at[4] - f->at[3]);
    ck_assert_str_eq(f->states[0], "{}");
    ck_assert_str_eq(f->states[1], "{\"calls\":1}");
    ck_assert_str_eq(f->states[3], "{\"calls\":3}");
    ck_assert_int_eq(log_count("delivery failed"), 1);
    ck_assert_int_eq(log_count("ops: delivering again after 3 failures; 1 queued"), 1);
    vs_spool_close(s);
}
END_TEST

START_TEST(retry_after_honoured)
{
    fakes[0].script[0] = VS_SEND_RETRY;
    fakes[0].n_script = 1;
    fakes[0].retry_after = 0.3;
    vs_spool *s = spool_open(0.02, 0.05, 0, 0);
    put(s, "ops", "m1");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 2, 3));
    double d = fakes[0].at[1] - fakes[0].at[0];
    ck_assert_msg(d >= 0.3, "retried after %.3f s, not the 0.3 s asked for", d);
    vs_spool_close(s);
}
END_TEST

/* Read the "attempts" of the only entry of DIR/ops. */
static long entry_attempts(char *state, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/ops", spool_dir);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    long attempts = -1;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char file[512];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        json_object *o = json_object_from_file(file), *v;
        ck_assert_ptr_nonnull(o);
        ck_assert(json_object_object_get_ex(o, "attempts", &v));
        attempts = (long)json_object_get_int64(v);
        ck_assert(json_object_object_get_ex(o, "state", &v));
        snprintf(state, len, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    }
    closedir(d);
    return attempts;
}

START_TEST(defer_not_counted_nor_logged)
{
    fakes[0].script[0] = fakes[0].script[1] = VS_SEND_DEFER;
    fakes[0].script[2] = VS_SEND_RETRY;
    fakes[0].n_script = 3;
    fakes[0].dflt = VS_SEND_RETRY;
    fakes[0].retry_after = 0.05;
    vs_spool *s = spool_open(1.0, 2.0, 0, 0);
    put(s, "ops", "m1");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 2, 3));
    ck_assert_int_eq(log_count(NULL), 0);
    ck_assert(fake_wait(&fakes[0], 3, 3));
    ck_assert_msg(fakes[0].at[1] - fakes[0].at[0] >= 0.05, "deferred less than retry_after");
    vs_spool_stop(s, 5); /* in the 1 s back-off */
    ck_assert_uint_eq(fake_calls(&fakes[0]), 3);
    char state[128];
    ck_assert_int_eq(entry_attempts(state, sizeof state), 1);
    ck_assert_str_eq(state, "{\"calls\":3}");
    ck_assert_int_eq(log_count(NULL), 1);
    vs_spool_close(s);
}
END_TEST

/* The only dead letter of notifier ops, parsed. */
static json_object *dead_letter(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/ops", dead_dir);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    json_object *o = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char file[512];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        ck_assert_ptr_null(o);
        o = json_object_from_file(file);
    }
    closedir(d);
    ck_assert_ptr_nonnull(o);
    return o;
}

START_TEST(failed_goes_to_dead_letters)
{
    fakes[0].dflt = VS_SEND_FAILED;
    vs_spool *s = spool_open(0.05, 0.2, 0, 0);
    put(s, "ops", "m1");
    spool_start(s, 1);
    struct spool_count dead = { s, NULL, 1 };
    ck_assert(wait_for(dead_is, &dead, 3));
    ck_assert_uint_eq(vs_spool_pending(s, NULL), 0);
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    json_object *o = dead_letter(), *v;
    ck_assert(json_object_object_get_ex(o, "dead", &v));
    ck_assert_ptr_nonnull(strstr(json_object_to_json_string(v), "connection refused (call 1)"));
    json_object_put(o);
    ck_assert_int_eq(log_count(NULL), 1);
    ck_assert_int_eq(log_count("ops: message m1 failed for good"), 1);
    vs_spool_close(s);
}
END_TEST

START_TEST(max_age_goes_to_dead_letters)
{
    fakes[0].dflt = VS_SEND_RETRY;
    vs_spool *s = spool_open(0.05, 0.1, 0.3, 0);
    put(s, "ops", "m1");
    spool_start(s, 1);
    struct spool_count dead = { s, NULL, 1 };
    ck_assert(wait_for(dead_is, &dead, 3));
    ck_assert_uint_ge(fake_calls(&fakes[0]), 2);
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    json_object_put(dead_letter());
    if (log_count("undelivered after") != 1)
        log_dump();
    ck_assert_int_eq(log_count("ops: message m1 undelivered after"), 1);
    ck_assert_int_eq(log_count("moved to the dead letters; last error: connection refused"), 1);
    vs_spool_close(s);
}
END_TEST

/* In a child: open the spool, put m1 and die by sig (0: _exit) before anything is sent. */
static void child_put(const char *notifier, const char *id, int sig)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        vs_spool_conf c = { spool_dir, dead_dir, 0, 0, 0, 0 };
        char err[256];
        vs_spool *s = vs_spool_open(&c, err, sizeof err);
        vs_msg m = { .kind = VS_MSG_TRAP, .msg_id = (char *)id, .summary = (char *)"trap" };
        if (s == NULL || vs_spool_put(s, notifier, &m, err, sizeof err) != 0)
            _exit(1);
        if (sig != 0)
            raise(sig);
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (sig != 0)
        ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == sig);
    else
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

START_TEST(crash_after_put_resumes_on_restart)
{
    child_put("ops", "killed", SIGKILL);
    child_put("ops", "exited", 0);
    ck_assert_int_eq(files_in(spool_dir, "ops"), 2);
    vs_spool *s = spool_open(0.05, 0.2, 0, 0);
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 2, 3));
    struct spool_count idle = { s, NULL, 0 };
    ck_assert(wait_for(pending_is, &idle, 2));
    vs_spool_stop(s, 5);
    ck_assert_uint_eq(fake_calls(&fakes[0]), 2);
    ck_assert_str_eq(fakes[0].ids[0], "killed");
    ck_assert_str_eq(fakes[0].ids[1], "exited");
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    vs_spool_close(s);
}
END_TEST

START_TEST(restart_keeps_recorded_backoff_and_state)
{
    fakes[0].script[0] = VS_SEND_RETRY;
    fakes[0].n_script = 1;
    vs_spool *s = spool_open(0.3, 0.3, 0, 0);
    put(s, "ops", "m1");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 1, 2));
    vs_spool_close(s);
    double closed = fakes[0].at[0];
    s = spool_open(0.3, 0.3, 0, 0);
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 2, 2));
    ck_assert_msg(fakes[0].at[1] - closed >= 0.25, "retried %.3f s after a failure",
                  fakes[0].at[1] - closed);
    ck_assert_str_eq(fakes[0].states[1], "{\"calls\":1}");
    vs_spool_close(s);
}
END_TEST

START_TEST(watch_picks_up_other_processes)
{
    vs_spool *s = spool_open(0.05, 0.2, 0, 1);
    spool_start(s, 1);
    double t0 = now_mono();
    child_put("ops", "from-child", 0);
    ck_assert(fake_wait(&fakes[0], 1, 2));
    double lat = fakes[0].at[0] - t0;
    /* An entry an operator copies in (written in place, not renamed) counts once closed. */
    char text[256];
    snprintf(text, sizeof text,
             "{\"v\":1,\"created\":%.0f,\"msg\":{\"kind\":3,\"msg_id\":\"copied\"}}",
             (double)time(NULL));
    plant("0000000000000009-1-1", text);
    ck_assert(fake_wait(&fakes[0], 2, 2));
    /* A notifier this runner does not know: indexed, kept, told about once. */
    child_put("pager", "nobody", 0);
    child_put("pager", "nobody2", 0);
    struct spool_count orphan = { s, "pager", 2 };
    ck_assert(wait_for(pending_is, &orphan, 2));
    struct spool_count idle = { s, "ops", 0 };
    ck_assert(wait_for(pending_is, &idle, 2));
    vs_spool_stop(s, 5);
    ck_assert_uint_eq(fake_calls(&fakes[0]), 2);
    ck_assert_str_eq(fakes[0].ids[0], "from-child");
    ck_assert_str_eq(fakes[0].ids[1], "copied");
    ck_assert_int_eq(log_count("pager: "), 1);
    ck_assert_int_eq(files_in(spool_dir, "pager"), 2);
    fprintf(stderr, "check_vs_spool: fork + put in another process -> send: %.2f ms\n", lat * 1e3);
    vs_spool_close(s);
}
END_TEST

START_TEST(failing_notifier_does_not_delay_another)
{
    fakes[0].dflt = VS_SEND_RETRY; /* ops is down */
    vs_spool *s = spool_open(0.05, 0.1, 0, 0);
    spool_start(s, 2);
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "m%d", i);
        put(s, "ops", id);
        put(s, "chat", id);
    }
    ck_assert(fake_wait(&fakes[1], 5, 1));
    ck_assert(fake_wait(&fakes[0], 4, 2));
    vs_spool_stop(s, 5);
    /* While ops is down only its head is tried: the channel is down, not the message. */
    for (size_t i = 0; i < fake_calls(&fakes[0]) && i < MAX_CALLS; i++)
        ck_assert_str_eq(fakes[0].ids[i], "m0");
    ck_assert_uint_eq(vs_spool_pending(s, "ops"), 5);
    ck_assert_uint_eq(vs_spool_pending(s, "chat"), 0);
    ck_assert_int_eq(log_count("chat:"), 0);
    vs_spool_close(s);
}
END_TEST

START_TEST(outage_logs_one_line_and_one_recovery)
{
    for (int i = 0; i < 20; i++)
        fakes[0].script[i] = VS_SEND_RETRY;
    fakes[0].n_script = 20;
    vs_spool *s = spool_open(0.005, 0.01, 0, 0);
    put(s, "ops", "m1");
    put(s, "ops", "m2");
    put(s, "ops", "m3");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 23, 5));
    vs_spool_stop(s, 5);
    if (log_count(NULL) != 2)
        log_dump();
    ck_assert_int_eq(log_count(NULL), 2);
    ck_assert_int_eq(log_count("vs-test: ops: delivery failed: connection refused (call 1)"), 1);
    ck_assert_int_eq(log_count("vs-test: ops: delivering again after 20 failures; 2 queued"), 1);
    vs_spool_close(s);
}
END_TEST

START_TEST(stop_during_backoff_is_prompt_and_keeps_entry)
{
    fakes[0].dflt = VS_SEND_RETRY;
    vs_spool *s = spool_open(5, 10, 0, 1);
    put(s, "ops", "m1");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 1, 2));
    double t0 = now_mono();
    vs_spool_stop(s, 5);
    double took = now_mono() - t0;
    ck_assert_msg(took < 1.0, "stop took %.3f s", took);
    ck_assert_int_eq(files_in(spool_dir, "ops"), 1);
    ck_assert_uint_eq(vs_spool_pending(s, "ops"), 1);
    t0 = now_mono();
    vs_spool_close(s);
    ck_assert_msg(now_mono() - t0 < 1.0, "close took %.3f s", now_mono() - t0);
}
END_TEST

START_TEST(reload_restarts_with_new_notifiers)
{
    fakes[0].dflt = VS_SEND_RETRY;
    vs_spool *s = spool_open(5, 10, 0, 0);
    put(s, "ops", "m1");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 1, 2));
    vs_spool_stop(s, 5);
    /* The new configuration's notifier of the same name works. */
    fake *f = &fakes[1];
    vs_notifier ops2 = { &fake_ops, (char *)"ops", f };
    vs_notifier *list[1] = { &ops2 };
    char err[256] = "";
    ck_assert_msg(vs_spool_start(s, list, 1, err, sizeof err) == 0, "restart: %s", err);
    ck_assert(fake_wait(f, 1, 1)); /* at once, not after the 5 s back-off */
    ck_assert_str_eq(f->ids[0], "m1");
    /* A second start without a stop is refused (and frees what it was given). */
    vs_notifier ops3 = { &fake_ops, (char *)"ops", f };
    list[0] = &ops3;
    ck_assert_int_eq(vs_spool_start(s, list, 1, err, sizeof err), -1);
    vs_spool_close(s);
}
END_TEST

/* The name and bytes of the only entry of DIR/ops, as "name\ncontent". */
static void entry_snapshot(char *buf, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/ops", spool_dir);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    int found = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        ck_assert_int_eq(found++, 0);
        char file[512];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        int n = snprintf(buf, len, "%s\n", de->d_name);
        FILE *f = fopen(file, "r");
        ck_assert_ptr_nonnull(f);
        size_t got = fread(buf + n, 1, len - (size_t)n - 1, f);
        buf[(size_t)n + got] = '\0';
        fclose(f);
    }
    closedir(d);
    ck_assert_int_eq(found, 1);
}

START_TEST(stop_leaves_a_hanging_send_behind)
{
    vs_spool *s = spool_open(0.05, 0.2, 0, 0);
    put(s, "ops", "m1");
    char before[8192], after[8192];
    entry_snapshot(before, sizeof before);
    blocker_start(s);
    double t0 = now_mono();
    vs_spool_stop(s, 0.2);
    double took = now_mono() - t0;
    ck_assert_msg(took >= 0.15 && took < 0.5, "stop with 0.2 s of grace took %.3f s", took);
    ck_assert_int_eq(blk_get(&blk.freed), 0); /* still in use */
    ck_assert_int_eq(log_count("stopping: a delivery attempt still in progress after 0.2 s"), 1);
    ck_assert_uint_eq(vs_spool_pending(s, "ops"), 1);
    t0 = now_mono();
    vs_spool_close(s);
    ck_assert_msg(now_mono() - t0 < 0.5, "close took %.3f s", now_mono() - t0);
    /* The send succeeds after all: the abandoned thread frees its notifier, nothing else. */
    blk_release();
    ck_assert(blk_wait(&blk.freed, 1, 2));
    ck_assert_int_eq(blk_get(&blk.returned), 1);
    entry_snapshot(after, sizeof after);
    ck_assert_str_eq(after, before);
    if (log_count(NULL) != 1)
        log_dump();
    ck_assert_int_eq(log_count(NULL), 1);
    /* The next runner sends it (again). */
    s = spool_open(0.05, 0.2, 0, 0);
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 1, 2));
    ck_assert_str_eq(fakes[0].ids[0], "m1");
    struct spool_count idle = { s, NULL, 0 };
    ck_assert(wait_for(pending_is, &idle, 2));
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    vs_spool_close(s);
}
END_TEST

START_TEST(reload_does_not_wait_for_a_hanging_send)
{
    vs_spool *s = spool_open(0.05, 0.2, 0, 1);
    put(s, "ops", "m1");
    put(s, "ops", "m2");
    blocker_start(s);
    double t0 = now_mono();
    vs_spool_stop(s, 0);
    ck_assert_msg(now_mono() - t0 < 0.1, "stop without grace took %.3f s", now_mono() - t0);
    spool_start(s, 1); /* the new configuration's "ops" */
    ck_assert(fake_wait(&fakes[0], 2, 2));
    ck_assert_int_eq(blk_get(&blk.returned), 0); /* both went out while the old one hung */
    ck_assert_str_eq(fakes[0].ids[0], "m1");
    ck_assert_str_eq(fakes[0].ids[1], "m2");
    struct spool_count idle = { s, NULL, 0 };
    ck_assert(wait_for(pending_is, &idle, 2));
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    /* The old attempt ends: nothing comes back, nothing is logged, the new thread goes on. */
    blk_release();
    ck_assert(blk_wait(&blk.freed, 1, 2));
    put(s, "ops", "m3");
    ck_assert(fake_wait(&fakes[0], 3, 2));
    ck_assert(wait_for(pending_is, &idle, 2));
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    ck_assert_int_eq(log_count(NULL), 1); /* the stop's line */
    vs_spool_stop(s, 5);
    ck_assert_uint_eq(fake_calls(&fakes[0]), 3);
    vs_spool_close(s);
}
END_TEST

START_TEST(stop_waits_within_grace)
{
    blk.hold = 0.3; /* then it answers OK by itself */
    vs_spool *s = spool_open(0.05, 0.2, 0, 0);
    put(s, "ops", "m1");
    blocker_start(s);
    double t0 = now_mono();
    vs_spool_stop(s, 3);
    double took = now_mono() - t0;
    ck_assert_msg(took < 1.0, "stop took %.3f s for a 0.3 s send", took);
    ck_assert_int_eq(blk_get(&blk.freed), 1); /* joined, and freed by the stop */
    ck_assert_int_eq(files_in(spool_dir, "ops"), 0);
    ck_assert_int_eq(log_count(NULL), 0);
    vs_spool_close(s);
}
END_TEST

START_TEST(failure_during_stop_not_called_back_off)
{
    blk.hold = 0.3;
    blk.result = VS_SEND_RETRY;
    vs_spool *s = spool_open(5, 10, 0, 0);
    put(s, "ops", "m1");
    blocker_start(s);
    vs_spool_stop(s, 3);
    ck_assert_int_eq(blk_get(&blk.freed), 1);
    if (log_count(NULL) != 1)
        log_dump();
    ck_assert_int_eq(log_count("ops: delivery failed: no answer within 0.3 s; 1 queued, tried "
                               "again when delivery restarts"),
                     1);
    ck_assert_int_eq(log_count(NULL), 1);
    char state[128];
    ck_assert_int_eq(entry_attempts(state, sizeof state), 1);
    ck_assert_str_eq(state, "{\"blocked\":1}");
    vs_spool_close(s);
}
END_TEST

START_TEST(recovery_after_one_failure_singular)
{
    fakes[0].script[0] = VS_SEND_RETRY;
    fakes[0].n_script = 1;
    vs_spool *s = spool_open(0.01, 0.02, 0, 0);
    put(s, "ops", "m1");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 2, 2));
    struct spool_count idle = { s, NULL, 0 };
    ck_assert(wait_for(pending_is, &idle, 2));
    vs_spool_stop(s, 5);
    ck_assert_int_eq(log_count("ops: delivering again after 1 failure; 0 queued"), 1);
    vs_spool_close(s);
}
END_TEST

START_TEST(corrupt_entries_go_to_dead_letters)
{
    vs_spool *s = spool_open(0.05, 0.2, 0, 0);
    plant("0000000000000001-1-1", "{\"v\":1,\"created\":1,");
    plant("0000000000000002-1-1", "{\"v\":1,\"created\":1,\"msg\":{\"kind\":9}}");
    put(s, "ops", "good");
    spool_start(s, 1);
    ck_assert(fake_wait(&fakes[0], 1, 2));
    struct spool_count dead = { s, NULL, 2 };
    ck_assert(wait_for(dead_is, &dead, 2));
    vs_spool_stop(s, 5);
    ck_assert_str_eq(fakes[0].ids[0], "good");
    ck_assert_int_eq(files_in(dead_dir, "ops"), 2);
    char path[256], buf[256] = "";
    snprintf(path, sizeof path, "%s/ops/0000000000000001-1-1", dead_dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
    fclose(f);
    ck_assert_str_eq(buf, "{\"v\":1,\"created\":1,"); /* kept as it was */
    ck_assert_int_eq(log_count("is corrupt (not JSON)"), 1);
    ck_assert_int_eq(log_count("is corrupt (not a message"), 1);
    ck_assert_int_eq(log_count(NULL), 2);
    vs_spool_close(s);
}
END_TEST

START_TEST(bad_notifier_names_refused)
{
    vs_spool *s = spool_open(0, 0, 0, 0);
    const char *bad[] = {
        "",     ".tmp",
        "..",   "a/b",
        "../x", "sp ace",
        "é",    "0123456789012345678901234567890123456789012345678901234567890123456"
    };
    vs_msg m = { .kind = VS_MSG_TRAP, .msg_id = (char *)"x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        ck_assert_int_eq(vs_spool_put(s, bad[i], &m, err, sizeof err), -1);
        ck_assert_ptr_nonnull(strstr(err, "notifier name"));
    }
    char err[64];
    ck_assert_int_eq(vs_spool_put(s, NULL, &m, err, sizeof err), -1);
    put(s, "Ops_1.b-2", "ok");
    vs_spool_close(s);
}
END_TEST

START_TEST(stale_temporary_files_cleaned_at_open)
{
    vs_spool *s = spool_open(0, 0, 0, 0);
    vs_spool_close(s);
    char old[256], fresh[256];
    snprintf(old, sizeof old, "%s/.tmp/old", spool_dir);
    snprintf(fresh, sizeof fresh, "%s/.tmp/fresh", spool_dir);
    fclose(fopen(old, "w"));
    fclose(fopen(fresh, "w"));
    struct timespec times[2] = { { time(NULL) - 120, 0 }, { time(NULL) - 120, 0 } };
    ck_assert_int_eq(utimensat(AT_FDCWD, old, times, 0), 0);
    s = spool_open(0, 0, 0, 0);
    ck_assert_int_eq(access(old, F_OK), -1);
    ck_assert_int_eq(access(fresh, F_OK), 0);
    ck_assert_uint_eq(vs_spool_pending(s, NULL), 0); /* .tmp is not a notifier */
    vs_spool_close(s);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

START_TEST(put_latency)
{
    enum { N = 100 };
    vs_spool *s = spool_open(0, 0, 0, 0);
    double lat[N], sum = 0;
    for (int i = 0; i < N; i++) {
        double t0 = now_mono();
        put(s, "ops", "lat");
        lat[i] = now_mono() - t0;
        sum += lat[i];
    }
    qsort(lat, N, sizeof lat[0], cmp_double);
    fprintf(stderr, "check_vs_spool: put latency over %d puts: mean %.2f ms, p99 %.2f ms\n", N,
            sum / N * 1e3, lat[N * 99 / 100] * 1e3);
    ck_assert_int_eq(files_in(spool_dir, "ops"), N);
    vs_spool_close(s);
}
END_TEST

static Suite *spool_suite(void)
{
    Suite *s = suite_create("vs_spool");
    TCase *tc = tcase_create("spool");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, put_then_start_delivers_once_in_order);
    tcase_add_test(tc, in_process_put_reaches_running_thread_at_once);
    tcase_add_test(tc, retry_backs_off_and_keeps_state);
    tcase_add_test(tc, retry_after_honoured);
    tcase_add_test(tc, defer_not_counted_nor_logged);
    tcase_add_test(tc, failed_goes_to_dead_letters);
    tcase_add_test(tc, max_age_goes_to_dead_letters);
    tcase_add_test(tc, crash_after_put_resumes_on_restart);
    tcase_add_test(tc, restart_keeps_recorded_backoff_and_state);
    tcase_add_test(tc, watch_picks_up_other_processes);
    tcase_add_test(tc, failing_notifier_does_not_delay_another);
    tcase_add_test(tc, outage_logs_one_line_and_one_recovery);
    tcase_add_test(tc, stop_during_backoff_is_prompt_and_keeps_entry);
    tcase_add_test(tc, reload_restarts_with_new_notifiers);
    tcase_add_test(tc, stop_leaves_a_hanging_send_behind);
    tcase_add_test(tc, reload_does_not_wait_for_a_hanging_send);
    tcase_add_test(tc, stop_waits_within_grace);
    tcase_add_test(tc, failure_during_stop_not_called_back_off);
    tcase_add_test(tc, recovery_after_one_failure_singular);
    tcase_add_test(tc, corrupt_entries_go_to_dead_letters);
    tcase_add_test(tc, bad_notifier_names_refused);
    tcase_add_test(tc, stale_temporary_files_cleaned_at_open);
    tcase_add_test(tc, put_latency);
    suite_add_tcase(s, tc);
    return s;
}

VS_CHECK_MAIN(spool_suite)
