/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cgroup.c - unit tests of src/sample/cgroup.c: /proc/PID/cgroup, the path shown, path
 * matching, and cgroupfs reads (v2 and hybrid fixture roots, fences against leaving them) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sample/cgroup.h"
#include "fixture.h"

static struct cgroup_info ci;

/* The path of line k of text as a C string (static). */
static const char *path_of(const char *text, int k)
{
	static char buf[256];

	if (k < 0)
		return "(none)";
	snprintf(buf, sizeof(buf), "%.*s", (int)ci.line[k].path_len, text + ci.line[k].path);
	return buf;
}

static void test_parse(void)
{
	static const char v2[] = "0::/user.slice/user-1000.slice/session-2.scope\n";
	static const char hybrid[] = "12:name=systemd:/system.slice/cron.service\n"
				     "9:cpu,cpuacct:/cpu-path\n4:memory:/mem-path\n"
				     "0::/system.slice/cron.service\n";
	static const char v1nomem[] = "3:pids:/p\n2:cpu,cpuacct:/cpu-only\n1:name=systemd:/s";
	static const char onlysystemd[] = "1:name=systemd:/u\n0::/v2";
	static const char colon[] = "0::/a:b/c d\n";
	static const char *const bad[] = {
		"", "\n", "0::\n", "0::x\n", "1::/a\n", "0:memory:/a\n", "x:memory:/a\n",
		"4294967296:memory:/a\n", "0::/a\n0::/b\n", "4:mem ory:/a\n", "4:memory\n",
		"0::/a\n\n",
	};
	char many[CGROUP_MAX_LINES * 16 + 32];
	size_t off = 0;

	tap_is_rc(cgroup_parse(v2, strlen(v2), &ci), 0, "a v2 file parses");
	tap_ok(ci.nlines == 1 && ci.v2 == 0 && !ci.v1_controllers, "one v2 line, no v1 controller");
	tap_ok(!strcmp(path_of(v2, cgroup_primary(&ci, v2)),
		       "/user.slice/user-1000.slice/session-2.scope"), "v2: the 0:: path is shown");

	tap_is_rc(cgroup_parse(hybrid, strlen(hybrid), &ci), 0, "a hybrid file parses");
	tap_ok(!strcmp(path_of(hybrid, cgroup_primary(&ci, hybrid)), "/mem-path"),
	       "hybrid: the memory controller's path is shown (%s)",
	       path_of(hybrid, cgroup_primary(&ci, hybrid)));
	tap_ok(!strcmp(path_of(hybrid, cgroup_find(&ci, hybrid, "cpuacct")), "/cpu-path"),
	       "cgroup_find finds cpuacct in a list of two controllers");
	tap_ok(!strcmp(path_of(hybrid, cgroup_find(&ci, hybrid, "name=systemd")),
		       "/system.slice/cron.service"), "cgroup_find finds name=systemd");
	tap_ok(cgroup_find(&ci, hybrid, "cpuset") == -1 && cgroup_find(&ci, hybrid, "cpu,") == -1,
	       "cgroup_find: no cpuset line, and no partial match of a list");

	tap_is_rc(cgroup_parse(v1nomem, strlen(v1nomem), &ci), 0,
		  "a v1 file without memory (and without a last newline) parses");
	tap_ok(!strcmp(path_of(v1nomem, cgroup_primary(&ci, v1nomem)), "/cpu-only"),
	       "v1 without memory: cpu's path");
	tap_is_rc(cgroup_parse(onlysystemd, strlen(onlysystemd), &ci), 0, "name=systemd + v2");
	tap_ok(!strcmp(path_of(onlysystemd, cgroup_primary(&ci, onlysystemd)), "/v2"),
	       "only a named hierarchy besides v2: no v1 controller, the v2 path");
	tap_is_rc(cgroup_parse(colon, strlen(colon), &ci), 0, "a path with ':' and ' ' parses");
	tap_ok(!strcmp(path_of(colon, ci.v2), "/a:b/c d"), "the path keeps its ':' and ' '");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_is_rc(cgroup_parse(bad[i], strlen(bad[i]), &ci), -EINVAL, "bad file %zu refused",
			  i);
	for (int i = 1; i <= CGROUP_MAX_LINES + 1; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off, "%d:c%d:/\n", i, i);
	tap_is_rc(cgroup_parse(many, off, &ci), -E2BIG, "more than %d lines refused",
		  CGROUP_MAX_LINES);
}

