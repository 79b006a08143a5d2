/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.h - the full-screen view: entry point and the state its files share */
#ifndef TASKSCOPE_TUI_H
#define TASKSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <wchar.h>

#include "model/childlog.h"
#include "model/columns.h"
#include "model/settings.h"
#include "model/tasklist.h"
#include "model/session.h"
#include "target/spawn.h"
#include "view/tuiwork.h"

struct target;
struct tui_replay;

struct tui_opts {
	struct target *target;
	char **cmd;			/* the job to spawn, or NULL */
	const char *run_as;		/* --run-as: the job's user, or NULL */
	const char *child_log;		/* --child-log FILE, or NULL */
	const char *output;		/* -o LIST, or NULL */
	double delay;
	bool delay_set;			/* -d given: it wins over the saved settings */
	bool threads;			/* -H: start with the flat thread list */
	const char *replay;		/* a recording to show instead of the live tasks
					 * (taskscope replay FILE), or NULL */
	double replay_from, replay_to;	/* its samples shown: wall clock times, 0: no bound */
};

/* Run the full-screen view until q (or a signal). Returns the exit status: 0, 1, or the
 * spawned job's. Messages go to stderr once the screen is left. */
int tui_main(struct tui_opts *o);

/* ---- shared by the tui*.c files ---------------------------------------------------------- */

enum tui_view {
	TV_LIST,		/* the task list */
	TV_PANEL,		/* m, s, c: text built by the worker */
	TV_HELP,		/* h, ? */
	TV_LOG,			/* l: the job's output */
	TV_COLUMNS,		/* f, F2: pick columns */
	TV_SORTBY,		/* F6: pick the sort column */
};

enum tui_prompt {
	TP_NONE,
	TP_FILTER,		/* /, \\, F4 */
	TP_SEARCH,		/* F3 */
	TP_DELAY,		/* d */
	TP_SIGNAL,		/* k: which signal */
	TP_CONFIRM,		/* k: y to send */
	TP_INPUT,		/* i: a line for the job's input */
	TP_NICE,		/* F7, F8: y to set the nice value */
	TP_GOTO,		/* replay, g: go to a time */
};

struct tui {
	struct tui_opts *o;
	/* settings */
	const struct column **cols;
	size_t ncols;
	const struct column *sort;
	bool ascending;
	enum ts_listmode mode;
	double delay;
	bool paused;
	char filter[64];
	char search[64];		/* the last search (F3) */
	bool show_kthreads;		/* K */
	pid_t *collapsed;		/* tree: processes whose children are hidden */
	size_t ncollapsed;
	bool expand_all;		/* processes show their threads unless toggled */
	pid_t *toggled;			/* processes whose expansion differs from expand_all */
	size_t ntoggled;
	pid_t *marks;			/* marked processes (Space) */
	size_t nmarks;
	struct col_ctx cctx;

	/* data */
	struct tuiwork *work;
	int wakefd, sigfd;
	struct tuiwork_frame *frame;
	struct tasklist_row *rows;
	size_t nrows;
	size_t sel, top;
	pid_t sel_tid;			/* the selected row's task, kept across refreshes */
	uint64_t sel_start;		/* its start time: a reused TID is another task */
	bool sel_thread;
	unsigned long frames;		/* frames shown */

	/* screen */
	bool color;
	enum tui_view view;
	enum tuiwork_panel panel;
	pid_t *panel_ids;
	size_t npanel_ids;
	size_t scroll;			/* panels, help, log */
	size_t hscroll;			/* columns scrolled right in panels and the log */
	bool log_follow;
	size_t colsel;			/* the column picker's cursor */
	enum tui_prompt prompt;
	char input[64];
	size_t ninput;
	size_t cur;			/* the prompt's cursor, a byte offset in input */
	char before[64];		/* filter or search text when the prompt opened (Esc) */
	int kill_sig;
	int pidfd;			/* the process k was pressed on, until the answer (-1) */
	pid_t kill_pid;
	char target[96];		/* the prompt's task: "2604 (nginx)" */
	int nice_to;			/* TP_NICE: the new value */
	char msg[256];
	double msg_until;

