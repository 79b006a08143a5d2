/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuipanel.c - the full-screen view's other screens: help, job log, panels, column picker */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "view/tui.h"

static const char *view_title(const struct tui *t, char *buf, size_t len)
{
	switch (t->view) {
	case TV_HELP:
		return "Help: every key (Esc returns)";
	case TV_LOG:
		snprintf(buf, len, "Output of the job '%s': %zu lines kept of %llu%s (Esc returns)",
			 t->cmdname, childlog_count(&t->log), (unsigned long long)t->log.total,
			 t->log_follow ? ", following" : "");
		return buf;
	case TV_COLUMNS:
		return "Columns: Space shows or hides, Left/Right move, Enter or Esc returns";
	case TV_SORTBY:
		return "Sort by: Enter picks, Esc returns";
	case TV_PANEL:
		if (t->panel == PANEL_MAPS)
			snprintf(buf, len, "Memory map of PID %d (Esc returns)",
				 (int)(t->npanel_ids ? t->panel_ids[0] : 0));
		else if (t->panel == PANEL_SHARE)
			snprintf(buf, len, "Sharing of %zu task%s (Esc returns)", t->npanel_ids,
				 t->npanel_ids == 1 ? "" : "s");
		else
			snprintf(buf, len, "CPU placement of PID %d (Esc returns)",
				 (int)(t->npanel_ids ? t->panel_ids[0] : 0));
		return buf;
	default:
		return "";
	}
}

size_t tui_view_lines(const struct tui *t)
{
	switch (t->view) {
	case TV_HELP:
		return tui_help_count();
	case TV_LOG:
		return childlog_count(&t->log);
	case TV_COLUMNS:
		return columns_count();
	case TV_SORTBY:
		return t->ncols;
	case TV_PANEL:
		return t->frame && t->frame->panel == t->panel ? t->frame->nlines : 0;
	default:
		return 0;
	}
}

static bool shown(const struct tui *t, const struct column *c)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i] == c)
			return true;
	return false;
}

static void view_line(struct tui *t, size_t i, char *buf, size_t len, const char **text)
{
	*text = buf;
	buf[0] = '\0';
	switch (t->view) {
	case TV_HELP:
		tui_help_line(i, buf, len);
		break;
	case TV_LOG:
		*text = childlog_line(&t->log, i);
		break;
	case TV_COLUMNS: {
		const struct column *c = columns_get(i);

		snprintf(buf, len, "%s %-11s %s", shown(t, c) ? "[x]" : "[ ]", c->name, c->help);
		break;
	}
	case TV_SORTBY:
		snprintf(buf, len, "%s %-11s %s", t->cols[i] == t->sort ? "(*)" : "( )",
			 t->cols[i]->name, t->cols[i]->help);
		break;
	case TV_PANEL:
		*text = t->frame->lines[i];
		break;
	default:
		break;
	}
	if (!*text)
		*text = "";
}

/* text past its first n characters (UTF-8: continuation bytes go with their lead) */
static const char *skip_columns(const char *s, size_t n)
{
	while (*s && n) {
		s++;
		while ((*s & 0xc0) == 0x80)
			s++;
		n--;
	}
	return s;
}

void tui_draw_view(struct tui *t)
{
	char title[300], buf[512];
	size_t n = tui_view_lines(t);
	int rows = LINES - 2;

	erase();
	attron(t->color ? COLOR_PAIR(2) : A_REVERSE);
	for (int i = 0; i < COLS; i++)
		mvaddch(0, i, ' ');
	mvaddnstr(0, 0, view_title(t, title, sizeof(title)),
		  (int)tui_fit(view_title(t, title, sizeof(title)), COLS));
	attroff(t->color ? COLOR_PAIR(2) : A_REVERSE);
	if (rows < 1)
		return;
	if (t->view == TV_LOG && t->log_follow)
		t->scroll = n > (size_t)rows ? n - (size_t)rows : 0;
	if (t->view == TV_COLUMNS || t->view == TV_SORTBY) {
		if (t->colsel >= n)
			t->colsel = n ? n - 1 : 0;
		if (t->colsel < t->scroll)
			t->scroll = t->colsel;
		if (t->colsel >= t->scroll + (size_t)rows)
			t->scroll = t->colsel - (size_t)rows + 1;
	}
	if (t->scroll + (size_t)rows > n)
		t->scroll = n > (size_t)rows ? n - (size_t)rows : 0;
	if (!n) {
		mvaddnstr(1, 0, t->view == TV_PANEL ? "reading..." :
			  t->view == TV_LOG ? "(no output yet)" : "", COLS);
		return;
	}
	for (int r = 0; r < rows; r++) {
		size_t i = t->scroll + (size_t)r;
		const char *text;

		if (i >= n)
			break;
		view_line(t, i, buf, sizeof(buf), &text);
		bool pick = t->view == TV_COLUMNS || t->view == TV_SORTBY;

		if (pick && i == t->colsel)
			attron(A_REVERSE);
		text = skip_columns(text, pick ? 0 : t->hscroll);
		mvaddnstr(1 + r, 0, text, (int)tui_fit(text, COLS));
		if (pick && i == t->colsel)
			attroff(A_REVERSE);
	}
}
