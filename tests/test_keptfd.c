/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_keptfd.c - unit tests of src/sample/keptfd.c: the table over many passes, the budget */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sample/keptfd.h"
#include "fixture.h"
#include "tap.h"

#define NTASKS 3000
#define LIMIT 1024		/* RLIMIT_NOFILE for the test: a budget of LIMIT - 256 */
#define PASSES 40

static int dirfd_ = -1;
static int tid_of[NTASKS + 1];	/* random distinct IDs: the table's probe runs collide */
static unsigned utime_of[NTASKS + 1];
static unsigned long long start_of[NTASKS + 1];

/* Write task t's fake stat file "t.stat" (fixed width, so a rewrite keeps its size). */
static int write_stat(int t)
{
	char name[32], buf[256];
	int fd, n;

	snprintf(name, sizeof(name), "%d.stat", tid_of[t]);
	n = snprintf(buf, sizeof(buf),
		     "%d (t%d) S 1 1 1 0 -1 0 0 0 0 0 %08u 0 0 0 20 0 1 0 %012llu 4096 1\n",
		     tid_of[t], t, utime_of[t], start_of[t]);
	fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, buf, (size_t)n, 0) != n) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

static unsigned long long rnd_state = 88172645463325252ULL;

static unsigned rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state >> 11);
}

/* Files kept by the caller (keptfd_keep): found for the same task and tag only, closed
 * otherwise, by keptfd_forget, and by a pass that does not ask for them. */
