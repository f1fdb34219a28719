/* fuzz_pacmanconf.c — libFuzzer target: arbitrary bytes as pacman.conf. Includes resolve
 * inside a root that does not exist, so only the input itself is read. */
#include "config.h"
#include "omg_error.h"
#include "pacmanconf.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pacmanconf *c = malloc(sizeof *c);

	if (!c)
		return 0;
	pacmanconf_parse(c, "/nonexistent-omg-fuzz-root", (const char *)data, size);
	pacmanconf_ignored(c, "pkg");
	pacmanconf_free(c);
	free(c);
	return 0;
}
