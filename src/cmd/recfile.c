/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recfile.c - a command's operand that is a recording (taskscope record), known by its content */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/recfile.h"
#include "lib/exitcode.h"
#include "lib/util.h"
#include "model/recording.h"

/* The 16 bytes every SQLite 3 database file starts with. */
static const char sqlite_magic[16] = "SQLite format 3";

bool recfile_is_recording(const char *path)
{
	char head[sizeof(sqlite_magic)];
	struct stat st;
	ssize_t got;
	bool yes;
	int fd;

	/* a FIFO or a device is never opened: opening one can block or act */
	if (!path || !*path || stat(path, &st) || !S_ISREG(st.st_mode))
		return false;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	/* what was opened may not be what was looked at */
	yes = !fstat(fd, &st) && S_ISREG(st.st_mode);
	if (yes) {
		got = pread(fd, head, sizeof(head), 0);
		yes = got == (ssize_t)sizeof(head) && !memcmp(head, sqlite_magic, sizeof(head));
	}
	close(fd);
	return yes;
}

/* "every 5 samples" from the recording's meta (empty when not known). */
static void memory_cadence(const char *path, char *buf, size_t len)
{
	struct recording *rec = NULL;
	char why[256], *end;
	const char *v;
	double n;

	buf[0] = '\0';
	if (recording_open(&rec, path, why, sizeof(why)))
		return;
	v = recording_meta(rec, "memory_every");
	n = v ? strtod(v, &end) : 0;
	if (v && end != v && n >= 1 && n < 1e9 && n == floor(n)) {
		if (n == 1)
			snprintf(buf, len, "at every sample");
		else
			snprintf(buf, len, "every %.0f samples", n);
	}
	recording_close(rec);
}

int recfile_not_recorded(const char *cmd, const char *path)
{
	char shown[300], every[48];

	if (!recfile_is_recording(path))
		return -1;
	util_sanitize(path, strlen(path), shown, sizeof(shown));
	memory_cadence(path, every, sizeof(every));
	fprintf(stderr, "taskscope: %s: '%s' is a recording: mappings are not recorded (it "
		"holds each task's values at every sample, each process's memory totals %s and "
		"the kcmp groups); try taskscope replay -o PID,COMM,RSS,PSS,USS,SWAP '%s'\n",
		cmd, shown, every[0] ? every : "at its memory samples", shown);
	return TS_EXIT_FAILURE;
}
