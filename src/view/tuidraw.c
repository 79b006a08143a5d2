/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuidraw.c - the full-screen view's main screen: header, task list, status line */
#include "config.h"

#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "lib/util.h"
#include "target/target.h"
#include "view/tui.h"

#define BAR_MIN 10		/* smallest useful CPU bar, label and number included */
#define FKEYS_MIN 100		/* the bottom line lists the F-keys from this width */

const char *tui_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Connectors of the tree in UTF-8 where the locale has it and the terminal is no VT100
 * (its line drawing is a mode of its own), else in ASCII as ps --forest draws them. */
static bool tree_utf8(void)
{
	static int v = -1;

	if (v < 0) {
		const char *term = getenv("TERM");

		v = !strcmp(nl_langinfo(CODESET), "UTF-8") &&
		    !(term && (!strncmp(term, "vt1", 3) || !strncmp(term, "vt2", 3) ||
			       !strcmp(term, "dumb")));
	}
	return v;
}

int tui_char_width(const char *s, size_t n, mbstate_t *st, size_t *len)
{
	wchar_t wc;
	int w;

	*len = mbrtowc(&wc, s, n, st);
	if (*len == (size_t)-1 || *len == (size_t)-2 || *len == 0) {
		*len = 1;
		memset(st, 0, sizeof(*st));
		return -1;
	}
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

size_t tui_fit(const char *s, int width)
{
	mbstate_t st;
	size_t off = 0, len = strlen(s), n;
	int used = 0;

	memset(&st, 0, sizeof(st));
	while (off < len) {
		int w = tui_char_width(s + off, len - off, &st, &n);

		if (w < 0)
			break;	/* sanitized text is valid UTF-8: only a C locale stops here */
		if (used + w > width)
			break;
		used += w;
		off += n;
	}
	return util_escape_cut(s, off);	/* never half an escape of sanitized text */
}

/* Draw s at (y, x) cut to width columns; returns the columns used. */
static int put(int y, int x, const char *s, int width)
{
	size_t n;
	int cy, cx;

	if (width <= 0)
		return 0;
	n = tui_fit(s, width);
	mvaddnstr(y, x, s, (int)n);
	getyx(stdscr, cy, cx);
	(void)cy;
	return cx > x ? cx - x : 0;
}

/* An ASCII line (numbers, labels) of our own: cut by bytes. */
static void putline(int y, const char *s)
{
	move(y, 0);
	clrtoeol();
	put(y, 0, s, COLS);
}

static int header_cpu_lines(const struct tui *t, int *per_line)
{
	int n = t->frame && t->frame->have_cpu ? t->frame->ncpus : 0;
	int per = COLS / 26;

	if (per < 1)
		per = 1;
	if (n > 0 && per > n)
		per = n;
	*per_line = per;
	if (LINES < 16 || n == 0)
		return 1;	/* one line for all CPUs */
	n = (n + per - 1) / per;
	return n > 4 ? 4 : n;
}

static int header_lines(const struct tui *t)
{
	int per;

	return header_cpu_lines(t, &per) + 3;
}

int tui_list_rows(const struct tui *t)
{
	/* header, column titles, the list, the status line */
	int n = LINES - header_lines(t) - 2;

	return n > 0 ? n : 0;
}

static void bar(int y, int x, int width, const char *label, double pct)
{
	char num[16];
	int inner, fill;

	snprintf(num, sizeof(num), "%5.1f%%", pct < 0 ? 0 : pct > 100 ? 100 : pct);
	mvaddstr(y, x, label);
	x += (int)strlen(label);
	inner = width - (int)strlen(label) - 2 - (int)strlen(num);
	if (inner < 1) {
		mvaddstr(y, x, num);
		return;
	}
	fill = (int)(pct / 100.0 * inner + 0.5);
	if (fill > inner)
		fill = inner;
	mvaddch(y, x++, '[');
	attron(COLOR_PAIR(1));
	for (int i = 0; i < inner; i++)
		mvaddch(y, x + i, i < fill ? '|' : ' ');
	attroff(COLOR_PAIR(1));
	mvaddstr(y, x + inner, num);
	mvaddch(y, x + inner + (int)strlen(num), ']');
}

/* The header's last line: what is watched, the view, the delay, the filter, and how often
 * the costly columns are read. */
static void draw_watching(struct tui *t, const struct tuiwork_frame *f, int y)
{
	char what[200], line[512];
	size_t o;

	if (t->rp) {
		tui_replay_describe(t, line, sizeof(line));
		putline(y, line);
		return;
	}
	if (t->spawned) {
		size_t ntasks = f && f->procs ? f->procs->nthreads : 0;

		snprintf(what, sizeof(what), "spawned: %s, %zu %s", t->cmdname, ntasks,
			 tui_plural(ntasks, "task", "tasks"));
	} else {
		target_describe(t->o->target, what, sizeof(what));
	}
	static const char *const modes[] = {
		[LIST_NESTED] = "processes", [LIST_THREADS] = "threads",
		[LIST_TREE] = "tree",
	};

	o = (size_t)snprintf(line, sizeof(line), "Watching %s  view %s  delay %.1fs%s%s%s",
			     what, modes[t->mode], t->delay, t->paused ? "  PAUSED" : "",
			     t->filter[0] ? "  filter: " : "", t->filter);
	if (f && f->mem_all && f->mem && t->sort && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o,
				      "  %s of every process read every %.0fs (%.0fs ago)",
				      t->sort->name, t->delay > TUIWORK_MEM_ALL_EVERY ?
				      t->delay : TUIWORK_MEM_ALL_EVERY,
				      f->procs && f->procs->mono > f->mem->mono ?
				      f->procs->mono - f->mem->mono : 0.0);
	if (f && f->err && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, "  sampling failed: %s",
			 strerror(-f->err));
	putline(y, line);
}

static void draw_header(struct tui *t)
{
	const struct tuiwork_frame *f = t->frame;
	char line[512], a[16], b[16], c[16], d[16];
	int per, ncl = header_cpu_lines(t, &per), y = 0;

	for (int i = 0; i < ncl; i++) {
		move(i, 0);
		clrtoeol();
	}
	if (!f || !f->have_cpu) {
		putline(y++, t->rp ? "CPU: not recorded" : "CPU: sampling...");
	} else if (ncl == 1 && (LINES < 16 || f->ncpus > per || !f->ncpus)) {
		snprintf(line, sizeof(line), "CPU%d ", f->ncpus);
		bar(y++, 0, COLS < 60 ? COLS : 60, "CPUs ", f->cpu_all);
	} else {
		int w = COLS / per;

		for (int i = 0; i < f->ncpus && i / per < ncl; i++) {
			snprintf(line, sizeof(line), "%3d", i);
			if (i / per == ncl - 1 && i % per == per - 1 && i + 1 < f->ncpus) {
				snprintf(line, sizeof(line), "+%d more CPUs, all", f->ncpus - i);
				bar(y + i / per, (i % per) * w, w - 1, line, f->cpu_all);
				break;
			}
			bar(y + i / per, (i % per) * w, w - 1, line, f->cpu_each[i]);
		}
		y += ncl;
	}
	if (f && f->sys.have_mem) {
		const struct sysinfo_mem *m = &f->sys;

		snprintf(line, sizeof(line), "Mem %s used of %s  Swap %s used of %s",
			 util_size_human(m->mem_total - m->mem_avail, a, sizeof(a)),
			 util_size_human(m->mem_total, b, sizeof(b)),
			 util_size_human(m->swap_total - m->swap_free, c, sizeof(c)),
			 util_size_human(m->swap_total, d, sizeof(d)));
	} else {
		snprintf(line, sizeof(line), "Mem -");
	}
	putline(y++, line);
	{
		size_t o = 0;

		if (f && f->sys.have_load)
			o += (size_t)snprintf(line, sizeof(line), "Load %.2f %.2f %.2f  ",
					      f->sys.load[0], f->sys.load[1], f->sys.load[2]);
		else
			o += (size_t)snprintf(line, sizeof(line), "Load -  ");
		if (f && f->procs) {
			size_t nk = 0, np = f->procs->nprocs, nt = f->procs->nthreads;

			for (size_t i = 0; i < f->procs->ntasks; i++)
				nk += f->procs->tasks[i].kthread;
			/* a kernel thread is a process of one thread in the counts */
			np = np >= nk ? np - nk : 0;
			nt = nt >= nk ? nt - nk : 0;
			o += (size_t)snprintf(line + o, sizeof(line) - o, "Tasks %zu %s, %zu %s",
					      np, tui_plural(np, "process", "processes"), nt,
					      tui_plural(nt, "thread", "threads"));
			if (nk && o < sizeof(line))
				o += (size_t)snprintf(line + o, sizeof(line) - o,
						      ", %zu %s%s", nk,
						      tui_plural(nk, "kthread", "kthreads"),
						      t->show_kthreads ? "" : " hidden (K)");
			if (o < sizeof(line))
				snprintf(line + o, sizeof(line) - o, "  sampled in %.0f ms",
					 f->took * 1000.0);
		}
		putline(y++, line);
	}
	draw_watching(t, f, y++);
}

static int col_width(const struct column *c)
{
	int w = (int)c->whint, n = (int)strlen(c->name);

	if (!strcmp(c->name, "PCPU"))
		w = 5;
	if (c->kind == CK_CPUTIME)
		w = 9;
	if (c->kind == CK_SIZE)
		w = 7;
	return w > n ? w : n;
}

static bool is_last_text(const struct tui *t, size_t i)
{
	const struct column *c = t->cols[i];

	return i + 1 == t->ncols && c->kind == CK_STR;
}

/* The column that carries the tree's indentation: COMM, else CMD, else none. */
static const struct column *indent_col(const struct tui *t)
{
	const struct column *cmd = NULL;

	for (size_t i = 0; i < t->ncols; i++) {
		if (!strcmp(t->cols[i]->name, "COMM"))
			return t->cols[i];
		if (!strcmp(t->cols[i]->name, "CMD"))
			cmd = t->cols[i];
	}
	return cmd;
}

static void draw_titles(struct tui *t, int y)
{
	int x = 0;

	move(y, 0);
	attron(t->color ? COLOR_PAIR(2) : A_REVERSE);
	for (int i = 0; i < COLS; i++)
		mvaddch(y, i, ' ');
	for (size_t i = 0; i < t->ncols && x < COLS; i++) {
		const struct column *c = t->cols[i];
		int w = is_last_text(t, i) ? COLS - x : col_width(c);
		char title[40];

		snprintf(title, sizeof(title), "%s%s", c->name,
			 c == t->sort ? (t->ascending ? "^" : "v") : "");
		if (c->flags & CF_RIGHT)
			mvprintw(y, x, "%*.*s", w, w, title);
		else
			put(y, x, title, w);
		x += w + 1;
	}
	attroff(t->color ? COLOR_PAIR(2) : A_REVERSE);
}

/* What goes before the name: one connector per level (UTF-8 or ASCII), then + when
 * something under the row is hidden (threads, or children in the tree), - when it can be. */
static void tree_prefix(const struct tui *t, const struct tasklist_row *r, char *pre,
			size_t len)
{
	bool u = tree_utf8();
	unsigned d = r->depth > 16 ? 16 : r->depth;
	size_t o = 0;
	bool hidden, can;

	pre[0] = '\0';
	for (unsigned k = 1; k < d && o + 8 < len; k++) {
		bool bar = k < 64 && (r->more >> k) & 1;

		o += (size_t)snprintf(pre + o, len - o, "%s",
				      bar ? (u ? "\u2502 " : "| ") : "  ");
	}
	if (d && o + 16 < len)
		o += (size_t)snprintf(pre + o, len - o, "%s",
				      r->last ? (u ? "\u2514\u2500" : "`-") :
						(u ? "\u251c\u2500" : "|-"));
	if (r->thread || t->mode == LIST_THREADS)
		can = hidden = false;
	else {
		hidden = (r->can_expand && !r->expanded) || r->collapsed;
		can = r->can_expand || r->has_kids;
	}
	if (o + 4 < len && (hidden || can))
		o += (size_t)snprintf(pre + o, len - o, "%s", hidden ? "+" : "-");
	if (o && o + 2 < len)
		snprintf(pre + o, len - o, " ");
}

static void draw_row(struct tui *t, int y, const struct tasklist_row *r, bool selected)
{
	const struct column *ic = indent_col(t);
	bool marked = tui_marked(t, r->t->tgid) && !r->thread;
	int x = 0;

	move(y, 0);
	clrtoeol();
	if (selected)
		attron(A_REVERSE);
	if (marked)
		attron(t->color ? COLOR_PAIR(3) | A_BOLD : A_BOLD);
	if (selected)
		for (int i = 0; i < COLS; i++)
			mvaddch(y, i, ' ');
	for (size_t i = 0; i < t->ncols && x < COLS; i++) {
		const struct column *c = t->cols[i];
		int w = is_last_text(t, i) ? COLS - x : col_width(c);
		struct cell cell;
		char buf[64];
		const char *v;

		if (w > COLS - x)
			w = COLS - x;
		tasklist_cell(r, c, &t->cctx, &cell);
		v = cell.av == TS_OK ? columns_format(c, &cell, false, false, buf, sizeof(buf))
				     : NULL;
		if (!v)
			v = "-";
		if (c == ic) {
			char pre[160];
			int o;

			tree_prefix(t, r, pre, sizeof(pre));
			o = put(y, x, pre, w);
			put(y, x + o, v, w - o);
		} else if (c->flags & CF_RIGHT) {
			mvprintw(y, x, "%*.*s", w, w, v);
		} else {
			put(y, x, v, w);
		}
		x += w + 1;
	}
	if (marked)
		attroff(t->color ? COLOR_PAIR(3) | A_BOLD : A_BOLD);
	if (selected)
		attroff(A_REVERSE);
}

/* The note of a pass that does not end: the screen is old, where the worker waits, and
 * that q still works. False while sampling is in time. */
static bool stuck_note(const struct tui *t, char *line, size_t len)
{
	char where[200];
	double busy = tuiwork_busy(t->work, NULL, 0);

	if (busy < TUIWORK_STUCK_AFTER)
		return false;
	busy = tuiwork_busy(t->work, where, sizeof(where));
	if (busy < TUIWORK_STUCK_AFTER)
		return false;	/* it ended meanwhile */
	if (where[0])
		snprintf(line, len, "sampling stuck %.0fs reading %s (a task in D state?): "
			 "screen not updated; q quits", busy, where);
	else
		snprintf(line, len, "sampling stuck %.0fs in a /proc read (a task in D state?): "
			 "screen not updated; q quits", busy);
	return true;
}

/* The bottom line while a prompt is open: its text and the line being edited. */
static void draw_prompt(struct tui *t, int y)
{
	char line[512];
	int at;

	switch (t->prompt) {
	case TP_CONFIRM:
		snprintf(line, sizeof(line), "Send signal %d (%s) to %s? [y/N] ",
			 t->kill_sig, strsignal(t->kill_sig), t->target);
		break;
	case TP_NICE:
		snprintf(line, sizeof(line), "Set the nice value of %s from %d to %d? "
			 "[y/N] ", t->target, t->kill_sig, t->nice_to);
		break;
	case TP_SIGNAL:
		snprintf(line, sizeof(line), "Send which signal to %s? Name or number "
			 "(TERM, 9): ", t->target);
		break;
	case TP_INPUT:
		snprintf(line, sizeof(line), "Input for the job %s (Enter sends, ^D on an "
			 "empty line: EOF): ", t->target);
		break;
	case TP_FILTER:
		snprintf(line, sizeof(line), "Filter (hide the rest): ");
		break;
	case TP_SEARCH:
		snprintf(line, sizeof(line), "Search (F3: next): ");
		break;
	case TP_GOTO:
		snprintf(line, sizeof(line), "Go to (HH:MM[:SS], -5m, +30s): ");
		break;
	default:
		snprintf(line, sizeof(line), "Delay in seconds: ");
		break;
	}
	/* the text shown from its end when it does not fit */
	at = (int)strlen(line);
	attron(A_BOLD);
	put(y, 0, line, COLS);
	attroff(A_BOLD);
	if (t->prompt == TP_CONFIRM || t->prompt == TP_NICE || at >= COLS - 1)
		return;
	put(y, at, t->input, COLS - at);
	/* the cursor: the character under it in reverse video */
	if (at + (int)t->cur < COLS) {
		attron(A_REVERSE);
		mvaddch(y, at + (int)t->cur,
			t->cur < t->ninput ? (chtype)(unsigned char)t->input[t->cur] : ' ');
		attroff(A_REVERSE);
	}
}

static void draw_status(struct tui *t)
{
	char line[512];
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (t->prompt != TP_NONE) {
		draw_prompt(t, y);
		return;
	}
	if (t->msg[0] && util_monotonic() < t->msg_until) {
		attron(t->color ? COLOR_PAIR(4) | A_BOLD : A_BOLD);
		put(y, 0, t->msg, COLS);
		attroff(t->color ? COLOR_PAIR(4) | A_BOLD : A_BOLD);
		return;
	}
	if (stuck_note(t, line, sizeof(line))) {
		attron(t->color ? COLOR_PAIR(4) | A_BOLD : A_BOLD);
		put(y, 0, line, COLS);
		attroff(t->color ? COLOR_PAIR(4) | A_BOLD : A_BOLD);
		return;
	}
	if (t->job_over) {
		attron(A_BOLD);
		put(y, 0, t->jobline, COLS);
		attroff(A_BOLD);
		return;
	}
	if (t->view == TV_COLUMNS) {
		size_t o = (size_t)snprintf(line, sizeof(line), "Order:");

		for (size_t i = 0; i < t->ncols && o + 2 < sizeof(line); i++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %s",
					      t->cols[i]->name);
		put(y, 0, line, COLS);
		return;
	}
	if (t->rp && t->view == TV_LIST) {
		put(y, 0, "[ ] sample  { } minute  g go to  Space play  + - pace  q quit  h help  "
		    "H threads  t tree  / filter  f columns", COLS);
		return;
	}
	/* (a terminal without F-keys, such as a VT100, gets the letters) */
	if (COLS >= FKEYS_MIN && t->view == TV_LIST && has_key(KEY_F(10))) {
		static const char *const fk[][2] = {
			{ "F1", "Help" }, { "F2", "Setup" }, { "F3", "Search" },
			{ "F4", "Filter" }, { "F5", "Tree" }, { "F6", "SortBy" },
			{ "F7", "Nice -" }, { "F8", "Nice +" }, { "F9", "Kill" }, { "F10", "Quit" },
		};
		int x = 0;

		for (size_t i = 0; i < ARRAY_SIZE(fk) && x < COLS; i++) {
			x += put(y, x, fk[i][0], COLS - x);
			attron(t->color ? COLOR_PAIR(2) : A_REVERSE);
			snprintf(line, sizeof(line), "%-7s", fk[i][1]);
			x += put(y, x, line, COLS - x);
			attroff(t->color ? COLOR_PAIR(2) : A_REVERSE);
		}
		return;
	}
	snprintf(line, sizeof(line), "q quit  h help  H threads  t tree  m maps  s share  "
		 "c cpus%s  / filter  f columns  k kill", t->spawned ? "  l log" : "");
	put(y, 0, line, COLS);
}

void tui_draw(struct tui *t)
{
	int y, rows;

	if (t->view != TV_LIST) {
		tui_draw_view(t);
		draw_status(t);
		refresh();
		return;
	}
	erase();
	draw_header(t);
	y = header_lines(t);
	draw_titles(t, y++);
	rows = tui_list_rows(t);
	if (t->sel < t->top)
		t->top = t->sel;
	if (rows > 0 && t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;
	if (t->top + (size_t)rows > t->nrows)
		t->top = t->nrows > (size_t)rows ? t->nrows - (size_t)rows : 0;
	for (int i = 0; i < rows; i++) {
		size_t k = t->top + (size_t)i;

		if (k >= t->nrows) {
			if (k == 0 && i == 0)
				put(y, 0, t->frame ? (t->frame->procs ? "no task matches" :
						      "nothing left to watch") : "sampling...",
				    COLS);
			break;
		}
		draw_row(t, y + i, &t->rows[k], k == t->sel);
	}
	draw_status(t);
	refresh();
}
