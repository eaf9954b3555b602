/* sa_vmindex: the persistent UUID -> vsVmIndex map of one hypervisor, with each VM's last
 * domain ID and start time: a hash table in memory, a text file in the state directory.
 *
 * File format, one record per line ('#' starts a comment line):
 *     version 1
 *     next N                          the index the next new UUID gets
 *     INDEX UUID DOMAIN-ID START      DOMAIN-ID -1 when inactive, START seconds or '-' */
#include "config.h"

#include "sa_vmindex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vs_log.h"
#include "vs_num.h"

#define UUID_TEXT_LEN 36
#define MAP_MAX_FIELDS 4

typedef struct {
    unsigned char uuid[16];
    sa_vmindex_entry e;
} map_rec;

struct sa_vmindex {
    char *name; /* hypervisor name, the log target */
    char *dir;
    char *path;
    map_rec *rec; /* in the order indexes were given (file order at load) */
    size_t n, cap;
    uint32_t *slot; /* open addressing: position + 1 in rec, 0 = empty */
    size_t n_slot;  /* power of two, at least twice n */
    int64_t next;   /* next index to hand out; past INT32_MAX when exhausted */
    int changed;
    vs_complaint save_fail;
};

/* FNV-1a over the 16 bytes. */
static size_t uuid_hash(const unsigned char uuid[16])
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 16; i++) {
        h ^= uuid[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 32));
}

/* The slot holding uuid, or the empty slot where it would go. */
static size_t slot_find(const sa_vmindex *m, const unsigned char uuid[16])
{
    size_t mask = m->n_slot - 1;
    size_t i = uuid_hash(uuid) & mask;
    while (m->slot[i] != 0 && memcmp(m->rec[m->slot[i] - 1].uuid, uuid, 16) != 0)
        i = (i + 1) & mask;
    return i;
}

/* Make room for one more record; -1 when memory is short. */
static int map_reserve(sa_vmindex *m)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        map_rec *rec = realloc(m->rec, cap * sizeof(*rec));
        if (rec == NULL)
            return -1;
        m->rec = rec;
        m->cap = cap;
    }
    if ((m->n + 1) * 2 <= m->n_slot)
        return 0;
    size_t n_slot = m->n_slot ? m->n_slot * 2 : 128;
    uint32_t *slot = calloc(n_slot, sizeof(*slot));
    if (slot == NULL)
        return -1;
    free(m->slot);
    m->slot = slot;
    m->n_slot = n_slot;
    for (size_t p = 0; p < m->n; p++)
        m->slot[slot_find(m, m->rec[p].uuid)] = (uint32_t)(p + 1);
    return 0;
}

/* Add a record for a UUID known to be absent; -1 when memory is short. */
static int map_add(sa_vmindex *m, const unsigned char uuid[16], const sa_vmindex_entry *e)
{
    if (map_reserve(m) < 0)
        return -1;
    map_rec *r = &m->rec[m->n];
    memcpy(r->uuid, uuid, 16);
    r->e = *e;
    m->slot[slot_find(m, uuid)] = (uint32_t)(++m->n);
    return 0;
}

static map_rec *map_lookup(const sa_vmindex *m, const unsigned char uuid[16])
{
    if (m->n_slot == 0)
        return NULL;
    uint32_t s = m->slot[slot_find(m, uuid)];
    return s != 0 ? &m->rec[s - 1] : NULL;
}

/* Format uuid as 8-4-4-4-12 lower-case hexadecimal into out (37 bytes). */
static void uuid_format(const unsigned char uuid[16], char out[UUID_TEXT_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[uuid[i] >> 4];
        out[o++] = hex[uuid[i] & 15];
    }
    out[o] = '\0';
}

