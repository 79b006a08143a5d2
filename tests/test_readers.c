/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_readers.c - unit tests of src/sample/taskfiles.c on the fake /proc tree in fixtures */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/procmap.h"
#include "sample/procmount.h"
#include "sample/sysinfo.h"
#include "sample/taskfiles.h"
#include "sample/threads.h"
#include "sample/proc2.h"
#include "fixture.h"
#include "tap.h"

static int fixfd = -1;		/* the fixtures directory */

/* ---- taskfiles_parse_stat ---------------------------------------------------------------- */

/* The numbers of fixtures/stat/normal.stat, a real /proc/self/stat of a python3 process:
 * 9401 (python3) R 9399 9399 7620 0 -1 4194304 2881 6548 3 1 23 7 2 6 20 0 1 0 63415
 * 16977920 3311 18446744073709551615 ... 17 1 0 0 0 0 0 ... 0 */
static void check_normal_fields(const struct taskfiles_stat *st, const char *what)
{
	tap_is_i64(st->pid, 9401, "%s: pid", what);
	tap_is_i64(st->state, 'R', "%s: state", what);
	tap_is_i64(st->ppid, 9399, "%s: ppid (field 4)", what);
	tap_is_u64(st->flags, 4194304, "%s: flags (field 9)", what);
	tap_is_u64(st->minflt, 2881, "%s: minflt (field 10)", what);
	tap_is_u64(st->majflt, 3, "%s: majflt (field 12)", what);
	tap_is_u64(st->utime, 23, "%s: utime (field 14)", what);
	tap_is_u64(st->stime, 7, "%s: stime (field 15)", what);
	tap_is_i64(st->prio, 20, "%s: prio (field 18)", what);
	tap_is_i64(st->nice, 0, "%s: nice (field 19)", what);
	tap_is_i64(st->nlwp, 1, "%s: num_threads (field 20)", what);
	tap_is_u64(st->start, 63415, "%s: starttime (field 22)", what);
	tap_is_u64(st->vsize, 16977920, "%s: vsize (field 23)", what);
	tap_is_u64(st->rss_pages, 3311, "%s: rss pages (field 24)", what);
	tap_is_i64(st->cpu, 1, "%s: processor (field 39)", what);
	tap_is_u64(st->policy, 0, "%s: policy (field 41)", what);
}

static int parse_fixture(const char *rel, struct taskfiles_stat *st)
{
	size_t len;
	char *buf = fixture_slurp(fixfd, rel, &len);
	int rc;

	if (!buf)
		return -999;
	rc = taskfiles_parse_stat(buf, len, st);
	free(buf);
	return rc;
}

/* A fixture whose comm is hostile but whose other fields are those of normal.stat. */
static void stat_comm(const char *rel, const char *comm, size_t commlen)
{
	struct taskfiles_stat st;
	int rc = parse_fixture(rel, &st);

	if (!tap_is_rc(rc, 0, "parse_stat %s", rel))
		return;
	tap_is_mem(st.comm, strlen(st.comm), comm, commlen, "%s: comm bytes", rel);
	check_normal_fields(&st, rel);
}

static void stat_bad(const char *rel, int want)
{
	struct taskfiles_stat st;
	int rc = parse_fixture(rel, &st);

	tap_is_rc(rc, want, "parse_stat %s rejected", rel);
}

static void test_parse_stat(void)
{
	struct taskfiles_stat st;
	size_t len;
	char *buf;
	int rc;

	rc = parse_fixture("stat/normal.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/normal.stat")) {
		tap_is_str(st.comm, "python3", "normal.stat: comm");
		check_normal_fields(&st, "normal.stat");
	}

	/* the same lines without their newline: the byte after len is a digit that must not
	 * be read as part of the last field */
	buf = fixture_slurp(fixfd, "stat/normal.stat", &len);
	if (buf && len > 1 && buf[len - 1] == '\n') {
		buf[len - 1] = '7';
		rc = taskfiles_parse_stat(buf, len - 1, &st);
		if (tap_is_rc(rc, 0, "parse_stat of normal.stat without its newline"))
			check_normal_fields(&st, "normal.stat without newline");
	} else {
		tap_ok(false, "normal.stat ends with a newline");
	}
	free(buf);
	buf = fixture_slurp(fixfd, "stat/short-24.stat", &len);
	if (buf && len > 1 && buf[len - 1] == '\n') {
		buf[len - 1] = '7';
		rc = taskfiles_parse_stat(buf, len - 1, &st);
		if (tap_is_rc(rc, 0, "parse_stat of short-24.stat without its newline"))
			tap_is_u64(st.rss_pages, 3311, "short-24 without newline: rss, the last "
				   "field, ends at len");
	} else {
		tap_ok(false, "short-24.stat ends with a newline");
	}
	free(buf);

	/* a SCHED_FIFO task at rtprio 50 (chrt -f 50): prio -51, policy 1 */
	rc = parse_fixture("stat/rt-fifo.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/rt-fifo.stat")) {
		tap_is_i64(st.pid, 9086, "rt-fifo: pid");
		tap_is_str(st.comm, "cat", "rt-fifo: comm");
		tap_is_i64(st.prio, -51, "rt-fifo: negative prio -51");
		tap_is_i64(st.nice, 0, "rt-fifo: nice");
		tap_is_u64(st.policy, 1, "rt-fifo: policy SCHED_FIFO");
		tap_is_i64(st.cpu, 0, "rt-fifo: processor");
		tap_is_u64(st.minflt, 172, "rt-fifo: minflt");
		tap_is_u64(st.majflt, 1, "rt-fifo: majflt");
		tap_is_u64(st.start, 61874, "rt-fifo: starttime");
		tap_is_u64(st.vsize, 3133440, "rt-fifo: vsize");
		tap_is_u64(st.rss_pages, 376, "rt-fifo: rss");
		tap_is_u64(st.flags, 4194560, "rt-fifo: flags");
	}

	/* a kernel worker: long comm (more than TASK_COMM_LEN), nice -20, PF_KTHREAD */
	rc = parse_fixture("stat/kworker.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/kworker.stat")) {
		tap_is_i64(st.pid, 10, "kworker: pid");
		tap_is_str(st.comm, "kworker/0:0H-kblockd", "kworker: 20-byte comm kept whole");
		tap_is_i64(st.state, 'I', "kworker: state I");
		tap_is_i64(st.ppid, 2, "kworker: ppid kthreadd");
		tap_is_u64(st.flags, 69238880, "kworker: flags");
		tap_ok(st.flags & 0x00200000, "kworker: PF_KTHREAD set in flags");
		tap_is_i64(st.prio, 0, "kworker: prio");
		tap_is_i64(st.nice, -20, "kworker: nice -20");
		tap_is_u64(st.stime, 1, "kworker: stime");
		tap_is_u64(st.start, 14, "kworker: starttime");
		tap_is_u64(st.vsize, 0, "kworker: vsize 0");
	}

	/* hostile comms: everything after the comm must still be read right */
	stat_comm("stat/comm-paren.stat", "x) R 1 (y", 9);
	stat_comm("stat/comm-newline.stat", "a\nb c", 5);
	stat_comm("stat/comm-esc.stat", "\x1b[31mred\x07", 9);
	stat_comm("stat/comm-spaces.stat", "my (odd) app", 12);
	stat_comm("stat/comm-long.stat",
		  "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL", 63);

	/* short lines: 24 fields (up to rss) are needed; cpu and policy only when present */
	stat_bad("stat/short-20.stat", -EINVAL);
	stat_bad("stat/short-23.stat", -EINVAL);
	rc = parse_fixture("stat/short-24.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/short-24.stat (ends at rss)")) {
		tap_is_u64(st.rss_pages, 3311, "short-24: rss is the last field, not read past");
		tap_is_i64(st.cpu, -1, "short-24: cpu -1 when absent");
		tap_is_u64(st.vsize, 16977920, "short-24: vsize");
	}
	rc = parse_fixture("stat/short-30.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/short-30.stat"))
		tap_is_i64(st.cpu, -1, "short-30: cpu -1 when absent");
	rc = parse_fixture("stat/short-38.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/short-38.stat"))
		tap_is_i64(st.cpu, -1, "short-38: cpu -1 when field 39 is absent");
	rc = parse_fixture("stat/short-39.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/short-39.stat"))
		tap_is_i64(st.cpu, 1, "short-39: cpu read from the last field");
	rc = parse_fixture("stat/rt-short-40.stat", &st);
	if (tap_is_rc(rc, 0, "parse_stat stat/rt-short-40.stat")) {
		tap_is_u64(st.policy, 0, "rt-short-40: policy 0 when field 41 is absent");
		tap_is_i64(st.prio, -51, "rt-short-40: prio");
		tap_is_i64(st.cpu, 0, "rt-short-40: cpu");
	}

	/* broken lines */
	stat_bad("stat/overflow.stat", -ERANGE);
	stat_bad("stat/neg-overflow.stat", -ERANGE);
	stat_bad("stat/badfield.stat", -EINVAL);
	stat_bad("stat/no-close.stat", -EINVAL);
	stat_bad("stat/empty.stat", -EINVAL);
	stat_bad("status/self.status", -EINVAL);
	rc = taskfiles_parse_stat("9401 (python3)", 14, &st);
	tap_is_rc(rc, -EINVAL, "parse_stat of a line that ends after the comm");
	rc = taskfiles_parse_stat("(python3) R 1", 13, &st);
	tap_is_rc(rc, -EINVAL, "parse_stat of a line without a pid");
	rc = taskfiles_parse_stat("", 0, &st);
	tap_is_rc(rc, -EINVAL, "parse_stat of zero bytes");
}

