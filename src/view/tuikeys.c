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
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"
#include "view/tui.h"

#define KEY_ESC 27
#undef CTRL	/* <termios.h> has one too */
#define CTRL(c) ((c) & 0x1f)


/* ---- actions ---------------------------------------------------------------------------- */

static void select_row(struct tui *t, size_t i)
{
	t->sel = i;
	t->sel_tid = t->rows[i].t->tid;
	t->sel_thread = t->rows[i].thread;
	t->sel_start = t->rows[i].t->start_ticks;
}

/* "2604 (nginx)": the task a prompt acts on, named in the prompt */
static void name_target(struct tui *t, const struct task *task)
{
	snprintf(t->target, sizeof(t->target), "%d (%.60s)", (int)task->tid,
		 task->comm ? task->comm : "?");
}

static void move_sel(struct tui *t, long by)
{
	long n = (long)t->nrows, s = (long)t->sel + by;

	if (t->view != TV_LIST) {
		long lines = (long)tui_view_lines(t);

		if (t->view == TV_COLUMNS || t->view == TV_SORTBY) {
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
	select_row(t, (size_t)s);
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

/* + and -: show or hide the children of the selected process in the tree */
static void tree_fold(struct tui *t, bool hide)
{
	const struct tasklist_row *r = tui_selected(t);

	if (t->mode != LIST_TREE) {
		tui_message(t, "+ and - fold the tree: t or F5 shows it");
		return;
	}
	if (!r || r->thread || !r->has_kids || tui_collapsed(t, r->t->tgid) == hide)
		return;
	tui_pidset_toggle(&t->collapsed, &t->ncollapsed, r->t->tgid);
	tui_rebuild(t);
	tui_ask(t, true);
}

static void k_fold(struct tui *t) { tree_fold(t, true); }
static void k_unfold(struct tui *t) { tree_fold(t, false); }

static void k_kthreads(struct tui *t)
{
	t->show_kthreads = !t->show_kthreads;
	tui_rebuild(t);
	tui_ask(t, true);
	tui_message(t, "kernel threads %s", t->show_kthreads ? "shown" : "hidden");
}

/* The next row from 'from' (wrapping) whose COMM or CMD holds the search text. */
bool tui_search_from(struct tui *t, size_t from)
{
	if (!t->nrows || !t->input[0])
		return false;
	for (size_t k = 0; k < t->nrows; k++) {
		size_t i = (from + k) % t->nrows;

		if (tasklist_matches(t->rows[i].t, t->input)) {
			select_row(t, i);
			return true;
		}
	}
	return false;
}

static void k_next(struct tui *t)
{
	char keep[sizeof(t->input)];

	if (!t->search[0]) {
		tui_message(t, "no search yet: F3 searches");
		return;
	}
	memcpy(keep, t->input, sizeof(keep));
	snprintf(t->input, sizeof(t->input), "%s", t->search);
	if (!tui_search_from(t, t->sel + 1))
		tui_message(t, "no task matches '%s'", t->search);
	memcpy(t->input, keep, sizeof(keep));
}

static void start_prompt(struct tui *t, enum tui_prompt p);

static void k_search(struct tui *t) { start_prompt(t, TP_SEARCH); }

static void k_sortby(struct tui *t)
{
	t->view = TV_SORTBY;
	t->colsel = 0;
	t->scroll = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i] == t->sort)
			t->colsel = i;
}

/* F7, F8: the selected task's nice value one step down or up, after a y */
static void nice_step(struct tui *t, int by)
{
	const struct tasklist_row *r = tui_selected(t);
	int to;

	if (!r)
		return;
	to = r->t->nice + by;
	if (to < -20 || to > 19) {
		tui_message(t, "the nice value stays within -20 and 19");
		return;
	}
	if (by < 0 && geteuid() != 0) {
		tui_message(t, "only root lowers a nice value");
		return;
	}
	t->kill_pid = r->t->tid;
	name_target(t, r->t);
	t->nice_to = to;
	t->kill_sig = r->t->nice;	/* the value seen when asked */
	start_prompt(t, TP_NICE);
}

static void k_nice_down(struct tui *t) { nice_step(t, -1); }
static void k_nice_up(struct tui *t) { nice_step(t, 1); }

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
	} else if (p == PANEL_SHARE && t->nmarks == 1 && (!r || r->t->tgid != t->marks[0])) {
		/* one mark and the selected row: those two */
		ids[n++] = t->marks[0];
		if (r)
			ids[n++] = r->t->tgid;
	} else {
		/* the selected process alone: against every other (share PID) */
		ids[n++] = r ? r->t->tgid : t->marks[0];
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
	snprintf(t->target, sizeof(t->target), "%d (%.60s)", (int)t->s.sp.pid, t->cmdname);
	start_prompt(t, TP_INPUT);
}

static void k_columns(struct tui *t)
{
	t->view = TV_COLUMNS;
	t->colsel = 0;
	t->scroll = 0;
}

