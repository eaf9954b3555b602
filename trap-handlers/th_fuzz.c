/* th_fuzz: libFuzzer target for the trap handler's input side: any bytes -> parse -> render
 * -> free, under ASan and UBSan. Built by `make fuzz-traphandle`; run by
 * tests/traphandle/fuzz.test over the recorded inputs. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "th_input.h"
#include "th_render.h"
#include "vs_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Both ways of reading hex strings: auto-detected and forced (snmptrapd -Ox). */
    for (unsigned flags = 0; flags <= TH_INPUT_HEX; flags += TH_INPUT_HEX) {
        th_trap *t = th_trap_parse((const char *)data, size, flags);
        if (t == NULL)
            continue;
        vs_msg *m = th_render(t, 1.0);
        if (m != NULL) {
            /* The summary promise: one line, bounded. */
            if (strchr(m->summary, '\n') != NULL || strlen(m->summary) > TH_SUMMARY_MAX)
                abort();
            vs_msg_free(m);
        }
        th_trap_free(t);
    }
    return 0;
}
