/* mgr_rrd_cached: the RRD writer's rrdcached mode. Each chunk of the queue goes in one BATCH;
 * the daemon does all file I/O, except that missing directories are made here when it refuses
 * to (it was started without -R).
 *
 * A file the writer does not know yet (a fresh process, or after an error) is not asked about
 * first: asking (LAST) makes rrdcached open and read the file (and its first UPDATE reads it
 * again), which held a fresh process to 25,000 updates/s. Its updates are sent on trust; the BATCH
 * answer says, per refused update, what rrdcached found (synchronously: it stats the file and
 * reads its last update before it queues the first update of a file it does not cache):
 *   - "No such file": the file is created (CREATE -O, pipelined) and the update sent again in a
 *     second BATCH;
 *   - "illegal attempt ... when last update time is Y": the file already has that time (a
 *     second --once run within a step, another manager on the same files): last = Y, the
 *     update is skipped, not an error;
 *   - anything else: an error.
 * One case rrdcached does not report: a file deleted while it still caches it takes updates
 * that are lost when they are written. So a file that is missing here is created before its
 * updates are sent (CREATE -O: "File exists" when rrdcached has it after all, and the updates
 * go on trust); only a definite ENOENT counts, and only when rrd_dir itself is visible here:
 * when rrdcached's files are not (another host, no permission), everything goes on trust.
 * For a known file nothing is asked: an update refused is an error, and the file is not
 * known any more. When rrdcached fails between the two BATCHes, the whole chunk is sent again
 * later: the updates it had accepted come back refused as not after the last, and are skipped
 * (uncounted). The stat costs ~3 us a file here: ~30 ms of a fresh process's 10,000. */
#include "config.h"

#include "mgr_rrd_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#define FLUSH_MAX 500 /* FLUSH commands per BATCH: rrdcached answers after writing them all */

/* What the reply handlers add to. */
typedef struct {
    mgr_rrd *w;
    mgr_rrd_stats d;
    unsigned long sent;    /* commands in the BATCH */
    unsigned long refused; /* of them refused, for whatever reason */
    int last_round;        /* a missing file is an error now, not created */
} cached_ctx;

/* rrdcached failed: log the first failure of an outage (later ones throttled). */
static void cached_away(mgr_rrd *w, const char *err)
{
    vs_complain(&w->away, vs_log_now(), VS_LOG_ERR, w->rrdc_name,
                "%s; keeping updates for up to %d s and trying again", err, w->retry_s);
}

/* An exchange with rrdcached worked: log the recovery once, reset the back-off. */
static void cached_ok(mgr_rrd *w)
{
    w->backoff = MGR_RRD_BACKOFF_FIRST;
    if (!w->away.failing)
        return;
    vs_complain_release(&w->away, VS_LOG_NOTICE, w->rrdc_name,
                        "answering again: sending the %zu updates held back (%llu dropped)", w->wn,
                        w->outage_dropped);
    w->outage_dropped = 0;
}

/* Whether rrd_dir is visible here, so that a file missing here is missing for rrdcached too
 * (or was deleted while it caches it). */
