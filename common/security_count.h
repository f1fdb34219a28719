/* security_count.h — OMG_SECURITY for the shell modules.
 *
 * The 32-byte status file has no security field (its layout is fixed for existing snippets),
 * so the security count is asked of omgd once per published status file: one STATUS request
 * with a short deadline, cached against the mapping's epoch. omgd publishes a new file
 * whenever the security count changes, so the cache is never older than the file. Between
 * publishes a read costs a comparison; with no valid status file the answer is "no value".
 */
#ifndef OMG_SECURITY_COUNT_H
#define OMG_SECURITY_COUNT_H

#include <stdint.h>

#include "client.h"
#include "status_file.h"

#define OMG_SECURITY_TIMEOUT_MS 100 /* a prompt never waits longer for it */

struct omg_security_cache {
	uint64_t epoch;     /* the status file the value belongs to; 0: none yet */
	int known;
	uint32_t value;
};

/* OMG_OK and *OUT, or an error code when there is no value (no daemon, no answer). */
int omg_security_count(struct omg_security_cache *cache, struct omg_status_map *m,
		       struct omg_client *c, uint32_t *out);

#endif
