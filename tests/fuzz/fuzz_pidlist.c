/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pidlist.c - libFuzzer target: PID lists of -p ("1,2,3"; util_parse_pidlist) */
#include "config.h"

#include <errno.h>

#include "lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *text, *t;
	int *pids = NULL, *again = NULL;
	size_t n = 0, n2 = 0;
	int rc;

	rc = util_parse_pidlist(s, &pids, &n);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
	if (rc == 0) {
		FUZZ_ASSERT(n >= 1);
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(pids[i] >= 1 && pids[i] <= 4194304);
			for (size_t j = 0; j < i; j++)
				FUZZ_ASSERT(pids[j] != pids[i]);	/* duplicates kept out */
		}
		/* round trip: the list written back parses to the same list */
		text = malloc(n * 9 + 1);
		if (!text)
			abort();
		t = text;
		for (size_t i = 0; i < n; i++)
			t += sprintf(t, "%s%d", i ? "," : "", pids[i]);
		FUZZ_ASSERT(util_parse_pidlist(text, &again, &n2) == 0);
		FUZZ_ASSERT(n2 == n && memcmp(again, pids, n * sizeof(int)) == 0);
		free(text);
	}
	free(again);
	free(pids);
	free(s);
	return 0;
}
