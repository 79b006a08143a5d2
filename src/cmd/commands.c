/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.c - the command table: every subcommand's name, entry point, synopsis and summary */
#include "config.h"

#include <string.h>

#include "cmd/commands.h"
#include "cmd/diff.h"
#include "cmd/record.h"
#include "cmd/replay.h"
#include "comparecmd.h"
#include "cpuscmd.h"
#include "democmd.h"
#include "lib/util.h"
#include "mapscmd.h"
#include "view/share.h"
#include "workload/workload.h"

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
	{ "maps", mapscmd_main, "PID...", "[options] PID...",
	  "the memory map of processes, thread stacks labelled" },
	{ "record", record_main, "", "[options] [PID...] [-- command [args...]]",
	  "samples to an SQLite file, to replay and diff later" },
	{ "replay", replay_main, "FILE", "[options] FILE",
	  "a recording's samples as the tables or JSON of the task view" },
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
