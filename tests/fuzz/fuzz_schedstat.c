/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_schedstat.c - libFuzzer target: /proc/PID/task/TID/schedstat */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "sample/taskfiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size), again[80];
	uint64_t run = 0, wait = 0, slices = 0, r2, w2, s2;
	int rc, n;

	rc = taskfiles_parse_schedstat(buf, size, &run, &wait, &slices);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0) {
		/* round trip: the values written the kernel's way parse to the same values,
		 * and that text is never longer than the input (only leading zeros differ) */
		n = snprintf(again, sizeof(again), "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", run,
			     wait, slices);
		FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(again));
		FUZZ_ASSERT(taskfiles_parse_schedstat(again, (size_t)n, &r2, &w2, &s2) == 0);
		FUZZ_ASSERT(r2 == run && w2 == wait && s2 == slices);
		FUZZ_ASSERT((size_t)n <= size + 1);
	}
	free(buf);
	return 0;
}
