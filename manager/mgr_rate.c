/* mgr_rate: counters to rates, with wrap and reset handling. */
#include <config.h>

#include "mgr_rate.h"

int mgr_counter_update(mgr_counter *c, uint64_t value, double t, unsigned bits, uint64_t epoch,
                       double max_rate, double *rate)
{
    mgr_counter prev = *c;
    c->value = value;
    c->time = t;
    c->epoch = epoch;
    c->valid = 1;

    if (!prev.valid || prev.epoch != epoch)
        return -1;
    double dt = t - prev.time;
    if (!(dt > 0))
        return -1;
    uint64_t delta;
    if (value >= prev.value) {
        delta = value - prev.value;
    } else if (bits < 64) {
        /* One wrap of a narrow counter; more than one in an interval cannot be told apart
         * from a reset, and the rate limit below catches the implausible ones. */
        uint64_t mask = (bits >= 64) ? UINT64_MAX : ((UINT64_C(1) << bits) - 1);
        if (prev.value > mask || value > mask)
            return -1;
        delta = (mask - prev.value) + value + 1;
        if (max_rate <= 0 && delta > (mask >> 1))
            return -1; /* more than half the range in one step: a reset, not a wrap */
    } else {
        return -1; /* a 64-bit counter does not wrap in practice: it was reset */
    }
    double r = (double)delta / dt;
    if (max_rate > 0 && r > max_rate)
        return -1;
    *rate = r;
    return 0;
}