static void test_paths(void)
{
	tap_ok(cgroup_path_within("/a/b", 4, "/a", 2), "/a/b is below /a");
	tap_ok(cgroup_path_within("/a", 2, "/a/", 3), "/a is /a/ (a trailing slash)");
	tap_ok(!cgroup_path_within("/ab", 3, "/a", 2), "/ab is not below /a");
	tap_ok(!cgroup_path_within("/a", 2, "/a/b", 4), "/a is not below /a/b");
	tap_ok(cgroup_path_within("/x", 2, "/", 1), "/ holds everything");
	tap_is_rc(cgroup_check_path("/system.slice/x.service"), 0, "a plain path is good");
	tap_is_rc(cgroup_check_path("/odd \x1b[1mname/"), 0, "control bytes and a trailing / are a name's");
	tap_is_rc(cgroup_check_path("/"), 0, "/ is good");
	tap_is_rc(cgroup_check_path("a/b"), -EINVAL, "relative refused");
	tap_is_rc(cgroup_check_path("/a/../b"), -EINVAL, ".. refused");
	tap_is_rc(cgroup_check_path("/a/.."), -EINVAL, "a final .. refused");
	tap_is_rc(cgroup_check_path("/a/./b"), -EINVAL, ". refused");
	tap_is_rc(cgroup_check_path("/a//b"), -EINVAL, "an empty part refused");
	tap_is_rc(cgroup_check_path("/a\nb"), -EINVAL, "a newline refused");
	tap_is_rc(cgroup_check_path(""), -EINVAL, "empty refused");
}

static void test_files(void)
{
	double some, full;
	uint64_t v;

	tap_is_rc(cgroup_parse_u64("123\n", 4, &v), 0, "a number");
	tap_is_u64(v, 123, "its value");
	tap_is_rc(cgroup_parse_u64("max\n", 4, &v), -EINVAL, "max is not a number");
	tap_is_rc(cgroup_parse_u64("", 0, &v), -EINVAL, "nothing is not a number");
	tap_is_rc(cgroup_parse_u64("18446744073709551616\n", 21, &v), -ERANGE, "2^64 refused");
	tap_is_rc(cgroup_parse_pressure("some avg10=0.00 total=5\nsome avg10=0.00 total=6\n", 48,
					&some, &full), -EINVAL, "two some lines refused");
	tap_is_rc(cgroup_parse_pressure("full avg10=0.00 total=5\n", 24, &some, &full), -EINVAL,
		  "no some line refused");
	tap_is_rc(cgroup_parse_pressure("some avg10=0.00 total=5x\n", 25, &some, &full), -EINVAL,
		  "a bad total refused");
}

