/* hostmetrics.h — the host's package metrics (prom.h's "host metrics"), as METRICS items
 * under the names and labels of node-exporter's apt collector (apt_info.py, as Debian's
 * prometheus-node-exporter-collectors ships it):
 *   apt_upgrades_pending{origin,arch}  upgradable packages (installed, candidate newer) by
 *                                      their candidate's origins ("Origin:Codename/Suite" of
 *                                      each list that has it, sorted, comma-joined) and its
 *                                      Architecture ("all" when the stanza says so)
 *   apt_upgrades_held{origin,arch}     the same for held packages; either family is one
 *                                      {origin="",arch=""} 0 series when there are none
 *   apt_autoremove_pending             apt autoremove's count (omg's orphans)
 *   apt_package_cache_timestamp_seconds  ROOT/var/lib/apt/periodic/update-success-stamp's
 *                                      mtime when APT::Periodic::Update-Package-Lists is on
 *                                      and it exists, else ROOT/var/lib/apt/lists/partial's
 *   node_reboot_required               1 while ROOT/run/reboot-required (or ROOT/var/run/...)
 *                                      is a file
 * (on Arch pacman.sh's pacman_updates_pending instead of the apt_ ones), and omg's own:
 * omg_security_updates_pending, omg_installed_packages, omg_explicit_packages,
 * omg_reboot_required_packages (distinct names in reboot-required.pkgs),
 * omg_verify_findings{part="files"|"archive"}, omg_verify_last_timestamp_seconds,
 * omg_lists_refreshed_timestamp_seconds, omg_index_updated_timestamp_seconds.
 * The package families need an index (none before the first build). All on the event loop:
 * a few stat calls and one small file read; nothing else blocks.
 */
#ifndef OMGD_HOSTMETRICS_H
#define OMGD_HOSTMETRICS_H

#include <stdint.h>

#include "omgd.h"

/* Appends the host metrics to W as METRICS items (omg_enc_metric); returns how many. */
uint32_t hostmetrics_put(const struct daemon *d, struct omg_wbuf *w);
/* 1 while a reboot is required on ROOT (node_reboot_required), else 0. */
int hostmetrics_reboot(const char *root);
/* Writes DIR/omg.prom (node-exporter's textfile collector) with the host metrics: a temporary
 * file in DIR, mode 0644, renamed over it. OMG_OK or an error code. */
int hostmetrics_textfile(const struct daemon *d, const char *dir);

#endif
