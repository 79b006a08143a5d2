/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sysstat.c - libFuzzer target: /proc/stat (cpu line, btime) and /proc/uptime */
#include "config.h"

#include <errno.h>

#include "sample/sysinfo.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size);
	struct sysinfo_stat st;
	double up = -1;
	int rc;

	rc = sysinfo_parse_stat(buf, size, &st);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0 && st.have_cpu) {
		/* busy is the total less idle and iowait: never more than the total */
		FUZZ_ASSERT(st.cpu_busy <= st.cpu_total);
		FUZZ_ASSERT(size >= 4 && memmem(buf, size, "cpu ", 4) != NULL);
	}
	if (rc == 0 && st.have_btime)
		FUZZ_ASSERT(memmem(buf, size, "btime ", 6) != NULL);
	rc = sysinfo_parse_uptime(buf, size, &up);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL);
	if (rc == 0)
		FUZZ_ASSERT(up >= 0 && size > 0 && buf[0] >= '0' && buf[0] <= '9');
	free(buf);
	return 0;
}
