/* fuzz_deb822.c — libFuzzer target: arbitrary bytes as Debian control data (dpkg status,
 * Packages, Release), as a relation field, as apt configuration and as apt's sources (both formats; every source
 * then describes a list file named after the input). */
#include "config.h"
#include "aptconf.h"
#include "aptsources.h"
#include "deb822.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct deb822_para para;
	struct deb822_field f;
	struct aptconf conf = { 0 };
	size_t pos = 0, total = 0;

	while (deb822_next_para(text, size, &pos, &para)) {
		size_t fpos = 0;
		int r;
		if (para.offset + para.len > size)
			abort();
		while ((r = deb822_next_field(&para, &fpos, &f)) == 1) {
			if (f.value < para.start || f.value + f.value_len > para.start + para.len)
				abort();
			total += deb822_first_line(f.value, f.value_len) + (size_t)deb822_is(&f, "Package");
		}
		if (pos > size)
			abort();
	}
	{ /* the input as a relation field (Depends, Provides) */
		struct deb822_relation r;
		const char *s = text, *end = text + size;
		while (deb822_next_relation(&s, end, &r)) {
			if (r.name + r.nlen > end || (r.qual && r.qual + r.qlen > end) || (r.ver && r.ver + r.vlen > end) || s > end)
				abort();
			total += r.nlen;
		}
	}
	aptconf_parse(&conf, text, size);
	aptconf_get(&conf, "apt::architecture", NULL);
	aptconf_bool(&conf, "apt::autoremove::suggestsimportant", 1);
	aptconf_free(&conf);
	for (int deb822 = 0; deb822 < 2; deb822++) {
		struct aptsources src = { 0 };
		char name[512], desc[1024];
		size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
		memcpy(name, data, n);
		name[n] = 0;
		if (aptsources_parse(&src, text, size, deb822) == 0) {
			total += (size_t)aptsources_describe(&src, name, desc, sizeof desc);
			total += (size_t)aptsources_describe(&src, "h_d_dists_s_c_binary-amd64_Packages.lz4", desc, sizeof desc);
			if (strlen(desc) >= sizeof desc)
				abort();
		}
		aptsources_free(&src);
	}
	return (int)(total & 0);
}
