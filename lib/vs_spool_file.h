/* vs_spool_file: the spool's files on disk (internal to vs_spool.c): entry names, entry JSON,
 * durable writes (temporary file, fsync, rename, fsync of the directory) and reading an entry
 * back. Nothing here logs or locks; errors come back as text. */
#ifndef VS_SPOOL_FILE_H
#define VS_SPOOL_FILE_H

#include <stddef.h>

#include <json-c/json.h>

#include "vs_msg.h"

#define VS_SPOOL_TMP_DIR ".tmp"
#define VS_SPOOL_NAME_LEN 64 /* room for an entry or temporary file name */

/* Whether name is a notifier name the spool accepts: 1-64 of [A-Za-z0-9_.-], no leading dot
 * (dot names are the spool's own, like .tmp). */
int vs_spool_name_ok(const char *name);

/* A new unique entry name for wall time `now` into out (VS_SPOOL_NAME_LEN): zero-padded
 * microseconds, pid and a process-wide counter, so names sort in order of creation. */
void vs_spool_name_make(double now, char *out);

/* The creation time encoded in an entry name, or -1 if the name is not one we made. */
double vs_spool_name_time(const char *name);

/* A new entry object: {"v":1,"notifier","created","attempts":0,"next_attempt":0,"state":{},
 * "msg"}; NULL when memory is short. */
json_object *vs_spool_entry_new(const char *notifier, double created, const vs_msg *m);

/* Write text durably as dest_fd/name: write into tmp_fd under a fresh name, fsync, rename
 * (refusing to replace an existing file when noreplace), fsync dest_fd. 0, or -1 with err. */
int vs_spool_file_store(int tmp_fd, int dest_fd, const char *name, const char *text, size_t len,
                        int noreplace, char *err, size_t errlen);

/* As vs_spool_file_store for a JSON object, written plain. */
int vs_spool_file_store_json(int tmp_fd, int dest_fd, const char *name, json_object *o,
                             int noreplace, char *err, size_t errlen);

/* An entry read back from its file. */
typedef struct {
    char *raw; /* the file's bytes (kept so a corrupt file can be moved as it is) */
    size_t len;
    json_object *o;     /* the entry, NULL when it did not parse */
    json_object *state; /* o's "state" (borrowed; added empty if missing) */
    vs_msg *msg;
    double created, next_attempt;
    long attempts;
} vs_spool_loaded;

typedef enum {
    VS_SPOOL_LOAD_OK = 0,
    VS_SPOOL_LOAD_GONE = 1,    /* no such file (delivered or moved meanwhile) */
    VS_SPOOL_LOAD_CORRUPT = 2, /* read, but not an entry: err says why; raw is set */
    VS_SPOOL_LOAD_ERROR = 3    /* could not read it: err says why */
} vs_spool_load_result;

/* Read and check dir_fd/name into *l (zeroed first; free with vs_spool_loaded_free). */
vs_spool_load_result vs_spool_file_load(int dir_fd, const char *name, vs_spool_loaded *l, char *err,
                                        size_t errlen);
void vs_spool_loaded_free(vs_spool_loaded *l);

/* Create (0700, with missing parents) and open directory path into *fd and its .tmp
 * subdirectory into *tmp_fd, removing files a writer that died left in .tmp over a minute ago.
 * 0, or -1 with err (descriptors opened so far stay in *fd, *tmp_fd for the caller to close). */
int vs_spool_dir_open(const char *path, int *fd, int *tmp_fd, char *err, size_t errlen);

/* Open (creating it, 0700) the directory name below dir_fd; fsyncs dir_fd when it was created.
 * A descriptor, or -1 with err. */
int vs_spool_subdir_open(int dir_fd, const char *name, char *err, size_t errlen);

/* Store the entry l as the dead letter DEAD/notifier/name, durably (through DEAD/.tmp): a
 * corrupt one (raw) byte for byte, a good one with a "dead" object {time, reason: why} added.
 * 0, or -1 with err. */
int vs_spool_file_bury(int dead_fd, int dead_tmp_fd, const char *notifier, const char *name,
                       vs_spool_loaded *l, const char *why, int raw, char *err, size_t errlen);

/* Collect the names in dir_fd/sub (regular files, no dot names), or with sub NULL the
 * subdirectories of dir_fd that are valid notifier names. *names is a new array of new strings
 * (free each and the array). 0, or -1 with err. */
int vs_spool_list(int dir_fd, const char *sub, char ***names, size_t *n, char *err, size_t errlen);

#endif /* VS_SPOOL_FILE_H */