static void test_kept_files(void)
{
	struct keptfd *k;
	int base = fixture_count_fds(), fd;

	if (keptfd_new(&k)) {
		tap_ok(0, "keptfd_new for kept files");
		return;
	}
	keptfd_begin(k);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	tap_is_rc(keptfd_keep(k, 40, 41, 100, 7, fd), 0, "keptfd_keep keeps a file");
	tap_is_i64(keptfd_find(k, 41, 100, 7), fd, "found for the same task and tag");
	tap_is_rc(keptfd_find(k, 41, 100, 8), -ENOENT, "not for another tag");
	tap_is_i64(fixture_count_fds(), base, "and that closed it");
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	keptfd_keep(k, 40, 41, 100, 7, fd);
	tap_is_rc(keptfd_find(k, 41, 101, 7), -ENOENT, "not for another task of the ID");
	tap_is_i64(fixture_count_fds(), base, "and that closed it");
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	keptfd_keep(k, 40, 41, 100, 7, fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	keptfd_keep(k, 40, 41, 100, 7, fd);
	tap_is_i64(fixture_count_fds(), base + 1, "keeping another file for the ID closes the first");
	keptfd_forget(k, 41);
	tap_is_i64(fixture_count_fds(), base, "keptfd_forget closes it");
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	keptfd_keep(k, 40, 41, 100, 7, fd);
	keptfd_end(k);
	keptfd_begin(k);
	tap_is_i64(keptfd_find(k, 41, 100, 7), fd, "kept into the next pass that asks");
	keptfd_end(k);
	keptfd_begin(k);
	keptfd_end(k);
	tap_is_i64(fixture_count_fds(), base, "closed by a pass that does not ask");
	keptfd_free(k);
}

/* Two IDs with the same home in a fresh table (1024 slots: as keptfd.c hashes, the low three
 * bits of the ID and the top 7 bits of the product of the rest), and a third after them:
 * the first dropped, the others still found. */
static void test_collision(void)
{
	struct keptfd_counts kc;
	struct keptfd *k;
	int ids[3], n = 0, save[3];
	unsigned home = 0;

	for (uint32_t id = 5000; n < 3 && id < 4194304; id++) {
		unsigned h = (((uint32_t)(id >> 3) * 2654435761u) >> 25) << 3 | (id & 7);

		if (!n || h == home) {
			home = h;
			ids[n++] = (int)id;
		}
	}
	for (int i = 0; i < 3; i++) {
		save[i] = tid_of[i + 1];
		tid_of[i + 1] = ids[i];
		write_stat(i + 1);
	}
	keptfd_new(&k);
	for (int q = 0; q < 3; q++) {
		keptfd_begin(k);
		/* the dropped one last, so that it cannot fill its old slot first */
		for (int i = q == 1 ? 1 : 0; i < 3; i++) {
			struct taskfiles_stat st;
			char name[32];
			int id = ids[q == 2 ? (i + 1) % 3 : i];

			snprintf(name, sizeof(name), "%d.stat", id);
			keptfd_stat(k, dirfd_, name, 1, id, &st);
		}
		keptfd_end(k);
		keptfd_counts(k, &kc);
		if (q == 1)
			tap_ok(kc.opened == 0 && kc.open == 2, "IDs %d, %d, %d share a slot: the "
			       "first dropped, the others found (opened %zu, open %zu)", ids[0],
			       ids[1], ids[2], kc.opened, kc.open);
		if (q == 2)
			tap_ok(kc.opened == 1 && kc.open == 3, "the first found again after one "
			       "open (opened %zu, open %zu)", kc.opened, kc.open);
	}
	keptfd_free(k);
	for (int i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%d.stat", ids[i]);
		unlinkat(dirfd_, name, 0);
		tid_of[i + 1] = save[i];
	}
}

/* Runs of consecutive IDs (as a process's threads have), the same runs a multiple of the
 * table's size higher, and the last pass: every task read with the right values each pass,
 * the last pass closes every file as it reads it, and a pass after it opens them again. */
static void test_runs(void)
{
	enum { RUN = 40, NRUNS = 6 };
	int ids[RUN * NRUNS], base = fixture_count_fds(), bad = 0, open_after = -1;
	struct keptfd_counts kc;
	struct keptfd *k;
	char name[32];
	int rc;

	for (int r = 0; r < NRUNS; r++)
		for (int i = 0; i < RUN; i++)
			ids[r * RUN + i] = 70001 + (r % 3) * 500 + (r / 3) * 65536 + i;
	for (int i = 0; i < RUN * NRUNS; i++) {
		char buf[128];
		int fd, n;

		snprintf(name, sizeof(name), "%d.stat", ids[i]);
		n = snprintf(buf, sizeof(buf), "%d (r) S 1 1 1 0 -1 0 0 0 0 0 %08d 0 0 0 20 0 1 0 "
			     "%012d 4096 1\n", ids[i], i, 500 + i);
		fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, buf, (size_t)n) != n)
			bad++;
		if (fd >= 0)
			close(fd);
	}
	keptfd_new(&k);
	for (int pass = 0; pass < 4; pass++) {
		if (pass == 2)
			keptfd_last(k);
		keptfd_begin(k);
		for (int i = 0; i < RUN * NRUNS; i++) {
			struct taskfiles_stat st;

			snprintf(name, sizeof(name), "%d.stat", ids[i]);
			rc = keptfd_stat(k, dirfd_, name, 1, ids[i], &st);
			if (rc || st.pid != ids[i] || st.utime != (uint64_t)i ||
			    st.start != (uint64_t)(500 + i))
				bad++;
		}
		keptfd_end(k);
		keptfd_counts(k, &kc);
		if (kc.open != (size_t)RUN * NRUNS || kc.opened != (pass == 0 || pass == 3 ?
								    (size_t)RUN * NRUNS : 0))
			bad++;
		if (pass == 2)
			open_after = fixture_count_fds() - base;
	}
	tap_is_i64(bad, 0, "%d runs of %d consecutive IDs, some 65536 apart: each read right, "
		   "kept, counted; the pass after the last one opens them again", NRUNS, RUN);
	tap_is_i64(open_after, 0, "the last pass leaves none of its files open");
	keptfd_free(k);
	tap_is_i64(fixture_count_fds(), base, "keptfd_free after a last pass and another");
	/* a single pass that is the last (-n 1 without an interval column): keptfd_expect
	 * makes no table for it; each file is read right, closed and counted as kept */
	keptfd_new(&k);
	keptfd_last(k);
	keptfd_expect(k, RUN * NRUNS);
	keptfd_begin(k);
	bad = 0;
	for (int i = 0; i < RUN * NRUNS; i++) {
		struct taskfiles_stat st;

		snprintf(name, sizeof(name), "%d.stat", ids[i]);
		rc = keptfd_stat(k, dirfd_, name, 1, ids[i], &st);
		if (rc || st.pid != ids[i] || st.utime != (uint64_t)i)
			bad++;
	}
	keptfd_end(k);
	keptfd_counts(k, &kc);
	tap_ok(!bad && kc.open == (size_t)RUN * NRUNS && kc.opened == (size_t)RUN * NRUNS &&
	       fixture_count_fds() == base, "a single last pass: %d read right, counted as kept "
	       "(%zu) and opened (%zu), none left open", RUN * NRUNS, kc.open, kc.opened);
	keptfd_free(k);
	for (int i = 0; i < RUN * NRUNS; i++) {
		snprintf(name, sizeof(name), "%d.stat", ids[i]);
		unlinkat(dirfd_, name, 0);
	}
}

/* keptfd_upto: a pass that parses up to the start time takes a line whose later fields
 * are not the kernel's; parsing all of it again refuses it (and closes the file). */
