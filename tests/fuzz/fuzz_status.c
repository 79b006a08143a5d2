/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_status.c - libFuzzer target: /proc/PID/status (memory lines, switches, Tgid, Uid,
 * Cpus_allowed_list) */
#include "config.h"

#include <errno.h>

#include "sample/taskfiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size);
	struct taskfiles_status_mem m;
	uint64_t vol = 0, invol = 0;
	struct cpulist cl = { 0 };
	pid_t tgid = 0;
	uid_t euid;
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
	/* a --proc-root tree's EUID and affinity */
	rc = taskfiles_parse_euid(buf, size, &euid);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0)
		FUZZ_ASSERT(memmem(buf, size, "\nUid:", 5) != NULL && euid != (uid_t)-1);
	rc = taskfiles_parse_cpus_allowed(buf, size, &cl);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
	if (rc == 0) {
		/* written back as ranges, the set parses to itself */
		char text[65536];
		struct cpulist again = { 0 };

		FUZZ_ASSERT(cl.ncpus == TASKFILES_MAX_CPUS);
		FUZZ_ASSERT(util_cpulist_format(&cl, text, sizeof(text)) == 0);
		FUZZ_ASSERT(util_cpulist_parse(text, TASKFILES_MAX_CPUS, &again) == 0);
		FUZZ_ASSERT(CPU_EQUAL_S(cl.size, cl.set, again.set));
		util_cpulist_free(&again);
		util_cpulist_free(&cl);
	}
	free(buf);
	return 0;
}
