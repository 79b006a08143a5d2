/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spare.h - large blocks a sample makes and frees (its rows, a table's cells and text),
 * kept for the next sample instead of given back to the kernel and faulted in again */
#ifndef TASKSCOPE_SPARE_H
#define TASKSCOPE_SPARE_H

#include <stddef.h>

/* Blocks smaller than this are left to malloc: they come from its heap, whose pages stay. */
#define SPARE_MIN ((size_t)128 * 1024)

/* A block of at least size bytes: a kept one that holds it and is at most twice as large,
 * else a new one from malloc (NULL when there is no memory). *usable gets how many bytes
 * it holds (at least size), when usable is not NULL. Free it with spare_put() or free(). */
void *spare_get(size_t size, size_t *usable);
/* Give back a block from malloc (or spare_get): one of SPARE_MIN bytes or more is kept
 * for a later spare_get() while fewer than SPARE_SLOTS are kept (else the smallest kept
 * block goes), any other is freed. NULL does nothing. Safe from any thread. */
void spare_put(void *p);
/* Free every kept block (at exit: leak checkers then see nothing held). */
void spare_drain(void);

#endif
