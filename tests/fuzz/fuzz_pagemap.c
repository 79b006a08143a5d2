/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_pagemap.c - libFuzzer target: 64-bit /proc/PID/pagemap entries (pagemap_decode) */
#include "config.h"

#include "sample/pagemap.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the input is read as the kernel hands pagemap out: native-endian 8-byte entries */
	for (size_t off = 0; off + 8 <= size; off += 8) {
		struct pagemap_entry pe;
		uint64_t e;

		memcpy(&e, data + off, 8);
		pagemap_decode(e, &pe);
		FUZZ_ASSERT(pe.present == pagemap_is_present(e));
		FUZZ_ASSERT(pe.present == !!(e & PAGEMAP_PRESENT));
		FUZZ_ASSERT(pe.swapped == !!(e & PAGEMAP_SWAP));
		FUZZ_ASSERT(pe.file == !!(e & PAGEMAP_FILE));
		FUZZ_ASSERT(pe.exclusive == !!(e & PAGEMAP_EXCLUSIVE));
		FUZZ_ASSERT(pe.soft_dirty == !!(e & PAGEMAP_SOFT_DIRTY));
		FUZZ_ASSERT(pe.uffd_wp == !!(e & PAGEMAP_UFFD_WP));
		FUZZ_ASSERT(pe.guard == !!(e & PAGEMAP_GUARD));
		/* a PFN only for a present page, and never wider than the 55-bit field */
		FUZZ_ASSERT(pe.pfn <= PAGEMAP_PFN_MASK);
		FUZZ_ASSERT(pe.pfn == pagemap_pfn(e));
		if (pe.present) {
			FUZZ_ASSERT(pe.pfn == (e & PAGEMAP_PFN_MASK));
			FUZZ_ASSERT(pe.swap_type == 0 && pe.swap_offset == 0);
		} else if (pe.swapped) {
			/* type and offset put back together give the field */
			FUZZ_ASSERT(pe.swap_type < 32);
			FUZZ_ASSERT(((pe.swap_offset << 5) | pe.swap_type) ==
				    (e & PAGEMAP_PFN_MASK));
		} else {
			FUZZ_ASSERT(pe.pfn == 0 && pe.swap_type == 0 && pe.swap_offset == 0);
		}
	}
	return 0;
}
