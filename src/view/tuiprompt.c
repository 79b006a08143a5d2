/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuiprompt.c - the full-screen view's prompts (signal, nice, filter, search, delay, the
 * job's input) as editable lines, and the column picker's keys */
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

static void do_nice(struct tui *t)
{
	errno = 0;
	/* the value must still be the one seen: another change meanwhile, or the TID
	 * reused by another task, and nothing is done */
	if (getpriority(PRIO_PROCESS, (id_t)t->kill_pid) != t->kill_sig || errno) {
		tui_message(t, "%s changed or ended meanwhile: nice not set", t->target);
		return;
	}
	if (setpriority(PRIO_PROCESS, (id_t)t->kill_pid, t->nice_to))
		tui_message(t, "cannot set the nice value of %s: %s", t->target,
			    strerror(errno));
	else
		tui_message(t, "%s: nice %d", t->target, t->nice_to);
}

static void prompt_done(struct tui *t)
{
	double d;
	int sig;

	switch (t->prompt) {
	case TP_FILTER:
		snprintf(t->filter, sizeof(t->filter), "%s", t->input);
		tui_rebuild(t);
		t->prompt = TP_NONE;
		break;
	case TP_SEARCH:
		snprintf(t->search, sizeof(t->search), "%s", t->input);
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
	case TP_GOTO:
		t->prompt = TP_NONE;
		tui_replay_goto(t, t->input);
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

/* The prompts' line editor: the cursor moves, text goes in at the cursor. True when the
 * key edited the text. */
static bool edit_key(struct tui *t, int k)
{
	switch (k) {
	case KEY_LEFT:
		if (t->cur)
			t->cur--;
		return false;
	case KEY_RIGHT:
		if (t->cur < t->ninput)
			t->cur++;
		return false;
	case KEY_HOME:
	case CTRL('a'):
		t->cur = 0;
		return false;
	case KEY_END:
	case CTRL('e'):
		t->cur = t->ninput;
		return false;
	case CTRL('u'):
		t->ninput = t->cur = 0;
		t->input[0] = '\0';
		return true;
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (!t->cur)
			return false;
		t->cur--;
		/* fall through */
	case KEY_DC:
		if (t->cur >= t->ninput)
			return false;
		memmove(t->input + t->cur, t->input + t->cur + 1, t->ninput - t->cur);
		t->ninput--;
		return true;
	default:
		/* printable ASCII only: a name part to match, a number */
		if (k < 0x20 || k >= 0x7f || t->ninput + 1 >= sizeof(t->input))
			return false;
		memmove(t->input + t->cur + 1, t->input + t->cur, t->ninput - t->cur + 1);
		t->input[t->cur++] = (char)k;
		t->ninput++;
		return true;
	}
}

void tui_prompt_key(struct tui *t, int k)
{
	if (t->prompt == TP_CONFIRM || t->prompt == TP_NICE) {
		bool yes = k == 'y' || k == 'Y';

		if (t->prompt == TP_NICE) {
			if (yes)
				do_nice(t);
			else
				tui_message(t, "nice not changed");
		} else if (yes && t->pidfd >= 0) {
			if (syscall(SYS_pidfd_send_signal, t->pidfd, t->kill_sig, NULL, 0))
				tui_message(t, "cannot signal %s: %s", t->target,
					    strerror(errno));
			else
				tui_message(t, "sent signal %d (%s) to %s", t->kill_sig,
					    strsignal(t->kill_sig), t->target);
		} else {
			tui_message(t, "no signal sent");
		}
		if (t->prompt == TP_CONFIRM && t->pidfd >= 0) {
			close(t->pidfd);
			t->pidfd = -1;
		}
		t->prompt = TP_NONE;
		return;
	}
	if (k == KEY_ESC) {
		if (t->prompt == TP_FILTER && strcmp(t->filter, t->before)) {
			/* as it was before the prompt */
			snprintf(t->filter, sizeof(t->filter), "%s", t->before);
			tui_rebuild(t);
		}
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
	if (t->prompt == TP_SEARCH && (k == KEY_F(3) || k == KEY_DOWN)) {
		if (!tui_search_from(t, t->sel + 1))
			tui_message(t, "no task matches '%s'", t->input);
		return;
	}
	if (!edit_key(t, k))
		return;
	if (t->prompt == TP_FILTER) {
		/* filter as you type */
		snprintf(t->filter, sizeof(t->filter), "%s", t->input);
		tui_rebuild(t);
	} else if (t->prompt == TP_SEARCH && t->input[0] && !tui_search_from(t, t->sel)) {
		tui_message(t, "no task matches '%s'", t->input);
	}
}

/* Space in the column picker: hide a shown column, or show a hidden one after the shown
 * column that comes before it in the table (the others keep their order). */
void tui_column_toggle(struct tui *t)
{
	const struct column *c = columns_get(t->colsel);
	const struct column **v;
	size_t n = 0, at = 0;

	v = malloc((t->ncols + 1) * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i] != c)
			v[n++] = t->cols[i];
	if (n == t->ncols) {
		for (size_t i = 0; i < t->colsel; i++)
			for (size_t k = 0; k < t->ncols; k++)
				if (t->cols[k] == columns_get(i) && k + 1 > at)
					at = k + 1;
		memmove(v + at + 1, v + at, (n - at) * sizeof(*v));
		v[at] = c;
		n++;
	}
	if (!n) {
		free(v);
		tui_message(t, "at least one column is shown");
		return;
	}
	tui_set_columns(t, v, n);
	tui_ask(t, true);
}

/* Left and Right in the column picker: the selected column one place left or right. */
void tui_column_move(struct tui *t, int dir)
{
	const struct column *c = columns_get(t->colsel), *x;

	for (size_t i = 0; i < t->ncols; i++) {
		if (t->cols[i] != c)
			continue;
		if ((dir < 0 && !i) || (dir > 0 && i + 1 == t->ncols))
			return;
		x = t->cols[i + (size_t)dir];
		t->cols[i + (size_t)dir] = c;
		t->cols[i] = x;
		return;
	}
	tui_message(t, "%s is not shown: Space shows it", c->name);
}

