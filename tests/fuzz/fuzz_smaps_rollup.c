/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_smaps_rollup.c - libFuzzer target: /proc/PID/smaps_rollup (smaps_parse_rollup) */
#include "config.h"

#include <errno.h>

#include "sample/smaps.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size);
	struct smaps_mem m;
	int rc;

	rc = smaps_parse_rollup(buf, size, &m);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc == 0) {
		const uint64_t *v = (const uint64_t *)&m;

		/* a header line then whole "Key: N kB" lines: values in whole KiB */
		FUZZ_ASSERT(size > 0 && buf[size - 1] == '\n');
		for (size_t i = 0; i < sizeof(m) / sizeof(uint64_t); i++)
			FUZZ_ASSERT(v[i] % 1024 == 0);
	}
	free(buf);
	return 0;
}
