/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_numa_maps.c - libFuzzer target: /proc/PID/numa_maps (smaps_parse_numa, smaps_parse_numa_nodes) */
#include "config.h"

#include <errno.h>

#include "lib/util.h"
#include "sample/smaps.h"
#include "fuzz.h"

static int cmp_start(const void *a, const void *b)
{
	const struct smaps_vma *x = a, *y = b;

	return UTIL_CMP(x->start, y->start);
}

/* A map with a one-page VMA at each start address the input's lines begin with, so that
 * the lines find their VMA as they do in a real read (smaps and numa_maps agree). */
static void map_from_starts(const char *buf, size_t size, struct smaps_map *map)
{
	const char *p = buf, *end = buf + size;
	size_t w = 0;

	memset(map, 0, sizeof(*map));
	map->vma = calloc(size / 2 + 1, sizeof(*map->vma));
	if (!map->vma)
		abort();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *q = p;
		uint64_t start;

		if (util_span_hex(&q, nl ? nl : end, &start) == 0 && start < UINT64_MAX) {
			map->vma[map->n].start = start;
			map->vma[map->n].end = start + 1;
			map->n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	qsort(map->vma, map->n, sizeof(*map->vma), cmp_start);
	for (size_t i = 0; i < map->n; i++)
		if (!w || map->vma[w - 1].start != map->vma[i].start)
			map->vma[w++] = map->vma[i];
	map->n = w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size);
	struct smaps_map map;
	int rc;

	map_from_starts(buf, size, &map);
	rc = smaps_parse_numa(buf, size, &map);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
	for (size_t i = 0; i < map.n; i++) {
		const struct smaps_vma *v = &map.vma[i];

		FUZZ_ASSERT(v->nnodes >= 0 && v->nnodes <= 4096);
		FUZZ_ASSERT(v->node_pages || v->nnodes == 0);
		FUZZ_ASSERT(v->node_pagesize % 1024 == 0);
	}
	smaps_map_free(&map);

	/* the per-node sums (NODEMEM) of the same text */
	{
		struct smaps_numa n;
		uint64_t sum = 0;

		rc = smaps_parse_numa_nodes(buf, size, 4096, &n);
		FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
		FUZZ_ASSERT(rc == 0 || (!n.bytes && !n.nnodes && !n.total));
		FUZZ_ASSERT(n.nnodes <= 4096 && (n.bytes || n.nnodes == 0));
		for (size_t i = 0; i < n.nnodes; i++)
			sum += n.bytes[i];
		FUZZ_ASSERT(sum == n.total);
		smaps_numa_free(&n);
	}
	free(buf);
	return 0;
}