/* Numbers of every length in the fields the parser keeps: utime (14) and vsize (23) take
 * each text; the value read must be the text's, or the error a 20-digit overflow gives. */
static void test_parse_stat_numbers(void)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "7", 0, 7 }, { "42", 0, 42 }, { "1234567", 0, 1234567 },
		{ "12345678", 0, 12345678 }, { "123456789", 0, 123456789 },
		{ "1234567890", 0, 1234567890ULL }, { "12345678901", 0, 12345678901ULL },
		{ "123456789012", 0, 123456789012ULL }, { "1234567890123", 0, 1234567890123ULL },
		{ "12345678901234", 0, 12345678901234ULL },
		{ "123456789012345", 0, 123456789012345ULL },
		{ "9876543210987654", 0, 9876543210987654ULL },
		{ "98765432109876543", 0, 98765432109876543ULL },
		{ "1234567890123456789", 0, 1234567890123456789ULL },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "00000000000000000000000000042", 0, 42 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "1234x678", -EINVAL, 0 }, { "12345678x", -EINVAL, 0 }, { "x", -EINVAL, 0 },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int field = 14; field <= 23; field += 9) {
			char line[512];
			struct taskfiles_stat st;
			int n = snprintf(line, sizeof(line), "77 (x) S 1 77 77 0 -1 4194560 1 0 0 0 "
					 "%s 5 0 0 20 0 1 0 99 %s 3 18446744073709551615 1 1 0 0 "
					 "0 0 0 0 0 0 0 0 17 1 0 0\n",
					 field == 14 ? cases[i].text : "3",
					 field == 23 ? cases[i].text : "4096");
			int rc = taskfiles_parse_stat(line, (size_t)n, &st);
			uint64_t got = field == 14 ? st.utime : st.vsize;

			if (rc != cases[i].rc || (!rc && got != cases[i].v)) {
				tap_diag("field %d \"%s\": rc %d value %llu", field, cases[i].text, rc,
					 (unsigned long long)got);
				bad++;
			}
		}
	}
	tap_is_i64(bad, 0, "parse_stat: 1 to 29 digits in two fields, each value or error exact");
}

/* The parser reads the kernel's form (single spaces, digits) by a fast way and any other
 * form field by field: the same line in both forms (a second space before every field)
 * must parse the same, values and errors, over random lines: 1 to 20 digits, signs, junk
 * and a newline or none at the end. */
static void test_parse_stat_forms(void)
{
	static unsigned long long seed = 0x2545f4914f6cdd1dULL;
	int bad = 0, valid = 0;

	for (int n = 0; n < 20000; n++) {
		char one[1024], two[1536];
		size_t l1, l2;
		struct taskfiles_stat a, b;
		int ra, rb, nf;

		l1 = (size_t)snprintf(one, sizeof(one), "%d (c o)) R", 100 + n);
		memcpy(two, one, l1);
		l2 = l1;
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		nf = 18 + (int)(seed % 40);	/* fields 4 to 21..57 */
		for (int f = 0; f < nf; f++) {
			char field[32];
			unsigned r, len;

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			r = (unsigned)(seed >> 20);
			len = 1 + r % (r % 3 ? 8 : 20);
			for (unsigned i = 0; i < len; i++)
				field[i] = (char)('0' + (seed >> (i % 60)) % 10);
			if (r % 97 == 0)
				field[0] = '-';
			if (r % 89 == 0)
				field[len - 1] = 'x';
			field[len] = '\0';
			l1 += (size_t)snprintf(one + l1, sizeof(one) - l1, " %s", field);
			l2 += (size_t)snprintf(two + l2, sizeof(two) - l2, "  %s", field);
		}
		if (n % 2) {
			one[l1++] = '\n';
			two[l2++] = '\n';
		}
		ra = taskfiles_parse_stat(one, l1, &a);
		rb = taskfiles_parse_stat(two, l2, &b);
		if (ra != rb || (!ra && memcmp(&a, &b, sizeof(a)))) {
			if (bad++ < 3)
				tap_diag("differ (%d, %d): %.*s", ra, rb, (int)l1, one);
		}
		valid += !ra;
	}
	tap_is_i64(bad, 0, "parse_stat: 20,000 random lines read the same in the kernel's form "
		   "and with double spaces (%d of them valid)", valid);
}

