/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics - counters and latency histograms for /metrics (Prometheus text
 * format): requests by route, method and status. Lock-protected, bounded
 * (routes are the table's patterns, statuses a small set).
 */
#ifndef OCTOPUS_METRICS_H
#define OCTOPUS_METRICS_H

#include <stddef.h>

void metrics_request(const char *route, const char *method, int status, double seconds);

/* The exposition text (malloc'd) with extra lines appended. */
char *metrics_render(const char *extra);

#endif
