/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_smaps.c - libFuzzer target: /proc/PID/smaps (smaps_parse) */
#include "config.h"

#include <errno.h>

#include "lib/util.h"
#include "sample/smaps.h"
#include "fuzz.h"

static bool mem_in_kib(const struct smaps_mem *m)
{
	const uint64_t *v = (const uint64_t *)m;

	for (size_t i = 0; i < sizeof(*m) / sizeof(uint64_t); i++)
		if (v[i] % 1024)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size);
	struct smaps_map map;
	size_t lines = 0;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += buf[i] == '\n';
	rc = smaps_parse(buf, size, &map);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
	if (rc) {
		FUZZ_ASSERT(map.vma == NULL && map.n == 0);
		goto out;
	}
	/* one entry a header line at most, racy repeats counted apart */
	FUZZ_ASSERT(map.n + map.dropped_repeats <= lines);
	for (size_t i = 0; i < map.n; i++) {
		const struct smaps_vma *v = &map.vma[i];

		FUZZ_ASSERT(v->start < v->end);
		/* in address order, each address once: what numa_maps lookups rely on */
		FUZZ_ASSERT(i == 0 || map.vma[i - 1].end <= v->start);
		FUZZ_ASSERT(strlen(v->perms) == 4 && strchr("r-", v->perms[0]) &&
			    strchr("w-", v->perms[1]) && strchr("x-", v->perms[2]) &&
			    strchr("ps", v->perms[3]));
		FUZZ_ASSERT(mem_in_kib(&v->mem));
		FUZZ_ASSERT(v->node_pages == NULL && v->nnodes == 0);
		if (v->name) {
			size_t nl = strlen(v->name);
			char *clean = util_sanitize_dup(v->name, nl);

			/* a name is one line of the input, " (deleted)" taken off */
			FUZZ_ASSERT(!memchr(v->name, '\n', nl) && nl < size);
			FUZZ_ASSERT(memmem(buf, size, v->name, nl) != NULL);
			FUZZ_ASSERT(clean && fuzz_str_clean(clean));
			free(clean);
		}
		if (v->vmflags)
			FUZZ_ASSERT(!strchr(v->vmflags, '\n'));
	}
	FUZZ_ASSERT(map.numa_rc == -ENODATA);
	smaps_map_free(&map);
out:
	free(buf);
	return 0;
}