/* ---- taskfiles_parse_ctxsw --------------------------------------------------------------- */

static void ctxsw_fixture(const char *rel, int want, uint64_t wvol, uint64_t winvol)
{
	uint64_t vol = 0, invol = 0;
	size_t len;
	char *buf = fixture_slurp(fixfd, rel, &len);
	int rc;

	if (!buf) {
		tap_ok(false, "read %s", rel);
		return;
	}
	rc = taskfiles_parse_ctxsw(buf, len, &vol, &invol);
	free(buf);
	if (!tap_is_rc(rc, want, "parse_ctxsw %s", rel) || want)
		return;
	tap_is_u64(vol, wvol, "%s: voluntary_ctxt_switches", rel);
	tap_is_u64(invol, winvol, "%s: nonvoluntary_ctxt_switches", rel);
}

static void ctxsw_text(const char *text, int want, uint64_t wvol, uint64_t winvol,
		       const char *what)
{
	uint64_t vol = 0, invol = 0;
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	int rc;

	if (!buf) {
		tap_skip("out of memory");
		return;
	}
	memcpy(buf, text, len);
	buf[len] = '9';		/* not part of the text: must not be read */
	rc = taskfiles_parse_ctxsw(buf, len, &vol, &invol);
	free(buf);
	if (!tap_is_rc(rc, want, "parse_ctxsw: %s", what) || want)
		return;
	tap_ok(vol == wvol && invol == winvol, "parse_ctxsw: %s: %" PRIu64 "/%" PRIu64
	       " (expected %" PRIu64 "/%" PRIu64 ")", what, vol, invol, wvol, winvol);
}

static void test_parse_ctxsw(void)
{
	ctxsw_fixture("status/self.status", 0, 16, 8);
	ctxsw_fixture("status/no-nonvol.status", -EINVAL, 0, 0);
	ctxsw_fixture("status/garbage.status", -EINVAL, 0, 0);
	ctxsw_fixture("stat/normal.stat", -EINVAL, 0, 0);
	ctxsw_fixture("stat/empty.stat", -EINVAL, 0, 0);

	ctxsw_text("voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\n", 0, 5, 6,
		   "both lines");
	ctxsw_text("nonvoluntary_ctxt_switches:\t6\nvoluntary_ctxt_switches:\t5\n", 0, 5, 6,
		   "lines in the other order");
	ctxsw_text("voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6", 0, 5, 6,
		   "no newline at the end, not NUL-terminated");
	ctxsw_text("voluntary_ctxt_switches:\t18446744073709551615\n"
		   "nonvoluntary_ctxt_switches:\t0\n", 0, UINT64_MAX, 0, "UINT64_MAX");
	ctxsw_text("voluntary_ctxt_switches:\t18446744073709551616\n"
		   "nonvoluntary_ctxt_switches:\t0\n", -EINVAL, 0, 0, "2^64 overflows");
	ctxsw_text("voluntary_ctxt_switches:\t5\n", -EINVAL, 0, 0, "only the voluntary line");
	ctxsw_text("voluntary_ctxt_switches:\t\nnonvoluntary_ctxt_switches:\t6\n", -EINVAL, 0, 0,
		   "empty value");
	ctxsw_text("voluntary_ctxt_switches:\t-5\nnonvoluntary_ctxt_switches:\t6\n", -EINVAL, 0, 0,
		   "negative value");
	ctxsw_text("voluntary_ctxt_switches:\t5 \nnonvoluntary_ctxt_switches:\t6\n", -EINVAL, 0, 0,
		   "trailing space");
	ctxsw_text("Xvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\n", -EINVAL, 0, 0,
		   "key must start the line");
}

/* ---- the fake tree: taskfiles_open_task / _read / _thread_stat / _ctxsw ------------------ */

/* The stat line of fixtures/proc/4242/task/4243/stat, byte for byte. */
static const char stat_4243[] =
	"4243 (x) R 1 (y) S 4240 4240 4200 0 -1 4194368 3 6539 0 0 0 0 4 3 20 0 2 0 62082 "
	"92479488 3338 18446744073709551615 94620928671744 94620928672085 140724192325520 0 0 "
	"0 0 16781312 2 1 0 0 -1 0 0 0 0 0 0 94620928683440 94620928684056 94621182537728 "
	"140724192327842 140724192327885 140724192327885 140724192329679 0\n";

static void test_read(int rootfd)
{
	char buf[4096];
	size_t len, slen = sizeof(stat_4243) - 1;
	int dfd, rc;

	dfd = taskfiles_open_task(rootfd, 4242, 4243);
	if (!tap_ok(dfd >= 0, "open_task 4242/task/4243 (rc %d %s)", dfd, tap_errname(dfd)))
		return;
	tap_ok(fcntl(dfd, F_GETFD) & FD_CLOEXEC, "open_task gives a close-on-exec fd");

	memset(buf, 'Z', sizeof(buf));
	rc = taskfiles_read(dfd, "stat", buf, sizeof(buf), &len);
	tap_is_rc(rc, 0, "read stat of 4243");
	tap_is_mem(buf, len, stat_4243, slen, "read stat of 4243: bytes");
	tap_ok(buf[len] == '\0', "read NUL-terminates");

	/* the cap boundary: cap-1 bytes of data must fit exactly, one less is too big */
	memset(buf, 'Z', sizeof(buf));
	rc = taskfiles_read(dfd, "stat", buf, slen + 1, &len);
	tap_is_rc(rc, 0, "read with cap = size + 1 fits");
	tap_is_u64(len, slen, "read with cap = size + 1: length");
	memset(buf, 'Z', sizeof(buf));
	rc = taskfiles_read(dfd, "stat", buf, slen, &len);
	tap_is_rc(rc, -EFBIG, "read with cap = size is too big");
	tap_is_u64(len, slen - 1, "read with cap = size keeps cap-1 bytes");
	tap_ok(buf[slen - 1] == '\0' && buf[slen] == 'Z', "read with cap = size: NUL at cap-1, "
	       "nothing written past cap");
	tap_is_mem(buf, len, stat_4243, slen - 1, "read with cap = size: the start of the file");
	rc = taskfiles_read(dfd, "status", buf, 64, &len);
	tap_is_rc(rc, -EFBIG, "read status (1423 bytes) into 64 bytes");
	tap_is_u64(len, 63, "read status into 64 bytes: length 63");
	tap_is_mem(buf, 10, "Name:\tx) R", 10, "read status into 64 bytes: the first line");
	rc = taskfiles_read(dfd, "status", buf, 2, &len);
	tap_is_rc(rc, -EFBIG, "read into 2 bytes");
	tap_ok(len == 1 && buf[0] == 'N' && buf[1] == '\0', "read into 2 bytes gives \"N\"");
	rc = taskfiles_read(dfd, "status", buf, 1, &len);
	tap_is_rc(rc, -EINVAL, "read into 1 byte is a caller error");
	rc = taskfiles_read(dfd, "stat", buf, sizeof(buf), NULL);
	tap_is_rc(rc, 0, "read with len == NULL");

	rc = taskfiles_read(dfd, "nosuchfile", buf, sizeof(buf), &len);
	tap_is_rc(rc, -ENOENT, "read of a missing file");
	close(dfd);

	dfd = taskfiles_open_task(rootfd, 4242, 4299);
	tap_is_rc(dfd, -ENOENT, "open_task of a missing thread");
	if (dfd >= 0)
		close(dfd);
	dfd = taskfiles_open_task(rootfd, 4243, 4243);
	tap_is_rc(dfd, -ENOENT, "open_task of a thread under the wrong process");
	if (dfd >= 0)
		close(dfd);
	dfd = taskfiles_open_task(rootfd, 5000, 5000);
	tap_is_rc(dfd, -ENOENT, "open_task of a missing process");
	if (dfd >= 0)
		close(dfd);
}

