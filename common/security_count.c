/* security_count.c — see security_count.h. */
#include "config.h"
#include "security_count.h"
#include "omg_error.h"

int omg_security_count(struct omg_security_cache *cache, struct omg_status_map *m,
		       struct omg_client *c, uint32_t *out)
{
	struct omg_status_msg st;
	struct omg_answer a;
	uint32_t ignored;
	int timeout, rc;

	/* a current status file first: no daemon, no value */
	if ((rc = omg_status_count(m, OMG_COUNT_UPDATES, &ignored)) != OMG_OK)
		return rc;
	if (cache->epoch != m->epoch) {
		/* once per published file, success or not: a hung daemon costs one short wait */
		cache->epoch = m->epoch;
		cache->known = 0;
		timeout = c->timeout_ms;
		c->timeout_ms = OMG_SECURITY_TIMEOUT_MS;
		omg_client_begin(c, OMG_MSG_STATUS);
		rc = omg_client_call(c, &a);
		c->timeout_ms = timeout;
		if (rc == OMG_OK && omg_dec_status(a.payload, a.length, &st) == OMG_OK) {
			cache->value = st.security;
			cache->known = 1;
		}
	}
	if (!cache->known)
		return OMG_ERROR(OMG_E_NODAEMON, "security count unknown");
	*out = cache->value;
	return OMG_OK;
}
