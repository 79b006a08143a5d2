/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dynlib.c - a library loaded at run time: serve's libmicrohttpd, recordings' SQLite */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/dynlib.h"

int dynlib_load(const char *soname, const char *what, const char *kind,
		const char *const *names, size_t n, void **slots, char *why, size_t len)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	const char *err;

	if (!lib) {
		err = dlerror();
		snprintf(why, len, "cannot load %s, %s: %s", soname, what, err ? err : "not found");
		return -ELIBACC;
	}
	for (size_t i = 0; i < n; i++) {
		void *f = dlsym(lib, names[i]);

		if (!f) {
			snprintf(why, len, "%s has no %s: not %s this build can use", soname,
				 names[i], kind);
			dlclose(lib);
			return -ELIBACC;
		}
		memcpy(&slots[i], &f, sizeof(f));
	}
	return 0;
}
