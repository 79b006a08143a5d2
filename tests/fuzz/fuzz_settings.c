/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_settings.c - libFuzzer target: the TUI's config file (settings_parse) */
#include "config.h"

#include <errno.h>

#include "model/settings.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[SETTINGS_COLUMNS_MAX + 512], again[SETTINGS_COLUMNS_MAX + 512];
	char *buf = fuzz_dup_exact(data, size), err[256];
	struct ts_settings s, s2;
	int rc;

	memset(err, 'x', sizeof(err));
	rc = settings_parse(buf, size, &s, err, sizeof(err));
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	/* the message names the line as the user wrote it: sanitized */
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL && fuzz_str_clean(err));
	FUZZ_ASSERT(memchr(s.columns, '\0', sizeof(s.columns)) != NULL);
	FUZZ_ASSERT(memchr(s.sort, '\0', sizeof(s.sort)) != NULL);
	FUZZ_ASSERT(s.delay >= 0 && s.delay <= SETTINGS_MAX_DELAY);
	FUZZ_ASSERT(s.mode == LIST_NESTED || s.mode == LIST_THREADS || s.mode == LIST_TREE);
	if (rc == 0) {
		FUZZ_ASSERT(err[0] == '\0');
		/* what W writes of these settings reads back as the same file */
		FUZZ_ASSERT(settings_format(&s, text, sizeof(text)) == 0);
		FUZZ_ASSERT(settings_parse(text, strlen(text), &s2, err, sizeof(err)) == 0);
		FUZZ_ASSERT(settings_format(&s2, again, sizeof(again)) == 0);
		FUZZ_ASSERT(strcmp(text, again) == 0);
		FUZZ_ASSERT(strcmp(s.columns, s2.columns) == 0 && strcmp(s.sort, s2.sort) == 0);
		FUZZ_ASSERT(s.ascending == s2.ascending && s.mode == s2.mode);
	}
	free(buf);
	return 0;
}
