/* SPDX-License-Identifier: GPL-2.0-or-later */
/* physnode.h - the NUMA node of a physical page: each node's memory blocks (sysfs) */
#ifndef TASKSCOPE_PHYSNODE_H
#define TASKSCOPE_PHYSNODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Physical memory is cut in blocks of block_size_bytes (memory/block_size_bytes, hex);
 * node/nodeN/ lists its blocks as memoryM entries (block M holds the bytes from
 * M * block size). A page's node is its block's. Without memory blocks (no memory
 * hotplug in the kernel) and with one node, every page is on it.
 */
struct physnode {
	uint64_t block_bytes;		/* 0: no blocks (one node holds every page) */
	int *node;			/* by block index: the node, -1 none */
	size_t nblocks;
	int nnodes;			/* the highest node + 1 */
};

/* From sysfd, a directory laid out as /sys/devices/system (a tree's, read below it as
 * the tree's other files); physnode_load: this machine's. -ENOENT: no node directory;
 * -EINVAL: a file that cannot be understood; -ERANGE: more than PHYSNODE_MAX_BLOCKS blocks
 * or PHYSNODE_MAX_NODES nodes; -ENOMEM. */
#define PHYSNODE_MAX_NODES	1024
#define PHYSNODE_MAX_BLOCKS	(1u << 24)
int physnode_load_at(int sysfd, struct physnode *out);
int physnode_load(struct physnode *out);
/* The node of physical frame pfn (pages of page_size bytes), -1 unknown */
int physnode_of_pfn(const struct physnode *m, uint64_t pfn, uint64_t page_size);
void physnode_free(struct physnode *m);

#endif