/* A prompt opens with the current filter or the last search, editable, the cursor at
 * its end. */
static void start_prompt(struct tui *t, enum tui_prompt p)
{
	t->prompt = p;
	t->ninput = 0;
	t->input[0] = '\0';
	if (p == TP_FILTER)
		snprintf(t->input, sizeof(t->input), "%s", t->filter);
	else if (p == TP_SEARCH)
		snprintf(t->input, sizeof(t->input), "%s", t->search);
	t->ninput = strlen(t->input);
	t->cur = t->ninput;
	memcpy(t->before, t->input, sizeof(t->before));
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
	if (t->pidfd >= 0)
		close(t->pidfd);
	/* the pidfd names the process seen now, even if its PID is reused before the answer */
	t->pidfd = (int)syscall(SYS_pidfd_open, r->t->tgid, 0);
	if (t->pidfd < 0) {
		tui_message(t, "cannot open PID %d: %s", (int)r->t->tgid, strerror(errno));
		return;
	}
	t->kill_pid = r->t->tgid;
	/* the process is what the pidfd names, even from a thread row: its own name */
	{
		struct task p = *r->t;

		p.tid = r->t->tgid;
		for (size_t i = 0; r->thread && i < t->nrows; i++)
			if (!t->rows[i].thread && t->rows[i].t->tid == r->t->tgid)
				p.comm = t->rows[i].t->comm;
		name_target(t, &p);
	}
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
	int key, key2, fkey;
	const char *name;
	const char *help;
	void (*fn)(struct tui *t);
	bool everywhere;	/* also in help, log and panels */
};

static const struct keydef keys[] = {
	/* htop's F-keys first, in their order */
	{ 'q', 0, KEY_F(10), "q, F10", "quit (with a job: exit with its status)", k_quit, true },
	{ KEY_ESC, 0, 0, "Esc", "back to the task list; in it, clear the filter, else back from "
	  "H or t", k_back, true },
	{ 'h', '?', KEY_F(1), "h, ?, F1", "this help", k_help, false },
	{ 'f', 0, KEY_F(2), "f, F2", "setup: pick the columns and their order", k_columns,
	  false },
	{ 0, 0, KEY_F(3), "F3", "search: select the next row that holds the text, hiding "
	  "none (F3 or Down in the prompt: the next match)", k_search, false },
	{ '/', '\\', KEY_F(4), "/, \\, F4", "filter: hide the rows whose COMM (and CMD when "
	  "shown) do not hold the text; empty: all. / filters as it always did in taskscope "
	  "(htop's / searches: use F3)", k_filter, false },
	{ 't', 0, KEY_F(5), "t, F5", "the process tree by parent, with connectors (again: back)",
	  k_tree, false },
	{ 0, 0, KEY_F(6), "F6", "pick the sort column from a menu", k_sortby, false },
	{ ']', 0, KEY_F(7), "], F7", "nice - : raise the selected task's priority (root only; "
	  "asks first)", k_nice_down, false },
	{ '[', 0, KEY_F(8), "[, F8", "nice + : lower its priority (root, or your own tasks; "
	  "asks first)", k_nice_up, false },
	{ 'k', 0, KEY_F(9), "k, F9", "send a signal to the selected process (asks which, then "
	  "confirms)", k_kill, false },
	{ KEY_UP, 0, 0, "Up", "move up (scroll in help, log and panels)", k_up, true },
	{ KEY_DOWN, 0, 0, "Down", "move down", k_down, true },
	{ KEY_PPAGE, 0, 0, "PgUp", "a page up", k_pgup, true },
	{ KEY_NPAGE, 0, 0, "PgDn", "a page down", k_pgdn, true },
	{ KEY_LEFT, 0, 0, "Left", "scroll left in panels and the log (in the list: sort by the "
	  "column to the left; in the column picker: move the column left)", k_left, true },
	{ KEY_RIGHT, 0, 0, "Right", "scroll right in panels and the log (in the list: sort by "
	  "the column to the right; in the column picker: move it right)", k_right, true },
	{ KEY_HOME, 0, 0, "Home", "the first row", k_home, true },
	{ KEY_END, 0, 0, "End", "the last row (in the log: follow new lines)", k_end, true },
	{ ' ', 0, 0, "Space", "mark or unmark the selected process (for s)", k_mark, false },
	{ '\r', 'e', 0, "Enter, e", "show or hide the threads of the selected process", k_expand,
	  false },
	{ 'H', 0, 0, "H", "a flat list of every thread (again: back to processes)", k_threads,
	  false },
	{ '-', 0, 0, "-", "in the tree: hide the children of the selected process", k_fold,
	  false },
	{ '+', 0, 0, "+", "in the tree: show them again", k_unfold, false },
	{ 'K', 0, 0, "K", "show or hide kernel threads (hidden at start with all tasks, as "
	  "in htop)",
	  k_kthreads, false },
	{ 'P', 0, 0, "P", "sort by CPU use (PCPU); again: reverse", k_sort_cpu, false },
	{ 'M', 0, 0, "M", "sort by memory (RSS); again: reverse", k_sort_mem, false },
	{ 'T', 0, 0, "T", "sort by CPU time (TIME); again: reverse", k_sort_time, false },
	{ 'N', 0, 0, "N", "sort by PID; again: reverse", k_sort_pid, false },
	{ '<', 0, 0, "<", "sort by the column to the left", k_sort_left, false },
	{ '>', 0, 0, ">", "sort by the column to the right", k_sort_right, false },
	{ 'R', 0, 0, "R", "reverse the sort order", k_reverse, false },
	{ 'n', 0, 0, "n", "the next match of the last search", k_next, false },
	{ 'm', 0, 0, "m", "memory map of the selected process, thread stacks labelled", k_maps,
	  false },
	{ 's', 0, 0, "s", "sharing: the marked processes (one mark: it and the selected one), "
	  "else the selected one against every other", k_share, false },
	{ 'c', 0, 0, "c", "CPU placement of the selected process's threads, live timeline",
	  k_cpus, false },
	{ 'l', 0, 0, "l", "the spawned job's output (stdout and stderr)", k_log, false },
	{ 'i', 0, 0, "i", "type a line for the spawned job's input (Enter sends it, ^D on an "
	  "empty line sends end of file); no other key reaches the job", k_input, true },
	{ 'd', 0, 0, "d", "set the delay between samples", k_delay, false },
	{ 'p', 0, 0, "p", "pause or resume sampling", k_pause, false },
	{ 'W', 0, 0, "W", "save columns (in their order), sort, delay and view to the settings "
	  "file", k_save, false },
	{ CTRL('l'), 0, 0, "Ctrl-L", "redraw the screen", k_redraw, true },
};

