/* SPDX-License-Identifier: GPL-2.0-or-later */
/* settings.c - the TUI's saved settings: a pure parser, a writer, and where the file lives */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/columns.h"
#include "model/settings.h"

#define SETTINGS_FILE_MAX 65536

static const char *const mode_names[] = {
	[LIST_NESTED] = "processes", [LIST_THREADS] = "threads", [LIST_TREE] = "tree",
};

void settings_defaults(struct ts_settings *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->sort, "PCPU");
	c->delay = 1.0;
	c->mode = LIST_NESTED;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* [p, e) trimmed of spaces at both ends */
static void trim(const char **p, const char **e)
{
	while (*p < *e && is_space(**p))
		(*p)++;
	while (*e > *p && is_space((*e)[-1]))
		(*e)--;
}

static bool equals(const char *p, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - p) == n && !strncasecmp(p, word, n);
}

/* A column list: every name known, copied upper-case into out. */
static int parse_columns(const char *p, const char *e, char *out, size_t outlen)
{
	size_t o = 0;

	if (p == e)
		return -EINVAL;
	while (p <= e) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		const char *ne = c ? c : e, *np = p;
		char name[32];

		trim(&np, &ne);
		if (ne == np || (size_t)(ne - np) >= sizeof(name))
			return -EINVAL;
		memcpy(name, np, (size_t)(ne - np));
		name[ne - np] = '\0';
		if (memchr(name, '\0', (size_t)(ne - np)) || !columns_find(name))
			return -EINVAL;
		if (o + (size_t)(ne - np) + 2 > outlen)
			return -EINVAL;
		if (o)
			out[o++] = ',';
		memcpy(out + o, columns_find(name)->name, strlen(columns_find(name)->name));
		o += strlen(columns_find(name)->name);
		if (!c)
			break;
		p = c + 1;
	}
	out[o] = '\0';
	return 0;
}

static int parse_line(const char *p, const char *e, struct ts_settings *c, const char **what)
{
	const char *eq, *k = p, *ke, *v, *ve = e;
	char tmp[64];

	trim(&p, &e);
	if (p == e || *p == '#')
		return 0;
	eq = memchr(p, '=', (size_t)(e - p));
	if (!eq) {
		*what = "expected 'key = value'";
		return -EINVAL;
	}
	k = p;
	ke = eq;
	v = eq + 1;
	ve = e;
	trim(&k, &ke);
	trim(&v, &ve);
	if (equals(k, ke, "columns")) {
		*what = "unknown column or too many columns";
		return parse_columns(v, ve, c->columns, sizeof(c->columns));
	}
	if (equals(k, ke, "sort")) {
		const struct column *col;

		*what = "unknown sort column";
		if (ve == v || (size_t)(ve - v) >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, v, (size_t)(ve - v));
		tmp[ve - v] = '\0';
		col = memchr(tmp, '\0', (size_t)(ve - v)) ? NULL : columns_find(tmp);
		if (!col)
			return -EINVAL;
		snprintf(c->sort, sizeof(c->sort), "%s", col->name);
		return 0;
	}
	if (equals(k, ke, "order")) {
		*what = "order is ascending or descending";
		if (equals(v, ve, "ascending"))
			c->ascending = true;
		else if (equals(v, ve, "descending"))
			c->ascending = false;
		else
			return -EINVAL;
		return 0;
	}
	if (equals(k, ke, "delay")) {
		*what = "delay is seconds from 0.1 to 86400";
		if (ve == v || (size_t)(ve - v) >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, v, (size_t)(ve - v));
		tmp[ve - v] = '\0';
		if (memchr(tmp, '\0', (size_t)(ve - v)) ||
		    util_parse_seconds(tmp, SETTINGS_MAX_DELAY, &c->delay) || c->delay < 0.1)
			return -EINVAL;
		return 0;
	}
	if (equals(k, ke, "view")) {
		*what = "view is processes, threads or tree";
		for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++) {
			if (equals(v, ve, mode_names[i])) {
				c->mode = (enum ts_listmode)i;
				return 0;
			}
		}
		return -EINVAL;
	}
	*what = "unknown key";
	return -EINVAL;
}

