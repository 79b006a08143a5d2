/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_recording.c - libFuzzer target: a recording (taskscope replay's reader) damaged,
 * truncated or made up: an error with a message, or snapshots with clean text */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "model/recjob.h"
#include "model/recording.h"
#include "fuzz.h"

static void check_snapshot(const struct snapshot *sn)
{
	for (size_t i = 0; i < sn->ntasks; i++) {
		const struct task *t = &sn->tasks[i];

		FUZZ_ASSERT(!t->comm || fuzz_str_clean(t->comm));
		FUZZ_ASSERT(!t->cmd || fuzz_str_clean(t->cmd));
		FUZZ_ASSERT(!t->affinity || fuzz_str_clean(t->affinity));
		FUZZ_ASSERT(!t->cgroup || fuzz_str_clean(t->cgroup));
		FUZZ_ASSERT(t->cgroup_av <= TS_NA);
		FUZZ_ASSERT(t->cpu >= -1 && t->cpu < 8192);
		FUZZ_ASSERT(t->rss_av <= TS_NA && t->smaps_av <= TS_NA && t->aff_av <= TS_NA);
		FUZZ_ASSERT(i == 0 || sn->tasks[i - 1].tgid < t->tgid ||
			    (sn->tasks[i - 1].tgid == t->tgid && sn->tasks[i - 1].tid <= t->tid));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct recording *r;
	char why[512];
	int fd, rc;

	if (!*path)
		snprintf(path, sizeof(path), "/tmp/fuzz-recording-%d.db", (int)getpid());
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	close(fd);
	why[0] = '\0';
	rc = recording_open(&r, path, why, sizeof(why));
	if (rc) {
		/* a reason, and a clean one: it is printed */
		FUZZ_ASSERT(rc < 0 && why[0] && fuzz_str_clean(why));
	} else {
		const struct snapshot *sn, *mem;
		const char *v = recording_meta(r, "host");

		FUZZ_ASSERT(!v || fuzz_str_clean(v));
		recording_set_range(r, 0, 0, size & 1);
		for (int n = 0; n < 10000 && !(rc = recording_next(r, &sn, &mem)); n++) {
			check_snapshot(sn);
			if (mem)
				check_snapshot(mem);
		}
		FUZZ_ASSERT(rc == 0 || rc == -ENODATA || *recording_error(r));
		{
			/* time travel starts over; the sharing of a moment; the times */
			struct recording_group *g = NULL;
			struct recording_share_change *c = NULL;
			double *times = NULL;
			size_t ng = 0, nc = 0, nt = 0;

			recording_rewind(r);
			if (!recording_next(r, &sn, &mem))
				check_snapshot(sn);
			if (!recording_groups(r, 1e12, &g, &ng))
				FUZZ_ASSERT(!recording_sharing_diff(g, ng, g, ng, &c, &nc) && !nc);
			if (!recording_times(r, &times, &nt))
				FUZZ_ASSERT(nt == 0 || times);
			free(g);
			free(c);
			free(times);
		}
		{
			/* compare A.db B.db's side: whatever the file holds, sane counts */
			struct recjob j;

			rc = recjob_load(r, 0, 0, &j);
			FUZZ_ASSERT(rc == 0 || rc == -ENODATA || rc == -ENOMEM ||
				    *recording_error(r));
			if (!rc) {
				FUZZ_ASSERT(j.m[RJ_PROCS].v <= j.m[RJ_THREADS].v);
				FUZZ_ASSERT(j.m[RJ_MEM_SAMPLES].v <= j.m[RJ_SAMPLES].v);
			}
			recjob_free(&j);
		}
		recording_close(r);
	}
	unlink(path);
	return 0;
}
