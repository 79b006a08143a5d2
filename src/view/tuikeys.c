/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuikeys.c - the full-screen view's keys: one table of key, help and action; prompts */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"
#include "view/tui.h"

#define KEY_ESC 27
#undef CTRL	/* <termios.h> has one too */
#define CTRL(c) ((c) & 0x1f)

static int pidfd_fd = -1;	/* the process k was pressed on, until the answer */

/* ---- actions ---------------------------------------------------------------------------- */

static void move_sel(struct tui *t, long by)
{
	long n = (long)t->nrows, s = (long)t->sel + by;

	if (t->view != TV_LIST) {
		long lines = (long)tui_view_lines(t);

		if (t->view == TV_COLUMNS) {
			s = (long)t->colsel + by;
			t->colsel = (size_t)(s < 0 ? 0 : s >= lines ? (lines ? lines - 1 : 0) : s);
			return;
		}
		s = (long)t->scroll + by;
		t->scroll = (size_t)(s < 0 ? 0 : s);
		if (t->view == TV_LOG)
			t->log_follow = by > 0 && s + LINES - 2 >= lines;
		return;
	}
	if (!n)
		return;
	if (s < 0)
		s = 0;
	if (s >= n)
		s = n - 1;
	t->sel = (size_t)s;
	t->sel_tid = t->rows[s].t->tid;
	t->sel_thread = t->rows[s].thread;
}

static long page(const struct tui *t)
{
	long p = t->view == TV_LIST ? tui_list_rows(t) : LINES - 2;

	return p > 1 ? p - 1 : 1;
}

static void k_up(struct tui *t) { move_sel(t, -1); }
static void k_down(struct tui *t) { move_sel(t, 1); }
static void k_pgup(struct tui *t) { move_sel(t, -page(t)); }
static void k_pgdn(struct tui *t) { move_sel(t, page(t)); }
static void k_home(struct tui *t) { move_sel(t, -(long)1e9); }
static void k_end(struct tui *t)
{
	move_sel(t, (long)1e9);
	if (t->view == TV_LOG)
		t->log_follow = true;
}

static void k_quit(struct tui *t) { t->quit = true; }

static void k_back(struct tui *t)
{
	if (t->view == TV_LIST) {
		if (t->filter[0]) {
			t->filter[0] = '\0';
			tui_rebuild(t);
		} else if (t->mode != LIST_NESTED) {
			t->mode = LIST_NESTED;
			tui_rebuild(t);
			tui_ask(t, true);
		}
		return;
	}
	t->view = TV_LIST;
	t->scroll = 0;
	t->hscroll = 0;
	tui_ask(t, false);
}

static void set_mode(struct tui *t, enum ts_listmode m)
{
	t->mode = t->mode == m ? LIST_NESTED : m;
	tui_rebuild(t);
	tui_ask(t, true);
}

static void k_threads(struct tui *t) { set_mode(t, LIST_THREADS); }
static void k_tree(struct tui *t) { set_mode(t, LIST_TREE); }

static void k_expand(struct tui *t)
{
	const struct tasklist_row *r = tui_selected(t);

	if (!r || t->mode == LIST_THREADS || r->t->nlwp < 2)
		return;
	tui_pidset_toggle(&t->toggled, &t->ntoggled, r->t->tgid);
	tui_rebuild(t);
	tui_ask(t, true);
}

static void k_mark(struct tui *t)
{
	const struct tasklist_row *r = tui_selected(t);

	if (!r)
		return;
	tui_pidset_toggle(&t->marks, &t->nmarks, r->t->tgid);
	move_sel(t, 1);
}

static void sort_by(struct tui *t, const char *name)
{
	const struct column *c = columns_find(name);

	if (t->sort == c)
		t->ascending = !t->ascending;
	else
		t->ascending = c && (c->kind == CK_STR || !strcmp(c->name, "PID"));
	t->sort = c;
	tui_rebuild(t);
}

static void k_sort_cpu(struct tui *t) { sort_by(t, "PCPU"); }
static void k_sort_mem(struct tui *t) { sort_by(t, "RSS"); }
static void k_sort_time(struct tui *t) { sort_by(t, "TIME"); }
static void k_sort_pid(struct tui *t) { sort_by(t, "PID"); }

static void k_reverse(struct tui *t)
{
	t->ascending = !t->ascending;
	tui_rebuild(t);
}

static void sort_move(struct tui *t, int dir)
{
	size_t at = 0;

	if (!t->ncols)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i] == t->sort)
			at = i;
	if (dir < 0)
		at = at ? at - 1 : 0;
	else if (at + 1 < t->ncols)
		at++;
	t->sort = t->cols[at];
	tui_rebuild(t);
}

