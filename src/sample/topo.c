/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topo.c - CPU topology (NUMA node, core, package of each CPU) through hwloc */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#include "lib/util.h"
#include "sample/taskfiles.h"
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

/* ---- a tree's sys/devices/system (--proc-root) ------------------------------------------ */

#define TREE_MAX_CPUS	8192	/* the kernel's largest NR_CPUS */
#define TREE_MAX_NODES	1024	/* ... and MAX_NUMNODES */

/* A CPU or node list file of the tree; -ENOENT when absent */
static int tree_list(int rootfd, const char *path, int max, struct cpulist *cl)
{
	char buf[4096];
	size_t len;
	int rc = taskfiles_read(rootfd, path, buf, sizeof(buf), &len);

	if (rc)
		return rc;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	buf[len] = '\0';
	if (!len)
		return util_cpulist_init(cl, max);	/* empty: none */
	return util_cpulist_parse(buf, max, cl);
}

/* A number file of the tree (core_id, physical_package_id) */
static int tree_int(int rootfd, const char *path, int *out)
{
	char buf[32];
	size_t len;
	uint64_t v;
	int rc = taskfiles_read(rootfd, path, buf, sizeof(buf), &len);

	if (rc)
		return rc;
	while (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	rc = util_parse_u64(buf, INT32_MAX, &v);
	if (!rc)
		*out = (int)v;
	return rc;
}

static int highest(const struct cpulist *cl)
{
	for (int c = cl->ncpus - 1; c >= 0; c--)
		if (CPU_ISSET_S((size_t)c, cl->size, cl->set))
			return c;
	return -1;
}

static int count_set(const struct cpulist *cl)
{
	return CPU_COUNT_S(cl->size, cl->set);
}

/* Each CPU's package and core from cpuN/topology: the counts of packages and cores */
static int tree_cpus(int rootfd, struct topo *t, const struct cpulist *online)
{
	char path[96];
	int rc = 0;

	for (int c = 0; !rc && c < t->ncpus; c++) {
		struct cpuinfo *ci = &t->cpu[c];

		if (!CPU_ISSET_S((size_t)c, online->size, online->set))
			continue;
		t->npus++;
		snprintf(path, sizeof(path), "sys/devices/system/cpu/cpu%d/topology/"
			 "physical_package_id", c);
		rc = tree_int(rootfd, path, &ci->package);
		snprintf(path, sizeof(path), "sys/devices/system/cpu/cpu%d/topology/core_id", c);
		if (!rc)
			rc = tree_int(rootfd, path, &ci->core);
		if (rc == -ENOENT) {
			ci->package = ci->core = -1;
			rc = 0;
		}
	}
	for (int c = 0; !rc && c < t->ncpus; c++) {
		bool pkg_seen = false, core_seen = false;

		if (t->cpu[c].package < 0)
			continue;
		for (int d = 0; d < c; d++) {
			if (t->cpu[d].package != t->cpu[c].package)
				continue;
			pkg_seen = true;
			if (t->cpu[d].core == t->cpu[c].core)
				core_seen = true;
		}
		t->npackages += !pkg_seen;
		t->ncores += !core_seen;
	}
	return rc;
}

/* Each node's CPUs from nodeN/cpulist; without a node directory, one node 0 */
static int tree_nodes(int rootfd, struct topo *t)
{
	struct cpulist nodes;
	char path[96];
	int rc = tree_list(rootfd, "sys/devices/system/node/online", TREE_MAX_NODES, &nodes);

	if (rc == -ENOENT) {
		for (int c = 0; c < t->ncpus; c++)
			if (t->cpu[c].package >= 0)
				t->cpu[c].node = 0;
		t->nnodes = 1;
		return 0;
	}
	if (rc)
		return rc;
	for (int n = 0; !rc && n <= highest(&nodes); n++) {
		struct cpulist cl;
		int mine = 0;

		if (!CPU_ISSET_S((size_t)n, nodes.size, nodes.set))
			continue;
		snprintf(path, sizeof(path), "sys/devices/system/node/node%d/cpulist", n);
		rc = tree_list(rootfd, path, TREE_MAX_CPUS, &cl);
		if (rc)
			break;
		t->nnodes++;
		for (int c = 0; c < t->ncpus; c++)
			if (CPU_ISSET_S((size_t)c, cl.size, cl.set) && t->cpu[c].package >= 0) {
				t->cpu[c].node = n;
				mine++;
			}
		t->nmemonly += !mine;
		util_cpulist_free(&cl);
	}
	util_cpulist_free(&nodes);
	return rc;
}

int topo_load_tree(int rootfd, struct topo **out)
{
	struct cpulist online, present;
	struct topo *t;
	int rc, top;

	*out = NULL;
	rc = tree_list(rootfd, "sys/devices/system/cpu/online", TREE_MAX_CPUS, &online);
	if (rc)
		return rc == -EINVAL || rc == -ERANGE ? -EINVAL : rc;
	if (tree_list(rootfd, "sys/devices/system/cpu/present", TREE_MAX_CPUS, &present))
		present = (struct cpulist){ NULL, 0, 0 };
	top = highest(&online);
	t = calloc(1, sizeof(*t));
	if (!t || top < 0 || !(t->cpu = calloc((size_t)top + 1, sizeof(*t->cpu)))) {
		rc = t && top < 0 ? -EINVAL : -ENOMEM;
		goto out;
	}
	t->ncpus = top + 1;
	for (int c = 0; c < t->ncpus; c++)
		t->cpu[c] = (struct cpuinfo){ -1, -1, -1 };
	if (present.set)
		t->noffline = count_set(&present) > count_set(&online) ?
			      count_set(&present) - count_set(&online) : 0;
	rc = tree_cpus(rootfd, t, &online);
	if (!rc)
		rc = tree_nodes(rootfd, t);
out:
	util_cpulist_free(&online);
	if (present.set)
		util_cpulist_free(&present);
	if (rc) {
		topo_free(t);
		return rc == -ERANGE ? -EINVAL : rc;
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
