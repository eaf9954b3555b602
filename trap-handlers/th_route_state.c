/* th_route_state: the dedupe and rate-limit memory the trap handler's processes share: one
 * small binary file, read, changed and rewritten in place while an exclusive flock on it is
 * held, so concurrent handlers see each other's firings and never a half-written file. */
#include "config.h"

#include "th_route_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Entries stamped further in the future than this come from before the clock was set back;
 * kept, they would suppress a route until the clock caught up. Within it, handlers that read
 * the clock a little apart still agree. */
#define FUTURE_SLACK 60.0

_Static_assert(sizeof(th_state_entry) == 16, "entries are two 8-byte words on disk");

/* 64-bit FNV-1a, continued from h: for keys (not a defence against chosen collisions, which
 * could at worst suppress one sender's trap with another's: both are senders we route for). */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#define FNV_INIT 14695981039346656037ULL

uint64_t th_state_key(char kind, const char *a, const char *b, const char *c)
{
    const char *parts[3] = { a, b, c };
    uint64_t h = fnv1a(FNV_INIT, &kind, 1);
    for (size_t i = 0; i < 3; i++) {
        const char *s = parts[i] != NULL ? parts[i] : "";
        /* The terminating NUL separates the parts: ("ab","c") and ("a","bc") differ. */
        h = fnv1a(h, s, strlen(s) + 1);
    }
    return h;
}

/* The file's checksum: n and the entries taken 8 bytes at a time (an entry is two 8-byte
 * words), so a full file of 160 KiB costs microseconds, not a byte-wise hash's fraction of a
 * millisecond. Catches torn writes and stray bytes, not deliberate forgery (who can write the
 * file can write any state). */
static uint64_t checksum(const th_state_entry *e, size_t n)
{
    uint64_t h = FNV_INIT ^ (uint64_t)n;
    for (size_t i = 0; i < n; i++) {
        uint64_t w[2];
        memcpy(w, &e[i], sizeof(w));
        for (size_t j = 0; j < 2; j++) {
            h = (h ^ w[j]) * 0x9e3779b97f4a7c15ULL;
            h ^= h >> 29;
        }
    }
    return h;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Take the exclusive lock within timeout seconds. The holder keeps it for well under a
 * millisecond, so short naps cost little; a bounded wait keeps a stopped holder from
 * stalling snmptrapd, which waits for its handler. */
static int lock_wait(int fd, double timeout)
{
    double deadline = mono_now() + timeout;
    long nap_ns = 50000;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        if (mono_now() >= deadline) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct timespec nap = { 0, nap_ns };
        nanosleep(&nap, NULL);
        if (nap_ns < 5000000)
            nap_ns *= 2;
    }
}

static int read_all(int fd, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0) {
            errno = EIO; /* shorter than fstat said: changed under our lock, so not ours */
            return -1;
        }
        done += (size_t)r;
    }
    return 0;
}

/* Check and take the file's contents (size bytes at buf) into s; -1 with err when they are not
 * a state file. */
static int parse(th_state *s, const unsigned char *buf, size_t size, char *err, size_t errlen)
{
    uint64_t n, sum;
    if (size < TH_STATE_HEADER || memcmp(buf, TH_STATE_MAGIC, 8) != 0) {
        snprintf(err, errlen, "no state file header");
        return -1;
    }
    memcpy(&n, buf + 8, sizeof(n));
    memcpy(&sum, buf + 16, sizeof(sum));
    /* Bytes past the entries are a tail a writer that died before truncating left: the
     * checksum tells whether the entries themselves are whole. */
    if (n > (size - TH_STATE_HEADER) / sizeof(th_state_entry)) {
        snprintf(err, errlen, "%llu entries announced, %zu bytes present", (unsigned long long)n,
                 size);
        return -1;
    }
    th_state_entry *e = NULL;
    if (n > 0) {
        e = malloc(n * sizeof(*e));
        if (e == NULL) {
            snprintf(err, errlen, "memory is short");
            return -1;
        }
        memcpy(e, buf + TH_STATE_HEADER, n * sizeof(*e));
    }
    if (checksum(e, n) != sum) {
        free(e);
        snprintf(err, errlen, "checksum mismatch");
        return -1;
    }
    s->e = e;
    s->n = s->cap = n;
    return 0;
}