static void k_sort_left(struct tui *t) { sort_move(t, -1); }
static void k_sort_right(struct tui *t) { sort_move(t, 1); }

/* Left and Right: sideways in panels and the log, the sort column in the list */
static void k_left(struct tui *t)
{
	if (t->view == TV_LIST) {
		sort_move(t, -1);
		return;
	}
	t->hscroll = t->hscroll > 8 ? t->hscroll - 8 : 0;
}

static void k_right(struct tui *t)
{
	if (t->view == TV_LIST) {
		sort_move(t, 1);
		return;
	}
	if (t->hscroll < 4096)
		t->hscroll += 8;
}


static void open_panel(struct tui *t, enum tuiwork_panel p)
{
	const struct tasklist_row *r = tui_selected(t);
	size_t n = 0;
	pid_t *ids;

	if (!r && !(p == PANEL_SHARE && t->nmarks)) {
		tui_message(t, "no process selected");
		return;
	}
	ids = malloc((t->nmarks + 1) * sizeof(*ids));
	if (!ids)
		return;
	if (p == PANEL_SHARE && t->nmarks > 1) {
		memcpy(ids, t->marks, t->nmarks * sizeof(*ids));
		n = t->nmarks;
	} else {
		ids[n++] = r->t->tgid;
	}
	free(t->panel_ids);
	t->panel_ids = ids;
	t->npanel_ids = n;
	t->panel = p;
	t->view = TV_PANEL;
	t->scroll = 0;
	/* the old frame's text is another panel's */
	tui_ask(t, true);
}

static void k_maps(struct tui *t) { open_panel(t, PANEL_MAPS); }
static void k_share(struct tui *t) { open_panel(t, PANEL_SHARE); }
static void k_cpus(struct tui *t) { open_panel(t, PANEL_CPUS); }

static void k_help(struct tui *t)
{
	t->view = TV_HELP;
	t->scroll = 0;
}

static void k_log(struct tui *t)
{
	if (!t->spawned) {
		tui_message(t, "no job: the log shows the output of a command run with '--'");
		return;
	}
	t->view = TV_LOG;
	t->log_follow = true;
}

static void start_prompt(struct tui *t, enum tui_prompt p);

static void k_input(struct tui *t)
{
	if (!t->spawned) {
		tui_message(t, "no job: input goes to a command run with '--'");
		return;
	}
	if (t->job_over) {
		tui_message(t, "the job has ended");
		return;
	}
	start_prompt(t, TP_INPUT);
}

static void k_columns(struct tui *t)
{
	t->view = TV_COLUMNS;
	t->colsel = 0;
	t->scroll = 0;
}

static void start_prompt(struct tui *t, enum tui_prompt p)
{
	t->prompt = p;
	t->ninput = 0;
	t->input[0] = '\0';
	if (p == TP_FILTER) {
		snprintf(t->input, sizeof(t->input), "%s", t->filter);
		t->ninput = strlen(t->input);
	}
}

static void k_filter(struct tui *t) { start_prompt(t, TP_FILTER); }
static void k_delay(struct tui *t) { start_prompt(t, TP_DELAY); }

static void k_pause(struct tui *t)
{
	t->paused = !t->paused;
	tui_ask(t, !t->paused);
}

static void k_kill(struct tui *t)
{
	const struct tasklist_row *r = tui_selected(t);

	if (!r)
		return;
	if (pidfd_fd >= 0)
		close(pidfd_fd);
	/* the pidfd names the process seen now, even if its PID is reused before the answer */
	pidfd_fd = (int)syscall(SYS_pidfd_open, r->t->tgid, 0);
	if (pidfd_fd < 0) {
		tui_message(t, "cannot open PID %d: %s", (int)r->t->tgid, strerror(errno));
		return;
	}
	t->kill_pid = r->t->tgid;
	start_prompt(t, TP_SIGNAL);
}

static void k_save(struct tui *t)
{
	int rc = tui_save_settings(t);
	char path[256];

	if (settings_path(path, sizeof(path)))
		snprintf(path, sizeof(path), "(no $XDG_CONFIG_HOME or $HOME)");
	if (rc)
		tui_message(t, "cannot save the settings to %.200s: %s", path, strerror(-rc));
	else
		tui_message(t, "settings saved to %.200s", path);
}

static void k_redraw(struct tui *t)
{
	(void)t;
	clearok(curscr, TRUE);
}

/* ---- the table -------------------------------------------------------------------------- */

struct keydef {
	int key, key2;
	const char *name;
	const char *help;
	void (*fn)(struct tui *t);
	bool everywhere;	/* also in help, log and panels */
};

