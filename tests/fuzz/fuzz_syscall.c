/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_syscall.c - libFuzzer target: /proc/PID/task/TID/syscall (the stack pointer) */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "sample/stackptr.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup_exact(data, size), hex[20];
	uint64_t sp = 0;
	int rc;

	rc = stackptr_parse_syscall(buf, size, &sp);
	FUZZ_ASSERT(rc == 0 || rc == -EAGAIN || rc == -EINVAL || rc == -ERANGE);
	if (rc == -EAGAIN)
		FUZZ_ASSERT(size >= 7 && !memcmp(buf, "running", 7));
	if (rc == 0) {
		/* the value's hex digits are in the text (leading zeros aside), after a "0x" */
		snprintf(hex, sizeof(hex), "%" PRIx64, sp);
		FUZZ_ASSERT(memmem(buf, size, hex, strlen(hex)) != NULL);
		FUZZ_ASSERT(memmem(buf, size, "0x", 2) != NULL);
	}
	free(buf);
	return 0;
}
