/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recsqlite.c - SQLite for recordings, loaded at run time (recint.h says why) */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/dynlib.h"
#include "lib/util.h"
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
	void *slot[ARRAY_SIZE(names)];

	_Static_assert(sizeof(rec_sqlite) == sizeof(slot), "one name a function of rec_sqlite");
	load_rc = dynlib_load(SQLITE_SONAME, "the SQLite library", "an SQLite", names,
			      ARRAY_SIZE(names), slot, load_why, sizeof(load_why));
	if (!load_rc)
		memcpy(&rec_sqlite, slot, sizeof(rec_sqlite));
}

int rec_sqlite_load(char *why, size_t len)
{
	pthread_once(&once, load);
	if (load_rc && len)
		snprintf(why, len, "%s", load_why);
	return load_rc;
}
