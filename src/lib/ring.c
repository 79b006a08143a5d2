/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ring.c - a bounded single-producer single-consumer ring of fixed-size records */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ring.h"

#define RING_MAX_RECORDS (1ULL << 30)

int ring_init(struct ring *r, size_t capacity, size_t recsize)
{
	uint64_t cap = 2;

	memset(r, 0, sizeof(*r));
	if (recsize == 0 || capacity == 0 || capacity > RING_MAX_RECORDS)
		return -EINVAL;
	while (cap < capacity)
		cap <<= 1;
	if (cap > SIZE_MAX / recsize)
		return -ENOMEM;
	r->buf = malloc((size_t)cap * recsize);
	if (!r->buf)
		return -ENOMEM;
	r->recsize = recsize;
	r->mask = cap - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->dropped, 0);
	return 0;
}

void ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

size_t ring_capacity(const struct ring *r)
{
	return (size_t)r->mask + 1;
}

int ring_push(struct ring *r, const void *rec)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask) {
		atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
		return -ENOBUFS;
	}
	memcpy(r->buf + (size_t)(head & r->mask) * r->recsize, rec, r->recsize);
	/* the record is written before the consumer can see the new head */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return 0;
}

size_t ring_pop(struct ring *r, void *out, size_t max)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	unsigned char *dst = out;
	size_t n = 0;

	while (n < max && tail != head) {
		size_t first = (size_t)(tail & r->mask);
		size_t chunk = (size_t)(head - tail);

		/* up to the end of the buffer, then wrap around */
		if (chunk > ring_capacity(r) - first)
			chunk = ring_capacity(r) - first;
		if (chunk > max - n)
			chunk = max - n;
		memcpy(dst + n * r->recsize, r->buf + first * r->recsize, chunk * r->recsize);
		n += chunk;
		tail += chunk;
	}
	/* the records are copied out before the producer may reuse their room */
	atomic_store_explicit(&r->tail, tail, memory_order_release);
	return n;
}

uint64_t ring_dropped(const struct ring *r)
{
	return atomic_load_explicit(&((struct ring *)r)->dropped, memory_order_relaxed);
}
