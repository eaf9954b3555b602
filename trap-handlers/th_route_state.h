/* th_route_state: the small file through which the short-lived trap handler processes share
 * dedupe and rate-limit memory (internal to th_route.c; tests use it directly). Read, changed
 * and rewritten in place while an exclusive flock is held; nothing here logs, errors come back
 * as text. */
#ifndef TH_ROUTE_STATE_H
#define TH_ROUTE_STATE_H

#include <stddef.h>
#include <stdint.h>

/* One remembered event: a dedupe key and the last time it fired, or one firing of a rate-
 * limited route (several entries with the same key). */
typedef struct {
    uint64_t key;
    double time;
} th_state_entry;

typedef struct {
    int fd;
    th_state_entry *e;
    size_t n, cap;
    size_t file_size; /* bytes the file held when read */
    int dirty;
} th_state;

/* The layout on disk: this header, then n entries as the host stores them. The checksum
 * covers n and the entries, so a torn or foreign file reads as corrupt, never as state. */
#define TH_STATE_MAGIC "VSTHRS01"
#define TH_STATE_HEADER 24
#define TH_STATE_MAX_FILE ((size_t)16 << 20)

typedef enum {
    TH_STATE_OPEN_OK = 0,      /* read (or missing/empty: starts empty) */
    TH_STATE_OPEN_CORRUPT = 1, /* not a state file (err says why): starts empty */
    TH_STATE_OPEN_FAILED = -1  /* cannot be used (err says why); s holds nothing */
} th_state_open_result;

/* Open (creating it 0600) and lock path, waiting at most lock_timeout seconds for the lock,
 * and read it into s. */
th_state_open_result th_state_open(th_state *s, const char *path, double lock_timeout, char *err,
                                   size_t errlen);

/* Write s back if it changed, unlock and close; s is freed either way. 0, or -1 with err. */
int th_state_close(th_state *s, char *err, size_t errlen);

/* Forget entries older than keep seconds before now or more than a minute after it. */
void th_state_prune(th_state *s, double now, double keep);

/* Keep the newest max entries; returns how many were forgotten. */
size_t th_state_cap(th_state *s, size_t max);

/* The latest time stored for key, or -1 when there is none. */
double th_state_last(const th_state *s, uint64_t key);

/* How many entries key has with a time after since. */
size_t th_state_count_after(const th_state *s, uint64_t key, double since);

/* Set key's single entry to time (replacing it), or add one more entry for key. 0, or -1 when
 * memory is short. */
int th_state_set(th_state *s, uint64_t key, double time);
int th_state_add(th_state *s, uint64_t key, double time);

/* A key for kind (a letter) and up to three strings (NULL is taken as ""). */
uint64_t th_state_key(char kind, const char *a, const char *b, const char *c);

#endif /* TH_ROUTE_STATE_H */