static const struct keydef keys[] = {
	{ 'q', 0, "q", "quit (with a job: exit with its status)", k_quit, true },
	{ KEY_ESC, 0, "Esc", "back to the task list; in it, clear the filter, else back from "
	  "H or t", k_back, true },
	{ KEY_UP, 0, "Up", "move up (scroll in help, log and panels)", k_up, true },
	{ KEY_DOWN, 0, "Down", "move down", k_down, true },
	{ KEY_PPAGE, 0, "PgUp", "a page up", k_pgup, true },
	{ KEY_NPAGE, 0, "PgDn", "a page down", k_pgdn, true },
	{ KEY_LEFT, 0, "Left", "scroll left in panels and the log (in the list: sort by the "
	  "column to the left)", k_left, true },
	{ KEY_RIGHT, 0, "Right", "scroll right in panels and the log (in the list: sort by the "
	  "column to the right)", k_right, true },
	{ KEY_HOME, 0, "Home", "the first row", k_home, true },
	{ KEY_END, 0, "End", "the last row (in the log: follow new lines)", k_end, true },
	{ ' ', 0, "Space", "mark or unmark the selected process (for s)", k_mark, false },
	{ '\r', 'e', "Enter, e", "show or hide the threads of the selected process", k_expand,
	  false },
	{ 'H', 0, "H", "a flat list of every thread (again: back to processes)", k_threads,
	  false },
	{ 't', 0, "t", "the process tree by parent (again: back)", k_tree, false },
	{ 'P', 0, "P", "sort by CPU use (PCPU); again: reverse", k_sort_cpu, false },
	{ 'M', 0, "M", "sort by memory (RSS); again: reverse", k_sort_mem, false },
	{ 'T', 0, "T", "sort by CPU time (TIME); again: reverse", k_sort_time, false },
	{ 'N', 0, "N", "sort by PID; again: reverse", k_sort_pid, false },
	{ '<', 0, "<", "sort by the column to the left", k_sort_left, false },
	{ '>', 0, ">", "sort by the column to the right", k_sort_right, false },
	{ 'R', 0, "R", "reverse the sort order", k_reverse, false },
	{ '/', 0, "/", "filter by name (COMM, and CMD when shown; empty: all)", k_filter, false },
	{ 'm', 0, "m", "memory map of the selected process, thread stacks labelled", k_maps,
	  false },
	{ 's', 0, "s", "sharing: the marked processes, or the selected one and its threads",
	  k_share, false },
	{ 'c', 0, "c", "CPU placement of the selected process's threads, live timeline",
	  k_cpus, false },
	{ 'l', 0, "l", "the spawned job's output (stdout and stderr)", k_log, false },
	{ 'i', 0, "i", "type a line for the spawned job's input (Enter sends it, ^D on an "
	  "empty line sends end of file); no other key reaches the job", k_input, true },
	{ 'f', 0, "f", "pick the columns", k_columns, false },
	{ 'd', 0, "d", "set the delay between samples", k_delay, false },
	{ 'p', 0, "p", "pause or resume sampling", k_pause, false },
	{ 'k', 0, "k", "send a signal to the selected process (asks which, then confirms)",
	  k_kill, false },
	{ 'W', 0, "W", "save columns, sort, delay and view to the settings file", k_save,
	  false },
	{ 'h', '?', "h, ?", "this help", k_help, false },
	{ CTRL('l'), 0, "Ctrl-L", "redraw the screen", k_redraw, true },
};

size_t tui_help_count(void)
{
	return ARRAY_SIZE(keys) + 4;
}

void tui_help_line(size_t i, char *buf, size_t len)
{
	if (i < ARRAY_SIZE(keys)) {
		snprintf(buf, len, "  %-9s %s", keys[i].name, keys[i].help);
		return;
	}
	i -= ARRAY_SIZE(keys);
	switch (i) {
	case 0:
		snprintf(buf, len, " ");
		break;
	case 1:
		snprintf(buf, len, "In the column picker (f): Space shows or hides a column.");
		break;
	case 2:
		snprintf(buf, len, "Rows: + a process with hidden threads, - shown, `- a thread.");
		break;
	default:
		snprintf(buf, len, "See taskscope(1), INTERACTIVE COMMANDS.");
		break;
	}
}

/* ---- prompts ---------------------------------------------------------------------------- */

static int parse_signal(const char *s)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
		{ "TERM", SIGTERM }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
		{ "STOP", SIGSTOP }, { "CONT", SIGCONT }, { "TSTP", SIGTSTP },
		{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "SEGV", SIGSEGV },
	};
	uint64_t v;

	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].sig;
	if (!util_parse_u64(s, 64, &v) && v >= 1)
		return (int)v;
	return -1;
}

