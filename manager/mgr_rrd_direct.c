/* mgr_rrd_direct: the RRD writer's direct mode: files created and updated in this process with
 * librrd's thread-safe calls (rrd_create_r2, rrd_update_r, rrd_last_r). */
#include "config.h"

#include "mgr_rrd_int.h"

#include <errno.h>
#include <rrd.h>
#include <string.h>
#include <sys/stat.h>

#define DIRECT_CHUNK 1024 /* updates between two looks at the queue and the stats */

/* librrd's message for the last failure in this thread. */
static const char *rrd_error_text(void)
{
    const char *e = rrd_get_error();
    return e != NULL && *e != '\0' ? e : "unknown error";
}

/* Learn the last update time of the existing file abs. 0, or -1 (logged). */
static int direct_last(mgr_rrd *w, mgr_rrd_file *f, const char *abs)
{
    rrd_clear_error();
    time_t last = rrd_last_r(abs);
    if (last == (time_t)-1) {
        mgr_rrd_refuse(w, f->rel, "cannot read %s: %s", abs, rrd_error_text());
        return -1;
    }
    f->last = (long)last;
    f->known = 1;
    return 0;
}

/* Create the file abs of f (and its directories) so that an update at t is its first. 0, or
 * -1 (logged). */
static int direct_create(mgr_rrd *w, mgr_rrd_file *f, const char *abs, long t, mgr_rrd_stats *d)
{
    if (mgr_rrd_mkdirs(abs) < 0) {
        mgr_rrd_refuse(w, f->rel, "cannot create the directories of %s: %s", abs, strerror(errno));
        return -1;
    }
    rrd_clear_error();
    if (rrd_create_r2(abs, (unsigned long)w->step, (time_t)(t - w->step), 1, NULL, NULL,
                      w->nargs[f->kind], (const char **)w->args[f->kind])
        != 0) {
        struct stat st;
        if (stat(abs, &st) == 0) /* someone else made it meanwhile */
            return direct_last(w, f, abs);
        mgr_rrd_refuse(w, f->rel, "cannot create %s: %s", abs, rrd_error_text());
        return -1;
    }
    chmod(abs, 0644); /* whatever the umask */
    f->last = t - w->step;
    f->known = 1;
    d->creates++;
    VS_LOG(VS_LOG_INFO, f->rel, "created %s", abs);
    return 0;
}

/* Make sure f exists and its last update time is known. 0, or -1 (logged). */
static int direct_learn(mgr_rrd *w, mgr_rrd_file *f, const char *abs, long t, mgr_rrd_stats *d)
{
    struct stat st;

    if (stat(abs, &st) == 0)
        return direct_last(w, f, abs);
    if (errno != ENOENT) {
        mgr_rrd_refuse(w, f->rel, "cannot look at %s: %s", abs, strerror(errno));
        return -1;
    }
    return direct_create(w, f, abs, t, d);
}

/* Write one record. */
static void direct_one(mgr_rrd *w, mgr_rrd_rec *r, mgr_rrd_stats *d)
{
    mgr_rrd_file *f = mgr_rrd_files_get(&w->files, r->rel, (mgr_res_kind)r->kind);
    const char *abs = mgr_rrd_abs(w, r->rel);

    if (f == NULL || abs == NULL) {
        d->errors++;
        mgr_rrd_refuse(w, r->rel, "cannot write: name too long or out of memory");
        return;
    }
    if (!f->known && direct_learn(w, f, abs, r->t, d) < 0) {
        d->errors++;
        return;
    }
    if (r->t <= f->last) {
        VS_LOG(VS_LOG_DEBUG, r->rel, "update at %ld skipped: the file has data up to %ld", r->t,
               f->last);
        return;
    }
    vs_buf_reset(&w->line);
    if (mgr_rrd_format_values(&w->line, r->t, r->v, r->n) < 0) {
        d->errors++;
        return;
    }
    const char *argv[1] = { w->line.data };
    rrd_clear_error();
    if (rrd_update_r(abs, NULL, 1, argv) != 0) {
        d->errors++;
        f->known = 0; /* learn its last update again before the next one */
        mgr_rrd_refuse(w, r->rel, "cannot update %s: %s", abs, rrd_error_text());
        return;
    }
    f->last = r->t;
    d->updates++;
}

void mgr_rrd_direct_write(mgr_rrd *w)
{
    mgr_rrd_stats d = { 0 };
    size_t n = 0;

    for (mgr_rrd_rec *r = w->whead; r != NULL && n < DIRECT_CHUNK; r = r->next, n++)
        direct_one(w, r, &d);
    mgr_rrd_finish(w, n, &d);
    if (d.errors == 0 && n > 0)
        mgr_rrd_refuse_ok(w);
}