size_t tui_help_count(const struct tui *t)
{
	return tui_replay_help_count(t) + ARRAY_SIZE(keys) + 6;
}

void tui_help_line(const struct tui *t, size_t i, char *buf, size_t len)
{
	size_t nr = tui_replay_help_count(t);

	if (i < nr) {
		tui_replay_help_line(i, buf, len);
		return;
	}
	i -= nr;
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
		snprintf(buf, len, "In the column picker (f, F2): Space shows or hides a column "
			 "(a new one goes after its neighbour), Left and Right move it.");
		break;
	case 2:
		snprintf(buf, len, "Prompts: Left, Right, Home, End, Backspace, Delete, Ctrl-U "
			 "clears; Enter applies, Esc cancels.");
		break;
	case 3:
		snprintf(buf, len, "Rows: + something hidden under it (threads, or children in "
			 "the tree), - can be hidden; connectors join a tree.");
		break;
	case 4:
		snprintf(buf, len, "F-keys as in htop; the bottom line lists them when the "
			 "terminal is 100 columns or wider.");
		break;
	default:
		snprintf(buf, len, "See taskscope(1), INTERACTIVE COMMANDS.");
		break;
	}
}

static bool key_is(const struct keydef *d, int k)
{
	return (d->key && d->key == k) || (d->key2 && d->key2 == k) || (d->fkey && d->fkey == k);
}

void tui_key(struct tui *t, int k)
{
	if (k == KEY_RESIZE)
		return;
	if (t->prompt != TP_NONE) {
		tui_prompt_key(t, k);
		return;
	}
	if (tui_replay_key(t, k))
		return;
	if (t->view == TV_COLUMNS && (k == ' ' || k == '\r' || k == '\n' || k == KEY_ENTER)) {
		if (k == ' ')
			tui_column_toggle(t);
		else
			k_back(t);
		return;
	}
	if (t->view == TV_COLUMNS && (k == KEY_LEFT || k == KEY_RIGHT || k == '<' || k == '>')) {
		tui_column_move(t, k == KEY_LEFT || k == '<' ? -1 : 1);
		return;
	}
	if (t->view == TV_SORTBY && (k == '\r' || k == '\n' || k == KEY_ENTER)) {
		if (t->colsel < t->ncols && t->cols[t->colsel] != t->sort) {
			t->sort = t->cols[t->colsel];
			t->ascending = t->sort->kind == CK_STR || !strcmp(t->sort->name, "PID");
			tui_rebuild(t);
		}
		k_back(t);
		return;
	}
	if (k == '\n' || k == KEY_ENTER)
		k = '\r';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!key_is(&keys[i], k))
			continue;
		if (t->view != TV_LIST && !keys[i].everywhere) {
			/* from another screen, a screen key goes to that screen */
			if (keys[i].fn == k_help || keys[i].fn == k_log || keys[i].fn == k_maps ||
			    keys[i].fn == k_share || keys[i].fn == k_cpus ||
			    keys[i].fn == k_columns || keys[i].fn == k_sortby) {
				t->view = TV_LIST;
				keys[i].fn(t);
			}
			return;
		}
		keys[i].fn(t);
		return;
	}
}
