/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_memmap.c - libFuzzer target: smaps text through the maps model (rows, stacks, groups) */
#include "config.h"

#include <errno.h>

#include "model/memmap.h"
#include "sample/smaps.h"
#include "fuzz.h"

#define MAX_THREADS 8

/* The rows of a grouping (kind or name; "none" shows mm's own rows): names clean, every
 * mapping in exactly one row, sizes summed. */
static void check_group(const struct memmap *mm, enum memmap_group g)
{
	struct memmap_row *rows = NULL;
	size_t n = 0, maps = 0;
	uint64_t rss = 0;
	int rc;

	rc = memmap_group(mm, g, &rows, &n);
	FUZZ_ASSERT(rc == 0 || rc == -ENOMEM);
	if (rc)
		return;
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(rows[i].name == NULL || fuzz_str_clean(rows[i].name));
		maps += rows[i].nmaps;
		rss += rows[i].mem.rss;	/* wraps like the model's sums on absurd input */
	}
	FUZZ_ASSERT(maps == mm->nrows);
	FUZZ_ASSERT(rss == mm->total.rss);
	memmap_rows_free(rows, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stackptr_thread threads[MAX_THREADS];
	char *buf = fuzz_dup_exact(data, size);
	struct smaps_map map;
	struct memmap mm;
	size_t nthreads = 0;
	uint64_t rss = 0;

	if (smaps_parse(buf, size, &map))
		goto out;
	/* a thread whose stack pointer is in the middle of each of the first mappings, and
	 * one whose stack pointer is in no mapping */
	memset(threads, 0, sizeof(threads));
	for (size_t i = 0; i < map.n && nthreads < MAX_THREADS - 1; i++, nthreads++) {
		threads[nthreads].tid = (pid_t)(1000 + i);
		threads[nthreads].sp = map.vma[i].start + (map.vma[i].end - map.vma[i].start) / 2;
	}
	threads[nthreads].tid = 999;
	threads[nthreads].sp = map.n ? map.vma[map.n - 1].end : 0;
	nthreads++;
	FUZZ_ASSERT(memmap_build(&mm, 42, &map, threads, nthreads, 0) == 0);
	FUZZ_ASSERT(map.vma == NULL);	/* taken over */
	FUZZ_ASSERT(mm.nrows == mm.map.n && mm.nthreads == nthreads);
	for (size_t i = 0; i < mm.nrows; i++) {
		/* every name shown is sanitized: file names are the process's to choose */
		FUZZ_ASSERT(mm.rows[i].name && fuzz_str_clean(mm.rows[i].name));
		FUZZ_ASSERT(mm.rows[i].kind < MEMMAP_NKINDS);
		rss += mm.rows[i].mem.rss;
	}
	FUZZ_ASSERT(rss == mm.total.rss);
	for (size_t t = 0; t < mm.nthreads; t++) {
		const struct memmap_thread *th = &mm.threads[t];

		/* a stack pointer found in a row lies inside that row's mapping */
		FUZZ_ASSERT(th->row >= -1 && th->row < (ssize_t)mm.nrows);
		if (th->row >= 0)
			FUZZ_ASSERT(mm.rows[th->row].vma->start <= th->sp &&
				    th->sp < mm.rows[th->row].vma->end);
	}
	FUZZ_ASSERT(mm.stacks_labelled <= mm.nrows);
	check_group(&mm, MEMMAP_GROUP_KIND);
	check_group(&mm, MEMMAP_GROUP_NAME);
	memmap_free(&mm);
out:
	free(buf);
	return 0;
}