	/* the spawned job */
	bool spawned;
	struct session s;		/* the targets and the job (s.sp) */
	int outfd;			/* read end of the job's output pipe, -1 when closed */
	FILE *logfile;
	struct childlog log;
	bool job_over;
	char jobline[256];
	char cmdname[64];

	struct tui_replay *rp;		/* a recording shown instead of the live tasks */

	bool quit;
	int quit_sig;			/* the signal that ended it, or 0 */
};

/* tuidraw.c */
/* "N word" or "N words": English plurals for the counts the screen shows */
const char *tui_plural(size_t n, const char *one, const char *many);
void tui_draw(struct tui *t);
int tui_list_rows(const struct tui *t);	/* rows of the task list on this screen */
/* Fit s into width display columns (UTF-8 aware, an escape of sanitized text kept whole);
 * returns the bytes to draw. */
size_t tui_fit(const char *s, int width);
/* The columns of the character at s (n > 0 bytes there) in the current locale, at least 0,
 * and its length in *len; -1 for a byte that starts no character (or a NUL): *len is 1
 * and *st starts again. */
int tui_char_width(const char *s, size_t n, mbstate_t *st, size_t *len);

/* tuipanel.c */
void tui_draw_view(struct tui *t);	/* help, log, panel, column picker */
size_t tui_view_lines(const struct tui *t);

/* tuikeys.c */
void tui_key(struct tui *t, int key);
size_t tui_help_count(const struct tui *t);
/* The line i of the help text into buf (a replay's keys first in a replay). */
void tui_help_line(const struct tui *t, size_t i, char *buf, size_t len);

/* tui.c */
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Send bytes to the spawned job's terminal input (the only way keys reach it). */
void tui_job_input(struct tui *t, const char *buf, size_t n);
void tui_rebuild(struct tui *t);	/* rows from the frame after a settings change */
void tui_ask(struct tui *t, bool now);	/* tell the worker what the screen needs */
bool tui_expanded(const struct tui *t, pid_t tgid);
bool tui_marked(const struct tui *t, pid_t tgid);
bool tui_collapsed(const struct tui *t, pid_t tgid);
int tui_pidset_toggle(pid_t **set, size_t *n, pid_t id);
int tui_set_columns(struct tui *t, const struct column **cols, size_t n);
int tui_save_settings(struct tui *t);
const struct tasklist_row *tui_selected(const struct tui *t);

/* tuikeys.c: select the next row from index from whose name matches the search text;
 * false when none does. */
bool tui_search_from(struct tui *t, size_t from);
/* tuiprompt.c: a key while a prompt is open; the column picker's toggle and move. */
void tui_prompt_key(struct tui *t, int k);
void tui_column_toggle(struct tui *t);
void tui_column_move(struct tui *t, int dir);

/* tui.c: write all of s to fd (async-signal-safe; EINTR retried, errors dropped). */
void tui_write_all(int fd, const char *s, size_t n);
/* tuijob.c: start the job (0 or the exit status), read its output, notice its end, wait
 * for it on the way out. */
int tui_job_start(struct tui *t);
void tui_job_output(struct tui *t);
void tui_job_check(struct tui *t);
void tui_job_finish(struct tui *t);

/* tuireplay.c: the view over a recording (t->rp). Open: 0, or -errno with why. */
int tui_replay_open(struct tui *t, const char *path, char *why, size_t len);
void tui_replay_close(struct tui *t);
/* A replay key ([ ] { } g Space p + -, and the live-only keys refused): true when taken. */
bool tui_replay_key(struct tui *t, int k);
/* Milliseconds until the next sample is due while playing (1000 when not playing). */
int tui_replay_timeout(const struct tui *t);
/* While playing: the next sample when it is due. */
void tui_replay_tick(struct tui *t);
/* g's answer: a time of the recording, or +SPAN/-SPAN from the sample shown. */
void tui_replay_goto(struct tui *t, const char *s);
/* The header's line: the recorded time, the sample, play or pause, what was recorded. */
void tui_replay_describe(const struct tui *t, char *line, size_t len);
/* A replay's own keys in the help: how many lines, and line i. */
size_t tui_replay_help_count(const struct tui *t);
void tui_replay_help_line(size_t i, char *buf, size_t len);
/* The recording watched every task (the live view's defaults for all tasks then apply). */
bool tui_replay_all(const struct tui *t);

#endif
