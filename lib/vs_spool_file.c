/* vs_spool_file: the spool's on-disk format and durable writes; see vs_spool_file.h. */
#include "config.h"

#include "vs_spool_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* An entry larger than this is not one we wrote: refuse it rather than read it into memory. */
#define ENTRY_MAX_BYTES (8 * 1024 * 1024)
/* A writer that died between writing its temporary file and renaming it left it behind. */
#define TMP_STALE_SECONDS 60.0

int vs_spool_name_ok(const char *name)
{
    size_t n = name == NULL ? 0 : strlen(name);
    if (n == 0 || n > 64 || name[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
              || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

void vs_spool_name_make(double now, char *out)
{
    static unsigned counter;
    unsigned c = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    snprintf(out, VS_SPOOL_NAME_LEN, "%016lld-%ld-%u", (long long)(now * 1e6), (long)getpid(), c);
}

double vs_spool_name_time(const char *name)
{
    long long us = 0;
    for (int i = 0; i < 16; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        us = us * 10 + (name[i] - '0');
    }
    return name[16] == '-' ? (double)us / 1e6 : -1;
}

json_object *vs_spool_entry_new(const char *notifier, double created, const vs_msg *m)
{
    json_object *o = json_object_new_object();
    json_object *msg = vs_msg_to_json(m);
    if (o == NULL || msg == NULL) {
        json_object_put(o);
        json_object_put(msg);
        return NULL;
    }
    struct {
        const char *key;
        json_object *v;
    } kv[] = {
        { "v", json_object_new_int(1) },
        { "notifier", json_object_new_string(notifier) },
        { "created", json_object_new_double(created) },
        { "attempts", json_object_new_int(0) },
        { "next_attempt", json_object_new_double(0) },
        { "state", json_object_new_object() },
        { "msg", msg },
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        /* Past a failure, the values not yet added are dropped here. */
        if (rc == 0 && kv[i].v != NULL && json_object_object_add(o, kv[i].key, kv[i].v) == 0)
            continue;
        rc = -1;
        json_object_put(kv[i].v);
    }
    if (rc != 0) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Rename without replacing an existing file where the file system can (entry names are unique,
 * but a replaced entry would be a message silently lost). */
static int rename_into(int from_fd, const char *from, int to_fd, const char *to, int noreplace)
{
    if (noreplace) {
        if (renameat2(from_fd, from, to_fd, to, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno != EINVAL && errno != ENOSYS)
            return -1;
    }
    return renameat(from_fd, from, to_fd, to);
}

int vs_spool_file_store(int tmp_fd, int dest_fd, const char *name, const char *text, size_t len,
                        int noreplace, char *err, size_t errlen)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char tmp[VS_SPOOL_NAME_LEN];
    vs_spool_name_make((double)ts.tv_sec + (double)ts.tv_nsec / 1e9, tmp);
    int fd = openat(tmp_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
        return -1;
    }
    const char *what = "write";
    int rc = write_all(fd, text, len);
    if (rc == 0 && (rc = fsync(fd)) != 0)
        what = "fsync";
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        what = "close";
    }
    if (rc == 0 && (rc = rename_into(tmp_fd, tmp, dest_fd, name, noreplace)) != 0)
        what = "rename";
    /* The rename is durable only once the directory is on disk too. */
    if (rc == 0 && (rc = fsync(dest_fd)) != 0)
        what = "fsync the directory of";
    if (rc != 0) {
        snprintf(err, errlen, "cannot %s spool file %s: %s", what, name, strerror(errno));
        unlinkat(tmp_fd, tmp, 0);
        return -1;
    }
    return 0;
}

int vs_spool_file_store_json(int tmp_fd, int dest_fd, const char *name, json_object *o,
                             int noreplace, char *err, size_t errlen)
{
    size_t len;
    const char *text = json_object_to_json_string_length(
        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (text == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return vs_spool_file_store(tmp_fd, dest_fd, name, text, len, noreplace, err, errlen);
}

/* Read all of dir_fd/name into l->raw. */
static vs_spool_load_result read_raw(int dir_fd, const char *name, vs_spool_loaded *l, char *err,
                                     size_t errlen)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT)
        return VS_SPOOL_LOAD_GONE;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return VS_SPOOL_LOAD_ERROR;
    }
    vs_spool_load_result res = VS_SPOOL_LOAD_OK;
    if (!S_ISREG(st.st_mode) || st.st_size > ENTRY_MAX_BYTES) {
        snprintf(err, errlen, "not a regular file of at most %d bytes", ENTRY_MAX_BYTES);
        close(fd);
        return VS_SPOOL_LOAD_ERROR;
    }
    l->raw = malloc((size_t)st.st_size + 1);
    while (l->raw != NULL && l->len < (size_t)st.st_size) {
        ssize_t r = read(fd, l->raw + l->len, (size_t)st.st_size - l->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(err, errlen, "cannot read: %s",
                     r < 0 ? strerror(errno) : "shorter than it was");
            res = VS_SPOOL_LOAD_ERROR;
            break;
        }
        l->len += (size_t)r;
    }
    if (l->raw == NULL) {
        snprintf(err, errlen, "out of memory");
        res = VS_SPOOL_LOAD_ERROR;
    }
    close(fd);
    return res;
}

/* Parse l->raw as one JSON value with nothing after it but blanks. */
static json_object *parse_whole(const vs_spool_loaded *l)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        return NULL;
    json_object *o = json_tokener_parse_ex(tok, l->raw, (int)l->len);
    if (o != NULL) {
        for (size_t i = json_tokener_get_parse_end(tok); i < l->len; i++) {
            if (strchr(" \t\r\n", l->raw[i]) == NULL || l->raw[i] == '\0') {
                json_object_put(o);
                o = NULL;
                break;
            }
        }
    }
    json_tokener_free(tok);
    return o;
}

static int get_number(json_object *o, const char *key, int required, double *out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return required ? -1 : 0;
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_double(v);
    return 0;
}

/* Check the parsed entry l->o and fill the other fields of l. */
static int check_entry(vs_spool_loaded *l, char *err, size_t errlen)
{
    json_object *v, *msg;
    double attempts = 0;
    if (!json_object_is_type(l->o, json_type_object) || !json_object_object_get_ex(l->o, "v", &v)
        || json_object_get_int(v) != 1) {
        snprintf(err, errlen, "not a version 1 spool entry");
        return -1;
    }
    if (get_number(l->o, "created", 1, &l->created) != 0
        || get_number(l->o, "next_attempt", 0, &l->next_attempt) != 0
        || get_number(l->o, "attempts", 0, &attempts) != 0 || attempts < 0 || attempts > 1e9) {
        snprintf(err, errlen, "bad \"created\", \"next_attempt\" or \"attempts\"");
        return -1;
    }
    l->attempts = (long)attempts;
    if (!json_object_object_get_ex(l->o, "state", &l->state)) {
        l->state = json_object_new_object();
        if (l->state == NULL || json_object_object_add(l->o, "state", l->state) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    } else if (!json_object_is_type(l->state, json_type_object)) {
        snprintf(err, errlen, "\"state\" is not an object");
        return -1;
    }
    char why[200] = "no \"msg\"";
    if (json_object_object_get_ex(l->o, "msg", &msg))
        l->msg = vs_msg_from_json(msg, why, sizeof why);
    if (l->msg == NULL) {
        snprintf(err, errlen, "not a message: %s", why);
        return -1;
    }
    return 0;
}

vs_spool_load_result vs_spool_file_load(int dir_fd, const char *name, vs_spool_loaded *l, char *err,
                                        size_t errlen)
{
    memset(l, 0, sizeof *l);
    vs_spool_load_result res = read_raw(dir_fd, name, l, err, errlen);
    if (res != VS_SPOOL_LOAD_OK)
        return res;
    l->o = parse_whole(l);
    if (l->o == NULL) {
        snprintf(err, errlen, "not JSON");
        return VS_SPOOL_LOAD_CORRUPT;
    }
    if (check_entry(l, err, errlen) != 0)
        return VS_SPOOL_LOAD_CORRUPT;
    return VS_SPOOL_LOAD_OK;
}

void vs_spool_loaded_free(vs_spool_loaded *l)
{
    free(l->raw);
    json_object_put(l->o);
    vs_msg_free(l->msg);
    memset(l, 0, sizeof *l);
}

/* Create path and its missing parents (mode 0700). 0, or -1 with err. */
static int mkdir_p(const char *path, char *err, size_t errlen)
{
    char *p = strdup(path);
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (char *slash = p + 1; rc == 0; slash++) {
        int last = *slash == '\0';
        if (*slash != '/' && !last)
            continue;
        *slash = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
            rc = -1;
        }
        if (last)
            break;
        *slash = '/';
    }
    free(p);
    return rc;
}

int vs_spool_subdir_open(int dir_fd, const char *name, char *err, size_t errlen)
{
    if (mkdirat(dir_fd, name, 0700) == 0) {
        /* A new directory: its own entry in the parent must survive a crash too. */
        if (fsync(dir_fd) != 0) {
            snprintf(err, errlen, "cannot fsync the directory of %s: %s", name, strerror(errno));
            return -1;
        }
    } else if (errno != EEXIST) {
        snprintf(err, errlen, "cannot create directory %s: %s", name, strerror(errno));
        return -1;
    }
    int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        snprintf(err, errlen, "cannot open directory %s: %s", name, strerror(errno));
    return fd;
}

/* A DIR stream over dir_fd/sub (sub NULL: dir_fd itself) that leaves dir_fd alone. */
static DIR *dir_stream(int dir_fd, const char *sub)
{
    int fd = openat(dir_fd, sub != NULL ? sub : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (d == NULL)
        close(fd);
    return d;
}

/* Remove the regular files in dir_fd last changed over max_age seconds ago. */
static void clean_stale(int dir_fd, double max_age)
{
    DIR *d = dir_stream(dir_fd, NULL);
    if (d == NULL)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(st.st_mode) && difftime(now, st.st_mtime) > max_age)
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

int vs_spool_dir_open(const char *path, int *fd, int *tmp_fd, char *err, size_t errlen)
{
    if (mkdir_p(path, err, errlen) != 0)
        return -1;
    *fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    *tmp_fd = vs_spool_subdir_open(*fd, VS_SPOOL_TMP_DIR, err, errlen);
    if (*tmp_fd < 0)
        return -1;
    clean_stale(*tmp_fd, TMP_STALE_SECONDS);
    return 0;
}

int vs_spool_file_bury(int dead_fd, int dead_tmp_fd, const char *notifier, const char *name,
                       vs_spool_loaded *l, const char *why, int raw, char *err, size_t errlen)
{
    int dfd = vs_spool_subdir_open(dead_fd, notifier, err, errlen);
    if (dfd < 0)
        return -1;
    int rc;
    json_object *d = raw || l->o == NULL ? NULL : json_object_new_object();
    if (d != NULL) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        json_object_object_add(d, "time", json_object_new_int64((int64_t)ts.tv_sec));
        json_object_object_add(d, "reason", json_object_new_string(why));
        json_object_object_add(l->o, "dead", d);
        rc = vs_spool_file_store_json(dead_tmp_fd, dfd, name, l->o, 0, err, errlen);
    } else {
        rc = vs_spool_file_store(dead_tmp_fd, dfd, name, l->raw, l->len, 0, err, errlen);
    }
    close(dfd);
    return rc;
}

/* Whether the directory entry de of d is a directory (1) or a regular file (0), else -1. */
static int entry_kind(DIR *d, const struct dirent *de)
{
    struct stat st;
    if (de->d_type == DT_DIR)
        return 1;
    if (de->d_type == DT_REG)
        return 0;
    if (de->d_type != DT_UNKNOWN || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return -1;
    return S_ISDIR(st.st_mode) ? 1 : S_ISREG(st.st_mode) ? 0 : -1;
}

int vs_spool_list(int dir_fd, const char *sub, char ***names, size_t *n, char *err, size_t errlen)
{
    *names = NULL;
    *n = 0;
    DIR *d = dir_stream(dir_fd, sub);
    if (d == NULL) {
        snprintf(err, errlen, "cannot read directory %s: %s", sub != NULL ? sub : ".",
                 strerror(errno));
        return -1;
    }
    size_t cap = 0;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        int want_dir = sub == NULL;
        if (de->d_name[0] == '.' || entry_kind(d, de) != want_dir
            || (want_dir && !vs_spool_name_ok(de->d_name)))
            continue;
        if (*n == cap) {
            cap = cap == 0 ? 64 : cap * 2;
            char **bigger = realloc(*names, cap * sizeof **names);
            if (bigger == NULL) {
                rc = -1;
                break;
            }
            *names = bigger;
        }
        if (((*names)[*n] = strdup(de->d_name)) == NULL)
            rc = -1;
        else
            (*n)++;
    }
    closedir(d);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        for (size_t i = 0; i < *n; i++)
            free((*names)[i]);
        free(*names);
        *names = NULL;
        *n = 0;
    }
    return rc;
}
