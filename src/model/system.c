/* SPDX-License-Identifier: GPL-2.0-or-later */
/* system.c - what the views may ask of the whole system, through the model */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "model/system.h"
#include "sample/proc2.h"
#include "sample/taskfiles.h"

struct cpuload {
	struct proc2_cpus *c;
};

int system_open_root(void)
{
	return taskfiles_open_root();
}

int system_tgid_of(int rootfd, pid_t tid, pid_t *tgid)
{
	return taskfiles_tgid(rootfd, tid, tgid);
}

int system_self_exe(char *buf, size_t len)
{
	return taskfiles_self_exe(buf, len);
}

int cpuload_new(struct cpuload **out)
{
	struct cpuload *c = calloc(1, sizeof(*c));
	int rc = c ? proc2_cpus_new(&c->c) : -ENOMEM;

	if (rc) {
		free(c);
		c = NULL;
	}
	*out = c;
	return rc;
}

void cpuload_free(struct cpuload *c)
{
	if (!c)
		return;
	proc2_cpus_free(c->c);
	free(c);
}

int cpuload_busy(struct cpuload *c, double *all, double *each, int max, int *n)
{
	return proc2_cpus_busy(c->c, all, each, max, n);
}

void system_read_mem(int rootfd, struct sysinfo_mem *out)
{
	sysinfo_read(rootfd, out);
}

void system_thread_reading(pid_t tid, char *where, size_t len)
{
	taskfiles_self_reading(tid, where, len);
}
