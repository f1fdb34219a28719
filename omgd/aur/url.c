/* url.c — the AUR's RPC v5 URLs: names and queries URL-encoded by libcurl, info names batched
 * into URLs under AUR_URL_MAX bytes. */
#include "config.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

int aur_info_urls(const char *base, const char *const *names, int count,
		  int (*emit)(void *ctx, const char *url), void *ctx)
{
	char url[AUR_URL_MAX];
	int urls = 0, in_url = 0;
	size_t at = 0;

	for (int i = 0; i <= count; i++) {
		char *esc = NULL;
		size_t need = 0;
		if (i < count) {
			if (!(esc = curl_easy_escape(NULL, names[i], 0)))
				return -1;
			need = strlen(esc) + 8; /* "&arg[]=" and the name */
		}
		if (in_url && (i == count || at + need >= sizeof url)) {
			if (emit(ctx, url) != 0) {
				curl_free(esc);
				return -1;
			}
			urls++;
			in_url = 0;
		}
		if (i < count) {
			if (!in_url) {
				int w = snprintf(url, sizeof url, "%s/rpc/v5/info?", base);
				if (w < 0 || (size_t)w + need >= sizeof url) { /* one name alone is too long */
					curl_free(esc);
					continue;
				}
				at = (size_t)w;
				in_url = 1;
			}
			at += (size_t)snprintf(url + at, sizeof url - at, "%sarg[]=%s", url[at - 1] == '?' ? "" : "&", esc);
		}
		curl_free(esc);
	}
	return urls;
}

int aur_search_url(const char *base, const char *query, char *url, size_t n)
{
	char *esc = curl_easy_escape(NULL, query, 0);
	int fits = esc && snprintf(url, n, "%s/rpc/v5/search/%s?by=name-desc", base, esc) < (int)n;

	curl_free(esc);
	return fits ? 0 : -1;
}
