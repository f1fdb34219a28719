/* activation.c — see activation.h. */
#include "config.h"
#include "activation.h"
#include "omg_error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char notify_path[sizeof ((struct sockaddr_un *)0)->sun_path];

/* A decimal number from the environment, or -1. */
static long env_number(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !v[0])
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	return *end || errno || n < 0 ? -1 : n;
}

static int check_socket(int fd, char *path, size_t size)
{
	struct sockaddr_un sa = { 0 }; /* getsockname fills only LEN bytes */
	socklen_t len = sizeof sa;
	int type = 0, domain = 0, listening = 0, flags;
	socklen_t ilen = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ilen) != 0)
		return OMG_ERROR(OMG_E_SYS, "socket activation: descriptor %d: %s", fd, strerror(errno));
	ilen = sizeof domain;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &ilen) != 0 || domain != AF_UNIX || type != SOCK_STREAM)
		return OMG_ERROR(OMG_E_SYS, "socket activation: descriptor %d is not a Unix stream socket "
				 "(the unit needs ListenStream=PATH)", fd);
	ilen = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) != 0 || !listening)
		return OMG_ERROR(OMG_E_SYS, "socket activation: descriptor %d is not listening (Accept=yes is not supported)", fd);
	if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		return OMG_ERROR(OMG_E_SYS, "socket activation: getsockname: %s", strerror(errno));
	if (len <= offsetof(struct sockaddr_un, sun_path) || !sa.sun_path[0])
		return OMG_ERROR(OMG_E_SYS, "socket activation: the socket has no path (an abstract or unnamed socket)");
	/* sun_path may lack its terminating NUL when it fills the structure */
	len -= (socklen_t)offsetof(struct sockaddr_un, sun_path);
	if ((size_t)len >= size || len > sizeof sa.sun_path)
		return OMG_ERROR(OMG_E_TOOBIG, "socket activation: socket path too long");
	memcpy(path, sa.sun_path, len);
	path[len] = 0;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
		return OMG_ERROR(OMG_E_SYS, "socket activation: fcntl: %s", strerror(errno));
	return OMG_OK;
}

int activation_take(int *fd, char *path, size_t size)
{
	long pid = env_number("LISTEN_PID"), n = env_number("LISTEN_FDS");
	const char *notify = getenv("NOTIFY_SOCKET");
	int rc = OMG_OK;

	*fd = -1;
	if (notify && (notify[0] == '/' || notify[0] == '@') && strlen(notify) < sizeof notify_path)
		strcpy(notify_path, notify);
	unsetenv("NOTIFY_SOCKET");
	if (pid == (long)getpid() && n >= 1) {
		/* more than one: the others are not ours to serve */
		for (long extra = 1; extra < n && extra < 1024; extra++)
			close(ACTIVATION_FD + (int)extra);
		if ((rc = check_socket(ACTIVATION_FD, path, size)) == OMG_OK)
			*fd = ACTIVATION_FD;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return rc;
}

void activation_notify(const char *state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!notify_path[0])
		return;
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(notify_path));
	memcpy(sa.sun_path, notify_path, strlen(notify_path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0; /* abstract: the name is the bytes after the NUL, unterminated */
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	/* best effort, as sd_notify: a manager that is not listening does not stop omgd */
	(void)sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}
