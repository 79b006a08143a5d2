/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.c - own reader of /proc/PID/cgroup and of cgroupfs files (memory, pressure) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/cgroup.h"
#include "sample/taskfiles.h"

/* One line [p, le) into l; 0 or -EINVAL. */
static int parse_line(const char *buf, const char *p, const char *le, struct cgroup_line *l)
{
	const char *c1, *c2;
	uint64_t id;
	const char *q = p;

	c1 = memchr(p, ':', (size_t)(le - p));
	if (!c1 || c1 == p)
		return -EINVAL;
	if (util_span_dec(&q, c1, &id) || q != c1 || id > UINT32_MAX)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', (size_t)(le - c1 - 1));
	if (!c2)
		return -EINVAL;
	for (const char *k = c1 + 1; k < c2; k++)
		if ((unsigned char)*k <= ' ' || (unsigned char)*k == 0x7f)
			return -EINVAL;
	/* the path: from the second ':' to the end of the line (it may hold ':') */
	if (c2 + 1 >= le || c2[1] != '/' || memchr(c2 + 1, '\0', (size_t)(le - c2 - 1)))
		return -EINVAL;
	l->id = (uint32_t)id;
	l->ctrl = (size_t)(c1 + 1 - buf);
	l->ctrl_len = (size_t)(c2 - c1 - 1);
	l->path = (size_t)(c2 + 1 - buf);
	l->path_len = (size_t)(le - c2 - 1);
	/* the v2 line is "0::PATH"; a v1 hierarchy has an ID above 0 and a name */
	if ((l->id == 0) != (l->ctrl_len == 0))
		return -EINVAL;
	return 0;
}

int cgroup_parse(const char *buf, size_t len, struct cgroup_info *ci)
{
	const char *p = buf, *end = buf + len;

	ci->nlines = 0;
	ci->v2 = -1;
	ci->v1_controllers = false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct cgroup_line *l;

		if (ci->nlines == CGROUP_MAX_LINES)
			return -E2BIG;
		l = &ci->line[ci->nlines];
		if (parse_line(buf, p, le, l))
			return -EINVAL;
		if (l->id == 0) {
			if (ci->v2 >= 0)
				return -EINVAL;
			ci->v2 = (int)ci->nlines;
		} else if (l->ctrl_len < 5 || memcmp(buf + l->ctrl, "name=", 5)) {
			ci->v1_controllers = true;
		}
		ci->nlines++;
		p = nl ? nl + 1 : end;
	}
	return ci->nlines ? 0 : -EINVAL;
}

int cgroup_find(const struct cgroup_info *ci, const char *buf, const char *ctrl)
{
	if (!*ctrl)
		return ci->v2;
	for (size_t i = 0; i < ci->nlines; i++) {
		const struct cgroup_line *l = &ci->line[i];

		if (l->id && util_list_has(buf + l->ctrl, l->ctrl_len, ctrl))
			return (int)i;
	}
	return -1;
}

int cgroup_primary(const struct cgroup_info *ci, const char *buf)
{
	static const char *const order[] = { "memory", "cpu", "name=systemd" };

	if (!ci->v1_controllers)
		return ci->v2;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		int k = cgroup_find(ci, buf, order[i]);

		if (k >= 0)
			return k;
	}
	return ci->v2;
}

bool cgroup_path_within(const char *path, size_t len, const char *dir, size_t dlen)
{
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (dlen == 1 && dir[0] == '/')
		return len >= 1 && path[0] == '/';
	if (len < dlen || memcmp(path, dir, dlen))
		return false;
	return len == dlen || path[dlen] == '/';
}

