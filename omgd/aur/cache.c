/* cache.c — successful AUR answers kept for the TTL, on the event loop's side: at most
 * AUR_CACHE_MAX of them, the one closest to expiry replaced first. */
#include "config.h"
#include "internal.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct cached *aur_cache_find(struct aur_cache *cache, const char *key)
{
	time_t now = time(NULL);

	for (int i = 0; i < cache->n; i++)
		if (!strcmp(cache->v[i].key, key)) {
			if (cache->v[i].expires > now)
				return &cache->v[i];
			return NULL;
		}
	return NULL;
}

void aur_cache_put(struct aur_cache *cache, const char *key, const uint8_t *payload, size_t len, int ttl_s)
{
	struct omg_wbuf marked = { 0 };
	struct cached *c = NULL;

	for (int i = 0; i < cache->n && !c; i++)
		if (!strcmp(cache->v[i].key, key))
			c = &cache->v[i];
	if (!c && cache->n < AUR_CACHE_MAX)
		c = &cache->v[cache->n++];
	if (!c) { /* full: the entry closest to expiry goes */
		c = &cache->v[0];
		for (int i = 1; i < cache->n; i++)
			if (cache->v[i].expires < c->expires)
				c = &cache->v[i];
	}
	if (c->key) {
		free(c->key);
		free(c->payload);
	}
	c->key = strdup(key);
	/* kept as it will be served: said to come from the cache */
	if (!c->key || omg_enc_aur_cached(&marked, payload, len) != OMG_OK || marked.failed) {
		/* The slot goes: the last entry moves into it, and the last slot is cleared, so
		 * that no pointer is left twice (C itself may be the last). */
		free(c->key);
		omg_wbuf_free(&marked);
		*c = cache->v[--cache->n];
		memset(&cache->v[cache->n], 0, sizeof cache->v[cache->n]);
		return;
	}
	c->payload = marked.data;
	c->len = marked.len;
	c->expires = time(NULL) + ttl_s;
}

void aur_cache_free(struct aur_cache *cache)
{
	for (int i = 0; i < cache->n; i++) {
		free(cache->v[i].key);
		free(cache->v[i].payload);
	}
	cache->n = 0;
}
