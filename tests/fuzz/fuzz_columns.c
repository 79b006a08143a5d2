/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_columns.c - libFuzzer target: -o column lists of the task view and of maps */
#include "config.h"

#include <errno.h>
#include <strings.h>

#include "model/columns.h"
#include "model/mapcols.h"
#include "model/memmap.h"
#include "fuzz.h"

/* true when name is one of the comma-separated items of list (case-insensitive) */
static bool listed(const char *list, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = list;; p++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == nl && !strncasecmp(p, name, nl))
			return true;
		if (!comma)
			return false;
		p = comma;
	}
}

/* A list that was rejected (-EINVAL) gave no columns and the name it reports back to the
 * user, sanitized; bad is freed. */
static void rejected(int rc, bool no_cols, size_t n, char *bad)
{
	if (rc == -EINVAL) {
		FUZZ_ASSERT(no_cols && n == 0 && bad != NULL);
		FUZZ_ASSERT(bad[0] == '\0' || fuzz_str_clean(bad));
	}
	free(bad);
}

static void task_columns(const char *s, bool threads)
{
	const struct column **cols = NULL;
	char *bad = NULL;
	size_t n = 0;
	int rc;

	rc = columns_parse_list(s, threads, &cols, &n, &bad);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc == 0) {
		FUZZ_ASSERT(n >= 1 && n <= columns_count() && bad == NULL);
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(columns_find(cols[i]->name) == cols[i]);
			for (size_t j = 0; j < i; j++)
				FUZZ_ASSERT(cols[j] != cols[i]);
			/* asked for by name, unless "+LIST" brought it in as a default */
			FUZZ_ASSERT(s[0] == '+' || listed(s, cols[i]->name));
		}
	}
	rejected(rc, cols == NULL, n, bad);
	free(cols);
}

static void map_columns(const char *s, enum memmap_group g)
{
	const struct maps_column **cols = NULL;
	char *bad = NULL;
	size_t n = 0;
	int rc;

	rc = mapcols_parse_list(s, g, &cols, &n, &bad);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc == 0) {
		FUZZ_ASSERT(n >= 1 && bad == NULL);
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(s[0] == '+' || listed(s, cols[i]->name));
	}
	rejected(rc, cols == NULL, n, bad);
	free(cols);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);

	task_columns(s, false);
	task_columns(s, true);
	map_columns(s, MEMMAP_GROUP_NONE);
	map_columns(s, MEMMAP_GROUP_KIND);
	map_columns(s, MEMMAP_GROUP_NAME);
	free(s);
	return 0;
}