/* cgroupfs reads below a fixture root dir (relative to the fixtures) */
static void test_fs(void)
{
	const char *fx = getenv("FIXTURES");
	const char *top = getenv("top_srcdir");
	char root[PATH_MAX], tmp[] = "/tmp/taskscope-test-cgroup.XXXXXX", p[PATH_MAX + 64];
	struct cgroup_fs *fs;
	struct cgroup_stats st;
	static const char svc[] = "/system.slice/shm-demo.service";

	if (fx && *fx)
		snprintf(root, sizeof(root), "%s/cgroup-v2", fx);
	else
		snprintf(root, sizeof(root), "%s/tests/fixtures/cgroup-v2", top && *top ? top : ".");
	snprintf(p, sizeof(p), "%s/sys/fs/cgroup", root);
	if (!tap_is_rc(cgroup_fs_open(&fs, p), 0, "the v2 fixture root opens"))
		return;
	tap_is_rc(cgroup_fs_stats(fs, true, svc, strlen(svc), &st), 0, "v2 stats of %s", svc);
	tap_ok(st.mem_rc == 0 && st.mem_bytes == 12582912, "memory.current 12582912 (rc %d, %llu)",
	       st.mem_rc, (unsigned long long)st.mem_bytes);
	tap_ok(st.psi_rc[0] == 0 && st.psi_some_total[0] == 4.0 && st.psi_full_total[0] < 0,
	       "cpu.pressure: some 4 s, no full line");
	tap_ok(st.psi_rc[1] == 0 && st.psi_some_total[1] == 2.5 && st.psi_full_total[1] == 1.25,
	       "memory.pressure: some 2.5 s, full 1.25 s");
	tap_ok(st.psi_rc[2] == 0 && st.psi_some_total[2] == 0 && st.psi_full_total[2] == 0,
	       "io.pressure: zeros");
	cgroup_fs_stats(fs, true, "/system.slice/shm-demo.service/worker", 37, &st);
	tap_ok(st.mem_rc == 0 && st.mem_bytes == 4096 && st.psi_rc[1] == -EINVAL &&
	       st.psi_rc[0] == -ENOENT, "worker: memory 4096, damaged memory.pressure -EINVAL, "
	       "no cpu.pressure -ENOENT");
	tap_is_rc(cgroup_fs_stats(fs, true, "/system.slice/../..", 19, &st), -EINVAL,
		  "a path with .. is refused");
	cgroup_fs_stats(fs, false, svc, strlen(svc), &st);
	tap_ok(st.mem_rc == -ENOENT && st.psi_rc[0] == -EOPNOTSUPP,
	       "v1 on a v2 root: no memory dir, no PSI");
	cgroup_fs_close(fs);

	snprintf(p, sizeof(p), "%s/hybrid/sys/fs/cgroup", root);
	if (!tap_is_rc(cgroup_fs_open(&fs, p), 0, "the hybrid fixture root opens"))
		return;
	cgroup_fs_stats(fs, false, "/batch", 6, &st);
	tap_ok(st.mem_rc == 0 && st.mem_bytes == 8388608, "v1: memory/batch/memory.usage_in_bytes");
	cgroup_fs_stats(fs, true, "/system.slice/a.service", 23, &st);
	tap_ok(st.mem_rc == 0 && st.mem_bytes == 65536 && st.psi_rc[0] == 0 &&
	       st.psi_some_total[0] == 0.001, "hybrid v2: read below unified/");
	cgroup_fs_close(fs);

	/* a root with ways out: a symlinked cgroup dir, a symlinked file, a FIFO */
	if (!mkdtemp(tmp)) {
		tap_ok(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(p, sizeof(p), "%s/outside", tmp);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/outside/memory.current", tmp);
	fclose(fopen(p, "w"));
	snprintf(p, sizeof(p), "%s/root", tmp);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/root/cgroup.controllers", tmp);
	fclose(fopen(p, "w"));
	snprintf(p, sizeof(p), "%s/root/out", tmp);
	tap_ok(symlink("../outside", p) == 0, "a symlinked cgroup made");
	snprintf(p, sizeof(p), "%s/root/f", tmp);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/root/f/memory.current", tmp);
	tap_ok(symlink("../../outside/memory.current", p) == 0, "a symlinked file made");
	snprintf(p, sizeof(p), "%s/root/fifo", tmp);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/root/fifo/memory.current", tmp);
	tap_ok(mkfifo(p, 0600) == 0, "a FIFO made");
	snprintf(p, sizeof(p), "%s/root", tmp);
	if (tap_is_rc(cgroup_fs_open(&fs, p), 0, "the hostile root opens")) {
		cgroup_fs_stats(fs, true, "/out", 4, &st);
		tap_is_rc(st.mem_rc, -ENOENT, "a symlinked cgroup dir is not followed");
		cgroup_fs_stats(fs, true, "/f", 2, &st);
		tap_is_rc(st.mem_rc, -ENOENT, "a symlinked file is not followed");
		cgroup_fs_stats(fs, true, "/fifo", 5, &st);
		tap_is_rc(st.mem_rc, -ENOENT, "a FIFO is not read (and does not block)");
		cgroup_fs_close(fs);
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", tmp);
	if (system(p))
		tap_diag("could not remove %s", tmp);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_parse();
	test_paths();
	test_files();
	test_fs();
	return tap_done();
}
