/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topo.c - CPU topology (NUMA node, core, package of each CPU) through hwloc */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <hwloc.h>

#include "sample/topo.h"

struct cpuinfo {
	int node, core, package;
};

struct topo {
	int ncpus;
	struct cpuinfo *cpu;
	int npackages, ncores, nnodes, npus;
};

static int ancestor_index(hwloc_topology_t h, hwloc_obj_t pu, hwloc_obj_type_t type)
{
	hwloc_obj_t o = hwloc_get_ancestor_obj_by_type(h, type, pu);

	if (!o)
		return -1;
	return o->os_index == HWLOC_UNKNOWN_INDEX ? (int)o->logical_index : (int)o->os_index;
}

int topo_load(struct topo **out)
{
	hwloc_topology_t h;
	struct topo *t;
	hwloc_obj_t pu = NULL;
	int maxcpu = -1;

	if (hwloc_topology_init(&h) < 0)
		return -ENOMEM;
	if (hwloc_topology_load(h) < 0) {
		hwloc_topology_destroy(h);
		return -EIO;
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
		hwloc_obj_t n;

		c->core = ancestor_index(h, pu, HWLOC_OBJ_CORE);
		c->package = ancestor_index(h, pu, HWLOC_OBJ_PACKAGE);
		/* NUMA nodes hang off the memory side: the node whose cpuset holds this PU */
		n = NULL;
		c->node = -1;
		while ((n = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_NUMANODE, n)))
			if (hwloc_bitmap_isset(n->cpuset, pu->os_index)) {
				c->node = (int)n->os_index;
				break;
			}
	}
	t->npackages = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PACKAGE);
	t->ncores = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_CORE);
	t->nnodes = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_NUMANODE);
	t->npus = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PU);
	hwloc_topology_destroy(h);
	*out = t;
	return 0;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	free(t->cpu);
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
