/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuipanel.c - the full-screen view's other screens: help, job log, panels, column picker */
#include "config.h"

#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

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
		return tui_help_count(t);
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
		tui_help_line(t, i, buf, len);
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

/* ---- the maps panel: NAME takes the width left and is elided in the middle ---------------- */

#define MAPS_FIELDS 16

struct maps_fit {
	size_t head;		/* the line with the column titles, or (size_t)-1 */
	size_t name_off;	/* where NAME starts in the text */
	size_t nf;		/* the columns before NAME */
	size_t width[MAPS_FIELDS];	/* their widths once the padding is left out */
	bool right[MAPS_FIELDS];	/* right-aligned (numbers) */
};

static int text_width_n(const char *s, size_t n)
{
	size_t off = 0, k;
	mbstate_t st;
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (off < n) {
		int cw = tui_char_width(s + off, n - off, &st, &k);

		w += cw < 0 ? 1 : cw;	/* a stray byte shows as one column */
		off += k;
	}
	return w;
}

static int text_width(const char *s)
{
	return text_width_n(s, strlen(s));
}

/* The fields of a table line before NAME: their starts and ends; the count, or 0 when
 * the line is no row of the table. */
static size_t maps_fields(const struct maps_fit *m, const char *l, size_t *st, size_t *en)
{
	size_t n = 0, k = 0;

	if (strlen(l) <= m->name_off || l[m->name_off - 1] != ' ')
		return 0;
	while (k < m->name_off) {
		while (k < m->name_off && l[k] == ' ')
			k++;
		if (k >= m->name_off)
			break;
		if (n == MAPS_FIELDS)
			return 0;
		st[n] = k;
		while (k < m->name_off && l[k] != ' ')
			k++;
		en[n++] = k;
	}
	return n;
}

/* Fit the maps panel to the screen: when NAME would be cut, the columns before it lose
 * their padding (each as wide as its widest value), ADDRESS shows where the range starts,
 * and NAME takes the rest. */
static void maps_fit_compute(const struct tui *t, struct maps_fit *m)
{
	size_t n = tui_view_lines(t), st[MAPS_FIELDS], en[MAPS_FIELDS], end0[MAPS_FIELDS];
	size_t st0[MAPS_FIELDS], head_en[MAPS_FIELDS];
	bool first_row = true, same_end[MAPS_FIELDS], same_st[MAPS_FIELDS];
	int longest = 0;

	m->head = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		const char *l = t->frame->lines[i], *nm = strstr(l, " NAME");

		if (!strncmp(l, "ADDRESS ", 8) && nm && !nm[5]) {
			m->head = i;
			m->name_off = (size_t)(nm - l) + 1;
			break;
		}
	}
	if (m->head == (size_t)-1)
		return;
	m->nf = maps_fields(m, t->frame->lines[m->head], st, en);
	for (size_t j = 0; j < m->nf; j++) {
		m->width[j] = en[j] - st[j];
		head_en[j] = en[j];
		same_end[j] = same_st[j] = true;
	}
	for (size_t i = m->head + 1; i < n; i++) {
		const char *l = t->frame->lines[i];

		if (maps_fields(m, l, st, en) != m->nf)
			continue;
		if (m->nf)
			en[0] = st[0] + strcspn(l + st[0], "- ");	/* see maps_line */
		for (size_t j = 0; j < m->nf; j++) {
			if (en[j] - st[j] > m->width[j])
				m->width[j] = en[j] - st[j];
			if (first_row) {
				end0[j] = en[j];
				st0[j] = st[j];
				continue;
			}
			if (en[j] != end0[j])
				same_end[j] = false;
			if (st[j] != st0[j])
				same_st[j] = false;
		}
		first_row = false;
		if (text_width(l + m->name_off) > longest)
			longest = text_width(l + m->name_off);
	}
	if (first_row || (int)m->name_off + longest <= COLS) {
		m->head = (size_t)-1;	/* it fits as it is */
		return;
	}
	for (size_t j = 0; j < m->nf; j++)
		/* numbers end where their title ends */
		m->right[j] = j && same_end[j] && (!same_st[j] || end0[j] == head_en[j]);
}

/* Line i of the maps panel for COLS columns: the columns without padding, then NAME,
 * elided in the middle when it still does not fit (the file's own name is at its end). */
static const char *maps_line(const struct tui *t, const struct maps_fit *m, size_t i,
			     char *buf, size_t len)
{
	const char *l = t->frame->lines[i], *name;
	bool u = !strcmp(nl_langinfo(CODESET), "UTF-8");
	size_t st[MAPS_FIELDS], en[MAPS_FIELDS], o = 0, cut;
	int room, w, skip;

	if (t->hscroll || i < m->head || maps_fields(m, l, st, en) != m->nf)
		return l;
	/* ADDRESS: the start of the range only (Right shows the whole line) */
	if (m->nf && i > m->head)
		en[0] = st[0] + strcspn(l + st[0], "- ");
	for (size_t j = 0; j < m->nf; j++) {
		int fw = (int)m->width[j], tw = (int)(en[j] - st[j]);

		if (o + m->width[j] + 2 >= len)
			return l;
		o += (size_t)snprintf(buf + o, len - o, m->right[j] ? "%*.*s " : "%-*.*s ",
				      fw, tw, l + st[j]);
	}
	name = l + m->name_off;
	room = COLS - (int)o;
	w = text_width(name);
	if (w <= room || room < 5) {
		snprintf(buf + o, len - o, "%s", name);
		return buf;
	}
	cut = tui_fit(name, (room - 1) / 2);
	if (o + cut + 4 >= len)
		return l;
	memcpy(buf + o, name, cut);
	o += cut;
	o += (size_t)snprintf(buf + o, len - o, "%s", u ? "\u2026" : "~");
	skip = w - (room - 1 - text_width_n(name, cut));
	snprintf(buf + o, len - o, "%s", name + tui_fit(name, skip));
	return buf;
}

void tui_draw_view(struct tui *t)
{
	char title[300], buf[512], fitted[1024];
	size_t n = tui_view_lines(t);
	int rows = LINES - 2;
	struct maps_fit mf = { .head = (size_t)-1 };

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
	if (t->view == TV_PANEL && t->panel == PANEL_MAPS)
		maps_fit_compute(t, &mf);
	for (int r = 0; r < rows; r++) {
		size_t i = t->scroll + (size_t)r;
		const char *text;

		if (i >= n)
			break;
		view_line(t, i, buf, sizeof(buf), &text);
		if (mf.head != (size_t)-1)
			text = maps_line(t, &mf, i, fitted, sizeof(fitted));
		bool pick = t->view == TV_COLUMNS || t->view == TV_SORTBY;

		if (pick && i == t->colsel)
			attron(A_REVERSE);
		text = skip_columns(text, pick ? 0 : t->hscroll);
		mvaddnstr(1 + r, 0, text, (int)tui_fit(text, COLS));
		if (pick && i == t->colsel)
			attroff(A_REVERSE);
	}
}
