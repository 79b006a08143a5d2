/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tuireplay.c - the full-screen view over a recording: its samples as frames, time travel
 *
 * Instead of the worker's passes, each frame is a sample of the recording (thread rows as
 * recorded, process rows folded from them, every row with its process's last recorded
 * footprint). The reader only goes forward: the samples read last are kept in a ring, so
 * stepping back is immediate within it; further back, the reader starts over from the
 * first sample (the deltas of each sample need the one before it).
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/recording.h"
#include "view/tui.h"

#define RING 32			/* samples kept for stepping back */
#define MIN_STEP 0.02		/* seconds: the fastest pace of play */

struct ring_entry {
	unsigned long idx;
	bool used;
	const struct snapshot *th, *pr;	/* thread rows, process rows */
	double memwall;			/* the last memory sample at or before it (0: none) */
};

struct tui_replay {
	struct recording *rec;
	char shown[256];		/* the file's name, sanitized */
	char what[160];			/* what was recorded (targets, sanitized) */
	bool job;			/* a job's recording (record -- CMD) */
	double *all;			/* each sample's wall clock time */
	/* the samples shown (--from, --to): all[base] on, n of them; positions (pos, the
	 * keys' indexes) count from base, the reader's (next, ring idx) from the first */
	double *times;
	size_t n, base;
	bool ranged;			/* --from or --to given */
	bool cut_start, cut_end;	/* samples before, after the range left out */
	unsigned long next;		/* the index recording_next gives next */
	const struct snapshot *prev_pr;	/* the reader's last process rows (their deltas) */
	double memwall;			/* the reader's last memory sample */
	struct ring_entry ring[RING];
	unsigned long pos;		/* the sample shown */
	bool playing;
	int pace;			/* play at 2^pace times the recorded pace */
	double due;			/* monotonic time of the next step while playing */
};

static void ring_clear(struct tui_replay *rp)
{
	for (size_t i = 0; i < RING; i++) {
		snapshot_put(rp->ring[i].th);
		snapshot_put(rp->ring[i].pr);
		memset(&rp->ring[i], 0, sizeof(rp->ring[i]));
	}
}

/* Read the next sample into the ring: 0, -ENODATA at the end, or -errno. */
static int read_next(struct tui_replay *rp)
{
	const struct snapshot *sn, *mem, *pr;
	struct ring_entry *e;
	int rc = recording_next(rp->rec, &sn, &mem);

	if (rc)
		return rc;
	rc = recording_fold(sn, rp->prev_pr, &pr);
	if (rc)
		return rc;
	snapshot_put(rp->prev_pr);
	rp->prev_pr = snapshot_hold(pr);
	if (mem)
		rp->memwall = sn->wall;
	e = &rp->ring[rp->next % RING];
	snapshot_put(e->th);
	snapshot_put(e->pr);
	*e = (struct ring_entry){ .idx = rp->next, .used = true, .th = snapshot_hold(sn),
				  .pr = pr, .memwall = rp->memwall };
	rp->next++;
	return 0;
}

static void rewind_all(struct tui_replay *rp)
{
	recording_rewind(rp->rec);
	ring_clear(rp);
	snapshot_put(rp->prev_pr);
	rp->prev_pr = NULL;
	rp->memwall = 0;
	rp->next = 0;
}

/* The ring's entry of sample idx, reading (or starting over) as needed; NULL when the
 * recording has no such sample or cannot be read (*err says why). */
static struct ring_entry *fetch(struct tui_replay *rp, unsigned long idx, int *err)
{
	struct ring_entry *e;

	idx += rp->base;
	e = &rp->ring[idx % RING];
	*err = 0;
	if (e->used && e->idx == idx)
		return e;
	if (idx < rp->next)
		rewind_all(rp);
	while (rp->next <= idx) {
		*err = read_next(rp);
		if (*err)
			return NULL;
	}
	return &rp->ring[idx % RING];
}

