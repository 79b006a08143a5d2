/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ring.h - a bounded single-producer single-consumer ring of fixed-size records */
#ifndef TASKSCOPE_RING_H
#define TASKSCOPE_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One thread pushes, one other thread pops; neither ever waits for the other. A push into
 * a full ring is refused and counted, never blocks and never overwrites: the consumer sees
 * every record that was accepted, in order, and the count of those that were not.
 */
struct ring {
	unsigned char *buf;
	size_t recsize;
	uint64_t mask;			/* capacity - 1 (capacity is a power of two) */
	_Atomic uint64_t head;		/* next record to write; written by the producer */
	_Atomic uint64_t tail;		/* next record to read; written by the consumer */
	_Atomic uint64_t dropped;	/* pushes refused because the ring was full */
};

/* capacity: records, rounded up to a power of two (at least 2); -EINVAL, -ENOMEM */
int ring_init(struct ring *r, size_t capacity, size_t recsize);
void ring_free(struct ring *r);
size_t ring_capacity(const struct ring *r);
/* Producer: copy rec in; -ENOBUFS (and counted in dropped) when the ring is full. */
int ring_push(struct ring *r, const void *rec);
/* Consumer: copy up to max records out into out (max * recsize bytes); returns how many. */
size_t ring_pop(struct ring *r, void *out, size_t max);
uint64_t ring_dropped(const struct ring *r);

#endif
