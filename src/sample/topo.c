/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topo.c - CPU topology (NUMA node, core, package of each CPU) through hwloc */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#include "sample/topo.h"

struct cpuinfo {
	int node, core, package;
};

struct topo {
	int ncpus;
	struct cpuinfo *cpu;
	int npackages, ncores, nnodes, npus;
	int noffline, nmemonly;
	char *file;		/* TOPO_ENV's file, or NULL */
};

static int ancestor_index(hwloc_topology_t h, hwloc_obj_t pu, hwloc_obj_type_t type)
{
	hwloc_obj_t o = hwloc_get_ancestor_obj_by_type(h, type, pu);

	if (!o)
		return -1;
	return o->os_index == HWLOC_UNKNOWN_INDEX ? (int)o->logical_index : (int)o->os_index;
}

/* The NUMA node nearest to pu: the first one among the memory children of its closest
 * ancestor that has any (a node without CPUs hangs higher up, so it is never taken for
 * the node of a CPU); -1 without one */
static int local_node(hwloc_obj_t pu)
{
	for (hwloc_obj_t o = pu->parent; o; o = o->parent)
		for (hwloc_obj_t m = o->memory_first_child; m; ) {
			if (m->type == HWLOC_OBJ_NUMANODE)
				return (int)m->os_index;
			/* a memory-side cache sits between: its child is the node */
			m = m->memory_first_child ? m->memory_first_child : m->next_sibling;
		}
	return -1;
}

/* A file hwloc will read: its own errors say little, so open it first for the reason */
static int check_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int topo_load(struct topo **out)
{
	const char *file = getenv(TOPO_ENV);
	hwloc_topology_t h;
	struct topo *t;
	hwloc_obj_t pu = NULL, root;
	int maxcpu = -1, rc;

	if (file && !*file)
		file = NULL;
	if (file) {
		rc = check_file(file);
		if (rc)
			return rc;
	}
	if (hwloc_topology_init(&h) < 0)
		return -ENOMEM;
	/* a file that is not a topology must not fall back to this machine's in silence */
	if (file && hwloc_topology_set_xml(h, file) < 0) {
		hwloc_topology_destroy(h);
		return -EINVAL;
	}
	if (hwloc_topology_load(h) < 0) {
		hwloc_topology_destroy(h);
		return file ? -EINVAL : -EIO;
	}
	while ((pu = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_PU, pu)))
		if ((int)pu->os_index > maxcpu)
			maxcpu = (int)pu->os_index;
	t = calloc(1, sizeof(*t));
	if (!t || maxcpu < 0 || !(t->cpu = calloc((size_t)maxcpu + 1, sizeof(*t->cpu)))) {
		free(t);
		hwloc_topology_destroy(h);
		return -ENOMEM;
	}
	t->ncpus = maxcpu + 1;
	for (int i = 0; i < t->ncpus; i++)
		t->cpu[i] = (struct cpuinfo){ -1, -1, -1 };
	pu = NULL;
	while ((pu = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_PU, pu))) {
		struct cpuinfo *c = &t->cpu[pu->os_index];

		c->core = ancestor_index(h, pu, HWLOC_OBJ_CORE);
		c->package = ancestor_index(h, pu, HWLOC_OBJ_PACKAGE);
		/* NUMA nodes hang off the memory side of the tree */
		c->node = local_node(pu);
	}
	t->npackages = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PACKAGE);
	t->ncores = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_CORE);
	t->nnodes = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_NUMANODE);
	t->npus = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PU);
	root = hwloc_get_root_obj(h);
	if (root->complete_cpuset && root->cpuset) {
		int all = hwloc_bitmap_weight(root->complete_cpuset);
		int on = hwloc_bitmap_weight(root->cpuset);

		t->noffline = all > on ? all - on : 0;
	}
	/* a node no CPU is local to has memory only (CXL, persistent memory...) */
	for (hwloc_obj_t n = NULL; (n = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_NUMANODE, n));) {
		int i;

		for (i = 0; i < t->ncpus && t->cpu[i].node != (int)n->os_index; i++)
			;
		if (i == t->ncpus)
			t->nmemonly++;
	}
	hwloc_topology_destroy(h);
	if (file && !(t->file = strdup(file))) {
		topo_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	free(t->cpu);
	free(t->file);
	free(t);
}

static const struct cpuinfo *cpu_of(const struct topo *t, int cpu)
{
	return (t && cpu >= 0 && cpu < t->ncpus) ? &t->cpu[cpu] : NULL;
}

int topo_cpu_node(const struct topo *t, int cpu)
{
	const struct cpuinfo *c = cpu_of(t, cpu);

	return c ? c->node : -1;
}

int topo_cpu_core(const struct topo *t, int cpu)
{
	const struct cpuinfo *c = cpu_of(t, cpu);

	return c ? c->core : -1;
}

int topo_cpu_package(const struct topo *t, int cpu)
{
	const struct cpuinfo *c = cpu_of(t, cpu);

	return c ? c->package : -1;
}

int topo_ncpus(const struct topo *t)
{
	return t ? t->ncpus : 0;
}

int topo_count(const struct topo *t, int *packages, int *cores, int *nodes, int *pus)
{
	if (!t)
		return -EINVAL;
	*packages = t->npackages;
	*cores = t->ncores;
	*nodes = t->nnodes;
	*pus = t->npus;
	return 0;
}

int topo_count_more(const struct topo *t, int *offline, int *memonly)
{
	if (!t)
		return -EINVAL;
	*offline = t->noffline;
	*memonly = t->nmemonly;
	return 0;
}

const char *topo_file(const struct topo *t)
{
	return t ? t->file : NULL;
}
