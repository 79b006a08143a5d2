/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cmdline.c - libFuzzer target: a command line split at its NULs, joined (util_join_argv) */
#include "config.h"

#include "lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* /proc/PID/cmdline: arguments each ended by a NUL; the last NUL may be missing (a
	 * rewritten argv) and the text may be empty (kernel threads, zombies) */
	char *buf = fuzz_strdup(data, size), **argv, *got;
	size_t nargs = 0, len = 0, i, off;
	bool clean = true;

	for (off = 0; off < size; off += strlen(buf + off) + 1)
		nargs++;
	argv = calloc(nargs + 1, sizeof(*argv));
	if (!argv)
		abort();
	for (i = 0, off = 0; off < size; off += strlen(buf + off) + 1) {
		argv[i++] = buf + off;
		len += strlen(buf + off) + 1;
		clean = clean && fuzz_text_plain(buf + off, strlen(buf + off));
	}
	got = util_join_argv(argv);
	if (nargs == 0 || argv[0][0] == '\0') {
		FUZZ_ASSERT(got == NULL);
	} else if (clean) {
		/* safe arguments come out as they went in, one space between them, without the
		 * trailing blanks (the NUL padding of a rewritten title) */
		char *want = malloc(len), *w = want;

		if (!want)
			abort();
		for (i = 0; i < nargs; i++) {
			size_t l = strlen(argv[i]);

			if (i)
				*w++ = ' ';
			memcpy(w, argv[i], l);
			w += l;
		}
		while (w > want && w[-1] == ' ')
			w--;
		*w = '\0';
		if (!*want) {
			FUZZ_ASSERT(got == NULL);
		} else {
			FUZZ_ASSERT(got != NULL);
			FUZZ_ASSERT(strcmp(got, want) == 0);
		}
		free(want);
	} else {
		FUZZ_ASSERT(got != NULL);
		FUZZ_ASSERT(fuzz_str_clean(got));
		FUZZ_ASSERT(got[0] && got[strlen(got) - 1] != ' ');
	}
	free(got);
	free(argv);
	free(buf);
	return 0;
}
