/* SPDX-License-Identifier: GPL-2.0-or-later */
/* settings.h - the TUI's saved settings: a pure parser, a writer, and where the file lives */
#ifndef TASKSCOPE_SETTINGS_H
#define TASKSCOPE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

enum ts_listmode {
	LIST_NESTED,		/* process rows, threads nested under the expanded ones */
	LIST_THREADS,		/* a flat list of every thread (H) */
	LIST_TREE,		/* processes by parent (t) */
};

#define SETTINGS_COLUMNS_MAX 512
#define SETTINGS_MAX_DELAY (24.0 * 3600.0)

struct ts_settings {
	char columns[SETTINGS_COLUMNS_MAX];	/* "PID,TID,..."; "" for the defaults */
	char sort[32];				/* a column name */
	bool ascending;
	double delay;				/* seconds */
	enum ts_listmode mode;
};

void settings_defaults(struct ts_settings *c);
/*
 * Parse a config file's text (need not be NUL-terminated, may hold any bytes). Lines are
 * "key = value", blank, or "# comment". Keys: columns (column names joined by ','), sort (a
 * column name), order (ascending|descending), delay (seconds), view (processes|threads|tree).
 * On success fills *out (starting from the defaults) and returns 0; on the first error
 * returns -EINVAL with a message naming the line in err (sanitized), and *out holds the
 * defaults.
 */
int settings_parse(const char *buf, size_t len, struct ts_settings *out, char *err, size_t errlen);
/* The file text for c into buf: 0 or -ENOSPC. */
int settings_format(const struct ts_settings *c, char *buf, size_t len);
/* $XDG_CONFIG_HOME/taskscope/config, else $HOME/.config/taskscope/config (an absolute
 * path only: never the working directory). 0 or -ENOENT when neither is set. */
int settings_path(char *buf, size_t len);
/* Read and parse the file. -ENOENT when there is none (not an error to report), -EINVAL
 * with err filled when malformed; *out holds the defaults on any error. */
int settings_load(struct ts_settings *out, char *err, size_t errlen);
/* Write the file (creating the directory); 0 or -errno. */
int settings_save(const struct ts_settings *c);

#endif
