/* fuzz_status_file.c — libFuzzer target: arbitrary bytes as the 32-byte status file that the
 * shell modules read at every prompt. The first 8 input bytes are the reader's clock, the
 * rest is the file, published as omgd does (a sealed memory file behind a link) and as a
 * plain file. Both readers (omg_status_read, and the mapping the modules keep) must refuse
 * anything but a valid sealed 32-byte object, agree with each other, and always refuse
 * the plain file. */
#include "config.h"
#include "omg_error.h"
#include "status_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char path[256];

static void remove_file(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct omg_status_file a, b;
	struct omg_status_map m = { 0 };
	uint64_t now = 0;
	int fd, ra, rb;

	if (!path[0]) {
		snprintf(path, sizeof path, "%s/omg-fuzz-status-%d", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
			 (int)getpid());
		atexit(remove_file);
	}
	if (size >= 8) {
		memcpy(&now, data, 8);
		data += 8, size -= 8;
	}
	if (now == 0)
		now = 1; /* a fresh map's "last opened" is 0: a real clock is never there */
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (omg_status_read(path, &a, now) == OMG_OK || omg_status_map_read(&m, path, &b, now) == OMG_OK)
		abort(); /* a plain file can be truncated under a mapping: never accepted */
	omg_status_map_close(&m);
	m = (struct omg_status_map){ 0 };

	char target[64];
	unlink(path);
	if ((fd = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0 || ftruncate(fd, (off_t)size) != 0 ||
	    (size && pwrite(fd, data, size, 0) != (ssize_t)size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
		abort();
	snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
	if (symlink(target, path) != 0)
		abort();
	ra = omg_status_read(path, &a, now);
	rb = omg_status_map_read(&m, path, &b, now);
	omg_status_map_close(&m);
	close(fd);
	if ((ra == OMG_OK) != (rb == OMG_OK))
		abort();
	if (ra == OMG_OK && (size != 32 || a.magic != OMG_STATUS_MAGIC || a.version != OMG_STATUS_VERSION ||
			     memcmp(&a, &b, sizeof a) || memcmp(&a, data, sizeof a)))
		abort();
	return 0;
}
