/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recsqlite.c - SQLite for recordings, loaded at run time (recint.h says why) */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define REC_SQLITE_LOADER	/* the real names here: dlsym looks them up */
#include "model/recint.h"

struct rec_sqlite rec_sqlite;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_why[320];

static void load(void)
{
#define REC_SQLITE_NAME(f) "sqlite3_" #f,
	static const char *const names[] = { REC_SQLITE_FUNCS(REC_SQLITE_NAME) };
#undef REC_SQLITE_NAME
	void *slot[sizeof(names) / sizeof(names[0])], *lib;
	const char *err;

	_Static_assert(sizeof(rec_sqlite) == sizeof(slot), "one name a function of rec_sqlite");
	lib = dlopen(SQLITE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		err = dlerror();
		snprintf(load_why, sizeof(load_why), "cannot load %s, the SQLite library: %s",
			 SQLITE_SONAME, err ? err : "not found");
		load_rc = -ELIBACC;
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		slot[i] = dlsym(lib, names[i]);
		if (!slot[i]) {
			snprintf(load_why, sizeof(load_why),
				 "%s has no %s: not an SQLite this build can use", SQLITE_SONAME,
				 names[i]);
			dlclose(lib);
			load_rc = -ELIBACC;
			return;
		}
	}
	memcpy(&rec_sqlite, slot, sizeof(rec_sqlite));	/* kept loaded to the end */
}

int rec_sqlite_load(char *why, size_t len)
{
	pthread_once(&once, load);
	if (load_rc && len)
		snprintf(why, len, "%s", load_why);
	return load_rc;
}