static void test_upto(void)
{
	static const char line[] = "4243 (u) S 1 4243 4243 0 -1 4194560 12 0 3 0 7 8 0 0 20 0 1 0 "
				   "987654 x?\n";
	struct taskfiles_stat st;
	struct keptfd *k;
	int fd;

	fd = openat(dirfd_, "4243.stat", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, sizeof(line) - 1) != (ssize_t)(sizeof(line) - 1)) {
		tap_ok(false, "write 4243.stat");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	keptfd_new(&k);
	keptfd_upto(k, 22);
	keptfd_begin(k);
	tap_ok(!keptfd_stat(k, dirfd_, "4243.stat", 4243, 4243, &st) && st.start == 987654 &&
	       st.utime == 7, "keptfd_upto 22: read to the start time, what follows not checked");
	keptfd_end(k);
	keptfd_upto(k, 0);
	keptfd_begin(k);
	tap_is_rc(keptfd_reread(k, 4243, 4243, &st), -EINVAL,
		  "keptfd_upto 0: the whole line again, refused");
	tap_is_rc(keptfd_reread(k, 4243, 4243, &st), -ENOENT, "and its file closed");
	keptfd_end(k);
	keptfd_free(k);
	unlinkat(dirfd_, "4243.stat", 0);
}

/* keptfd_reread reads kept files only; keptfd_members finds each process's entries, first
 * and last processes included, and none for a process not among them. */
static void test_members(void)
{
	static const struct keptfd_member v[] = {
		{ 3, 3, 0 }, { 3, 9, 0 }, { 7, 2, 0 }, { 7, 7, 0 }, { 7, 8, 0 }, { 12, 12, 0 },
	};
	static const pid_t asked[] = { 1, 3, 5, 7, 12, 13 };
	static const size_t want[] = { 0, 2, 0, 3, 1, 0 }, first[] = { 0, 0, 0, 2, 5, 0 };
	struct keptfd_member *m = malloc(sizeof(v));
	struct taskfiles_stat st;
	struct keptfd *k;
	char name[32];
	int bad = 0;

	keptfd_new(&k);
	if (!m) {
		tap_ok(false, "malloc");
		keptfd_free(k);
		return;
	}
	memcpy(m, v, sizeof(v));
	keptfd_members_set(k, m, sizeof(v) / sizeof(v[0]));
	for (size_t i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		size_t n;
		const struct keptfd_member *got = keptfd_members(k, asked[i], &n);

		if (n != want[i] || (n && got != m + first[i]) || (!n && got))
			bad++;
	}
	tap_is_i64(bad, 0, "keptfd_members: each process's entries, none for others");
	keptfd_begin(k);
	tap_is_rc(keptfd_reread(k, 1, tid_of[1], &st), -ENOENT,
		  "keptfd_reread of a task without a kept file: -ENOENT, nothing opened");
	snprintf(name, sizeof(name), "%d.stat", tid_of[1]);
	keptfd_stat(k, dirfd_, name, 1, tid_of[1], &st);
	tap_ok(!keptfd_reread(k, 1, tid_of[1], &st) && st.pid == tid_of[1] &&
	       st.utime == utime_of[1], "keptfd_reread of a kept file: its current values");
	start_of[1] += 7;
	write_stat(1);
	tap_is_rc(keptfd_reread(k, 1, tid_of[1], &st), -ESRCH,
		  "keptfd_reread of a file that now shows another start time: -ESRCH");
	tap_is_rc(keptfd_reread(k, 1, tid_of[1], &st), -ENOENT, "and the file is closed");
	keptfd_end(k);
	keptfd_members_set(k, NULL, 0);
	keptfd_free(k);
}

