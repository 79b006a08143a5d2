/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procmount.c - facts about the /proc mount: hidepid, and processes it lists but hides */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/procmount.h"
#include "sample/source.h"
#include "sample/taskfiles.h"

#define MOUNTINFO_MAX (256 * 1024)

/* The n-th space-separated field of line [p, end) (0-based), or false. */
static bool field(const char *p, const char *end, unsigned n, const char **f, size_t *flen)
{
	for (unsigned i = 0; p < end; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *fe = sp ? sp : end;

		if (i == n) {
			*f = p;
			*flen = (size_t)(fe - p);
			return true;
		}
		if (!sp)
			break;
		p = sp + 1;
	}
	return false;
}

bool procmount_parse_noaccess(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	bool noaccess = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *mp, *sep, *so;
		size_t mpl, sol;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
		sep = NULL;
		for (const char *q = p; q + 3 <= le; q++)
			if (q[0] == ' ' && q[1] == '-' && q[2] == ' ') {
				sep = q;
				break;
			}
		/* the last mount on /proc is the one in use */
		if (sep && field(p, sep, 4, &mp, &mpl) && mpl == 5 && !memcmp(mp, "/proc", 5) &&
		    field(sep + 3, le, 2, &so, &sol))
			noaccess = util_list_has(so, sol, "hidepid=noaccess");
		if (!nl)
			break;
		p = nl + 1;
	}
	return noaccess;
}

int procmount_noaccess(int rootfd)
{
	size_t len;
	char *buf = malloc(MOUNTINFO_MAX);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = taskfiles_read(rootfd, "self/mountinfo", buf, MOUNTINFO_MAX, &len);
	if (!rc)
		rc = procmount_parse_noaccess(buf, len);
	free(buf);
	return rc;
}

int procmount_count_denied(int rootfd, const pid_t *seen, size_t nseen, size_t *denied)
{
	struct dirent *de;
	DIR *d;
	int rc;

	*denied = 0;
	rc = source_opendir(rootfd, ".", &d);
	if (rc)
		return rc;
	while ((de = readdir(d))) {
		char path[32];
		uint64_t v;
		pid_t pid;
		int sfd;

		if (util_parse_u64(de->d_name, 4194304, &v) || v == 0)
			continue;
		pid = (pid_t)v;
		if (seen && nseen && bsearch(&pid, seen, nseen, sizeof(*seen), util_cmp_int))
			continue;
		snprintf(path, sizeof(path), "%d/stat", (int)pid);
		sfd = source_openat(rootfd, path, O_RDONLY | O_CLOEXEC);
		if (sfd >= 0)
			close(sfd);	/* started after the scan: not hidden */
		else if (errno == EACCES || errno == EPERM)
			(*denied)++;
	}
	closedir(d);
	return 0;
}