int cgroup_check_path(const char *path)
{
	const char *p = path;
	size_t n = strlen(path);

	if (!n || n >= 4096 || path[0] != '/')
		return -EINVAL;
	/* a cgroup's name may hold any byte but '/' and NUL; a newline cannot be matched
	 * (it would end the line of /proc/PID/cgroup) */
	if (memchr(path, '\n', n))
		return -EINVAL;
	while (*p) {
		size_t cl;

		p++;	/* the '/' */
		cl = strcspn(p, "/");
		if (cl == 0 && p[0] == '/')
			return -EINVAL;		/* "//" */
		if ((cl == 1 && p[0] == '.') || (cl == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		p += cl;
	}
	return 0;
}

int cgroup_read_at(int dirfd, const char *name, char *buf, size_t *len, struct cgroup_info *ci)
{
	int rc = taskfiles_read(dirfd, name, buf, CGROUP_FILE_MAX, len);

	if (rc)
		return rc;
	return cgroup_parse(buf, *len, ci);
}

/* ---- cgroupfs ------------------------------------------------------------------------ */

/*
 * A regular file (a directory with dir) below the root, never through a symlink or out of
 * it. The root may be a tree someone else wrote (--cgroup-root): what is not a regular
 * file or directory is not opened at all (a FIFO or device node would be; opening some has
 * effects), as if it were not there. The O_PATH fd pins what was checked.
 */
static int open_beneath(int rootfd, const char *rel, bool dir)
{
	struct open_how how = { 0 };
	char self[48];
	struct stat sb;
	int pfd, fd;

	how.flags = O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	pfd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (pfd < 0)
		return errno == ELOOP || errno == EXDEV || errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(pfd, &sb) || (dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode))) {
		close(pfd);
		return -ENOENT;
	}
	if (dir) {
		fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
		fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	fd = fd < 0 ? -errno : fd;
	close(pfd);
	return fd;
}

/* Read the small file rel below the root into buf (at most cap - 1 bytes, NUL-ended). */
static int read_beneath(int rootfd, const char *rel, char *buf, size_t cap, size_t *len)
{
	size_t off;
	int fd = open_beneath(rootfd, rel, false), rc;

	if (fd < 0)
		return fd;
	rc = util_read_full(fd, buf, cap - 1, -1, &off);
	if (!rc && off == cap - 1)
		rc = -EFBIG;
	close(fd);
	buf[off] = '\0';
	*len = off;
	return rc;
}

struct cgroup_fs {
	int rootfd;
};

/* Does the directory look like a cgroupfs root: a v2 one (cgroup.controllers), a hybrid or
 * v1 one (unified/ or memory/)? */
static bool looks_like_root(int rootfd)
{
	static const char *const what[3] = { "cgroup.controllers", "unified", "memory" };

	for (int i = 0; i < 3; i++) {
		int fd = open_beneath(rootfd, what[i], i > 0);

		if (fd >= 0) {
			close(fd);
			return true;
		}
	}
	return false;
}

int cgroup_fs_open(struct cgroup_fs **out, const char *dir)
{
	struct cgroup_fs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return -ENOMEM;
	/* DIR itself is the user's choice, so followed; nothing below it is */
	fs->rootfd = open(dir ? dir : CGROUP_ROOT_DEFAULT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd < 0) {
		int err = -errno;

		free(fs);
		return err;
	}
	if (dir && !looks_like_root(fs->rootfd)) {
		cgroup_fs_close(fs);
		return -ENODATA;
	}
	*out = fs;
	return 0;
}

void cgroup_fs_close(struct cgroup_fs *fs)
{
	if (!fs)
		return;
	close(fs->rootfd);
	free(fs);
}

int cgroup_parse_u64(const char *buf, size_t len, uint64_t *v)
{
	const char *p = buf, *end = buf + len;
	int rc;

	if (len && buf[len - 1] == '\n')
		end--;
	rc = util_span_dec(&p, end, v);
	if (rc)
		return rc;
	return p == end ? 0 : -EINVAL;
}

/* "total=N" of the line [p, le): N microseconds as seconds */
static int pressure_total(const char *p, const char *le, double *secs)
{
	static const char key[] = " total=";
	const char *t = NULL;
	uint64_t us;

	for (const char *q = p; q + sizeof(key) - 1 <= le; q++)
		if (!memcmp(q, key, sizeof(key) - 1))
			t = q + sizeof(key) - 1;
	if (!t || util_span_dec(&t, le, &us) || t != le)
		return -EINVAL;
	*secs = (double)us / 1e6;
	return 0;
}

int cgroup_parse_pressure(const char *buf, size_t len, double *some, double *full)
{
	const char *p = buf, *end = buf + len;
	bool have_some = false;

	*full = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (le - p > 5 && !memcmp(p, "some ", 5)) {
			if (have_some || pressure_total(p, le, some))
				return -EINVAL;
			have_some = true;
		} else if (le - p > 5 && !memcmp(p, "full ", 5)) {
			if (*full >= 0 || pressure_total(p, le, full))
				return -EINVAL;
		} else if (le > p) {
			return -EINVAL;
		}
		p = nl ? nl + 1 : end;
	}
	return have_some ? 0 : -EINVAL;
}

/* The directory of the v2 tree below the root: the root itself on a v2 host (it has
 * cgroup.controllers), "unified" on a hybrid one. */
static const char *v2_dir(int rootfd)
{
	int fd = open_beneath(rootfd, "cgroup.controllers", false);

	if (fd >= 0) {
		close(fd);
		return ".";
	}
	return "unified";
}

int cgroup_fs_stats(struct cgroup_fs *fs, bool v2, const char *path, size_t len,
		    struct cgroup_stats *st)
{
	static const char *const psi[3] = { "cpu.pressure", "memory.pressure", "io.pressure" };
	char cgpath[4096], rel[PATH_MAX], buf[4096];
	const char *dir = v2 ? v2_dir(fs->rootfd) : "memory";
	size_t n;
	int rc;

	memset(st, 0, sizeof(*st));
	st->mem_rc = -ENOENT;
	for (int i = 0; i < 3; i++) {
		st->psi_rc[i] = v2 ? -ENOENT : -EOPNOTSUPP;
		st->psi_full_total[i] = -1;
	}
	if (len >= sizeof(cgpath))
		return -ENAMETOOLONG;
	memcpy(cgpath, path, len);
	cgpath[len] = '\0';
	if (cgroup_check_path(cgpath) && strcmp(cgpath, "/"))
		return -EINVAL;
	/* "/" is the hierarchy's root: "DIR/./FILE" */
	rc = snprintf(rel, sizeof(rel), "%s%s/memory.%s", dir, len > 1 ? cgpath : "/.",
		      v2 ? "current" : "usage_in_bytes");
	if (rc < 0 || (size_t)rc >= sizeof(rel))
		return -ENAMETOOLONG;
	rc = read_beneath(fs->rootfd, rel, buf, sizeof(buf), &n);
	st->mem_rc = rc ? rc : cgroup_parse_u64(buf, n, &st->mem_bytes);
	for (int i = 0; v2 && i < 3; i++) {
		rc = snprintf(rel, sizeof(rel), "%s%s/%s", dir, len > 1 ? cgpath : "/.", psi[i]);
		if (rc < 0 || (size_t)rc >= sizeof(rel))
			return -ENAMETOOLONG;
		rc = read_beneath(fs->rootfd, rel, buf, sizeof(buf), &n);
		st->psi_rc[i] = rc ? rc : cgroup_parse_pressure(buf, n, &st->psi_some_total[i],
								 &st->psi_full_total[i]);
	}
	return 0;
}
