/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sched.c - libFuzzer target: /proc/PID/task/TID/sched (se.nr_migrations) */
#include "config.h"

#include <errno.h>

#include "lib/util.h"
#include "sample/taskfiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size), dec[24];
	const char *dashes, *key;
	uint64_t migr = 0;
	int rc;

	rc = taskfiles_parse_sched(buf, size, &migr);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0) {
		/* the key is found below the line of dashes, never in the comm line above it */
		dashes = memmem(buf, size, "\n----------", 11);
		FUZZ_ASSERT(dashes != NULL);
		key = memmem(dashes, size - (size_t)(dashes - buf), "\nse.nr_migrations", 17);
		FUZZ_ASSERT(key != NULL);
		/* the value's digits are in the text after the key (leading zeros aside) */
		util_u64_dec(migr, dec, sizeof(dec));
		FUZZ_ASSERT(memmem(key, size - (size_t)(key - buf), dec, strlen(dec)) != NULL);
	}
	free(buf);
	return 0;
}
