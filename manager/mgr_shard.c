/* mgr_shard: hosts to shards by a stable hash of their names. */
#include <config.h>

#include "mgr_shard.h"

#include <string.h>

#include "vs_num.h"

int mgr_shard_parse(const char *text, unsigned *index, unsigned *count)
{
    const char *slash = text ? strchr(text, '/') : NULL;
    if (!slash || slash == text || (size_t)(slash - text) > 8)
        return -1;
    char head[16];
    memcpy(head, text, (size_t)(slash - text));
    head[slash - text] = '\0';
    unsigned long i, n;
    if (vs_num_parse_ulong(head, MGR_SHARD_MAX, &i) < 0
        || vs_num_parse_ulong(slash + 1, MGR_SHARD_MAX, &n) < 0 || n == 0 || i >= n)
        return -1;
    if (head[0] == ' ' || slash[1] == ' ' || slash[1] == '+' || head[0] == '+')
        return -1;
    *index = (unsigned)i;
    *count = (unsigned)n;
    return 0;
}

uint64_t mgr_shard_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

unsigned mgr_shard_of(const char *name, unsigned count)
{
    /* The high bits mix better than the low ones for short, similar names. */
    uint64_t h = mgr_shard_hash(name);
    return (unsigned)((h ^ (h >> 32)) % count);
}