static void prompt_done(struct tui *t)
{
	double d;
	int sig;

	switch (t->prompt) {
	case TP_FILTER:
		snprintf(t->filter, sizeof(t->filter), "%s", t->input);
		t->sel = 0;
		tui_rebuild(t);
		t->prompt = TP_NONE;
		break;
	case TP_DELAY:
		t->prompt = TP_NONE;
		if (util_parse_seconds(t->input, SETTINGS_MAX_DELAY, &d) || d < 0.1) {
			tui_message(t, "the delay is seconds from 0.1 to 86400");
			break;
		}
		t->delay = d;
		tui_ask(t, false);
		break;
	case TP_INPUT:
		t->prompt = TP_NONE;
		if (t->ninput + 1 < sizeof(t->input)) {
			t->input[t->ninput] = '\n';
			tui_job_input(t, t->input, t->ninput + 1);
		}
		break;
	case TP_SIGNAL:
		sig = parse_signal(t->input);
		if (sig < 0) {
			tui_message(t, "unknown signal");
			t->prompt = TP_NONE;
			break;
		}
		t->kill_sig = sig;
		t->prompt = TP_CONFIRM;
		break;
	default:
		t->prompt = TP_NONE;
		break;
	}
}

static void prompt_key(struct tui *t, int k)
{
	if (t->prompt == TP_CONFIRM) {
		if ((k == 'y' || k == 'Y') && pidfd_fd >= 0) {
			if (syscall(SYS_pidfd_send_signal, pidfd_fd, t->kill_sig, NULL, 0))
				tui_message(t, "cannot signal PID %d: %s", (int)t->kill_pid,
					    strerror(errno));
			else
				tui_message(t, "sent signal %d (%s) to PID %d", t->kill_sig,
					    strsignal(t->kill_sig), (int)t->kill_pid);
		} else {
			tui_message(t, "no signal sent");
		}
		if (pidfd_fd >= 0)
			close(pidfd_fd);
		pidfd_fd = -1;
		t->prompt = TP_NONE;
		return;
	}
	if (k == KEY_ESC) {
		t->prompt = TP_NONE;
		return;
	}
	if (t->prompt == TP_INPUT && k == CTRL('d') && !t->ninput) {
		/* the pty's end-of-file character at the start of a line */
		t->prompt = TP_NONE;
		tui_job_input(t, "\004", 1);
		return;
	}
	if (k == '\r' || k == '\n' || k == KEY_ENTER) {
		prompt_done(t);
		return;
	}
	if (k == KEY_BACKSPACE || k == 127 || k == CTRL('h')) {
		if (t->ninput)
			t->input[--t->ninput] = '\0';
	} else if (k >= 0x20 && k < 0x7f && t->ninput + 1 < sizeof(t->input)) {
		/* printable ASCII only: a name part to match, a number */
		t->input[t->ninput++] = (char)k;
		t->input[t->ninput] = '\0';
	}
	if (t->prompt == TP_FILTER) {
		/* filter as you type */
		snprintf(t->filter, sizeof(t->filter), "%s", t->input);
		tui_rebuild(t);
	}
}

static void column_toggle(struct tui *t)
{
	const struct column *c = columns_get(t->colsel);
	const struct column **v;
	size_t n = 0;

	v = malloc((t->ncols + 1) * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i] != c)
			v[n++] = t->cols[i];
	if (n == t->ncols) {
		/* show it: in table order */
		n = 0;
		for (size_t i = 0; i < columns_count(); i++) {
			const struct column *x = columns_get(i);
			bool on = x == c;

			for (size_t k = 0; !on && k < t->ncols; k++)
				on = t->cols[k] == x;
			if (on)
				v[n++] = x;
		}
	}
	if (!n) {
		free(v);
		tui_message(t, "at least one column is shown");
		return;
	}
	tui_set_columns(t, v, n);
	tui_ask(t, true);
}

void tui_key(struct tui *t, int k)
{
	if (k == KEY_RESIZE)
		return;
	if (t->prompt != TP_NONE) {
		prompt_key(t, k);
		return;
	}
	if (t->view == TV_COLUMNS && (k == ' ' || k == '\r' || k == '\n')) {
		if (k == ' ')
			column_toggle(t);
		else
			k_back(t);
		return;
	}
	if (k == '\n' || k == KEY_ENTER)
		k = '\r';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].key != k && keys[i].key2 != k)
			continue;
		if (t->view != TV_LIST && !keys[i].everywhere) {
			/* from another screen, a screen key goes to that screen */
			if (keys[i].fn == k_help || keys[i].fn == k_log || keys[i].fn == k_maps ||
			    keys[i].fn == k_share || keys[i].fn == k_cpus) {
				t->view = TV_LIST;
				keys[i].fn(t);
			}
			return;
		}
		keys[i].fn(t);
		return;
	}
}
