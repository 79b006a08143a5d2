/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_maps.c - libFuzzer target: /proc/PID/maps (pagemap_parse_maps) */
#include "config.h"

#include <errno.h>

#include "sample/pagemap.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size);
	struct pagemap_vma *v = NULL;
	size_t n = 0, lines = 0;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += buf[i] == '\n';
	rc = pagemap_parse_maps(buf, size, &v, &n);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
	/* the lines before a bad one are kept: at most one a complete line */
	FUZZ_ASSERT(n <= lines);
	FUZZ_ASSERT(n == 0 || v != NULL);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i].start < v[i].end);
		FUZZ_ASSERT(strlen(v[i].perms) <= 4);
		FUZZ_ASSERT(v[i].dev_major <= 0xfff && v[i].dev_minor <= 0xfffff);
		FUZZ_ASSERT(!v[i].inode || v[i].kind == PAGEMAP_VMA_FILE);
		FUZZ_ASSERT(v[i].kind <= PAGEMAP_VMA_GATE);
	}
	free(v);
	free(buf);
	return 0;
}
