/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_numbers.c - libFuzzer target: sizes ("1.5G"), seconds ("0.1") and whole numbers */
#include "config.h"

#include <errno.h>
#include <math.h>

#include "lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), dec[24];
	uint64_t u, u2, sz;
	int64_t i, i2;
	double sec;
	int rc, rcu;

	rc = util_parse_size(s, &sz);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	rcu = util_parse_u64(s, UINT64_MAX, &u);
	FUZZ_ASSERT(rcu == 0 || rcu == -EINVAL || rcu == -ERANGE);
	if (rcu == 0) {
		/* a plain number of bytes is a size too, the same one */
		FUZZ_ASSERT(rc == 0 && sz == u);
		/* round trip through the fast decimal writer */
		util_u64_dec(u, dec, sizeof(dec));
		FUZZ_ASSERT(util_parse_u64(dec, UINT64_MAX, &u2) == 0 && u2 == u);
		FUZZ_ASSERT(strlen(dec) <= strlen(s));
	}
	rc = util_parse_i64(s, INT64_MIN, INT64_MAX, &i);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc == 0) {
		util_i64_dec(i, dec, sizeof(dec));
		FUZZ_ASSERT(util_parse_i64(dec, INT64_MIN, INT64_MAX, &i2) == 0 && i2 == i);
	}
	rc = util_parse_seconds(s, 1e6, &sec);
	FUZZ_ASSERT(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc == 0)
		FUZZ_ASSERT(isfinite(sec) && sec >= 0 && sec <= 1e6);
	free(s);
	return 0;
}
