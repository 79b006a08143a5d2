/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recopy.c - a recording read back and written again by this build's writer: the bytes of
 * two layouts compared on the same data (bench/README.md, record) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/recording.h"
#include "model/session.h"

int main(int argc, char **argv)
{
	struct recording_info info = { .targets = "recopy", .interval = 1, .memory_every = 10 };
	struct recording *in, *out;
	const struct snapshot *sn, *mem;
	unsigned long n = 0;
	char why[512];
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: bench/recopy IN.db OUT.db (run it where kcmp finds none "
			"of the recorded tasks: unshare --pid --fork --mount-proc)\n");
		return 2;
	}
	if (recording_open(&in, argv[1], why, sizeof(why))) {
		fprintf(stderr, "recopy: %s: %s\n", argv[1], why);
		return 1;
	}
	recording_set_range(in, 0, 0, false);
	if (recording_create(&out, argv[2], &info, NULL, why, sizeof(why))) {
		fprintf(stderr, "recopy: %s: %s\n", argv[2], why);
		recording_close(in);
		return 1;
	}
	while (!(rc = recording_next(in, &sn, &mem))) {
		struct session_frame f;

		memset(&f, 0, sizeof(f));
		f.sn = sn;
		f.mem = mem;
		f.seq = ++n;
		if (recording_sink_ops.sample(out, &f))
			break;
	}
	if (rc != -ENODATA)
		fprintf(stderr, "recopy: %s: %s\n", argv[1], recording_error(in));
	recording_close(in);
	fprintf(stderr, "recopy: %lu samples\n", n);
	return recording_finish(out) || rc != -ENODATA ? 1 : 0;
}
