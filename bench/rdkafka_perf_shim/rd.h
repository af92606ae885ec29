/* Minimal stand-ins for the librdkafka-internal helpers that the shipped example
 * /usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c expects from the librdkafka source
 * tree (src/rd.h, src/rdtime.h). Debian's librdkafka-dev ships the example but not those
 * headers; bench/bench_tools.py builds the example against this directory. Written for this
 * project: only what the example uses (monotonic microsecond clock, min/max, snprintf). */
#ifndef ORDERS_BENCH_RD_SHIM_H
#define ORDERS_BENCH_RD_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef int64_t rd_ts_t; /* microseconds */

static inline rd_ts_t rd_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (rd_ts_t)ts.tv_sec * 1000000 + (rd_ts_t)(ts.tv_nsec / 1000);
}

#define RD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define RD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define rd_snprintf snprintf

#endif