int settings_parse(const char *buf, size_t len, struct ts_settings *out, char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 1;

	settings_defaults(out);
	if (errlen)
		err[0] = '\0';
	if (len > SETTINGS_FILE_MAX) {
		if (errlen)
			snprintf(err, errlen, "the file is larger than %d bytes", SETTINGS_FILE_MAX);
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *what = "";

		if (parse_line(p, le, out, &what)) {
			if (errlen) {
				char shown[64];
				size_t n = (size_t)(le - p);

				util_sanitize(p, n > 40 ? 40 : n, shown, sizeof(shown));
				snprintf(err, errlen, "line %u: %s: '%s'", line, what, shown);
			}
			settings_defaults(out);
			return -EINVAL;
		}
		line++;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int settings_format(const struct ts_settings *c, char *buf, size_t len)
{
	char d[32];
	int n;

	util_fixed1(c->delay, d, sizeof(d));
	n = snprintf(buf, len,
		     "# taskscope TUI settings, written by the W key\n"
		     "%s%s\n"
		     "sort = %s\n"
		     "order = %s\n"
		     "delay = %s\n"
		     "view = %s\n",
		     c->columns[0] ? "columns = " : "# columns = (the defaults)",
		     c->columns, c->sort, c->ascending ? "ascending" : "descending", d,
		     mode_names[c->mode]);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int settings_path(char *buf, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	int n;

	if (x && x[0] == '/')
		n = snprintf(buf, len, "%s/taskscope/config", x);
	else if (h && h[0] == '/')
		n = snprintf(buf, len, "%s/.config/taskscope/config", h);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Open the file for reading: never blocking (a FIFO, a device), never through a symbolic
 * link, only a regular file of at most SETTINGS_FILE_MAX bytes. An fd, or -errno and why. */
static int open_settings(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ELOOP)
			snprintf(err, errlen, "it is a symbolic link (not followed)");
		else if (rc != -ENOENT)
			snprintf(err, errlen, "cannot open it: %s", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		snprintf(err, errlen, "cannot open it: %s", strerror(-rc));
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, "it is not a regular file");
	} else if (st.st_size > SETTINGS_FILE_MAX) {
		rc = -EINVAL;
		snprintf(err, errlen, "the file is larger than %d bytes", SETTINGS_FILE_MAX);
	} else {
		return fd;
	}
	close(fd);
	return rc;
}

int settings_load(struct ts_settings *out, char *err, size_t errlen)
{
	char path[4096], *buf;
	ssize_t r;
	size_t len = 0;
	int fd, rc;

	settings_defaults(out);
	if (errlen)
		err[0] = '\0';
	rc = settings_path(path, sizeof(path));
	if (rc == -ENAMETOOLONG)
		snprintf(err, errlen, "its path is too long");
	if (rc)
		return rc;
	fd = open_settings(path, err, errlen);
	if (fd < 0)
		return fd;
	buf = malloc(SETTINGS_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while ((r = read(fd, buf + len, SETTINGS_FILE_MAX + 1 - len)) > 0) {
		len += (size_t)r;
		if (len == SETTINGS_FILE_MAX + 1)
			break;
	}
	rc = r < 0 ? -errno : 0;
	close(fd);
	if (!rc)
		rc = settings_parse(buf, len, out, err, errlen);
	else if (errlen)
		snprintf(err, errlen, "cannot read it: %s", strerror(-rc));
	free(buf);
	return rc;
}

/* mkdir -p of the file's directory */
static int make_dirs(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			int rc = -errno;

			*s = '/';
			return rc;
		}
		*s = '/';
	}
	return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
	size_t done;

	return util_write_full(fd, s, len, &done);
}

/*
 * Root may save into a directory another user can write (sudo keeping HOME): the new text
 * goes to a temporary file of a fresh name (O_EXCL, never through a symbolic link) in the
 * directory opened without following a link, then replaces the file by rename, which
 * replaces a symbolic link rather than writing where it points.
 */
int settings_save(const struct ts_settings *c)
{
	char path[4096], tmp[64], text[2048], *name;
	int dfd, fd = -1, rc;

	rc = settings_path(path, sizeof(path));
	if (!rc)
		rc = settings_format(c, text, sizeof(text));
	if (!rc)
		rc = make_dirs(path);
	if (rc)
		return rc;
	name = strrchr(path, '/');
	*name++ = '\0';
	dfd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		struct stat st;

		rc = -errno;
		return !lstat(path, &st) && S_ISLNK(st.st_mode) ? -ELOOP : rc;
	}
	for (int i = 0; i < 16 && fd < 0; i++) {
		snprintf(tmp, sizeof(tmp), "%s.new-%d-%d", name, (int)getpid(), i);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = -errno;
		close(dfd);
		return rc;
	}
	rc = write_all(fd, text, strlen(text));
	if (close(fd) && !rc && errno != EINTR)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, name))
		rc = -errno;
	if (rc)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return rc;
}