th_state_open_result th_state_open(th_state *s, const char *path, double lock_timeout, char *err,
                                   size_t errlen)
{
    memset(s, 0, sizeof(*s));
    s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (s->fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return TH_STATE_OPEN_FAILED;
    }
    if (lock_wait(s->fd, lock_timeout) < 0) {
        snprintf(err, errlen, "cannot lock %s: %s", path, strerror(errno));
        goto failed;
    }
    struct stat st;
    if (fstat(s->fd, &st) < 0) {
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
        goto failed;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        goto failed;
    }
    s->file_size = (size_t)st.st_size;
    if (st.st_size == 0)
        return TH_STATE_OPEN_OK; /* new */
    if ((size_t)st.st_size > TH_STATE_MAX_FILE) {
        snprintf(err, errlen, "%s holds %lld bytes, more than a state file can", path,
                 (long long)st.st_size);
        s->dirty = 1; /* rewritten (small) on close */
        return TH_STATE_OPEN_CORRUPT;
    }
    unsigned char *buf = malloc(s->file_size);
    if (buf == NULL) {
        snprintf(err, errlen, "memory is short reading %s", path);
        goto failed;
    }
    if (read_all(s->fd, buf, s->file_size) < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        free(buf);
        goto failed;
    }
    char why[160];
    int rc = parse(s, buf, s->file_size, why, sizeof(why));
    free(buf);
    if (rc < 0) {
        snprintf(err, errlen, "%s is not a state file (%s)", path, why);
        s->dirty = 1;
        return TH_STATE_OPEN_CORRUPT;
    }
    return TH_STATE_OPEN_OK;

failed:
    close(s->fd);
    s->fd = -1;
    return TH_STATE_OPEN_FAILED;
}

static int write_all(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fd, (const char *)buf + done, n - done, (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

/* Rewrite the file in place (the lock is held, so no reader sees it half done; a writer that
 * dies half way leaves a checksum mismatch, read as a corrupt file: start empty). Not synced:
 * losing the last firings in a crash only lets one duplicate through. */
static int store(th_state *s, char *err, size_t errlen)
{
    size_t size = TH_STATE_HEADER + s->n * sizeof(th_state_entry);
    unsigned char *buf = malloc(size);
    if (buf == NULL) {
        snprintf(err, errlen, "memory is short");
        return -1;
    }
    uint64_t n64 = s->n, sum = checksum(s->e, s->n);
    memcpy(buf, TH_STATE_MAGIC, 8);
    memcpy(buf + 8, &n64, sizeof(n64));
    memcpy(buf + 16, &sum, sizeof(sum));
    if (s->n > 0)
        memcpy(buf + TH_STATE_HEADER, s->e, s->n * sizeof(th_state_entry));
    int rc = write_all(s->fd, buf, size);
    free(buf);
    if (rc == 0 && size < s->file_size)
        rc = ftruncate(s->fd, (off_t)size);
    if (rc < 0)
        snprintf(err, errlen, "cannot write the state file: %s", strerror(errno));
    return rc;
}

int th_state_close(th_state *s, char *err, size_t errlen)
{
    int rc = 0;
    if (s->fd >= 0) {
        if (s->dirty)
            rc = store(s, err, errlen);
        close(s->fd); /* releases the lock */
    }
    free(s->e);
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    return rc;
}

void th_state_prune(th_state *s, double now, double keep)
{
    size_t j = 0;
    for (size_t i = 0; i < s->n; i++) {
        double t = s->e[i].time;
        if (t >= now - keep && t <= now + FUTURE_SLACK)
            s->e[j++] = s->e[i];
    }
    if (j != s->n)
        s->dirty = 1;
    s->n = j;
}

static int by_time_desc(const void *a, const void *b)
{
    double ta = ((const th_state_entry *)a)->time, tb = ((const th_state_entry *)b)->time;
    return (ta < tb) - (ta > tb);
}

size_t th_state_cap(th_state *s, size_t max)
{
    if (s->n <= max)
        return 0;
    size_t evicted = s->n - max;
    s->dirty = 1;
    if (evicted > 8) {
        qsort(s->e, s->n, sizeof(*s->e), by_time_desc);
        s->n = max;
        return evicted;
    }
    /* A full file loses an entry or two per trap: find them without sorting 10,000. Order is
     * not kept (nothing depends on it). */
    for (size_t k = 0; k < evicted; k++) {
        size_t oldest = 0;
        for (size_t i = 1; i < s->n; i++) {
            if (s->e[i].time < s->e[oldest].time)
                oldest = i;
        }
        s->e[oldest] = s->e[--s->n];
    }
    return evicted;
}

double th_state_last(const th_state *s, uint64_t key)
{
    double last = -1;
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].key == key && s->e[i].time > last)
            last = s->e[i].time;
    }
    return last;
}

size_t th_state_count_after(const th_state *s, uint64_t key, double since)
{
    size_t count = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].key == key && s->e[i].time > since)
            count++;
    }
    return count;
}

int th_state_add(th_state *s, uint64_t key, double time)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        th_state_entry *e = realloc(s->e, cap * sizeof(*e));
        if (e == NULL)
            return -1;
        s->e = e;
        s->cap = cap;
    }
    s->e[s->n].key = key;
    s->e[s->n].time = time;
    s->n++;
    s->dirty = 1;
    return 0;
}

int th_state_set(th_state *s, uint64_t key, double time)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].key == key) {
            s->e[i].time = time;
            s->dirty = 1;
            return 0;
        }
    }
    return th_state_add(s, key, time);
}
