/* SPDX-License-Identifier: GPL-2.0-or-later */
/* physnode.c - the NUMA node of a physical page: each node's memory blocks (sysfs) */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sample/physnode.h"
#include "sample/source.h"
#include "sample/taskfiles.h"

/* The number after prefix in name ("node3" -> 3), within max; -1 when it is not one */
static long name_number(const char *name, const char *prefix, uint64_t max)
{
	size_t n = strlen(prefix);
	uint64_t v;

	if (strncmp(name, prefix, n) || name[n] < '0' || name[n] > '9' ||
	    util_parse_u64(name + n, max, &v))
		return -1;
	return (long)v;
}

/* The block size: memory/block_size_bytes in hex; 0 when there is none */
static int block_size(int sysfd, uint64_t *out)
{
	char buf[32];
	size_t len;
	uint64_t v = 0;
	int rc = taskfiles_read(sysfd, "memory/block_size_bytes", buf, sizeof(buf), &len);

	*out = 0;
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (!len || len > 16)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (!v)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Note block b on node n, the table grown as needed */
static int note_block(struct physnode *m, size_t b, int n)
{
	if (b >= m->nblocks) {
		size_t nn = m->nblocks ? m->nblocks : 64;
		int *v;

		while (nn <= b)
			nn *= 2;
		v = realloc(m->node, nn * sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (size_t i = m->nblocks; i < nn; i++)
			v[i] = -1;
		m->node = v;
		m->nblocks = nn;
	}
	m->node[b] = n;
	return 0;
}

/* The memoryM entries of node n's directory */
static int node_blocks(int sysfd, struct physnode *m, int n)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int rc;

	snprintf(path, sizeof(path), "node/node%d", n);
	rc = source_opendir(sysfd, path, &d);
	if (rc)
		return rc;
	while (!rc && (de = readdir(d))) {
		long b = name_number(de->d_name, "memory", PHYSNODE_MAX_BLOCKS - 1);

		if (b >= 0)
			rc = note_block(m, (size_t)b, n);
	}
	closedir(d);
	return rc;
}

int physnode_load_at(int sysfd, struct physnode *out)
{
	struct dirent *de;
	DIR *d;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = block_size(sysfd, &out->block_bytes);
	if (!rc)
		rc = source_opendir(sysfd, "node", &d);
	if (rc)
		return rc;
	while (!rc && (de = readdir(d))) {
		long n = name_number(de->d_name, "node", PHYSNODE_MAX_NODES - 1);

		if (n < 0)
			continue;
		if (n + 1 > out->nnodes)
			out->nnodes = (int)n + 1;
		if (out->block_bytes)
			rc = node_blocks(sysfd, out, (int)n);
	}
	closedir(d);
	if (!rc && !out->nnodes)
		rc = -ENOENT;
	if (rc)
		physnode_free(out);
	return rc;
}

int physnode_load(struct physnode *out)
{
	int fd = open("/sys/devices/system", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return -errno;
	rc = physnode_load_at(fd, out);
	close(fd);
	return rc;
}

int physnode_of_pfn(const struct physnode *m, uint64_t pfn, uint64_t page_size)
{
	uint64_t b;

	if (!m->nnodes)
		return -1;
	if (!m->block_bytes)
		return m->nnodes == 1 ? 0 : -1;
	if (__builtin_mul_overflow(pfn, page_size, &b))
		return -1;
	b /= m->block_bytes;
	return b < m->nblocks ? m->node[b] : -1;
}

void physnode_free(struct physnode *m)
{
	free(m->node);
	memset(m, 0, sizeof(*m));
}
