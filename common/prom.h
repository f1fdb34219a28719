/* prom.h — omgd's METRICS answer in the Prometheus text exposition format (0.0.4): what
 * `omg metrics --prometheus` prints and what omgd --textfile writes for node-exporter's
 * textfile collector (no timestamps, as that collector requires).
 *
 * A METRICS item is of one of two kinds:
 *  - a host metric, already named for Prometheus: its name starts with "apt_", "node_",
 *    "pacman_" or "omg_" and may carry labels in the exposition syntax, values escaped
 *    (apt_upgrades_pending{origin="Debian:bookworm/bookworm",arch="amd64"}). The series of
 *    one family are adjacent in the answer (omgd writes them so).
 *  - one of omgd's own counters ("requests", "status_ns_avg"): written as omgd_NAME, a
 *    counter with "_total" or a gauge; "_ns_avg" and "_us" values in seconds
 *    (omgd_status_seconds_avg, omgd_index_build_seconds), as Prometheus wants base units.
 * Each family gets one # HELP and one # TYPE line before its first series.
 */
#ifndef OMG_PROM_H
#define OMG_PROM_H

#include <stdio.h>

#include "proto.h"

#define OMG_PROM_HOST_ONLY 0x1u /* the host metrics only (the textfile: omgd's counters go stale in it) */

/* Whether METRICS item NAME is a host metric (above). */
int omg_prom_is_host(const char *name);
/* Writes M's items to F; OMG_OK, or an error when F fails. */
int omg_prom_write(FILE *f, const struct omg_pairs *m, unsigned flags);

#endif
