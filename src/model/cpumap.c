/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cpumap.c - the machine's CPUs as the views see them, copied out of the topology */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/cpumap.h"
#include "sample/source.h"
#include "sample/topo.h"

static int copy(struct cpumap *m, const struct topo *t)
{
	size_t n;

	m->ncpus = topo_ncpus(t);
	n = m->ncpus > 0 ? (size_t)m->ncpus : 1;
	m->node = malloc(n * sizeof(int));
	m->core = malloc(n * sizeof(int));
	m->package = malloc(n * sizeof(int));
	if (!m->node || !m->core || !m->package)
		return -ENOMEM;
	for (int c = 0; c < m->ncpus; c++) {
		m->node[c] = topo_cpu_node(t, c);
		m->core[c] = topo_cpu_core(t, c);
		m->package[c] = topo_cpu_package(t, c);
	}
	m->counted = topo_count(t, &m->packages, &m->cores, &m->nodes, &m->pus) == 0;
	if (m->counted)
		topo_count_more(t, &m->offline, &m->memonly);
	if (topo_file(t) && !(m->file = strdup(topo_file(t))))
		return -ENOMEM;
	return 0;
}

/* The map of topology t (which it frees) in *out. */
static int from_topo(struct topo *t, struct cpumap **out)
{
	struct cpumap *m = calloc(1, sizeof(*m));
	int rc = m ? copy(m, t) : -ENOMEM;

	topo_free(t);
	if (rc) {
		cpumap_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int cpumap_load(struct cpumap **out)
{
	struct topo *t = NULL;
	int rc;

	*out = NULL;
	rc = topo_load(&t);
	return rc ? rc : from_topo(t, out);
}

int cpumap_load_tree(const char *dir, struct cpumap **out)
{
	char *dirs[1] = { (char *)dir }, why[320];
	struct source *src;
	struct topo *t = NULL;
	int rc;

	*out = NULL;
	rc = source_open_trees(&src, dirs, 1, why, sizeof(why));
	if (rc)
		return rc == -ENOENT ? -EIO : rc;	/* the tree itself, not its topology */
	rc = topo_load_tree(source_rootfd(src), &t);
	source_close(src);
	return rc ? rc : from_topo(t, out);
}

void cpumap_free(struct cpumap *m)
{
	if (!m)
		return;
	free(m->node);
	free(m->core);
	free(m->package);
	free(m->file);
	free(m);
}

static int at(const struct cpumap *m, const int *v, int cpu)
{
	return m && cpu >= 0 && cpu < m->ncpus ? v[cpu] : -1;
}

int cpumap_node(const struct cpumap *m, int cpu)
{
	return m ? at(m, m->node, cpu) : -1;
}

int cpumap_core(const struct cpumap *m, int cpu)
{
	return m ? at(m, m->core, cpu) : -1;
}

int cpumap_package(const struct cpumap *m, int cpu)
{
	return m ? at(m, m->package, cpu) : -1;
}

int cpumap_ncpus(const struct cpumap *m)
{
	return m ? m->ncpus : 0;
}

int cpumap_count(const struct cpumap *m, int *packages, int *cores, int *nodes, int *pus)
{
	if (!m || !m->counted)
		return -EINVAL;
	*packages = m->packages;
	*cores = m->cores;
	*nodes = m->nodes;
	*pus = m->pus;
	return 0;
}

int cpumap_count_more(const struct cpumap *m, int *offline, int *memonly)
{
	if (!m || !m->counted)
		return -EINVAL;
	*offline = m->offline;
	*memonly = m->memonly;
	return 0;
}

const char *cpumap_file(const struct cpumap *m)
{
	return m ? m->file : NULL;
}
