/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cgroup.c - libFuzzer target: /proc/PID/cgroup, cgroupfs numbers and pressure files,
 * --cgroup paths */
#include "config.h"

#include <errno.h>

#include "sample/cgroup.h"
#include "fuzz.h"

static void check_cgroup_file(const char *buf, size_t size)
{
	static struct cgroup_info ci;	/* large: not on the stack of every run */
	int rc = cgroup_parse(buf, size, &ci), k;

	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -E2BIG);
	if (rc)
		return;
	FUZZ_ASSERT(ci.nlines >= 1 && ci.nlines <= CGROUP_MAX_LINES);
	for (size_t i = 0; i < ci.nlines; i++) {
		const struct cgroup_line *l = &ci.line[i];

		/* inside the text, a path that starts with '/', a name without ':' */
		FUZZ_ASSERT(l->path + l->path_len <= size && l->ctrl + l->ctrl_len <= size);
		FUZZ_ASSERT(l->path_len >= 1 && buf[l->path] == '/');
		FUZZ_ASSERT(!memchr(buf + l->path, '\n', l->path_len));
		FUZZ_ASSERT(!memchr(buf + l->ctrl, ':', l->ctrl_len));
		FUZZ_ASSERT((l->id == 0) == (l->ctrl_len == 0));
		FUZZ_ASSERT((l->id == 0) == ((int)i == ci.v2));
		/* a path holds itself, and "/" holds every path */
		FUZZ_ASSERT(cgroup_path_within(buf + l->path, l->path_len, buf + l->path,
					       l->path_len));
		FUZZ_ASSERT(cgroup_path_within(buf + l->path, l->path_len, "/", 1));
	}
	k = cgroup_primary(&ci, buf);
	FUZZ_ASSERT(k >= -1 && k < (int)ci.nlines);
	/* without a v1 controller the v2 line is the one shown */
	if (!ci.v1_controllers)
		FUZZ_ASSERT(k == ci.v2);
	if (k >= 0) {
		char *shown = util_sanitize_dup(buf + ci.line[k].path, ci.line[k].path_len);

		FUZZ_ASSERT(shown && fuzz_str_clean(shown));
		free(shown);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size), *s;
	double some = 0, full = 0;
	uint64_t v;
	int rc;

	check_cgroup_file(buf, size);
	rc = cgroup_parse_u64(buf, size, &v);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	rc = cgroup_parse_pressure(buf, size, &some, &full);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc == 0)
		FUZZ_ASSERT(some >= 0 && (full >= 0 || full == -1));
	/* a user's --cgroup PATH: accepted ones are absolute, without "." or ".." parts */
	s = fuzz_strdup(data, size);
	if (cgroup_check_path(s) == 0) {
		size_t n = strlen(s);

		FUZZ_ASSERT(s[0] == '/' && n < 4096);
		FUZZ_ASSERT(!strstr(s, "/../") && !strstr(s, "/./") && !strstr(s, "//"));
		FUZZ_ASSERT(!(n >= 3 && !strcmp(s + n - 3, "/..")));
		FUZZ_ASSERT(cgroup_path_within(s, n, "/", 1));
	}
	free(s);
	free(buf);
	return 0;
}
