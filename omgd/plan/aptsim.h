/* aptsim.h — what `LC_ALL=C apt-get -s ACTION` printed, read into a plan (apt-pkg's
 * pkgSimulate and apt-get's summaries, apt 2.6).
 *
 *   Inst NAME[:ARCH] [CURRENT] (VERSION RELEASE[, RELEASE...] [ARCH])[ [X on Y]...]
 *   Remv NAME[:ARCH] [CURRENT]             Purg NAME[:ARCH] [CURRENT]
 *
 * An Inst with a CURRENT version is an upgrade, a downgrade or a reinstall as VERSION
 * compares with it (dpkg's order). The lists under "have been kept back:" and "are no
 * longer required:" are kept; "E:" lines and the "unmet dependencies" block make the
 * problem; "W:" lines and apt's other sentences ("x is already the newest version") are
 * notes. Conf lines, apt's progress and the summary counts are not needed. Input is any
 * bytes: lines are cut at NUL and at APTSIM_LINE_MAX, nothing is trusted.
 */
#ifndef OMGD_PLAN_APTSIM_H
#define OMGD_PLAN_APTSIM_H

#include <stddef.h>
#include <stdint.h>

#define APTSIM_LINE_MAX 4096
#define APTSIM_OPS_MAX 100000

struct aptsim_op {
	uint8_t op;                /* OMG_OP_* */
	const char *name, *arch;   /* arch "" when the line does not say (a native Remv) */
	const char *from, *to;     /* "" when none */
	const char *release;       /* "Debian:12.15/oldstable, Debian-Security:12/oldstable-security" */
	int sized;                 /* the planner knew the figures (libalpm): answer.c takes them as they are */
	int asked;                 /* the planner knows the user named it (libalpm: a file, REPO/NAME) */
	uint64_t download;         /* bytes to fetch (sized only) */
	int64_t disk_kib;          /* installed size it changes (sized only) */
};

struct aptsim {
	struct aptsim_op *ops;
	uint32_t nops;
	const char **kept, **autoremovable, **notes;
	uint32_t nkept, nautoremovable, nnotes;
	char *problem;             /* "" when none; lines joined by '\n' */
	char *buf;                 /* the copy every string points into */
	size_t buflen;
};

/* Reads TEXT (LEN bytes). OMG_OK or OMG_E_NOMEM (*S then holds nothing). */
int aptsim_parse(const char *text, size_t len, struct aptsim *s);
void aptsim_free(struct aptsim *s);

#endif
