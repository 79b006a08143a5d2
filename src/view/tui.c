/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui.c - the full-screen view: terminal life cycle, signals, the job's output, the loop
 *
 * One UI thread owns the terminal; the worker of tuiwork.c samples. The UI waits in poll()
 * on the keyboard, the worker's eventfd, a signalfd (every asynchronous signal is blocked
 * in both threads and read here) and the job's output pipe, so a key is handled at once
 * whatever the sampling does. Fatal signals restore the terminal from a handler with
 * async-signal-safe writes of what was saved at the start, then take their default action.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/fatalsig.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/spare.h"
#include "lib/util.h"
#include "model/snapshot.h"
#include "target/target.h"
#include "lib/exitcode.h"
#include "view/tui.h"

#define LOG_LINES 5000		/* lines of the job's output kept for the log view */
#define WORKER_GIVE_UP 0.5	/* seconds to wait for a stuck worker on the way out */

/* ---- the terminal, restored from any exit path ------------------------------------------ */
static int tty_fd = -1;
static struct termios tty_saved;
static bool tty_have_saved;
static char rmcup[64], cnorm[32], sgr0[32];
static size_t rmcup_len, cnorm_len, sgr0_len;
static volatile sig_atomic_t screen_on;

static const int handled_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH,
				    SIGTSTP, SIGCONT };

void tui_write_all(int fd, const char *s, size_t n)
{
	size_t done;

	util_write_full(fd, s, n, &done);	/* nothing to do about a terminal gone */
}

/* Async-signal-safe: the terminal as it was before the screen opened. */
static void tty_restore_raw(void)
{
	if (!screen_on)
		return;
	screen_on = 0;
	tui_write_all(tty_fd, sgr0, sgr0_len);
	tui_write_all(tty_fd, rmcup, rmcup_len);
	tui_write_all(tty_fd, cnorm, cnorm_len);
	if (tty_have_saved)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
}

static void keep_cap(const char *name, char *buf, size_t len, size_t *n)
{
	const char *s = tigetstr(name);

	*n = 0;
	if (!s || s == (char *)-1)
		return;
	*n = strlen(s);
	if (*n >= len)
		*n = 0;
	else
		memcpy(buf, s, *n + 1);
}

static SCREEN *screen;

static int screen_open(struct tui *t)
{
	tty_fd = isatty(STDOUT_FILENO) ? STDOUT_FILENO : STDIN_FILENO;
	tty_have_saved = !tcgetattr(tty_fd, &tty_saved);
	screen = newterm(NULL, stdout, stdin);
	if (!screen)
		return -ENOTTY;
	keep_cap("rmcup", rmcup, sizeof(rmcup), &rmcup_len);
	keep_cap("cnorm", cnorm, sizeof(cnorm), &cnorm_len);
	keep_cap("sgr0", sgr0, sizeof(sgr0), &sgr0_len);
	screen_on = 1;
	/* any signal that would end taskscope (SEGV, USR1, ALRM, XCPU, ...) first restores
	 * the terminal; the job then gets SIGKILL as taskscope dies (spawn.h) */
	fatalsig_add(tty_restore_raw);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	t->color = has_colors() && !getenv("NO_COLOR");
	if (t->color && start_color() == OK) {
		use_default_colors();
		init_pair(1, COLOR_GREEN, -1);	/* CPU bars */
		init_pair(2, COLOR_BLACK, COLOR_CYAN);	/* column header */
		init_pair(3, COLOR_YELLOW, -1);	/* marked rows */
		init_pair(4, COLOR_RED, -1);	/* messages */
		init_pair(5, COLOR_CYAN, -1);	/* labels */
	} else {
		t->color = false;
	}
	return 0;
}

static void screen_close(void)
{
	if (!screen_on)
		return;
	endwin();
	screen_on = 0;
	delscreen(screen);
	screen = NULL;
	if (tty_have_saved)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
}

/* ---- small helpers used by the other files ---------------------------------------------- */

void tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_until = util_monotonic() + 4.0;
}

static ssize_t pidset_find(const pid_t *set, size_t n, pid_t id)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == id)
			return (ssize_t)i;
	return -1;
}

