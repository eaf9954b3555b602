/* th_dump: print what the trap handler's parser and renderer make of a handler input (stdin),
 * one field per line, bytes outside printable ASCII as \xHH: for tests/traphandle/live.test
 * and for looking at an input by hand.
 *   th_dump [--hex] < input
 *   th_dump --oid LABEL...     the numeric OID the generated table has for each descriptor */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "th_input.h"
#include "th_mib.h"
#include "th_render.h"

static void put_bytes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            putchar(c);
        else
            printf("\\x%02X", c);
    }
}

static void put_str(const char *label, const char *s)
{
    printf("%s: ", label);
    if (s != NULL)
        put_bytes(s, strlen(s));
    else
        fputs("-", stdout);
    putchar('\n');
}

/* Print "LABEL OID" per descriptor; status 1 if one is unknown. */
static int print_oids(int argc, char **argv)
{
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        const th_mib_node *n = th_mib_by_label(NULL, 0, argv[i], strlen(argv[i]));
        printf("%s %s\n", argv[i], n != NULL ? n->oid : "-");
        rc |= n == NULL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--oid") == 0)
        return print_oids(argc - 2, argv + 2);
    unsigned flags = argc > 1 && strcmp(argv[1], "--hex") == 0 ? TH_INPUT_HEX : 0;
    th_trap *t;

    if (th_trap_read_fd(STDIN_FILENO, flags, &t) < 0) {
        perror("th_dump: reading standard input");
        return 1;
    }
    put_str("host", t->host);
    put_str("transport", t->transport);
    put_str("src_addr", t->src_addr);
    put_str("trap_oid", t->trap_oid);
    put_str("trap_name", t->trap_name);
    for (size_t i = 0; i < t->n_vbs; i++) {
        const vs_varbind *vb = &t->vbs[i];
        printf("vb: %s %s %c ", vb->oid ? vb->oid : "-", vb->name ? vb->name : "-", vb->type);
        put_bytes(vb->value, vb->value_len);
        if (vb->text != NULL) {
            fputs(" | ", stdout);
            put_bytes(vb->text, strlen(vb->text));
        }
        putchar('\n');
    }
    for (int k = 0; k < TH_REFUSED_KINDS; k++)
        if (t->refused[k].count > 0)
            printf("refused: %s: %zu (line %zu)\n", th_refusal_describe((th_refusal_kind)k),
                   t->refused[k].count, t->refused[k].first_line);
    vs_msg *m = th_render(t, 0);
    if (m == NULL) {
        fputs("th_dump: out of memory\n", stderr);
        th_trap_free(t);
        return 1;
    }
    put_str("metric", m->metric);
    printf("severity: %s\n", vs_severity_name(m->severity));
    put_str("summary", m->summary);
    vs_msg_free(m);
    th_trap_free(t);
    return fflush(stdout) == 0 ? 0 : 1;
}
