/* mgr_rate: counters to rates, with wrap and reset handling. A discontinuity gives no sample,
 * never a spike. Pure arithmetic, no I/O. */
#ifndef MGR_RATE_H
#define MGR_RATE_H

#include <stdint.h>

/* The last reading of one counter. Zero-initialise (MGR_COUNTER_INIT) before the first. */
typedef struct {
    uint64_t value;
    double time;    /* seconds (any clock, the same for every reading of this counter) */
    uint64_t epoch; /* the source's discontinuity marker at that reading */
    int valid;      /* 0 until the first reading */
} mgr_counter;

#define MGR_COUNTER_INIT                                                                           \
    {                                                                                              \
        0, 0.0, 0, 0                                                                               \
    }

/* Feed a new reading of a counter that is `bits` wide (32 or 64) taken at time t.
 * epoch is the source's discontinuity marker: anything that changes when the counter may have
 * been reset (an agent's boot count or start time, ifCounterDiscontinuityTime, a VM's start
 * time); pass 0 when there is none. max_rate is the largest believable rate (per second), or
 * 0 for no limit.
 * Returns 0 and *rate (units per second) when the two readings make a sample; -1 with *rate
 * untouched for the first reading, a changed epoch, a 64-bit counter that went down (reset), a
 * 32-bit counter whose single wrap would exceed max_rate, a rate above max_rate, or time not
 * advancing. The reading is remembered in every case. */
int mgr_counter_update(mgr_counter *c, uint64_t value, double t, unsigned bits, uint64_t epoch,
                       double max_rate, double *rate);

#endif /* MGR_RATE_H */