/* Parse the 8-4-4-4-12 form (either case). Returns 0 or -1. */
static int uuid_parse(const char *s, unsigned char uuid[16])
{
    if (strlen(s) != UUID_TEXT_LEN)
        return -1;
    for (int i = 0, o = 0; i < 16; i++) {
        if (o == 8 || o == 13 || o == 18 || o == 23) {
            if (s[o] != '-')
                return -1;
            o++;
        }
        unsigned v = 0;
        for (int j = 0; j < 2; j++, o++) {
            char c = s[o];
            if (c >= '0' && c <= '9')
                v = v * 16 + (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v = v * 16 + (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v = v * 16 + (unsigned)(c - 'A' + 10);
            else
                return -1;
        }
        uuid[i] = (unsigned char)v;
    }
    return 0;
}

char *sa_vmindex_file_name(const char *hv_name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(hv_name);
    char *out = malloc(sizeof("vmindex-") + len * 3 + sizeof(".map"));
    if (out == NULL)
        return NULL;
    size_t o = 0;
    memcpy(out, "vmindex-", 8);
    o = 8;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)hv_name[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                   || c == '-' || c == '_' || (c == '.' && i > 0);
        if (keep) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    memcpy(out + o, ".map", sizeof(".map"));
    return out;
}

/* mkdir -p dir. Returns 0, or -1 with errno set. */
static int make_dirs(const char *dir)
{
    char *copy = strdup(dir);
    if (copy == NULL)
        return -1;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
            int saved = errno;
            free(copy);
            errno = saved;
            return -1;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    free(copy);
    struct stat st;
    if (stat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Split line at single spaces into at most max fields; returns the count, or max + 1 when
 * there are more. */
static size_t split_fields(char *line, char **field, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        if (n == max)
            return max + 1;
        field[n++] = p;
        while (*p != ' ' && *p != '\0')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
    return n;
}

/* Parse one VM record; returns 0 or -1 with a sentence in err. */
static int parse_record(sa_vmindex *m, char **f, char *err, size_t size)
{
    long index, id;
    unsigned long long start = 0;
    unsigned char uuid[16];

    if (vs_num_parse_long(f[0], 1, INT32_MAX, &index) < 0) {
        snprintf(err, size, "\"%s\" is not a VM index (1 to %d)", f[0], INT32_MAX);
        return -1;
    }
    if (uuid_parse(f[1], uuid) < 0) {
        snprintf(err, size, "\"%s\" is not a UUID", f[1]);
        return -1;
    }
    if (vs_num_parse_long(f[2], -1, INT32_MAX, &id) < 0) {
        snprintf(err, size, "\"%s\" is not a domain ID (-1 for none)", f[2]);
        return -1;
    }
    int known = strcmp(f[3], "-") != 0;
    if (known && vs_num_parse_u64(f[3], INT64_MAX, &start) < 0) {
        snprintf(err, size, "\"%s\" is not a start time in seconds (or -)", f[3]);
        return -1;
    }
    if (map_lookup(m, uuid) != NULL) {
        snprintf(err, size, "UUID %s appears twice", f[1]);
        return -1;
    }
    sa_vmindex_entry e = { (int32_t)index, (int32_t)id, (int64_t)start, known };
    if (map_add(m, uuid, &e) < 0) {
        snprintf(err, size, "out of memory");
        return -1;
    }
    if (e.index >= m->next)
        m->next = (int64_t)e.index + 1;
    return 0;
}

/* Parse one line (no newline) of the file. *header counts the header lines seen ("version"
 * must come first). Returns 0 or -1 (err set). */
static int parse_line(sa_vmindex *m, char *line, int *header, char *err, size_t size)
{
    char *f[MAP_MAX_FIELDS];
    long v;

    if (line[0] == '#')
        return 0;
    size_t n = split_fields(line, f, MAP_MAX_FIELDS);
    if (n == 0)
        return 0;
    if (*header == 0) {
        if (n != 2 || strcmp(f[0], "version") != 0 || strcmp(f[1], "1") != 0) {
            snprintf(err, size, "expected \"version 1\" first");
            return -1;
        }
        *header = 1;
        return 0;
    }
    if (n == 2 && strcmp(f[0], "next") == 0) {
        if (vs_num_parse_long(f[1], 1, (long)INT32_MAX + 1, &v) < 0) {
            snprintf(err, size, "\"%s\" is not a next index (1 to %ld)", f[1], (long)INT32_MAX + 1);
            return -1;
        }
        if (v > m->next)
            m->next = v;
        return 0;
    }
    if (n != MAP_MAX_FIELDS) {
        snprintf(err, size, "expected \"INDEX UUID DOMAIN-ID START\" or \"next N\"");
        return -1;
    }
    return parse_record(m, f, err, size);
}

static int int32_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The index that two UUIDs share, or 0 when every index is unique (-1: memory short). */
static int64_t duplicate_index(const sa_vmindex *m)
{
    int32_t *idx = malloc((m->n ? m->n : 1) * sizeof(*idx));
    if (idx == NULL)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        idx[i] = m->rec[i].e.index;
    qsort(idx, m->n, sizeof(*idx), int32_cmp);
    int64_t dup = 0;
    for (size_t i = 1; i < m->n && dup == 0; i++) {
        if (idx[i] == idx[i - 1])
            dup = idx[i];
    }
    free(idx);
    return dup;
}

/* Read the map file; a missing one is an empty map. Returns 0, or -1 having logged why. */
static int map_load(sa_vmindex *m)
{
    char err[256];
    FILE *fp = fopen(m->path, "re");

    if (fp == NULL) {
        if (errno == ENOENT)
            return 0;
        VS_LOG(VS_LOG_ERR, m->name, "%s: cannot read the VM index map: %s", m->path,
               strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned lineno = 0;
    int header = 0, rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (strlen(line) != (size_t)len) {
            snprintf(err, sizeof(err), "the line holds a NUL byte");
            rc = -1;
        } else {
            rc = parse_line(m, line, &header, err, sizeof(err));
        }
        if (rc < 0)
            VS_LOG(VS_LOG_ERR, m->name, "%s:%u: %s.", m->path, lineno, err);
    }
    if (rc == 0 && ferror(fp)) {
        VS_LOG(VS_LOG_ERR, m->name, "%s: cannot read the VM index map: %s", m->path,
               strerror(errno));
        rc = -1;
    }
    if (rc == 0 && lineno > 0 && header == 0) {
        VS_LOG(VS_LOG_ERR, m->name, "%s:%u: the VM index map has no \"version 1\" line.", m->path,
               lineno);
        rc = -1;
    }
    free(line);
    fclose(fp);
    if (rc == 0) {
        int64_t dup = duplicate_index(m);
        if (dup != 0) {
            VS_LOG(VS_LOG_ERR, m->name, "%s: %s", m->path,
                   dup < 0 ? "out of memory" : "two UUIDs share one VM index");
            rc = -1;
        }
    }
    return rc;
}

sa_vmindex *sa_vmindex_open(const char *state_dir, const char *hv_name)
{
    sa_vmindex *m = calloc(1, sizeof(*m));
    char *file = sa_vmindex_file_name(hv_name);

    if (m == NULL || file == NULL || (m->name = strdup(hv_name)) == NULL
        || (m->dir = strdup(state_dir)) == NULL
        || (m->path = malloc(strlen(state_dir) + strlen(file) + 2)) == NULL) {
        VS_LOG(VS_LOG_ERR, hv_name, "out of memory opening the VM index map");
        free(file);
        sa_vmindex_free(m);
        return NULL;
    }
    snprintf(m->path, strlen(state_dir) + strlen(file) + 2, "%s/%s", state_dir, file);
    free(file);
    m->next = 1;
    if (make_dirs(state_dir) < 0) {
        VS_LOG(VS_LOG_ERR, hv_name, "%s: cannot create the state directory: %s", state_dir,
               strerror(errno));
        sa_vmindex_free(m);
        return NULL;
    }
    if (map_load(m) < 0) {
        sa_vmindex_free(m);
        return NULL;
    }
    return m;
}

void sa_vmindex_free(sa_vmindex *m)
{
    if (m == NULL)
        return;
    free(m->name);
    free(m->dir);
    free(m->path);
    free(m->rec);
    free(m->slot);
    free(m);
}

const char *sa_vmindex_path(const sa_vmindex *m)
{
    return m->path;
}

size_t sa_vmindex_count(const sa_vmindex *m)
{
    return m->n;
}

int sa_vmindex_find(const sa_vmindex *m, const unsigned char uuid[16], sa_vmindex_entry *out)
{
    const map_rec *r = map_lookup(m, uuid);
    if (r == NULL)
        return -1;
    *out = r->e;
    return 0;
}

int sa_vmindex_get(sa_vmindex *m, const unsigned char uuid[16], sa_vmindex_entry *out)
{
    map_rec *r = map_lookup(m, uuid);
    if (r != NULL) {
        *out = r->e;
        return 0;
    }
    if (m->next > INT32_MAX) {
        VS_LOG(VS_LOG_ERR, m->name, "%s: every VM index has been handed out.", m->path);
        return -1;
    }
    sa_vmindex_entry e = { (int32_t)m->next, -1, 0, 0 };
    if (map_add(m, uuid, &e) < 0) {
        VS_LOG(VS_LOG_ERR, m->name, "out of memory adding to the VM index map");
        return -1;
    }
    m->next++;
    m->changed = 1;
    *out = e;
    return 0;
}

int sa_vmindex_set_run(sa_vmindex *m, const unsigned char uuid[16], int32_t domain_id,
                       int64_t start_time, int start_known)
{
    map_rec *r = map_lookup(m, uuid);
    if (r == NULL)
        return -1;
    if (!start_known)
        start_time = 0;
    if (r->e.domain_id != domain_id || r->e.start_known != start_known
        || r->e.start_time != start_time) {
        r->e.domain_id = domain_id;
        r->e.start_time = start_time;
        r->e.start_known = start_known;
        m->changed = 1;
    }
    return 0;
}

/* Write every record to fp. Returns 0, or -1 with errno set. */
static int map_write(const sa_vmindex *m, FILE *fp)
{
    char uuid[UUID_TEXT_LEN + 1];

    fprintf(fp,
            "# virtsight VM index map: vsVmIndex of each VM UUID seen on one hypervisor.\n"
            "# Indexes are never reused; edit only while the subagent is stopped.\n"
            "version 1\nnext %lld\n",
            (long long)m->next);
    for (size_t i = 0; i < m->n; i++) {
        const map_rec *r = &m->rec[i];
        uuid_format(r->uuid, uuid);
        if (r->e.start_known)
            fprintf(fp, "%d %s %d %lld\n", (int)r->e.index, uuid, (int)r->e.domain_id,
                    (long long)r->e.start_time);
        else
            fprintf(fp, "%d %s %d -\n", (int)r->e.index, uuid, (int)r->e.domain_id);
    }
    if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) < 0)
        return -1;
    return 0;
}

/* fsync the directory dir, so that a rename in it is durable. */
static int dir_sync(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* Write the temporary file and rename it over the map. Returns 0, or -1 with *what naming
 * the step that failed and errno set. */
static int map_replace(const sa_vmindex *m, const char *tmp, const char **what)
{
    *what = "create";
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fp == NULL) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *what = "write";
    int rc = map_write(m, fp);
    int saved = errno;
    if (fclose(fp) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0) {
        *what = "rename";
        rc = rename(tmp, m->path);
        saved = errno;
    }
    if (rc < 0) {
        unlink(tmp);
        errno = saved;
        return -1;
    }
    *what = "sync the directory of";
    return dir_sync(m->dir);
}

int sa_vmindex_save(sa_vmindex *m)
{
    const char *what = "";

    if (!m->changed)
        return 0;
    size_t len = strlen(m->path) + sizeof(".tmp");
    char *tmp = malloc(len);
    if (tmp == NULL) {
        vs_complain(&m->save_fail, vs_log_now(), VS_LOG_ERR, m->name,
                    "%s: out of memory saving the VM index map", m->path);
        return -1;
    }
    snprintf(tmp, len, "%s.tmp", m->path);
    int rc = map_replace(m, tmp, &what);
    if (rc < 0) {
        vs_complain(&m->save_fail, vs_log_now(), VS_LOG_ERR, m->name,
                    "%s: cannot %s the VM index map: %s", m->path, what, strerror(errno));
    } else {
        m->changed = 0;
        vs_complain_release(&m->save_fail, VS_LOG_NOTICE, m->name,
                            "%s: the VM index map is saved again", m->path);
    }
    free(tmp);
    return rc;
}
