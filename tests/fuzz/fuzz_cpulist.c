/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cpulist.c - libFuzzer target: CPU lists ("0-3,8,10-11:2"; util_cpulist_parse) */
#include "config.h"

#include <errno.h>

#include "lib/util.h"
#include "fuzz.h"

#define MAX_CPUS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_CPUS * 6];
	struct cpulist cl, again;
	char *s = fuzz_strdup(data, size);
	int rc, count;

	rc = util_cpulist_parse(s, MAX_CPUS, &cl);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
	if (rc == 0) {
		count = CPU_COUNT_S(cl.size, cl.set);
		FUZZ_ASSERT(count >= 1 && count <= MAX_CPUS);
		for (int c = MAX_CPUS; c < cl.ncpus; c++)
			FUZZ_ASSERT(!CPU_ISSET_S((size_t)c, cl.size, cl.set));
		/* round trip: the set written as ranges parses to the same set */
		FUZZ_ASSERT(util_cpulist_format(&cl, text, sizeof(text)) == 0);
		FUZZ_ASSERT(util_cpulist_parse(text, MAX_CPUS, &again) == 0);
		FUZZ_ASSERT(again.size == cl.size && CPU_EQUAL_S(cl.size, cl.set, again.set));
		util_cpulist_free(&again);
		util_cpulist_free(&cl);
	}
	free(s);
	return 0;
}
