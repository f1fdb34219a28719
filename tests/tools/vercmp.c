/* vercmp A B — prints -1, 0 or 1 as Arch's vercmp(8) does, through the same libalpm call
 * (alpm_pkg_vercmp). Debian's pacman-package-manager ships no vercmp binary, so the Arch
 * suite builds this one; a vercmp on PATH (an Arch host) is used instead when present. */
#include <alpm.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int r;

	if (argc != 3) {
		fputs("usage: vercmp A B\n", stderr);
		return 2;
	}
	r = alpm_pkg_vercmp(argv[1], argv[2]);
	printf("%d\n", r < 0 ? -1 : r > 0 ? 1 : 0);
	return 0;
}
