/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.c - the command table: every subcommand's name, entry point, synopsis and summary */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/compare.h"
#include "cmd/cpus.h"
#include "cmd/demo.h"
#include "cmd/diff.h"
#include "cmd/maps.h"
#include "cmd/record.h"
#include "cmd/replay.h"
#include "cmd/serve.h"
#include "lib/util.h"
#include "cmd/share.h"
#include "workload/workload.h"

static int help_main(int argc, char **argv);

static const struct ts_command table[] = {
	{ "compare", comparecmd_main, "",
	  "[options] --workers N | 'COMMAND A' 'COMMAND B' | -p PIDS -p PIDS",
	  "two workloads side by side: tasks, address spaces, RSS/PSS/USS,\n"
	  "page tables, CPU, switches" },
	{ "cpus", cpuscmd_main, "", "[options] [PID...] [-- command [args...]]",
	  "where threads run: a placement timeline sampled many times a\nsecond" },
	{ "demo", democmd_main, "", "[options]",
	  "the threads-vs-processes lesson, measured now" },
	{ "diff", diff_main, "FILE@T FILE@T", "[options] FILE@TIME FILE@TIME | A.db B.db",
	  "two moments of recordings: tasks that came and went, growers,\nCPU share, placement" },
	{ "help", help_main, "[COMMAND]", "[COMMAND]",
	  "this list, or the manual page of COMMAND" },
	{ "maps", maps_main, "PID...", "[options] PID...",
	  "the memory map of processes, thread stacks labelled" },
	{ "record", record_main, "", "[options] [PID...] [-- command [args...]]",
	  "samples to an SQLite file, to replay and diff later" },
	{ "replay", replay_main, "FILE", "[options] FILE",
	  "a recording in the full-screen view (time travel), or as tables or JSON" },
	{ "serve", serve_main, "", "[options] [PID...]",
	  "per-group metrics over HTTP for Prometheus (OpenMetrics)" },
	{ "share", share_main, "PID...", "[options] PID... | -- command [args...]",
	  "what tasks share: kcmp resources and physical pages" },
	{ "workload", workload_main, "", "[options]",
	  "run built-in thread/process workloads" },
};

const struct ts_command *commands_all(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}

const struct ts_command *commands_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

/* Optimal string alignment distance (insertions, deletions, substitutions, swaps of two
 * neighbours), capped: names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[17][17];

	if (la > 16 || lb > 16)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const struct ts_command *commands_suggest(const char *name)
{
	const struct ts_command *best = NULL, *prefix = NULL;
	size_t bestd = 3, nprefix = 0, len = strlen(name);

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		size_t d = distance(name, table[i].name);

		if (d < bestd) {
			bestd = d;
			best = &table[i];
		}
		if (len >= 2 && !strncmp(table[i].name, name, len)) {
			prefix = &table[i];
			nprefix++;
		}
	}
	/* two edits of a four-letter name can make another word: only for longer names */
	if (best && bestd == 2 && strlen(best->name) < 5)
		best = NULL;
	if (!best && nprefix == 1)
		best = prefix;
	return best;
}

void commands_print_synopsis(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		fprintf(out, " taskscope %s %s\n", table[i].name, table[i].usage);
}

void commands_print_list(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct ts_command *c = &table[i];
		char head[32];
		const char *s = c->summary, *nl;
		int col;

		snprintf(head, sizeof(head), "%s%s%s", c->name, *c->args ? " " : "", c->args);
		col = fprintf(out, " %-19s ", head);
		while ((nl = strchr(s, '\n'))) {
			fprintf(out, "%.*s\n%*s", (int)(nl - s), s, col, "");
			s = nl + 1;
		}
		fprintf(out, "%s (see 'taskscope %s --help')\n", s, c->name);
	}
}

/* ---- taskscope help [COMMAND] ---------------------------------------------------------- */

extern char **environ;

static void help_usage(FILE *out)
{
	fputs("Usage: taskscope help [COMMAND]\n"
	      "\n"
	      "Without COMMAND, the list of commands. With one, its manual page\n"
	      "taskscope-COMMAND(1) through man(1) when standard output is a terminal and man\n"
	      "finds the page, else what 'taskscope COMMAND --help' prints.\n"
	      "\n"
	      "Options:\n"
	      " -h, --help    show this help and exit\n"
	      "\n"
	      "Exit status: 0 ok, 2 usage error (such as a command that does not exist), or\n"
	      "man's status. See taskscope(1).\n", out);
}

/* Whether `man -w PAGE` finds the page: man on PATH, run with no terminal and no output. */
static int man_finds(const char *page)
{
	char *const args[] = { "man", "-w", (char *)page, NULL };
	posix_spawn_file_actions_t fa;
	int status, rc;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa))
		return 0;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "man", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int help_main(int argc, char **argv)
{
	const struct ts_command *c;
	char shown[64], page[48];
	int i = 1;

	if (i < argc && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
		help_usage(stdout);
		return 0;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	else if (i < argc && argv[i][0] == '-' && argv[i][1])
		return cli_usage_error("help", "unknown option '%s'",
				       cli_shown(argv[i], shown, sizeof(shown)));
	if (i == argc) {
		fputs("Commands:\n", stdout);
		commands_print_list(stdout);
		fputs("\nThe task view's options: 'taskscope --help'. A command's manual page:\n"
		      "'taskscope help COMMAND' or 'man taskscope-COMMAND'. See taskscope(1).\n",
		      stdout);
		return 0;
	}
	if (argc - i > 1)
		return cli_usage_error("help", "one command at most, not '%s' too",
				       cli_shown(argv[i + 1], shown, sizeof(shown)));
	c = commands_find(argv[i]);
	if (!c) {
		const struct ts_command *near = commands_suggest(argv[i]);

		cli_shown(argv[i], shown, sizeof(shown));
		if (near)
			return cli_usage_error("help", "'%s' is not a command; did you mean '%s'?",
					       shown, near->name);
		return cli_usage_error("help", "'%s' is not a command ('taskscope help' lists them)",
				       shown);
	}
	snprintf(page, sizeof(page), "taskscope-%s", c->name);
	if (c->main != help_main && isatty(STDOUT_FILENO) && man_finds(page)) {
		char *const args[] = { "man", page, NULL };

		fflush(NULL);
		execvp("man", args);
		/* man went away in between: the help text instead */
	}
	{
		char *args[] = { (char *)c->name, "--help", NULL };

		return c->main(2, args);
	}
}
