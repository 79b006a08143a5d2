/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outfile.c - output files opened safely as root, and write errors reported with their cause */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/outfile.h"
#include "lib/util.h"

/*
 * stdio forgets why a write failed: the error flag stays, errno is overwritten by whatever
 * comes next, and a later fflush of an empty buffer succeeds. Our streams write through
 * this cookie, which keeps the errno of the first failed write.
 */
struct ostream {
	FILE *f;
	int fd;
	int err;		/* errno of the first failed write, or 0 */
	bool keep_fd;		/* standard output: the descriptor is not ours to close */
	struct ostream *next;
};

static struct ostream *streams;

static struct ostream *ostream_of(FILE *f)
{
	for (struct ostream *s = streams; s; s = s->next)
		if (s->f == f)
			return s;
	return NULL;
}

static ssize_t ostream_write(void *cookie, const char *buf, size_t len)
{
	struct ostream *s = cookie;
	size_t done;
	int rc = util_write_full(s->fd, buf, len, &done);

	if (rc) {
		if (!s->err)
			s->err = -rc;
		errno = s->err;
	}
	return (ssize_t)done;	/* short: stdio sets the stream's error flag */
}

static int ostream_close(void *cookie)
{
	struct ostream *s = cookie, **pp;
	int rc = 0, err;

	for (pp = &streams; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	if (!s->keep_fd && close(s->fd) && errno != EINTR) {
		rc = -1;
		err = errno;
	}
	if (s->err) {
		rc = -1;
		err = s->err;
	}
	free(s);
	if (rc)
		errno = err;
	return rc;
}

static FILE *ostream_new(int fd, bool keep_fd)
{
	static const cookie_io_functions_t io = { .write = ostream_write, .close = ostream_close };
	struct ostream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = fd;
	s->keep_fd = keep_fd;
	s->f = fopencookie(s, "w", io);
	if (!s->f) {
		free(s);
		return NULL;
	}
	/* glibc locks a cookie stream on every call, even in a process without threads: a
	 * putc took 7x as long. One thread at a time writes each of these streams. */
	__fsetlocking(s->f, FSETLOCKING_BYCALLER);
	s->next = streams;
	streams = s;
	return s->f;
}

void outfile_init_stdout(void)
{
	FILE *f;

	if (isatty(STDOUT_FILENO) || fcntl(STDOUT_FILENO, F_GETFL) < 0)
		return;
	f = ostream_new(STDOUT_FILENO, true);
	if (f)
		stdout = f;
}

int outfile_error(FILE *f)
{
	struct ostream *s = ostream_of(f);
	int rc = fflush(f) == EOF ? -errno : 0;

	if (s && s->err)
		return -s->err;
	if (!rc && ferror(f))
		rc = -EIO;
	return rc;
}

int outfile_close(FILE *f, const char *name, int status)
{
	char shown[256];
	int rc = outfile_error(f);

	if (f != stdout && f != stderr && fclose(f) && !rc)
		rc = -errno;
	if (!rc || rc == -EPIPE)
		return status;
	if (f != stderr) {
		if (name)
			util_sanitize(name, strlen(name), shown, sizeof(shown));
		fprintf(stderr, "taskscope: write error: %s: %s\n",
			name ? shown : "standard output", strerror(-rc));
	}
	return status ? status : 1;
}

/* /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: N, else -1 */
static int given_fd(const char *path)
{
	static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/" };
	uint64_t n;

	if (!strcmp(path, "/dev/stdout"))
		return STDOUT_FILENO;
	if (!strcmp(path, "/dev/stderr"))
		return STDERR_FILENO;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		size_t l = strlen(dirs[i]);

		if (!strncmp(path, dirs[i], l) && !util_parse_u64(path + l, INT_MAX, &n))
			return (int)n;
	}
	return -1;
}

static int refuse(int rc, char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(int rc, char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return rc;
}

/* A descriptor the caller gave: written as it is, never reopened or truncated. */
static int open_given(int given, int *fd, char *why, size_t len)
{
	int fl = fcntl(given, F_GETFL);

	if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
		return refuse(-EBADF, why, len, "descriptor %d is not open for writing", given);
	*fd = fcntl(given, F_DUPFD_CLOEXEC, 3);
	if (*fd < 0)
		return refuse(-errno, why, len, "%s", strerror(errno));
	return 0;
}

static const char *kind_of(mode_t m)
{
	return S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* An existing file opened without following a symlink: is it safe to write? */
static int check_existing(int fd, char *why, size_t len)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st))
		return refuse(-errno, why, len, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return refuse(-EISDIR, why, len, "it is a directory");
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return refuse(-EINVAL, why, len, "it is %s", kind_of(st.st_mode));
	if (st.st_nlink > 1)
		return refuse(-EMLINK, why, len, "it has %ju hard links (remove it first)",
			      (uintmax_t)st.st_nlink);
	if (!S_ISCHR(st.st_mode) && st.st_uid != getuid())
		return refuse(-EPERM, why, len, "it is not owned by you but by UID %ju (remove it "
			      "first)", (uintmax_t)st.st_uid);
	/* the FIFO had a reader when opened: from now on writes wait for it as usual */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
		return refuse(-errno, why, len, "%s", strerror(errno));
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0))
		return refuse(-errno, why, len, "cannot truncate it: %s", strerror(errno));
	return 0;
}

/* Why opening an existing path failed */
static int open_failed(int err, const char *path, char *why, size_t len)
{
	struct stat st;

	if (err == ELOOP)
		return refuse(-ELOOP, why, len, "it is a symbolic link (not followed: give the "
			      "path of the file itself)");
	if (err == EISDIR)
		return refuse(-EISDIR, why, len, "it is a directory");
	if (err == ENXIO && !lstat(path, &st)) {
		if (S_ISFIFO(st.st_mode))
			return refuse(-ENXIO, why, len, "it is a FIFO that no process reads (start "
				      "the reader first)");
		if (!S_ISCHR(st.st_mode))
			return refuse(-EINVAL, why, len, "it is %s", kind_of(st.st_mode));
	}
	return refuse(-err, why, len, "%s", strerror(err));
}

int outfile_open(const char *path, mode_t mode, FILE **out, char *why, size_t len)
{
	int fd = -1, given = given_fd(path), rc = -EAGAIN;

	*out = NULL;
	if (len)
		why[0] = '\0';
	if (given >= 0) {
		rc = open_given(given, &fd, why, len);
	} else {
		/* a path that exists between the two opens and not at the second: a few tries */
		for (int tries = 0; tries < 8 && rc == -EAGAIN; tries++) {
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
				  O_NOCTTY, mode);
			if (fd >= 0) {
				rc = 0;		/* new: ours, nothing to check */
				break;
			}
			if (errno != EEXIST)
				return refuse(-errno, why, len, "%s", strerror(errno));
			/* no O_TRUNC yet: nothing changes before the checks */
			fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd >= 0)
				rc = check_existing(fd, why, len);
			else if (errno != ENOENT)
				return open_failed(errno, path, why, len);
		}
		if (rc == -EAGAIN)
			rc = refuse(-EAGAIN, why, len, "it keeps appearing and disappearing");
	}
	if (!rc) {
		*out = ostream_new(fd, false);
		if (!*out)
			rc = refuse(-ENOMEM, why, len, "%s", strerror(ENOMEM));
	}
	if (rc && fd >= 0)
		close(fd);
	return rc;
}
