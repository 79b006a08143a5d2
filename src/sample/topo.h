/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topo.h - CPU topology (NUMA node, core, package of each CPU) through hwloc */
#ifndef TASKSCOPE_TOPO_H
#define TASKSCOPE_TOPO_H

struct topo;

int topo_load(struct topo **out);
void topo_free(struct topo *t);
/* OS indexes; -1 when the CPU is unknown (offline, out of range) */
int topo_cpu_node(const struct topo *t, int cpu);
int topo_cpu_core(const struct topo *t, int cpu);
int topo_cpu_package(const struct topo *t, int cpu);
int topo_ncpus(const struct topo *t);	/* highest OS index + 1 */
int topo_count(const struct topo *t, int *packages, int *cores, int *nodes, int *pus);

#endif
