/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h - own reader of /proc/PID/cgroup and of cgroupfs files (memory, pressure) */
#ifndef TASKSCOPE_CGROUP_H
#define TASKSCOPE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many hierarchies (lines) in /proc/PID/cgroup; a kernel has about 15. */
#define CGROUP_MAX_LINES 64
/* /proc/PID/cgroup is read into a buffer of this size; a longer file is refused. */
#define CGROUP_FILE_MAX 16384

/* One line "ID:CONTROLLERS:PATH" as offsets into the parsed text. */
struct cgroup_line {
	uint32_t id;		/* hierarchy ID: 0 for the v2 line */
	size_t ctrl, ctrl_len;	/* "memory", "cpu,cpuacct", "name=systemd", "" for v2 */
	size_t path, path_len;	/* starts with '/' */
};

struct cgroup_info {
	struct cgroup_line line[CGROUP_MAX_LINES];
	size_t nlines;
	int v2;			/* index of the "0::" line, or -1 */
	bool v1_controllers;	/* a v1 line has a real controller (not only name=) */
};

/*
 * Parse the text of /proc/PID/cgroup (untrusted: a tree's file may hold anything).
 * Every line must be ID:CONTROLLERS:PATH with a decimal ID, controllers without ':' or
 * control bytes, and a path that starts with '/' and has no NUL; the last newline may be
 * missing. 0, -EINVAL (malformed, empty, a second v2 line) or -E2BIG (too many lines).
 */
int cgroup_parse(const char *buf, size_t len, struct cgroup_info *ci);

/* Index of the line whose controller list has ctrl ("memory", "name=systemd"), or of the
 * v2 line for ""; -1 when there is none. */
int cgroup_find(const struct cgroup_info *ci, const char *buf, const char *ctrl);

/*
 * The cgroup taskscope shows for a task (the CGROUP column, --group-by cgroup): the v2
 * path when no v1 hierarchy has a controller (a pure v2 host); on a v1 or hybrid host the
 * memory controller's path, else cpu's, else name=systemd's, else the v2 path. Index of
 * that line, or -1 when there is none.
 */
int cgroup_primary(const struct cgroup_info *ci, const char *buf);

/* Is the cgroup path[0..len) dir (length dlen, starting with '/') or below it? A
 * trailing '/' of dir is ignored; "/" holds every path. */
bool cgroup_path_within(const char *path, size_t len, const char *dir, size_t dlen);

/* A path given by a user (--cgroup): starts with '/', at most 4095 bytes, no empty, "."
 * or ".." component, no newline (other bytes are a name's own). 0 or -EINVAL. */
int cgroup_check_path(const char *path);

/* Read /proc/PID/cgroup (the file name, relative to dirfd: a task directory or the proc
 * root) into buf (CGROUP_FILE_MAX) and parse it; -errno as taskfiles_read, or the parser's. */
int cgroup_read_at(int dirfd, const char *name, char *buf, size_t *len, struct cgroup_info *ci);

/* ---- cgroupfs (serve's per-cgroup metrics) ------------------------------------------- */

/* Where the cgroup hierarchies are mounted: /sys/fs/cgroup, or a directory with its layout
 * (--cgroup-root, for fixture trees). */
#define CGROUP_ROOT_DEFAULT "/sys/fs/cgroup"

struct cgroup_fs;

/* Open the root dir (NULL: the default), following dir itself but nothing below it.
 * -errno when it cannot be opened as a directory; -ENODATA when dir (given) is not a
 * cgroupfs root: it has neither cgroup.controllers (v2) nor unified/ or memory/ (v1). */
int cgroup_fs_open(struct cgroup_fs **out, const char *dir);
void cgroup_fs_close(struct cgroup_fs *fs);

/* What is known of one cgroup; each part has its own result code (0 or -errno). */
struct cgroup_stats {
	int mem_rc;
	uint64_t mem_bytes;	/* v2 memory.current, v1 memory.usage_in_bytes */
	int psi_rc[3];		/* cpu, memory, io (v2 only: -EOPNOTSUPP on v1) */
	double psi_some_total[3];	/* seconds stalled, "some" line's total= */
	double psi_full_total[3];	/* the same of the "full" line (cpu's may be missing: < 0) */
};

/*
 * The stats of the cgroup at path (raw, as /proc/PID/cgroup gives it) in the hierarchy of
 * v2 (true: the v2 tree at the root, or at root/unified on a hybrid host) or of the v1
 * memory controller (root/memory). Opens nothing outside the root: no "..", no symlink,
 * and nothing but regular files (a FIFO or device node below the root is as if absent).
 */
int cgroup_fs_stats(struct cgroup_fs *fs, bool v2, const char *path, size_t len,
		    struct cgroup_stats *st);

/* Parsers of the cgroupfs files (untrusted text): a single decimal number (memory.current,
 * memory.usage_in_bytes); a pressure file's total= values in microseconds, made seconds
 * (full < 0 when the file has no full line). 0 or -EINVAL/-ERANGE. */
int cgroup_parse_u64(const char *buf, size_t len, uint64_t *v);
int cgroup_parse_pressure(const char *buf, size_t len, double *some, double *full);

#endif
