/* paths.c — resolve the private runtime directory (see paths.h for the rule). */
#include "config.h"
#include "paths.h"
#include "omg_error.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <unistd.h>

static int is_private_dir(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	return S_ISDIR(st.st_mode) && st.st_uid == getuid() && (st.st_mode & 077) == 0;
}

/* BUF = A, or A/B when B is given. */
static int join_path(char *buf, size_t size, const char *a, const char *b)
{
	int n = b ? snprintf(buf, size, "%s/%s", a, b) : snprintf(buf, size, "%s", a);

	if (n < 0 || (size_t)n >= size)
		return OMG_ERROR(OMG_E_TOOBIG, "path too long: %s/%s", a, b ? b : "");
	return OMG_OK;
}

int omg_runtime_dir(char *buf, size_t size, int create)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *tmp = getenv("TMPDIR");
	char uid[32], leaf[48];
	int rc;

	if (xdg && xdg[0] == '/')
		return join_path(buf, size, xdg, NULL);
	snprintf(uid, sizeof uid, "%u", (unsigned)getuid());
	rc = join_path(buf, size, "/run/user", uid);
	if (rc == OMG_OK && is_private_dir(buf))
		return OMG_OK;
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	snprintf(leaf, sizeof leaf, "omg-%s", uid);
	rc = join_path(buf, size, tmp, leaf);
	if (rc != OMG_OK)
		return rc;
	if (create && mkdir(buf, 0700) != 0 && errno != EEXIST)
		return OMG_ERROR(OMG_E_SYS, "mkdir %s: %s", buf, strerror(errno));
	if (!create && access(buf, F_OK) != 0)
		return OMG_ERROR(OMG_E_NODAEMON, "omgd is not running (%s does not exist)", buf);
	if (!is_private_dir(buf))
		return OMG_ERROR(OMG_E_PERM, "%s is not a private directory owned by uid %s", buf, uid);
	return OMG_OK;
}

int omg_runtime_path(char *buf, size_t size, const char *name, int create)
{
	char dir[4096];
	int rc = omg_runtime_dir(dir, sizeof dir, create);

	if (rc != OMG_OK)
		return rc;
	return join_path(buf, size, dir, name);
}

const char *omg_system_dir(void)
{
	const char *env = getenv("OMG_SYSTEM_DIR");

	return env && env[0] == '/' ? env : OMG_SYSTEM_DIR;
}

int omg_system_path(char *buf, size_t size, const char *name)
{
	return join_path(buf, size, omg_system_dir(), name);
}

/* The user's $RUNTIME/NAME when it exists, else the system daemon's when that exists, else
 * the user's (or why it cannot be resolved): the user's own daemon always wins. stat, not
 * lstat: the status link of a user's omgd killed with -9 names its gone /proc entry, and the
 * system daemon's file is then the one to read. */
static int daemon_path(char *buf, size_t size, const char *name)
{
	struct stat st;
	int rc = omg_runtime_path(buf, size, name, 0);

	if (rc == OMG_OK && stat(buf, &st) == 0)
		return OMG_OK;
	{
		char sys[4096];
		if (omg_system_path(sys, sizeof sys, name) == OMG_OK && stat(sys, &st) == 0)
			return join_path(buf, size, sys, NULL);
	}
	return rc == OMG_OK ? OMG_OK : omg_runtime_path(buf, size, name, 0); /* the detail again */
}

int omg_socket_path(char *buf, size_t size)
{
	const char *env = getenv("OMG_SOCKET");

	if (env && env[0])
		return join_path(buf, size, env, NULL);
	return daemon_path(buf, size, OMG_SOCKET_NAME);
}

int omg_status_path(char *buf, size_t size)
{
	return daemon_path(buf, size, OMG_STATUS_NAME);
}

int omg_store_default_dir(char *buf, size_t size, const char *root)
{
	char real[PATH_MAX];
	const char *v;
	int n;

	if ((v = getenv("STATE_DIRECTORY")) && v[0] == '/') {
		/* systemd may pass several, separated by ':': the first is ours. */
		const char *colon = strchr(v, ':');
		n = snprintf(buf, size, "%.*s", colon ? (int)(colon - v) : (int)strlen(v), v);
	} else if ((v = getenv("XDG_CACHE_HOME")) && v[0] == '/') {
		n = snprintf(buf, size, "%s/omg", v);
	} else if ((v = getenv("HOME")) && v[0] == '/' && strcmp(v, "/")) {
		n = snprintf(buf, size, "%s/.cache/omg", v);
	} else if (geteuid() == 0) {
		n = snprintf(buf, size, "/var/lib/omg");
	} else {
		return OMG_ERROR(OMG_E_INVAL, "no store directory: set XDG_CACHE_HOME or HOME, or pass --store");
	}
	if (n < 0 || (size_t)n >= size)
		return OMG_ERROR(OMG_E_TOOBIG, "store directory path too long");
	if (root && realpath(root, real) && strcmp(real, "/")) {
		uint64_t h = 0xcbf29ce484222325u;
		for (const unsigned char *p = (const unsigned char *)real; *p; p++)
			h = (h ^ *p) * 0x100000001b3u;
		int m = snprintf(buf + n, size - (size_t)n, "/roots/%016llx", (unsigned long long)h);
		if (m < 0 || (size_t)m >= size - (size_t)n)
			return OMG_ERROR(OMG_E_TOOBIG, "store directory path too long");
	}
	return OMG_OK;
}

int omg_socket_listening(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ok;

	if (strlen(path) >= sizeof sa.sun_path)
		return 0;
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 || errno == EAGAIN;
	close(fd);
	return ok;
}
