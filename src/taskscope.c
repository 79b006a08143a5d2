/* SPDX-License-Identifier: GPL-2.0-or-later */
/* taskscope.c - main: the locale, standard output, and the dispatch to a command */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/taskview.h"
#include "lib/outfile.h"
#include "lib/spare.h"
#include "lib/util.h"
#include "model/columns.h"
#include "model/snapshot.h"
#include "target/spawn.h"
#include "target/target.h"
#include "cmd/cli.h"
#include "lib/exitcode.h"
#include "view/batch.h"
#include "view/tui.h"

/* A command of the table, a "did you mean" for a near miss, else the task view. */
static int dispatch(int argc, char **argv)
{
	if (argc > 1) {
		const struct ts_command *c = commands_find(argv[1]);

		if (c)
			return c->main(argc - 1, argv + 1);
		if (argv[1][0] != '-' && (c = commands_suggest(argv[1]))) {
			char shown[64];

			return cli_usage_error(NULL, "'%s' is not a command; did you mean '%s'?",
					       cli_shown(argv[1], shown, sizeof(shown)), c->name);
		}
	}
	return taskview_main(argc, argv);
}

int main(int argc, char **argv)
{
	int status;

	outfile_init_stdout();
	setlocale(LC_ALL, "");
	/* a locale that cannot show UTF-8 gets ASCII with escapes */
	util_sanitize_ascii_only(strcmp(nl_langinfo(CODESET), "UTF-8") != 0);
	signal(SIGPIPE, SIG_IGN);	/* a closed reader is an EPIPE we handle quietly */
	status = dispatch(argc, argv);
	spare_drain();		/* nothing held at exit for a leak checker to report */
	/* every command's standard output, help and version included (a job's status wins) */
	return outfile_close(stdout, NULL, status);
}
