/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spare.c - a few large freed blocks kept for reuse
 *
 * A refresh of the thread view at 10,000 tasks makes a 4 MiB array of rows and about
 * 1.5 MiB of table cells and text (the full-screen view: its list of rows), and frees
 * those of the sample before. Above malloc's
 * mmap threshold (fixed at 128 KiB by the sampler, so that freed gaps do not stay in the
 * heap) each such block is a new mapping whose every page is faulted in again: 1,480
 * faults a refresh. Kept here, the next sample's blocks are pages that are already there,
 * and as the same few blocks go round, the resident size stays flat.
 */
#include "config.h"

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include "lib/spare.h"

/* A kept block is poisoned for AddressSanitizer until it is given again: a pointer left
 * into the rows of a snapshot that is gone still faults as a use after free would. */
#if defined(__SANITIZE_ADDRESS__)
#define SPARE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPARE_ASAN 1
#endif
#endif
#ifdef SPARE_ASAN
#include <sanitizer/asan_interface.h>
#define poison(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define poison(p, n) ((void)(p), (void)(n))
#define unpoison(p, n) ((void)(p), (void)(n))
#endif

/* a refresh's blocks: two samples' rows, a table's cells, line starts and text, the
 * sorted rows of the view (or the full-screen view's list and its sort arrays), the
 * members list, and room for the full-screen view's process sample */
#define SPARE_SLOTS 8

static struct {
	void *p;
	size_t size;		/* malloc_usable_size(p) */
} kept[SPARE_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *spare_get(size_t size, size_t *usable)
{
	void *p = NULL;
	size_t best = SPARE_SLOTS;

	if (!size)
		size = 1;
	if (size >= SPARE_MIN) {
		pthread_mutex_lock(&lock);
		for (size_t i = 0; i < SPARE_SLOTS; i++) {
			if (!kept[i].p || kept[i].size < size || kept[i].size / 2 > size)
				continue;
			if (best == SPARE_SLOTS || kept[i].size < kept[best].size)
				best = i;
		}
		if (best < SPARE_SLOTS) {
			p = kept[best].p;
			kept[best].p = NULL;
			unpoison(p, kept[best].size);
		}
		pthread_mutex_unlock(&lock);
	}
	if (!p)
		p = malloc(size);
	if (p && usable)
		*usable = malloc_usable_size(p);
	return p;
}

void spare_put(void *p)
{
	size_t size, low = SPARE_SLOTS;

	if (!p)
		return;
	size = malloc_usable_size(p);
	if (size < SPARE_MIN) {
		free(p);
		return;
	}
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < SPARE_SLOTS; i++) {
		if (!kept[i].p) {
			low = i;
			break;
		}
		if (low == SPARE_SLOTS || kept[i].size < kept[low].size)
			low = i;
	}
	if (kept[low].p && kept[low].size < size) {
		unpoison(kept[low].p, kept[low].size);
		free(kept[low].p);	/* the smallest goes for a larger one */
		kept[low].p = NULL;
	}
	if (!kept[low].p) {
		kept[low].p = p;
		kept[low].size = size;
		poison(p, size);
		p = NULL;
	}
	pthread_mutex_unlock(&lock);
	free(p);
}

void spare_drain(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < SPARE_SLOTS; i++) {
		if (kept[i].p)
			unpoison(kept[i].p, kept[i].size);
		free(kept[i].p);
		kept[i].p = NULL;
	}
	pthread_mutex_unlock(&lock);
}