static void test_thread_stat(int rootfd)
{
	struct taskfiles_stat st;
	uint64_t vol, invol;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = taskfiles_thread_stat(rootfd, 4242, 4242, 62067, &st);
	if (tap_is_rc(rc, 0, "thread_stat 4242/4242 at start 62067")) {
		tap_is_i64(st.pid, 4242, "4242: pid");
		tap_is_str(st.comm, "python3", "4242: comm");
		tap_is_i64(st.state, 'R', "4242: state");
		tap_is_i64(st.ppid, 4240, "4242: ppid");
		tap_is_u64(st.minflt, 2855, "4242: minflt");
		tap_is_u64(st.utime, 6, "4242: utime");
		tap_is_i64(st.nlwp, 2, "4242: num_threads");
		tap_is_u64(st.rss_pages, 3338, "4242: rss");
		tap_is_i64(st.cpu, 1, "4242: processor");
	}
	rc = taskfiles_thread_stat(rootfd, 4242, 4243, 62082, &st);
	if (tap_is_rc(rc, 0, "thread_stat 4242/4243 at start 62082")) {
		tap_is_i64(st.pid, 4243, "4243: pid");
		tap_is_str(st.comm, "x) R 1 (y", "4243: comm split at the last ')'");
		tap_is_i64(st.state, 'S', "4243: state");
		tap_is_i64(st.ppid, 4240, "4243: ppid");
		tap_is_u64(st.minflt, 3, "4243: minflt");
		tap_is_u64(st.start, 62082, "4243: starttime");
		tap_is_i64(st.cpu, 0, "4243: processor (after exit_signal -1)");
	}
	rc = taskfiles_thread_stat(rootfd, 4242, 4244, 62090, &st);
	if (tap_is_rc(rc, 0, "thread_stat 4242/4244 at start 62090")) {
		tap_is_str(st.comm, "\x1b[2J\nevil\x07", "4244: comm with ESC, newline and BEL");
		tap_is_i64(st.state, 'S', "4244: state");
		tap_is_u64(st.vsize, 92479488, "4244: vsize");
	}

	/* identity: the TID now names a task that started at another time */
	rc = taskfiles_thread_stat(rootfd, 4242, 4243, 62081, &st);
	tap_is_rc(rc, -ESRCH, "thread_stat 4243 with a wrong start time");
	rc = taskfiles_thread_stat(rootfd, 4242, 4244, 62082, &st);
	tap_is_rc(rc, -ESRCH, "thread_stat 4244 with 4243's start time");
	rc = taskfiles_thread_stat(rootfd, 4242, 4242, 0, &st);
	tap_is_rc(rc, -ESRCH, "thread_stat 4242 with start time 0");
	rc = taskfiles_thread_stat(rootfd, 4242, 4299, 62067, &st);
	tap_is_rc(rc, -ENOENT, "thread_stat of a missing thread");
	rc = taskfiles_thread_stat(rootfd, 5000, 5000, 62067, &st);
	tap_is_rc(rc, -ENOENT, "thread_stat of a missing process");

	vol = invol = 0;
	rc = taskfiles_ctxsw(rootfd, 4242, 4242, 62067, &vol, &invol);
	if (tap_is_rc(rc, 0, "ctxsw 4242/4242")) {
		tap_is_u64(vol, 116, "4242: voluntary switches");
		tap_is_u64(invol, 28, "4242: involuntary switches");
	}
	rc = taskfiles_ctxsw(rootfd, 4242, 4243, 62082, &vol, &invol);
	if (tap_is_rc(rc, 0, "ctxsw 4242/4243")) {
		tap_is_u64(vol, 41, "4243: voluntary switches");
		tap_is_u64(invol, 3, "4243: involuntary switches");
	}
	rc = taskfiles_ctxsw(rootfd, 4242, 4244, 62090, &vol, &invol);
	tap_is_rc(rc, -EINVAL, "ctxsw 4244: its status has no nonvoluntary line");
	rc = taskfiles_ctxsw(rootfd, 4242, 4243, 62067, &vol, &invol);
	tap_is_rc(rc, -ESRCH, "ctxsw 4243 with a wrong start time");
	rc = taskfiles_ctxsw(rootfd, 4242, 4299, 62067, &vol, &invol);
	tap_is_rc(rc, -ENOENT, "ctxsw of a missing thread");

	/* per process: the sum over the threads whose status has both counters
	 * (4242: 116/28, 4243: 41/3; 4244 lacks the nonvoluntary line and is left out) */
	vol = invol = 0;
	rc = taskfiles_ctxsw_process(rootfd, 4242, 62067, &vol, &invol);
	if (tap_is_rc(rc, 0, "ctxsw_process 4242")) {
		tap_is_u64(vol, 116 + 41, "process 4242: voluntary switches summed");
		tap_is_u64(invol, 28 + 3, "process 4242: involuntary switches summed");
	}
	rc = taskfiles_ctxsw_process(rootfd, 4242, 62082, &vol, &invol);
	tap_is_rc(rc, -ESRCH, "ctxsw_process 4242 with a wrong start time");
	rc = taskfiles_ctxsw_process(rootfd, 5000, 62067, &vol, &invol);
	tap_is_rc(rc, -ENOENT, "ctxsw_process of a missing process");
}

