/* fuzz_aptprefs.c — libFuzzer target: arbitrary bytes as apt_preferences(5) stanzas, every
 * pin then matched against a package file and a version made of the input; and as apt's
 * sources, each naming a list file made of the input (aptsources_find). */
#include "config.h"
#include "aptprefs.h"
#include "aptsources.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aptprefs prefs = { 0 };
	char word[128];
	size_t n = size < sizeof word - 1 ? size : sizeof word - 1, total = 0;
	struct aptpin_file files[2] = {
		{ .version = word, .origin = "Debian", .archive = "bookworm", .codename = word, .label = "Debian",
		  .component = "main", .arch = "amd64", .site = word },
		{ .status = 1 },
	};

	memcpy(word, data, n);
	word[n] = 0;
	if (aptprefs_parse(&prefs, (const char *)data, size) == 0 && aptprefs_default_release(&prefs, word) == 0) {
		for (size_t i = 0; i < prefs.n; i++) {
			const struct aptpin *pin = &prefs.v[i];
			if (pin->prio == 0 || (pin->name && !pin->arch))
				abort(); /* a pin always has a priority, a specific one its architecture */
			total += (size_t)aptpin_file_matches(pin, &files[0]) + (size_t)aptpin_file_matches(pin, &files[1]);
			total += (size_t)aptpin_version_matches(pin, word);
			if (pin->name)
				total += (size_t)aptpin_expr(pin->name, word);
		}
	}
	aptprefs_free(&prefs);
	for (int deb822 = 0; deb822 < 2; deb822++) {
		struct aptsources src = { 0 };
		struct aptsources_list l;
		if (aptsources_parse(&src, (const char *)data, size, deb822) == 0 && aptsources_find(&src, word, &l) &&
		    (!l.entry || strlen(l.site) >= sizeof l.site || strlen(l.arch) >= sizeof l.arch))
			abort();
		aptsources_free(&src);
	}
	return (int)(total & 0);
}