int main(void)
{
	char tmpl[] = "/tmp/test_keptfd.XXXXXX", name[32];
	struct rlimit rl = { LIMIT, LIMIT };
	struct keptfd_counts kc;
	struct keptfd *k;
	static bool in[NTASKS + 1];
	int base, bad_reads = 0, bad_counts = 0, bad_fds = 0, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmpl))
		return tap_skip_all("mkdtemp: %s", strerror(errno));
	dirfd_ = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_ < 0)
		return tap_skip_all("open %s: %s", tmpl, strerror(errno));
	for (int t = 1; t <= NTASKS; t++) {
		/* distinct: t in the low bits */
		tid_of[t] = (int)(((rnd() % 1024) << 12) | (unsigned)t);
		utime_of[t] = rnd() % 100000;
		start_of[t] = 1000 + (unsigned long long)t;
		if (write_stat(t))
			return tap_skip_all("cannot write the fake stat files in %s", tmpl);
	}
	/* a limit of our own (soft = hard): keptfd_new cannot raise it, the budget is known */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return tap_skip_all("setrlimit: %s", strerror(errno));
	base = fixture_count_fds();
	tap_is_rc(keptfd_new(&k), 0, "keptfd_new");
	for (int p = 0; p < PASSES; p++) {
		size_t want = 0;

		/* a different two thirds of the tasks each pass; some values change, some tasks
		 * get another start time (a reused ID: the kept file must not be trusted) */
		for (int t = 1; t <= NTASKS; t++) {
			in[t] = rnd() % 3 != 0;
			if (rnd() % 4 == 0) {
				utime_of[t] = rnd() % 100000;
				if (rnd() % 8 == 0)
					start_of[t] += 100000;
				write_stat(t);
			}
		}
		keptfd_begin(k);
		for (int t = 1; t <= NTASKS; t++) {
			struct taskfiles_stat st;

			if (!in[t])
				continue;
			want++;
			snprintf(name, sizeof(name), "%d.stat", tid_of[t]);
			rc = keptfd_stat(k, dirfd_, name, 1, tid_of[t], &st);
			if (rc || st.pid != tid_of[t] || st.utime != utime_of[t] || st.start != start_of[t])
				bad_reads++;
		}
		keptfd_end(k);
		keptfd_counts(k, &kc);
		if (kc.open > LIMIT - KEPTFD_MARGIN || kc.open + kc.fallback != want ||
		    kc.budget != LIMIT - KEPTFD_MARGIN)
			bad_counts++;
		if (fixture_count_fds() != base + (int)kc.open)
			bad_fds++;
	}
	tap_is_i64(bad_reads, 0, "%d passes over a changing two thirds of %d tasks: every read "
		   "gives the file's current values", PASSES, NTASKS);
	tap_is_i64(bad_counts, 0, "at most the budget (%d) kept, kept + fallback = the pass's "
		   "tasks", LIMIT - KEPTFD_MARGIN);
	tap_is_i64(bad_fds, 0, "the descriptors open are the kept ones (files of tasks not in a "
		   "pass closed)");
	/* the same tasks again: every one found in the table, none opened; then a pass over
	 * every other one (the rest dropped: entries move back in the table), and all again */
	keptfd_begin(k);
	keptfd_end(k);		/* a pass that finds no task: every file closed */
	keptfd_counts(k, &kc);
	tap_ok(kc.open == 0 && fixture_count_fds() == base,
	       "a pass without tasks closes every file");
	for (int round = 0; round < 3; round++) {
		size_t opened[3];

		for (int q = 0; q < 3; q++) {
			keptfd_begin(k);
			/* the last pass backwards: the dropped ones cannot fill their old
			 * slots before the kept ones behind them are looked up */
			for (int i = 0; i < (q == 1 ? 300 : 600); i++) {
				int t = q == 0 ? 1 + round + i : q == 1 ? 1 + round + 2 * i
								     : 600 + round - i;
				struct taskfiles_stat st;

				snprintf(name, sizeof(name), "%d.stat", tid_of[t]);
				keptfd_stat(k, dirfd_, name, 1, tid_of[t], &st);
			}
			keptfd_end(k);
			keptfd_counts(k, &kc);
			opened[q] = kc.opened;
		}
		tap_ok(opened[1] == 0 && opened[2] == 300,
		       "round %d: 600 tasks kept, the same and every other one re-read without an "
		       "open, the 300 dropped opened again (opened %zu, %zu)", round, opened[1],
		       opened[2]);
	}
	keptfd_begin(k);
	for (int t = 1; t <= NTASKS; t++) {
		struct taskfiles_stat st;

		snprintf(name, sizeof(name), "%d.stat", tid_of[t]);
		keptfd_stat(k, dirfd_, name, 1, tid_of[t], &st);
	}
	keptfd_end(k);
	keptfd_counts(k, &kc);
	tap_is_u64(kc.open, LIMIT - KEPTFD_MARGIN, "a pass over every task fills the budget");
	tap_is_u64(kc.fallback, NTASKS - (LIMIT - KEPTFD_MARGIN), "the rest read and closed");
	{
		struct taskfiles_stat st;

		snprintf(name, sizeof(name), "%d.stat", tid_of[1]);
		tap_is_rc(keptfd_stat(k, dirfd_, name, 2, tid_of[1], &st), 0,
			  "a kept TID seen in another process is opened again");
		tap_is_rc(keptfd_stat(k, dirfd_, name, 1, tid_of[NTASKS], &st), -ESRCH,
			  "a file of another TID than asked is not taken");
	}
	keptfd_free(k);
	tap_is_i64(fixture_count_fds(), base, "keptfd_free closes every kept file");
	test_collision();
	test_runs();
	test_upto();
	test_kept_files();
	test_members();
	for (int t = 1; t <= NTASKS; t++) {
		snprintf(name, sizeof(name), "%d.stat", tid_of[t]);
		unlinkat(dirfd_, name, 0);
	}
	close(dirfd_);
	rmdir(tmpl);
	return tap_done();
}