static void test_avail(void)
{
	tap_is_i64(taskfiles_avail(0), TS_OK, "avail(0) is ok");
	tap_is_i64(taskfiles_avail(-EACCES), TS_DENIED, "avail(-EACCES) is denied");
	tap_is_i64(taskfiles_avail(-EPERM), TS_DENIED, "avail(-EPERM) is denied");
	tap_is_i64(taskfiles_avail(-ENOENT), TS_GONE, "avail(-ENOENT) is gone");
	tap_is_i64(taskfiles_avail(-ESRCH), TS_GONE, "avail(-ESRCH) is gone");
	tap_is_i64(taskfiles_avail(-ENOSYS), TS_UNSUPPORTED, "avail(-ENOSYS) is unsupported");
	tap_is_i64(taskfiles_avail(-EOPNOTSUPP), TS_UNSUPPORTED,
		   "avail(-EOPNOTSUPP) is unsupported");
}

/* ---- taskfiles_affinity (live) ----------------------------------------------------------- */

struct pinned {
	int cpu;
	pid_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stage;		/* 1: thread pinned (or failed), 2: main is done */
	int err;
};

static void *pinned_thread(void *arg)
{
	struct pinned *p = arg;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(p->cpu, &one);
	pthread_mutex_lock(&p->lock);
	p->tid = gettid();
	p->err = sched_setaffinity(0, sizeof(one), &one) ? errno : 0;
	p->stage = 1;
	pthread_cond_broadcast(&p->cond);
	while (p->stage < 2)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void test_affinity(void)
{
	struct pinned p = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct cpulist cl = { 0 };
	cpu_set_t plain;
	pthread_t th;
	int rc, cpu, first = -1, same = 1;

	cpu = sched_getcpu();
	rc = taskfiles_affinity(0, &cl);
	if (tap_is_rc(rc, 0, "affinity(0)")) {
		tap_ok(cpu >= 0 && cpu < cl.ncpus && CPU_ISSET_S((size_t)cpu, cl.size, cl.set),
		       "affinity(0) contains the CPU sched_getcpu() reports (%d)", cpu);
		util_cpulist_free(&cl);
	}
	rc = taskfiles_affinity(getpid(), &cl);
	if (!tap_is_rc(rc, 0, "affinity(getpid())"))
		return;
	tap_ok(cpu >= 0 && CPU_ISSET_S((size_t)cpu, cl.size, cl.set),
	       "affinity(getpid()) contains CPU %d", cpu);
	if (sched_getaffinity(0, sizeof(plain), &plain) == 0) {
		for (int i = 0; i < CPU_SETSIZE && i < cl.ncpus; i++) {
			bool a = CPU_ISSET(i, &plain), b = CPU_ISSET_S((size_t)i, cl.size, cl.set);

			if (a && first < 0)
				first = i;
			if (a != b)
				same = 0;
		}
		tap_ok(same && CPU_COUNT(&plain) == CPU_COUNT_S(cl.size, cl.set),
		       "affinity(getpid()) equals sched_getaffinity's %d CPUs", CPU_COUNT(&plain));
	} else {
		tap_skip("sched_getaffinity with a %d-CPU mask failed: %s", CPU_SETSIZE,
			 strerror(errno));
	}
	util_cpulist_free(&cl);

	/* a thread pinned to one CPU: its TID's affinity is that CPU alone */
	if (first < 0) {
		tap_skip("no CPU below %d in our affinity to pin a thread to", CPU_SETSIZE);
	} else {
		p.cpu = first;
		if (pthread_create(&th, NULL, pinned_thread, &p)) {
			tap_skip("pthread_create failed");
		} else {
			pthread_mutex_lock(&p.lock);
			while (p.stage < 1)
				pthread_cond_wait(&p.cond, &p.lock);
			pthread_mutex_unlock(&p.lock);
			if (p.err) {
				tap_skip("cannot pin a thread to CPU %d: %s", first, strerror(p.err));
			} else {
				rc = taskfiles_affinity(p.tid, &cl);
				if (tap_is_rc(rc, 0, "affinity(tid of a pinned thread)")) {
					tap_ok(CPU_COUNT_S(cl.size, cl.set) == 1 &&
					       CPU_ISSET_S((size_t)first, cl.size, cl.set),
					       "pinned thread's affinity is exactly CPU %d "
					       "(count %d)", first, CPU_COUNT_S(cl.size, cl.set));
					util_cpulist_free(&cl);
				}
			}
			pthread_mutex_lock(&p.lock);
			p.stage = 2;
			pthread_cond_broadcast(&p.cond);
			pthread_mutex_unlock(&p.lock);
			pthread_join(th, NULL);
		}
	}

	rc = taskfiles_affinity(INT_MAX, &cl);
	tap_is_rc(rc, -ESRCH, "affinity of a TID that cannot exist");
	if (rc == 0)
		util_cpulist_free(&cl);
}

/* ---- taskfiles_parse_tgid / taskfiles_tgid ------------------------------------------------ */
static void test_tgid(int rootfd)
{
	static const char ok[] = "Name:\tx\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\n";
	static const char noline[] = "Name:\tx\nPid:\t4243\n";
	static const char bad[] = "Name:\tx\nTgid:\t42x\n";
	static const char zero[] = "Name:\tx\nTgid:\t0\n";
	/* a hostile name cannot fake the field: the kernel escapes its newline in Name */
	static const char fake[] = "Name:\tx\\nTgid:\t1\nTgid:\t777\n";
	pid_t tg = -1;

	tap_is_rc(taskfiles_parse_tgid(ok, sizeof(ok) - 1, &tg), 0, "parse_tgid: real status");
	tap_is_i64(tg, 4242, "parse_tgid: value");
	tap_is_rc(taskfiles_parse_tgid(noline, sizeof(noline) - 1, &tg), -EINVAL,
		  "parse_tgid: no Tgid line");
	tap_is_rc(taskfiles_parse_tgid(bad, sizeof(bad) - 1, &tg), -EINVAL,
		  "parse_tgid: garbage after the number");
	tap_is_rc(taskfiles_parse_tgid(zero, sizeof(zero) - 1, &tg), -EINVAL,
		  "parse_tgid: 0 is no process");
	tg = -1;
	tap_is_rc(taskfiles_parse_tgid(fake, sizeof(fake) - 1, &tg), 0,
		  "parse_tgid: an escaped newline in Name is not a line start");
	tap_is_i64(tg, 777, "parse_tgid: takes the real line");
	tg = -1;
	tap_is_rc(taskfiles_tgid(rootfd, 4243, &tg), 0, "tgid of thread 4243 in the fake tree");
	tap_is_i64(tg, 4242, "thread 4243 belongs to process 4242");
	tap_is_rc(taskfiles_tgid(rootfd, 4999, &tg), -ENOENT, "tgid of a missing task");
}

/* ---- taskfiles_parse_stat_upto: the fields a thread's row in maps needs ------------------ */
static void test_parse_stat_upto(void)
{
	/* fields 1-22 as the kernel writes them, then a 20-digit rsslim and more */
	static const char line[] = "4243 (a) b) S 1 4242 4242 0 -1 4194560 1234 0 56 0 "
				   "7 8 0 0 20 0 2 0 987654 11111 222 18446744073709551615 1 2\n";
	/* the same with garbage after field 22, and cut right after it */
	static const char junk[] = "4243 (a) b) S 1 4242 4242 0 -1 4194560 1234 0 56 0 "
				   "7 8 0 0 20 0 2 0 987654 x?\n";
	static const char cut[] = "4243 (a) b) S 1 4242 4242 0 -1 4194560 1234 0 56 0 "
				  "7 8 0 0 20 0 2 0 987654\n";
	static const char short21[] = "4243 (a) b) S 1 4242 4242 0 -1 4194560 1234 0 56 0 "
				      "7 8 0 0 20 0 2 0\n";
	struct taskfiles_stat st;

	tap_is_rc(taskfiles_parse_stat_upto(line, sizeof(line) - 1, 22, &st), 0,
		  "stat_upto 22: parses");
	tap_ok(st.pid == 4243 && !strcmp(st.comm, "a) b") && st.minflt == 1234 &&
	       st.majflt == 56 && st.nlwp == 2 && st.start == 987654,
	       "stat_upto 22: pid, comm, faults, threads, start time");
	tap_ok(st.vsize == 0 && st.rss_pages == 0, "stat_upto 22: vsize and rss not read");
	tap_is_rc(taskfiles_parse_stat(line, sizeof(line) - 1, &st), 0, "the whole line parses");
	tap_ok(st.start == 987654 && st.vsize == 11111 && st.rss_pages == 222,
	       "the whole line: vsize and rss too");
	tap_is_rc(taskfiles_parse_stat_upto(junk, sizeof(junk) - 1, 22, &st), 0,
		  "stat_upto 22: what follows field 22 is not checked");
	tap_is_rc(taskfiles_parse_stat(junk, sizeof(junk) - 1, &st), -EINVAL,
		  "the whole line: the garbage is refused");
	tap_is_rc(taskfiles_parse_stat_upto(cut, sizeof(cut) - 1, 22, &st), 0,
		  "stat_upto 22: a line that ends at field 22");
	tap_is_rc(taskfiles_parse_stat(cut, sizeof(cut) - 1, &st), -EINVAL,
		  "the whole line: one that ends at field 22 is too short");
	tap_is_rc(taskfiles_parse_stat_upto(short21, sizeof(short21) - 1, 22, &st), -EINVAL,
		  "stat_upto 22: a line without field 22 is refused");
}

/* ---- procmap_parse_status: what maps takes from status -------------------------------------- */
static void test_status_id(void)
{
	/* the kernel writes a newline in a name as "\n" and a backslash as "\\" */
	static const char esc[] = "Name:\ta\\\\b\\nc)d\\t\nUmask:\t0022\nTgid:\t4242\nPid:\t4243\n"
				  "Threads:\t7\nSigQ:\t0/1\n";
	static const char nothreads[] = "Name:\tx\nTgid:\t9\n";
	static const char badthreads[] = "Name:\tx\nTgid:\t9\nThreads:\t7x\n";
	static const char noname[] = "Umask:\t0022\nTgid:\t9\nThreads:\t1\n";
	static const char notgid[] = "Name:\tx\nThreads:\t1\n";
	struct procmap_status id;

	tap_is_rc(procmap_parse_status(esc, sizeof(esc) - 1, &id), 0, "status_id: parses");
	tap_is_str(id.comm, "a\\b\nc)d\\t", "status_id: \\\\ and \\n undone, the rest raw");
	tap_is_i64(id.tgid, 4242, "status_id: Tgid");
	tap_is_i64(id.threads, 7, "status_id: Threads");
	tap_is_rc(procmap_parse_status(nothreads, sizeof(nothreads) - 1, &id), 0,
		  "status_id: no Threads line");
	tap_ok(id.threads == 0 && !strcmp(id.comm, "x"), "status_id: no Threads: 0 threads");
	tap_is_rc(procmap_parse_status(badthreads, sizeof(badthreads) - 1, &id), 0,
		  "status_id: a bad Threads line");
	tap_is_i64(id.threads, 0, "status_id: a bad Threads line counts none");
	tap_is_rc(procmap_parse_status(noname, sizeof(noname) - 1, &id), -EINVAL,
		  "status_id: Name must be the first line");
	tap_is_rc(procmap_parse_status(notgid, sizeof(notgid) - 1, &id), -EINVAL,
		  "status_id: no Tgid line");
}

/* ---- taskfiles_parse_sched / taskfiles_parse_schedstat ----------------------------------- */
/* A kernel without CONFIG_SCHED_DEBUG has no sched file: "not supported", not "gone". */
static void test_extras_missing_files(int rootfd)
{
	struct taskfiles_extras x;
	int rc;

	rc = taskfiles_extras(rootfd, 4242, 4243, 62082, TX_CTXSW | TX_SCHED | TX_SCHEDSTAT, &x);
	tap_is_rc(rc, 0, "extras of fake thread 4243");
	tap_is_rc(x.ctxsw_rc, 0, "its status is read");
	tap_is_u64(x.vctx, 41, "voluntary switches from the fake status");
	tap_is_rc(x.sched_rc, -EOPNOTSUPP, "no sched file: not supported");
	tap_is_rc(x.schedstat_rc, -EOPNOTSUPP, "no schedstat file: not supported");
	tap_ok(taskfiles_avail(x.sched_rc) == TS_UNSUPPORTED, "shown as not supported");
	rc = taskfiles_extras(rootfd, 4242, 4243, 1, TX_SCHED, &x);
	tap_is_rc(rc, -ESRCH, "extras of a reused TID");
	tap_ok(taskfiles_avail(x.sched_rc) == TS_GONE, "shown as gone");
}

static void test_status_mem(void)
{
	static const char kthread[] = "Name:\tkthreadd\nState:\tS (sleeping)\nTgid:\t2\n";
	static const char bad[] = "Name:\tx\nRssAnon:\t12 MB\n";
	static const char forged[] = "Name:\tx\\nVmPTE:\t999 kB\nVmPTE:\t8 kB\n";
	struct taskfiles_status_mem m;
	size_t len;
	char *buf = fixture_slurp(fixfd, "status/self.status", &len);

	tap_ok(buf != NULL, "fixture status/self.status");
	if (buf) {
		tap_is_rc(taskfiles_parse_status_mem(buf, len, &m), 0, "status memory: a real file");
		tap_is_u64(m.rss_anon, 6904ULL * 1024, "RssAnon in bytes");
		tap_is_u64(m.rss_file, 6600ULL * 1024, "RssFile in bytes");
		tap_is_u64(m.rss_shmem, 0, "RssShmem");
		tap_is_u64(m.pte, 76ULL * 1024, "VmPTE in bytes");
		tap_is_u64(m.swap, 0, "VmSwap");
		tap_is_u64(m.vm_rss, m.rss_anon + m.rss_file + m.rss_shmem,
			   "VmRSS is the sum of the three Rss lines");
		free(buf);
	}
	m.pte = 1;
	tap_is_rc(taskfiles_parse_status_mem(kthread, sizeof(kthread) - 1, &m), 0,
		  "status memory: a kernel thread has no memory lines");
	tap_is_u64(m.pte, 0, "and so no page tables");
	tap_is_rc(taskfiles_parse_status_mem(bad, sizeof(bad) - 1, &m), -EINVAL,
		  "status memory: a unit other than kB");
	tap_is_rc(taskfiles_parse_status_mem(forged, sizeof(forged) - 1, &m), 0,
		  "status memory: an escaped newline in Name");
	tap_is_u64(m.pte, 8ULL * 1024, "the real VmPTE line counts");
}

static void test_statm(void)
{
	static const char real[] = "2790 1632 1280 26 0 229 0\n";
	uint64_t rss = 7;

	tap_is_rc(taskfiles_parse_statm(real, sizeof(real) - 1, 4096, &rss), 0, "statm: a real line");
	tap_is_u64(rss, 1632ULL * 4096, "statm: resident pages in bytes");
	tap_is_rc(taskfiles_parse_statm("0 0 0 0 0 0 0\n", 14, 4096, &rss), 0,
		  "statm: a kernel thread");
	tap_is_u64(rss, 0, "statm: a kernel thread has nothing resident");
	tap_is_rc(taskfiles_parse_statm("2790\n", 5, 4096, &rss), -EINVAL,
		  "statm: no resident field");
	tap_is_rc(taskfiles_parse_statm("2790 16x2 0\n", 12, 4096, &rss), -EINVAL,
		  "statm: garbage in the resident field");
	tap_is_rc(taskfiles_parse_statm("1 18446744073709551615 0\n", 25, 4096, &rss), -ERANGE,
		  "statm: a page count that overflows bytes");
}

static void test_sched(void)
{
	static const char garbage[] = "x (1, #threads: 1)\n-------------------\n"
				      "se.nr_migrations : 12x\n";
	static const char nodash[] = "x (1, #threads: 1)\nse.nr_migrations : 5\n";
	uint64_t m = 99, run = 0, wait = 0, slices = 0;
	size_t len;
	char *buf;

	buf = fixture_slurp(fixfd, "sched/self.sched", &len);
	tap_ok(buf != NULL, "fixture sched/self.sched");
	if (buf) {
		tap_is_rc(taskfiles_parse_sched(buf, len, &m), 0, "sched: a real file");
		tap_is_u64(m, 3, "sched: se.nr_migrations");
		free(buf);
	}
	buf = fixture_slurp(fixfd, "sched/hostile.sched", &len);
	if (buf) {
		m = 99;
		tap_is_rc(taskfiles_parse_sched(buf, len, &m), 0,
			  "sched: comm with a newline and a forged field name");
		tap_is_u64(m, 7, "sched: the value after the dashes, not the forged one");
		free(buf);
	}
	buf = fixture_slurp(fixfd, "sched/no-migrations.sched", &len);
	if (buf) {
		tap_is_rc(taskfiles_parse_sched(buf, len, &m), -EINVAL, "sched: no se.nr_migrations");
		free(buf);
	}
	tap_is_rc(taskfiles_parse_sched(garbage, sizeof(garbage) - 1, &m), -EINVAL,
		  "sched: garbage after the number");
	tap_is_rc(taskfiles_parse_sched(nodash, sizeof(nodash) - 1, &m), -EINVAL,
		  "sched: no separator line under the header");

	buf = fixture_slurp(fixfd, "sched/self.schedstat", &len);
	tap_ok(buf != NULL, "fixture sched/self.schedstat");
	if (buf) {
		tap_is_rc(taskfiles_parse_schedstat(buf, len, &run, &wait, &slices), 0,
			  "schedstat: a real file");
		tap_is_u64(run, 1119873947, "schedstat: run time ns");
		tap_is_u64(wait, 39476, "schedstat: run-queue wait ns");
		tap_is_u64(slices, 28, "schedstat: timeslices");
		tap_is_rc(taskfiles_parse_schedstat(buf, len - 1, &run, &wait, &slices), 0,
			  "schedstat: without the trailing newline");
		free(buf);
	}
	tap_is_rc(taskfiles_parse_schedstat("1 2\n", 4, &run, &wait, &slices), -EINVAL,
		  "schedstat: two fields");
	tap_is_rc(taskfiles_parse_schedstat("1 2 3 4\n", 8, &run, &wait, &slices), -EINVAL,
		  "schedstat: four fields");
	tap_is_rc(taskfiles_parse_schedstat("1  2 3\n", 7, &run, &wait, &slices), -EINVAL,
		  "schedstat: double space");
	tap_is_rc(taskfiles_parse_schedstat("99999999999999999999 2 3\n", 25, &run, &wait, &slices),
		  -EINVAL, "schedstat: overflow");
	tap_is_rc(taskfiles_parse_schedstat("", 0, &run, &wait, &slices), -EINVAL,
		  "schedstat: empty");
}

/* ---- threads_scan: the per-thread pass over a whole (fake) /proc ----------------------- */
static void test_threads_scan(int rootfd)
{
	struct task *rows = NULL;
	size_t n = 0;
	pid_t only = 4242, none = 4999;
	int rc;

	rc = threads_scan(rootfd, NULL, 0, &rows, &n);
	tap_is_rc(rc, 0, "threads_scan of the whole fake tree");
	/* 4242 has three thread directories; 4243 is a thread's own /proc entry without task/ */
	tap_is_u64(n, 3, "three thread rows, nothing from the task-less 4243 entry");
	if (n == 3) {
		tap_is_i64(rows[0].tid, 4242, "rows sorted by (tgid, tid): main thread first");
		tap_is_i64(rows[1].tid, 4243, "then 4243");
		tap_is_i64(rows[2].tid, 4244, "then 4244");
		for (size_t i = 0; i < n; i++)
			tap_is_i64(rows[i].tgid, 4242, "row %zu belongs to process 4242", i);
		tap_is_u64(rows[0].start_ticks, 62067, "main thread's own start time");
		tap_is_u64(rows[1].start_ticks, 62082, "4243 start time");
		tap_is_str(rows[1].comm, "x) R 1 (y", "comm split at the last ')'");
		tap_is_str(rows[2].comm, "\\x1b[2J\\x0aevil\\x07",
			   "hostile comm arrives sanitized");
		tap_is_i64(rows[0].ppid, 4240, "ppid");
		tap_ok(!rows[0].whole, "thread rows carry the thread's own values");
	}
	proc2_free_tasks(rows, n);

	rc = threads_scan(rootfd, &only, 1, &rows, &n);
	tap_is_rc(rc, 0, "threads_scan of a selected process");
	tap_is_u64(n, 3, "its three threads");
	proc2_free_tasks(rows, n);

	rc = threads_scan(rootfd, &none, 1, &rows, &n);
	tap_is_rc(rc, 0, "threads_scan of a process that is gone is no error");
	tap_is_u64(n, 0, "and gives no row");
	proc2_free_tasks(rows, n);
}

/* hidepid=noaccess on /proc, from real mountinfo captures; the last mount on /proc wins */
static void test_mountinfo(void)
{
	static const struct {
		const char *file;
		bool want;
	} cases[] = {
		{ "mountinfo/plain", false },
		{ "mountinfo/noaccess", true },
		{ "mountinfo/invisible", false },
		{ "mountinfo/noaccess-covered", false },
		{ "mountinfo/noaccess-elsewhere", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *buf = fixture_slurp(fixfd, cases[i].file, &len);

		tap_ok(buf && procmount_parse_noaccess(buf, len) == cases[i].want,
		       "procmount: %s: hidepid=noaccess %s", cases[i].file,
		       cases[i].want ? "found" : "not found");
		free(buf);
	}
	static const char longer[] = "1 2 0:1 / /proc rw - proc proc hidepid=noaccessX\n";
	static const char nosep[] = "1 2 0:1 / /proc rw hidepid=noaccess\n";
	static const char exact[] = "1 2 0:1 / /proc rw - proc proc rw,hidepid=noaccess";

	tap_ok(!procmount_parse_noaccess(longer, strlen(longer)),
	       "procmount: an option that only starts so is not it");
	tap_ok(!procmount_parse_noaccess(nosep, strlen(nosep)),
	       "procmount: a line without ' - ' is ignored");
	tap_ok(procmount_parse_noaccess(exact, strlen(exact)),
	       "procmount: the last line without a newline counts");
}

/* ---- what a --proc-root tree gives that the live /proc gives by other means ------------- */
static void test_tree_parsers(void)
{
	static const char status[] = "Name:\tUid:\t7\t7\nUmask:\t0022\n"
		"Uid:\t1000\t65534\t1000\t1000\nGid:\t0\t0\t0\t0\n"
		"Cpus_allowed:\t3\nCpus_allowed_list:\t0,2-3\n";
	static const char stat[] = "cpu  10 5 20 100 7 1 2 3 4 5\ncpu0 1 1 1 1 1 1 1 1 1 1\n"
		"intr 1 2 3\nbtime 1700000000\nprocesses 5\n";
	struct sysinfo_stat ss;
	struct cpulist cl = { 0 };
	uid_t euid = 0;
	double up = 0;
	int rc;

	/* the name line may look like another key: never taken for one */
	rc = taskfiles_parse_euid(status, sizeof(status) - 1, &euid);
	if (tap_is_rc(rc, 0, "parse_euid of a status whose Name looks like Uid"))
		tap_is_u64(euid, 65534, "the EUID is the second Uid field");
	rc = taskfiles_parse_euid("Name:\tx\nUid:\t1\n", 15, &euid);
	tap_is_rc(rc, -EINVAL, "parse_euid of a Uid line with one field");
	rc = taskfiles_parse_cpus_allowed(status, sizeof(status) - 1, &cl);
	if (tap_is_rc(rc, 0, "parse_cpus_allowed")) {
		tap_ok(CPU_ISSET_S(0, cl.size, cl.set) && !CPU_ISSET_S(1, cl.size, cl.set) &&
		       CPU_ISSET_S(2, cl.size, cl.set) && CPU_ISSET_S(3, cl.size, cl.set) &&
		       CPU_COUNT_S(cl.size, cl.set) == 3, "Cpus_allowed_list 0,2-3 is CPUs 0, 2, 3");
		util_cpulist_free(&cl);
	}
	rc = sysinfo_parse_stat(stat, sizeof(stat) - 1, &ss);
	if (tap_is_rc(rc, 0, "sysinfo_parse_stat")) {
		/* guest and guest_nice (the last two) are in user and nice already */
		tap_is_u64(ss.cpu_total, 10 + 5 + 20 + 100 + 7 + 1 + 2 + 3, "cpu total");
		tap_is_u64(ss.cpu_busy, 10 + 5 + 20 + 1 + 2 + 3, "busy: all but idle and iowait");
		tap_ok(ss.have_btime && ss.btime == 1700000000, "btime");
	}
	rc = sysinfo_parse_stat("cpu  1 2\n", 9, &ss);
	tap_is_rc(rc, -EINVAL, "sysinfo_parse_stat of a cpu line without idle");
	rc = sysinfo_parse_uptime("12345.67 999.00\n", 16, &up);
	if (tap_is_rc(rc, 0, "sysinfo_parse_uptime"))
		tap_ok(up > 12345.669 && up < 12345.671, "uptime 12345.67 (got %f)", up);
	rc = sysinfo_parse_uptime("-1 2\n", 5, &up);
	tap_is_rc(rc, -EINVAL, "sysinfo_parse_uptime of a negative time");
}

int main(void)
{
	int rootfd, fds_before, fds_after, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = fixture_open_proc(NULL, &fixfd, &rootfd);
	if (rc)
		return rc;

	test_parse_stat();
	test_parse_stat_numbers();
	test_parse_stat_forms();
	test_parse_ctxsw();
	test_mountinfo();

	fds_before = fixture_count_fds();
	test_read(rootfd);
	test_thread_stat(rootfd);
	test_tgid(rootfd);
	test_status_id();
	test_parse_stat_upto();
	test_threads_scan(rootfd);
	test_sched();
	test_status_mem();
	test_statm();
	test_extras_missing_files(rootfd);
	fds_after = fixture_count_fds();
	tap_ok(fds_before >= 0 && fds_before == fds_after,
	       "the readers leave no fd open, error paths included (%d before, %d after)",
	       fds_before, fds_after);

	test_avail();
	test_affinity();
	test_tree_parsers();

	close(rootfd);
	close(fixfd);
	return tap_done();
}