int tui_pidset_toggle(pid_t **set, size_t *n, pid_t id)
{
	ssize_t at = pidset_find(*set, *n, id);
	pid_t *v;

	if (at >= 0) {
		(*set)[at] = (*set)[--*n];
		return 0;
	}
	v = realloc(*set, (*n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[(*n)++] = id;
	*set = v;
	return 0;
}

bool tui_expanded(const struct tui *t, pid_t tgid)
{
	return t->expand_all != (pidset_find(t->toggled, t->ntoggled, tgid) >= 0);
}

static bool expanded_cb(void *ctx, pid_t tgid)
{
	return tui_expanded(ctx, tgid);
}

bool tui_collapsed(const struct tui *t, pid_t tgid)
{
	return pidset_find(t->collapsed, t->ncollapsed, tgid) >= 0;
}

static bool collapsed_cb(void *ctx, pid_t tgid)
{
	return tui_collapsed(ctx, tgid);
}

bool tui_marked(const struct tui *t, pid_t tgid)
{
	return pidset_find(t->marks, t->nmarks, tgid) >= 0;
}

const struct tasklist_row *tui_selected(const struct tui *t)
{
	return t->sel < t->nrows ? &t->rows[t->sel] : NULL;
}

int tui_set_columns(struct tui *t, const struct column **cols, size_t n)
{
	free(t->cols);
	t->cols = cols;
	t->ncols = n;
	return 0;
}

static unsigned shown_readers(const struct tui *t)
{
	return columns_readers(t->cols, t->ncols) | (t->sort ? t->sort->readers : 0);
}

/* Tell the worker what the screen needs: threads of the expanded processes, the costly
 * columns of the processes on screen, the open panel. */
void tui_ask(struct tui *t, bool now)
{
	struct tuiwork_want w;
	pid_t *exp = NULL, *vis = NULL;
	size_t nexp = 0, nvis = 0;
	const struct snapshot *p = t->frame ? t->frame->procs : NULL;
	int rows = tui_list_rows(t);

	if (!t->work)
		return;	/* a replay: every sample has all it recorded */
	memset(&w, 0, sizeof(w));
	w.readers = shown_readers(t);
	w.delay = t->delay;
	w.paused = t->paused;
	w.all_threads = t->mode == LIST_THREADS || (t->mode != LIST_THREADS && t->expand_all &&
						    !target_is_all(t->o->target));
	if (!w.all_threads && p) {
		exp = malloc((p->ntasks ? p->ntasks : 1) * sizeof(*exp));
		for (size_t i = 0; exp && i < p->ntasks; i++)
			if (p->tasks[i].nlwp > 1 && tui_expanded(t, p->tasks[i].tgid))
				exp[nexp++] = p->tasks[i].tgid;
	}
	if ((w.readers & TASKLIST_VISIBLE_READERS) && t->nrows) {
		vis = malloc((size_t)(rows > 0 ? rows : 1) * sizeof(*vis));
		for (size_t i = t->top; vis && i < t->nrows && i < t->top + (size_t)rows; i++)
			if (!nvis || vis[nvis - 1] != t->rows[i].t->tgid)
				vis[nvis++] = t->rows[i].t->tgid;
	}
	w.expanded = exp;
	w.nexpanded = nexp;
	w.visible = vis;
	w.nvisible = nvis;
	/* sorted by a costly column: every process needs it to find its place */
	w.mem_all = t->sort && (t->sort->readers & TASKLIST_VISIBLE_READERS);
	w.panel = t->view == TV_PANEL ? t->panel : PANEL_NONE;
	w.panel_ids = t->panel_ids;
	w.npanel_ids = t->npanel_ids;
	tuiwork_set(t->work, &w, now);
	free(exp);
	free(vis);
}

void tui_rebuild(struct tui *t)
{
	struct tasklist_opts lo = {
		.mode = t->mode, .sort = t->sort, .ascending = t->ascending,
		.filter = t->filter[0] ? t->filter : NULL, .expanded = expanded_cb,
		.collapsed = collapsed_cb, .hide_kthreads = !t->show_kthreads, .ctx = t,
		.cctx = &t->cctx,
	};
	struct tasklist_row *rows = NULL;
	size_t n = 0;

	/* START relative to the frame's own time (a replay's, e.g.) */
	t->cctx.now = t->frame && t->frame->procs ? t->frame->procs->wall : 0;
	if (t->frame && t->frame->procs &&
	    tasklist_build(&lo, t->frame->procs, t->frame->threads, t->frame->mem, &rows, &n))
		return;	/* out of memory: keep the old rows */
	spare_put(t->rows);
	t->rows = rows;
	t->nrows = n;
	/* the selection follows its task (TID and start time), wherever the sort puts it */
	if (t->sel_tid) {
		for (size_t i = 0; i < n; i++) {
			if (rows[i].t->tid == t->sel_tid && rows[i].thread == t->sel_thread &&
			    rows[i].t->start_ticks == t->sel_start) {
				t->sel = i;
				break;
			}
		}
	}
	if (t->sel >= n)
		t->sel = n ? n - 1 : 0;
	if (n) {
		t->sel_tid = rows[t->sel].t->tid;
		t->sel_thread = rows[t->sel].thread;
		t->sel_start = rows[t->sel].t->start_ticks;
	}
}

int tui_save_settings(struct tui *t)
{
	struct ts_settings s;
	size_t o = 0;

	settings_defaults(&s);
	for (size_t i = 0; i < t->ncols; i++) {
		size_t n = strlen(t->cols[i]->name);

		if (o + n + 2 > sizeof(s.columns))
			break;
		if (o)
			s.columns[o++] = ',';
		memcpy(s.columns + o, t->cols[i]->name, n + 1);
		o += n;
	}
	snprintf(s.sort, sizeof(s.sort), "%s", t->sort ? t->sort->name : "PID");
	s.ascending = t->ascending;
	s.delay = t->delay;
	s.mode = t->mode;
	return settings_save(&s);
}

/* ---- signals ---------------------------------------------------------------------------- */

static void suspend_self(struct tui *t)
{
	screen_on = 0;
	endwin();
	if (tty_have_saved)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	/* the job, in a session of its own, stops with taskscope as it would have in the
	 * same process group; SIGCONT (fg) continues both */
	if (t->spawned && !t->job_over)
		spawn_forward(&t->s.sp, SIGTSTP, true);
	kill(getpid(), SIGSTOP);
	if (t->spawned && !t->job_over)
		spawn_forward(&t->s.sp, SIGCONT, true);
	screen_on = 1;
	refresh();
	clearok(curscr, TRUE);
}

static void resize(void)
{
	struct winsize ws;

	if (!ioctl(tty_fd, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

static void on_signal(struct tui *t, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;

	switch (sig) {
	case SIGCHLD:
		tui_job_check(t);
		break;
	case SIGWINCH:
		resize();
		break;
	case SIGTSTP:
		suspend_self(t);
		break;
	case SIGCONT:
		clearok(curscr, TRUE);
		break;
	default:
		/* SIGINT, SIGTERM, SIGHUP, SIGQUIT: pass to the job (in a session of its
		 * own, it hears nothing of taskscope's terminal) and leave */
		if (t->spawned && !t->s.sp.child_done)
			spawn_forward(&t->s.sp, sig, si->ssi_code == SI_KERNEL);
		t->quit = true;
		t->quit_sig = sig;
		break;
	}
}

static int block_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(handled_sigs); i++)
		sigaddset(set, handled_sigs[i]);
	if (sigprocmask(SIG_BLOCK, set, NULL))
		return -errno;
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	return 0;
}

/* ---- settings at start ------------------------------------------------------------------ */

static int setup_settings(struct tui *t, char *err, size_t errlen)
{
	struct ts_settings s;
	char why[200];
	const struct column **cols = NULL;
	size_t n = 0;
	int rc = settings_load(&s, why, sizeof(why));

	err[0] = '\0';
	if (rc && rc != -ENOENT) {
		char path[256];

		if (settings_path(path, sizeof(path)))
			path[0] = '\0';
		snprintf(err, errlen, "ignoring the settings file %.100s: %.150s", path, why);
	}
	t->delay = t->o->delay_set ? t->o->delay : s.delay;
	if (t->delay < 0.1)
		t->delay = 0.1;
	t->mode = t->o->threads ? LIST_THREADS : s.mode;
	t->ascending = s.ascending;
	t->sort = columns_find(s.sort);
	if (t->o->output) {
		char *bad = NULL;

		rc = columns_parse_list(t->o->output, true, &cols, &n, &bad);
		free(bad);
	} else if (s.columns[0]) {
		char *bad = NULL;

		rc = columns_parse_list(s.columns, true, &cols, &n, &bad);
		free(bad);
	} else {
		rc = columns_defaults(true, &cols, &n);
	}
	if (rc)
		return rc;
	return tui_set_columns(t, cols, n);
}

/* ---- the loop --------------------------------------------------------------------------- */

static void take_frame(struct tui *t)
{
	struct tuiwork_frame *f = tuiwork_take(t->work);
	bool first;

	if (!f)
		return;
	first = !t->frame;
	tuiwork_frame_free(t->frame);
	t->frame = f;
	if (f->note[0])
		tui_message(t, "%s", f->note);	/* a -p PID reused: no longer followed */
	t->frames++;
	tui_rebuild(t);
	/* the frame told which processes have threads and which are on screen: the next
	 * pass reads for those (at once after the first frame) */
	tui_ask(t, first);
}

static void loop(struct tui *t)
{
	struct pollfd pfd[4];

	tui_draw(t);
	while (!t->quit) {
		nfds_t n = 0;
		int r;

		pfd[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = t->wakefd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = t->sigfd, .events = POLLIN };
		if (t->outfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = t->outfd, .events = POLLIN };
		r = poll(pfd, n, tui_replay_timeout(t));
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && (pfd[2].revents & POLLIN)) {
			struct signalfd_siginfo si;

			while (read(t->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				on_signal(t, &si);
		}
		if (t->quit)
			break;
		if (n > 3 && pfd[3].revents)
			tui_job_output(t);
		if (r > 0 && (pfd[1].revents & POLLIN)) {
			uint64_t v;

			if (read(t->wakefd, &v, sizeof(v)) < 0)
				(void)0;
			take_frame(t);
		}
		if (r > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
			/* the terminal is gone (a hung-up tty also reads as readable: getch
			 * would fail at once, and the loop would spin) */
			t->quit = true;
			t->quit_sig = SIGHUP;
			break;
		}
		for (int k; (k = getch()) != ERR && !t->quit; )
			tui_key(t, k);
		tui_replay_tick(t);
		tui_job_check(t);
		if (!t->quit)
			tui_draw(t);
	}
}

/* On the way out: a worker stuck in a read (a task in D state) is left behind, and not
 * waited for when it was known stuck already; the user is told where it waited. True when
 * it was left: the process must then end without running exit handlers (see leave). */
static bool work_stop(struct tui *t)
{
	char where[200];
	double busy;

	if (!t->work)
		return false;
	busy = tuiwork_busy(t->work, NULL, 0);
	if (tuiwork_stop(t->work, busy >= TUIWORK_STUCK_AFTER ? 0 : WORKER_GIVE_UP))
		return false;
	busy = tuiwork_busy(t->work, where, sizeof(where));
	if (where[0])
		fprintf(stderr, "taskscope: a read of %s was stuck for %.0fs (a task in D "
			"state?); quit without it\n", where, busy);
	else
		fprintf(stderr, "taskscope: the sampling thread was stuck in a read for %.0fs "
			"(a task in D state?); quit without it\n", busy);
	return true;
}

/* End the process with a worker still inside a read: exit handlers must not free what it
 * may use should the read return meanwhile, nor wait for it (LeakSanitizer's check stops
 * every thread, and a thread in a killable wait never stops). _exit ends the worker too:
 * a wait for a task's mmap_lock is killable (an uninterruptible one would keep the process
 * until the read returns). */
static void leave(int status) __attribute__((noreturn));
static void leave(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

/* Free what the view holds (the wake eventfd stays open: a worker left behind may still
 * write to it). */
static void tui_free(struct tui *t)
{
	if (t->outfd >= 0)
		close(t->outfd);
	if (t->sigfd >= 0)
		close(t->sigfd);
	tuiwork_frame_free(t->frame);
	childlog_free(&t->log);
	free(t->rows);
	free(t->cols);
	free(t->toggled);
	free(t->marks);
	free(t->collapsed);
	free(t->panel_ids);
	tui_replay_close(t);
}

/* The live tasks' defaults, or the recording opened (its error printed): 0 or -errno. */
static int start_source(struct tui *t)
{
	const struct tui_opts *o = t->o;
	char why[256], shown[256];
	int rc;

	if (!o->replay) {
		t->expand_all = !target_is_all(o->target) || o->cmd;
		/* kernel threads hidden as in htop, unless named as targets (-p 2, -C kworker) */
		t->show_kthreads = !target_is_all(o->target);
		return 0;
	}
	rc = tui_replay_open(t, o->replay, why, sizeof(why));
	if (rc) {
		util_sanitize(o->replay, strlen(o->replay), shown, sizeof(shown));
		fprintf(stderr, "taskscope: replay: cannot read the recording '%s': %s\n", shown,
			why);
		return rc;
	}
	t->expand_all = t->show_kthreads = !tui_replay_all(t);
	return 0;
}

int tui_main(struct tui_opts *o)
{
	struct session_config cfg = { .target = o->target, .cmd = o->cmd, .run_as = o->run_as };
	struct tui t;
	sigset_t set;
	char err[300], ebuf[256];
	int rc, status = TS_EXIT_OK;
	bool stuck = false;

	memset(&t, 0, sizeof(t));
	t.o = o;
	t.outfd = -1;
	t.sigfd = t.wakefd = -1;
	t.pidfd = -1;
	t.log_follow = true;
	t.cctx.threads = true;
	rc = setup_settings(&t, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "taskscope: %s\n", strerror(-rc));
		return TS_EXIT_FAILURE;
	}
	if (start_source(&t)) {
		tui_free(&t);
		return TS_EXIT_FAILURE;
	}
	if (o->child_log) {
		char why[160];

		if (outfile_open(o->child_log, OUTFILE_MODE_LOG, &t.logfile, why, sizeof(why))) {
			util_sanitize(o->child_log, strlen(o->child_log), ebuf, sizeof(ebuf));
			fprintf(stderr, "taskscope: cannot write to '%s': %s\n", ebuf, why);
			free(t.cols);
			return TS_EXIT_FAILURE;
		}
	}
	/* the session checks the targets with a sampler of its own (the worker's are its
	 * alone), looks up --run-as's user, and runs and follows the job */
	status = o->replay ? TS_EXIT_OK : session_open(&t.s, &cfg);
	if (status)
		goto out;
	if (o->cmd) {
		status = tui_job_start(&t);
		if (status)
			goto out;
	}
	rc = block_signals(&set);
	if (!rc) {
		t.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		t.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t.sigfd < 0 || t.wakefd < 0)
			rc = -errno;
	}
	if (!rc && !o->replay) {
		struct tuiwork_want w;

		memset(&w, 0, sizeof(w));
		w.readers = shown_readers(&t);
		w.delay = t.delay;
		w.all_threads = t.mode == LIST_THREADS || t.expand_all;
		rc = tuiwork_start(&t.work, o->target, &w, t.wakefd);
	}
	if (!rc)
		rc = screen_open(&t);
	if (rc) {
		fprintf(stderr, "taskscope: cannot start the full-screen view: %s\n",
			rc == -ENOTTY ? "unknown terminal type (see TERM), use -b" : strerror(-rc));
		status = TS_EXIT_FAILURE;
		goto finish;
	}
	if (err[0])
		tui_message(&t, "%s", err);
	loop(&t);
	screen_close();
finish:
	stuck = work_stop(&t);
	if (t.spawned) {
		tui_job_finish(&t);
		tui_job_check(&t);
		if (t.jobline[0]) {
			char *q = strstr(t.jobline, "; q quits");

			if (q)
				*q = '\0';
			fprintf(stderr, "taskscope: %s\n", t.jobline);
		}
		status = spawn_exit_code(&t.s.sp);
	} else if (t.quit_sig && status == TS_EXIT_OK) {
		status = 128 + t.quit_sig;
	}
out:
	status = o->replay ? status : session_close(&t.s, status);
	if (t.logfile && fclose(t.logfile) && status == TS_EXIT_OK) {
		fprintf(stderr, "taskscope: cannot write the job's log: %s\n", strerror(errno));
		status = TS_EXIT_FAILURE;
	}
	tui_free(&t);
	if (stuck)
		leave(status);
	return status;
}