/* Show sample idx (clamped to the samples there are). */
static void show(struct tui *t, unsigned long idx)
{
	struct tui_replay *rp = t->rp;
	struct tuiwork_frame *f;
	struct ring_entry *e;
	double t0 = util_monotonic();
	int err;

	if (rp->n && idx >= rp->n)
		idx = rp->n - 1;
	e = fetch(rp, idx, &err);
	if (!e && err == -ENODATA && idx && rp->next > rp->base)
		e = fetch(rp, rp->next - 1 - rp->base, &err);	/* fewer samples than counted */
	if (!e) {
		tui_message(t, "the recording cannot be read: %s",
			    *recording_error(rp->rec) ? recording_error(rp->rec) :
			    strerror(-err));
		rp->playing = false;
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return;
	rp->pos = e->idx - rp->base;
	f->procs = snapshot_hold(e->pr);
	f->threads = snapshot_hold(e->th);
	/* the rows carry their footprints: the process rows are the memory rows too */
	f->mem = snapshot_hold(e->pr);
	f->mem_all = true;
	f->all = true;
	f->nwatched = e->pr->nprocs;
	f->have_cpu = e->pr->cpu_busy >= 0;
	f->cpu_all = e->pr->cpu_busy;
	f->took = util_monotonic() - t0;
	f->seq = ++t->frames;
	tuiwork_frame_free(t->frame);
	t->frame = f;
	tui_rebuild(t);
}

/* ---- keys ---------------------------------------------------------------------------- */

/* The first sample at or after when (forward), or the last at or before it. */
static unsigned long index_at(const struct tui_replay *rp, double when, bool forward)
{
	size_t lo = 0, hi = rp->n;

	while (lo < hi) {	/* the first sample later than when */
		size_t mid = lo + (hi - lo) / 2;

		if (rp->times[mid] <= when)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (forward)
		return lo && rp->times[lo - 1] >= when ? lo - 1 : lo < rp->n ? lo : rp->n - 1;
	return lo ? lo - 1 : 0;
}

static double shown_time(const struct tui_replay *rp)
{
	return rp->pos < rp->n ? rp->times[rp->pos] : 0;
}

static void step(struct tui *t, long by)
{
	struct tui_replay *rp = t->rp;

	if (by < 0 && !rp->pos) {
		tui_message(t, "the first sample of the recording%s",
			    rp->cut_start ? " from --from" : "");
		return;
	}
	if (by > 0 && rp->pos + 1 >= rp->n) {
		tui_message(t, "the last sample of the recording%s",
			    rp->cut_end ? " up to --to" : "");
		return;
	}
	show(t, by < 0 ? rp->pos - 1 : rp->pos + 1);
}

static void jump(struct tui *t, double secs)
{
	struct tui_replay *rp = t->rp;

	if (!rp->n)
		return;
	show(t, index_at(rp, shown_time(rp) + secs, secs > 0));
}

void tui_replay_goto(struct tui *t, const char *s)
{
	struct tui_replay *rp = t->rp;
	double when;

	if (!rp->n)
		return;
	if (*s == '+' || *s == '-') {
		/* relative to the sample shown */
		char buf[72];
		double d;

		snprintf(buf, sizeof(buf), "+%s", s + 1);
		if (recording_parse_time(buf, 0, 0, &d)) {
			tui_message(t, "not a time: HH:MM[:SS], -5m, +30s, YYYY-MM-DD HH:MM");
			return;
		}
		when = shown_time(rp) + (*s == '-' ? -d : d);
	} else if (recording_parse_time(s, rp->times[0], rp->times[rp->n - 1], &when)) {
		tui_message(t, "not a time: HH:MM[:SS], -5m, +30s, YYYY-MM-DD HH:MM");
		return;
	}
	if (when < rp->times[0] - 0.5 || when > rp->times[rp->n - 1] + 0.5)
		tui_message(t, "outside the %s: it runs from its first to its last "
			    "sample (%lu)", rp->ranged ? "samples of --from/--to" : "recording",
			    (unsigned long)rp->n);
	show(t, index_at(rp, when, false));
}

static void play(struct tui *t, bool on)
{
	struct tui_replay *rp = t->rp;

	if (on && rp->pos + 1 >= rp->n) {
		tui_message(t, "the last sample of the recording%s: [ or g to go back",
			    rp->cut_end ? " up to --to" : "");
		on = false;
	}
	rp->playing = on;
	rp->due = util_monotonic();
	if (on)
		tui_replay_tick(t);
}

static void set_pace(struct tui *t, int by)
{
	struct tui_replay *rp = t->rp;

	if (rp->pace + by < -3 || rp->pace + by > 8)
		return;
	rp->pace += by;
	rp->due = util_monotonic();
}

static void start_goto(struct tui *t)
{
	t->prompt = TP_GOTO;
	t->input[0] = '\0';
	t->ninput = t->cur = 0;
	t->before[0] = '\0';
}

bool tui_replay_key(struct tui *t, int k)
{
	if (!t->rp || t->view == TV_COLUMNS || t->view == TV_SORTBY)
		return false;
	switch (k) {
	case '[':
		step(t, -1);
		break;
	case ']':
		step(t, 1);
		break;
	case '{':
		jump(t, -60);
		break;
	case '}':
		jump(t, 60);
		break;
	case 'g':
		start_goto(t);
		break;
	case ' ':
	case 'p':
		play(t, !t->rp->playing);
		break;
	case '+':
		set_pace(t, 1);
		break;
	case '-':
		set_pace(t, -1);
		break;
	case 'k':
	case KEY_F(7):
	case KEY_F(8):
	case KEY_F(9):
		tui_message(t, "a replay: the recorded tasks are not signalled or reniced");
		break;
	case 'm':
	case 's':
		tui_message(t, "not recorded: memory maps and page sharing are read live only "
			    "(taskscope maps, taskscope share)");
		break;
	case 'c':
		tui_message(t, "not recorded: the placement timeline; the CPU and AFFINITY "
			    "columns show each thread's recorded values (H: every thread)");
		break;
	case 'd':
		tui_message(t, "a replay: + and - set the pace of play");
		break;
	default:
		return false;
	}
	return true;
}

static const char *const help[] = {
	"A replay: these keys first; the keys below work as live, on the sample shown.",
	"  [, ]      one sample back, forward",
	"  {, }      a minute back, forward",
	"  g         go to a time: HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], @EPOCH, or -5m, +30s",
	"            from the sample shown",
	"  Space, p  play from the sample shown at the recorded pace, or pause",
	"  +, -      play faster, slower (x1/8 to x256)",
	"  k, F7-F9, m, s, c, d: not in a replay (nothing live to act on; maps, sharing and",
	"            the placement timeline are not recorded)",
	" ",
};

size_t tui_replay_help_count(const struct tui *t)
{
	return t->rp ? ARRAY_SIZE(help) : 0;
}

void tui_replay_help_line(size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s", i < ARRAY_SIZE(help) ? help[i] : "");
}

/* ---- play ------------------------------------------------------------------------------ */

int tui_replay_timeout(const struct tui *t)
{
	double left;

	if (!t->rp || !t->rp->playing)
		return 1000;
	left = t->rp->due - util_monotonic();
	return left <= 0 ? 0 : left >= 1 ? 1000 : (int)(left * 1000) + 1;
}

void tui_replay_tick(struct tui *t)
{
	struct tui_replay *rp = t->rp;
	double now = util_monotonic(), gap;

	if (!rp || !rp->playing || now < rp->due)
		return;
	if (rp->pos + 1 >= rp->n) {
		rp->playing = false;
		tui_message(t, "the end of the recording%s", rp->cut_end ? " up to --to" : "");
		return;
	}
	show(t, rp->pos + 1);
	if (rp->pos + 1 >= rp->n) {
		rp->playing = false;
		return;
	}
	gap = rp->times[rp->pos + 1] - rp->times[rp->pos];
	gap = rp->pace >= 0 ? gap / (double)(1 << rp->pace) : gap * (double)(1 << -rp->pace);
	rp->due = now + (gap > MIN_STEP ? gap : MIN_STEP);
}

/* ---- the header's line ----------------------------------------------------------------- */

static void clock_text(double when, char *buf, size_t len)
{
	time_t s = (time_t)when;
	struct tm tm;

	if (!localtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "@%.0f", when);
}

void tui_replay_describe(const struct tui *t, char *line, size_t len)
{
	static const char *const modes[] = {
		[LIST_NESTED] = "processes", [LIST_THREADS] = "threads", [LIST_TREE] = "tree",
	};
	const struct tui_replay *rp = t->rp;
	const struct ring_entry *e = &rp->ring[(rp->base + rp->pos) % RING];
	char when[40], pace[24], range[96] = "";
	size_t o;

	clock_text(shown_time(rp), when, sizeof(when));
	if (rp->pace >= 0)
		snprintf(pace, sizeof(pace), "x%d", 1 << rp->pace);
	else
		snprintf(pace, sizeof(pace), "x1/%d", 1 << -rp->pace);
	if (rp->ranged) {
		char a[40], b[40];

		clock_text(rp->times[0], a, sizeof(a));
		clock_text(rp->times[rp->n - 1], b, sizeof(b));
		/* the day once when both ends are on it */
		snprintf(range, sizeof(range), "  range %s to %s", a,
			 strncmp(a, b, 11) || !strchr(b, ' ') ? b : strchr(b, ' ') + 1);
	}
	o = (size_t)snprintf(line, len, "replay %s  sample %lu/%zu%s  %s %s", when, rp->pos + 1,
			     rp->n, range, rp->playing ? "PLAYING" : "PAUSED", pace);
	if (o < len && e->used && e->idx == rp->base + rp->pos && e->memwall > 0)
		o += (size_t)snprintf(line + o, len - o, "  memory of %.8s (%.1fs old)",
				      strrchr(when, ' ') ? strrchr(when, ' ') + 1 : when,
				      shown_time(rp) - e->memwall);
	else if (o < len)
		o += (size_t)snprintf(line + o, len - o, "  memory: none recorded yet");
	if (o < len)
		snprintf(line + o, len - o, "  view %s%s%s  %s  '%s'", modes[t->mode],
			 t->filter[0] ? "  filter: " : "", t->filter, rp->what, rp->shown);
}

/* ---- open and close -------------------------------------------------------------------- */

/* The samples shown: those from from to to (0: no bound), as batch replay's --from/--to. */
static int set_range(struct tui_replay *rp, double from, double to, char *why, size_t len)
{
	size_t lo = 0, hi = rp->n;

	while (from > 0 && lo < rp->n && rp->all[lo] < from)
		lo++;
	while (to > 0 && hi > lo && rp->all[hi - 1] > to)
		hi--;
	if (hi <= lo) {
		snprintf(why, len, "it has no samples between --from and --to");
		return -ENODATA;
	}
	rp->ranged = from > 0 || to > 0;
	rp->cut_start = lo > 0;
	rp->cut_end = hi < rp->n;
	rp->base = lo;
	rp->times = rp->all + lo;
	rp->n = hi - lo;
	return 0;
}

int tui_replay_open(struct tui *t, const char *path, char *why, size_t len)
{
	struct tui_replay *rp = calloc(1, sizeof(*rp));
	const char *v;
	long hz;
	double boot;
	int rc;

	if (!rp) {
		snprintf(why, len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	util_sanitize(path, strlen(path), rp->shown, sizeof(rp->shown));
	rc = recording_open(&rp->rec, path, why, len);
	if (!rc) {
		rc = recording_times(rp->rec, &rp->all, &rp->n);
		if (rc)
			snprintf(why, len, "it is damaged: %s", recording_error(rp->rec));
	}
	if (!rc && !rp->n) {
		snprintf(why, len, "it has no samples");
		rc = -ENODATA;
	}
	if (!rc)
		rc = set_range(rp, t->o->replay_from, t->o->replay_to, why, len);
	if (rc) {
		recording_close(rp->rec);
		free(rp->all);
		free(rp);
		return rc;
	}
	v = recording_meta(rp->rec, "targets");
	snprintf(rp->what, sizeof(rp->what), "%s", v ? v : "?");
	v = recording_meta(rp->rec, "command");
	rp->job = v != NULL;
	if (v)
		snprintf(rp->what, sizeof(rp->what), "job: %s", v);
	recording_clock(rp->rec, &hz, &boot);
	sampler_set_clock(hz, boot);
	/* thread rows as recorded; the process rows are folded here */
	recording_set_range(rp->rec, 0, 0, false);
	t->rp = rp;
	show(t, 0);
	if (!t->frame) {
		snprintf(why, len, "it is damaged: %s", recording_error(rp->rec));
		tui_replay_close(t);
		return -EBADMSG;
	}
	return 0;
}

bool tui_replay_all(const struct tui *t)
{
	return t->rp && !t->rp->job && !strcmp(t->rp->what, "all tasks");
}

void tui_replay_close(struct tui *t)
{
	struct tui_replay *rp = t->rp;

	if (!rp)
		return;
	ring_clear(rp);
	snapshot_put(rp->prev_pr);
	recording_close(rp->rec);
	free(rp->all);
	free(rp);
	t->rp = NULL;
}
