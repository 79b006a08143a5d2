/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_status.c - libFuzzer target: /proc/PID/status (memory lines, switches, Tgid) */
#include "config.h"

#include <errno.h>

#include "sample/taskfiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size);
	struct taskfiles_status_mem m;
	uint64_t vol = 0, invol = 0;
	pid_t tgid = 0;
	int rc;

	rc = taskfiles_parse_status_mem(buf, size, &m);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0) {
		/* the lines are in kB: every value is a whole number of KiB */
		FUZZ_ASSERT(m.rss_anon % 1024 == 0 && m.rss_file % 1024 == 0);
		FUZZ_ASSERT(m.rss_shmem % 1024 == 0 && m.swap % 1024 == 0 && m.pte % 1024 == 0);
	}
	rc = taskfiles_parse_ctxsw(buf, size, &vol, &invol);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0)
		FUZZ_ASSERT(memmem(buf, size, "voluntary_ctxt_switches:", 24) != NULL);
	rc = taskfiles_parse_tgid(buf, size, &tgid);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0)
		FUZZ_ASSERT(tgid >= 1 && tgid <= 4194304);
	free(buf);
	return 0;
}
