/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_stat.c - libFuzzer target: /proc/PID/stat (taskfiles_parse_stat) */
#include "config.h"

#include <errno.h>

#include "lib/util.h"
#include "sample/taskfiles.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size), clean[64 * 6 + 1];
	const char *open, *close = NULL, *p;
	struct taskfiles_stat st;
	size_t clen;
	int rc;

	rc = taskfiles_parse_stat(buf, size, &st);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	FUZZ_ASSERT(memchr(st.comm, '\0', sizeof(st.comm)) != NULL);
	if (rc == 0) {
		/* the comm is what lies between the first '(' and the LAST ')', cut to fit */
		open = memchr(buf, '(', size);
		FUZZ_ASSERT(open != NULL);
		for (p = buf + size; p > open; p--)
			if (p[-1] == ')') {
				close = p - 1;
				break;
			}
		FUZZ_ASSERT(close != NULL);
		clen = (size_t)(close - open - 1);
		if (clen > sizeof(st.comm) - 1)
			clen = sizeof(st.comm) - 1;
		FUZZ_ASSERT(memcmp(st.comm, open + 1, clen) == 0 && st.comm[clen] == '\0');
		/* the state is the first byte after the comm's ')' and its spaces */
		for (p = close + 1; p < buf + size && *p == ' '; p++)
			;
		FUZZ_ASSERT(p < buf + size && *p == st.state);
		FUZZ_ASSERT(st.pid >= 0 && st.pid <= 4194304);
		/* what is shown of the comm is clean, however hostile the name */
		util_sanitize(st.comm, clen, clean, sizeof(clean));
		FUZZ_ASSERT(fuzz_str_clean(clean));
	}
	free(buf);
	return 0;
}