static int dir_visible(const mgr_rrd *w)
{
    struct stat st;
    return stat(w->dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether the file rel is certainly missing here. */
static int missing_here(mgr_rrd *w, const char *rel)
{
    struct stat st;
    const char *abs = mgr_rrd_abs(w, rel);
    return abs != NULL && stat(abs, &st) < 0 && errno == ENOENT;
}

/* Take the first BATCH_MAX records of the writer's list as the chunk; find their files and
 * list those not known, to create those missing here and send the others' updates on trust.
 * Returns the chunk's size. */
static size_t chunk_collect(mgr_rrd *w)
{
    int here = dir_visible(w);

    w->round++;
    w->chunk.n = 0;
    w->learn.n = 0;
    for (mgr_rrd_rec *r = w->whead; r != NULL && w->chunk.n < MGR_RRD_BATCH_MAX; r = r->next) {
        w->chunk.p[w->chunk.n++] = r;
        r->fate = MGR_RRD_R_UNSENT;
        if (r->f == NULL)
            r->f = mgr_rrd_files_get(&w->files, r->rel, (mgr_res_kind)r->kind);
        mgr_rrd_file *f = r->f;
        if (f == NULL || f->round == w->round)
            continue;
        f->round = w->round;
        f->first_t = r->t;
        if (f->known) {
            f->state = MGR_RRD_F_OK;
            continue;
        }
        f->last = LONG_MIN; /* from here: the last update sent, or learnt */
        f->state = here && missing_here(w, f->rel) ? MGR_RRD_F_CREATE : MGR_RRD_F_TRY;
        if (mgr_rrd_ptrs_push(&w->learn, f) < 0)
            f->state = MGR_RRD_F_FAIL;
    }
    return w->chunk.n;
}

/* Select the files to learn that are in state; returns how many. */
static size_t learn_select(mgr_rrd *w, unsigned char state)
{
    w->files_sel.n = 0;
    for (size_t i = 0; i < w->learn.n; i++) {
        mgr_rrd_file *f = w->learn.p[i];
        if (f->state == state && mgr_rrd_ptrs_push(&w->files_sel, f) < 0)
            f->state = MGR_RRD_F_FAIL;
    }
    return w->files_sel.n;
}

static int create_cmd(void *ctx, size_t i, vs_buf *out)
{
    cached_ctx *x = ctx;
    mgr_rrd *w = x->w;
    mgr_rrd_file *f = w->files_sel.p[i];
    const char *abs = mgr_rrd_abs(w, f->rel);

    if (abs == NULL || vs_buf_append_str(out, "CREATE ") < 0 || mgr_rrdc_append_arg(out, abs) < 0
        || vs_buf_appendf(out, " -s %d -b %ld -O", w->step, f->first_t - w->step) < 0)
        return -1;
    for (int k = 0; k < w->nargs[f->kind]; k++) {
        if (vs_buf_append(out, " ", 1) < 0 || vs_buf_append_str(out, w->args[f->kind][k]) < 0)
            return -1;
    }
    return vs_buf_append(out, "\n", 1);
}

/* rrdcached cannot make the directories of f: make them here (rrd_dir is usually visible here
 * too; if it is not, the CREATE after this fails again and the file is given up). */
static void create_dirs_here(mgr_rrd *w, mgr_rrd_file *f, const char *msg)
{
    const char *abs = mgr_rrd_abs(w, f->rel);

    if (abs != NULL && mgr_rrd_mkdirs(abs) == 0) {
        if (!w->dirs_noted) /* once: a first cycle would say it for every file */
            VS_LOG(VS_LOG_INFO, w->rrdc_name,
                   "rrdcached may not make directories (no -R): made the directories here, "
                   "first for %s",
                   f->rel);
        w->dirs_noted = 1;
        f->state = MGR_RRD_F_CREATE; /* try again */
        return;
    }
    f->state = MGR_RRD_F_FAIL;
    mgr_rrd_refuse(w, f->rel,
                   "rrdcached cannot create the directories of the file (%s; "
                   "start it with -R) and they cannot be made here: %s",
                   msg, abs != NULL ? strerror(errno) : "name too long");
}

/* Created: known; exists after all: its updates go on trust; directories missing: make them
 * here and try again. */
static void create_reply(void *ctx, size_t i, long code, const char *msg)
{
    cached_ctx *x = ctx;
    mgr_rrd_file *f = x->w->files_sel.p[i];

    if (code == 0) {
        f->last = f->first_t - x->w->step;
        f->known = 1;
        f->state = MGR_RRD_F_OK;
        x->d.creates++;
        VS_LOG(VS_LOG_INFO, f->rel, "created through %s", x->w->rrdc_name);
    } else if (strstr(msg, "File exists") != NULL) {
        f->last = LONG_MIN;
        f->state = MGR_RRD_F_TRY;
    } else if (strstr(msg, "recursively create") != NULL) {
        create_dirs_here(x->w, f, msg);
    } else {
        f->state = MGR_RRD_F_FAIL;
        mgr_rrd_refuse(x->w, f->rel, "rrdcached cannot create the file: %s", msg);
    }
}

/* Create the chunk's files found missing; two rounds, for those whose directories had to be
 * made here. 0, or -1 when rrdcached failed (logged). */
static int cached_create(mgr_rrd *w, cached_ctx *x)
{
    char err[256];

    for (int pass = 0; pass < 2; pass++) {
        if (learn_select(w, MGR_RRD_F_CREATE) > 0
            && mgr_rrdc_pipeline(w->rrdc, w->files_sel.n, create_cmd, create_reply, x, err,
                                 sizeof(err))
                   < 0) {
            cached_away(w, err);
            return -1;
        }
    }
    for (size_t i = 0; i < w->learn.n; i++) {
        mgr_rrd_file *f = w->learn.p[i];
        if (f->state == MGR_RRD_F_CREATE) {
            f->state = MGR_RRD_F_FAIL;
            mgr_rrd_refuse(w, f->rel, "rrdcached neither created the file nor found it");
        }
    }
    return 0;
}

/* Build the BATCH body of the chunk's updates (only those to send again, when again is set),
 * skipping those not after the file's last one. Returns the number of commands; w->cmd_rec
 * maps them to the chunk. */
static unsigned long cached_build(mgr_rrd *w, cached_ctx *x, int again)
{
    unsigned long k = 0;

    vs_buf_reset(&w->line);
    for (size_t i = 0; i < w->chunk.n; i++) {
        mgr_rrd_rec *r = w->chunk.p[i];
        mgr_rrd_file *f = r->f;
        if (again && r->fate != MGR_RRD_R_AGAIN)
            continue;
        r->fate = MGR_RRD_R_UNSENT;
        if (f == NULL || (f->state != MGR_RRD_F_OK && f->state != MGR_RRD_F_TRY)) {
            x->d.errors++; /* a failed file was logged when it failed */
            if (f == NULL)
                mgr_rrd_refuse(w, r->rel, "cannot track the file: out of memory");
            continue;
        }
        if (r->t <= f->last) {
            VS_LOG(VS_LOG_DEBUG, r->rel, "update at %ld skipped: the file has data up to %ld", r->t,
                   f->last);
            continue;
        }
        const char *abs = mgr_rrd_abs(w, r->rel);
        if (abs == NULL || mgr_rrd_format_update(&w->line, abs, r->t, r->v, r->n) < 0) {
            x->d.errors++;
            mgr_rrd_refuse(w, r->rel, "cannot build the update (name too long or out of memory)");
            continue;
        }
        w->cmd_rec[k++] = i;
        r->fate = MGR_RRD_R_SENT;
        f->last = r->t;
    }
    return k;
}

/* One command of the BATCH was refused. For a file not known when it was sent: missing, it is
 * created and the update sent again; not after the file's last update, it is skipped and that
 * time learnt. Otherwise, an error, and the file is not known any more. */
static void batch_error(void *ctx, unsigned long cmd, const char *msg)
{
    cached_ctx *x = ctx;
    mgr_rrd *w = x->w;
    long last;

    if (cmd < 1 || cmd > x->sent)
        return;
    mgr_rrd_rec *r = w->chunk.p[w->cmd_rec[cmd - 1]];
    mgr_rrd_file *f = r->f;
    if (r->fate != MGR_RRD_R_SENT)
        return; /* the same command twice: rrdcached does not do that */
    r->fate = MGR_RRD_R_REFUSED;
    x->refused++;
    if (f->state == MGR_RRD_F_TRY || f->state == MGR_RRD_F_CREATE) {
        switch (mgr_rrdc_update_error(msg, &last)) {
        case MGR_RRDC_UPD_TOO_OLD:
            VS_LOG(VS_LOG_DEBUG, r->rel, "update at %ld skipped: the file has data up to %ld", r->t,
                   last);
            if (last > f->last)
                f->last = last;
            f->known = 1;
            return;
        case MGR_RRDC_UPD_NO_FILE:
            if (x->last_round)
                break;
            f->state = MGR_RRD_F_CREATE;
            r->fate = MGR_RRD_R_AGAIN;
            return;
        case MGR_RRDC_UPD_OTHER:
            break;
        }
        f->state = MGR_RRD_F_FAIL; /* not known: its other updates went on trust too */
    }
    f->known = 0;
    x->d.errors++;
    mgr_rrd_refuse(w, r->rel, "rrdcached refused the update at %ld: %s", r->t, msg);
}

/* The chunk could not be sent: what its files hold is unknown now. */
static int chunk_failed(mgr_rrd *w)
{
    for (size_t i = 0; i < w->chunk.n; i++) {
        mgr_rrd_rec *r = w->chunk.p[i];
        if (r->f != NULL)
            r->f->known = 0;
    }
    return -1;
}

/* Mark the files of the accepted updates for the next flush. */
static void mark_dirty(mgr_rrd *w, unsigned long k)
{
    for (unsigned long c = 0; c < k; c++) {
        mgr_rrd_rec *r = w->chunk.p[w->cmd_rec[c]];
        mgr_rrd_file *f = r->f;
        if (r->fate == MGR_RRD_R_SENT && !f->dirty && mgr_rrd_ptrs_push(&w->dirty, f) == 0)
            f->dirty = 1;
    }
}

/* The files that went on trust and were not refused as missing are known now. */
static void learnt(mgr_rrd *w)
{
    for (size_t i = 0; i < w->learn.n; i++) {
        mgr_rrd_file *f = w->learn.p[i];
        if (f->state == MGR_RRD_F_TRY && f->last != LONG_MIN) {
            f->known = 1;
            f->state = MGR_RRD_F_OK;
        }
    }
}

/* Create the files found missing, then send the BATCH of the chunk's updates (again: those
 * refused because their file was missing). 0, or -1 when rrdcached failed (logged). */
static int cached_round(mgr_rrd *w, cached_ctx *x, int again)
{
    char err[256];

    if (cached_create(w, x) < 0)
        return -1;
    x->sent = cached_build(w, x, again);
    x->refused = 0;
    x->last_round = again;
    if (x->sent > 0) {
        if (mgr_rrdc_batch(w->rrdc, w->line.data, w->line.len, batch_error, x, err, sizeof(err))
            < 0) {
            cached_away(w, err);
            return -1;
        }
        x->d.updates += x->sent - x->refused;
        mark_dirty(w, x->sent);
    }
    learnt(w);
    return 0;
}

/* Whether an update of the chunk is to be sent again. */
static int chunk_again(const mgr_rrd *w)
{
    for (size_t i = 0; i < w->chunk.n; i++) {
        if (((const mgr_rrd_rec *)w->chunk.p[i])->fate == MGR_RRD_R_AGAIN)
            return 1;
    }
    return 0;
}

int mgr_rrd_cached_write(mgr_rrd *w)
{
    cached_ctx x = { .w = w };
    char err[256];

    if (mgr_rrdc_connect(w->rrdc, err, sizeof(err)) < 0) {
        cached_away(w, err);
        return -1;
    }
    size_t n = chunk_collect(w);
    if (cached_round(w, &x, 0) < 0 || (chunk_again(w) && cached_round(w, &x, 1) < 0))
        return chunk_failed(w);
    cached_ok(w);
    if (x.d.errors == 0)
        mgr_rrd_refuse_ok(w);
    mgr_rrd_finish(w, n, &x.d);
    return 0;
}

/* A FLUSH was refused: say so (rare: the file vanished). */
static void flush_error(void *ctx, unsigned long cmd, const char *msg)
{
    cached_ctx *x = ctx;
    (void)cmd;
    VS_LOG(VS_LOG_WARNING, x->w->rrdc_name, "FLUSH refused: %s", msg);
}

int mgr_rrd_cached_flush(mgr_rrd *w)
{
    cached_ctx x = { .w = w };
    char err[256];

    while (w->dirty.n > 0) {
        size_t n = w->dirty.n < FLUSH_MAX ? w->dirty.n : FLUSH_MAX;
        size_t from = w->dirty.n - n;
        vs_buf_reset(&w->line);
        for (size_t i = from; i < w->dirty.n; i++) {
            mgr_rrd_file *f = w->dirty.p[i];
            const char *abs = mgr_rrd_abs(w, f->rel);
            if (abs == NULL || vs_buf_append(&w->line, "FLUSH ", 6) < 0
                || mgr_rrdc_append_arg(&w->line, abs) < 0 || vs_buf_append(&w->line, "\n", 1) < 0)
                return -1;
        }
        if (mgr_rrdc_batch(w->rrdc, w->line.data, w->line.len, flush_error, &x, err, sizeof(err))
            < 0) {
            cached_away(w, err);
            return -1;
        }
        cached_ok(w);
        for (size_t i = from; i < w->dirty.n; i++)
            ((mgr_rrd_file *)w->dirty.p[i])->dirty = 0;
        w->dirty.n = from;
    }
    return 0;
}
