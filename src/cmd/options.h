/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.h - the options the commands share, parsed in one place
 *
 * A command declares its own options in a table (struct cmd_option) and itself in a struct
 * cmd_spec, with the CO_* flags of the common options it takes; command_parse builds
 * getopt_long's tables from both, stores each option of the table, sends the others to the
 * common parser, then takes the arguments left (PIDs, operands, "-- command") and checks
 * the combinations. Messages and --help hints name the command.
 */
#ifndef TASKSCOPE_OPTIONS_H
#define TASKSCOPE_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "target/target.h"

/* Which common options a command takes. */
enum {
	CO_TARGETS = 1 << 0,	/* -p, -u, -C, --cgroup */
	CO_COLUMNS = 1 << 1,	/* -o LIST, --list-columns */
	CO_JSON = 1 << 2,	/* -J */
	CO_BYTES = 1 << 3,	/* --bytes */
	CO_OUTPUT_FILE = 1 << 4,	/* --output-file FILE */
	CO_JOB = 1 << 5,	/* -- command [args...], --run-as USER */
	CO_BARE_PIDS = 1 << 6,	/* PIDs after the options are -p PIDs */
	CO_VERSION = 1 << 7,	/* -V */
	CO_RAW = 1 << 8,	/* -r */
	CO_OPERANDS = 1 << 9,	/* up to max_operands arguments (FILE...), also after "--" */
	CO_FORMAT = CO_JSON | CO_RAW,
};

/* The values of the long common options (above any short option's letter). */
enum {
	CO_OPT_LIST_COLUMNS = 0x1000, CO_OPT_BYTES, CO_OPT_OUTPUT_FILE, CO_OPT_RUN_AS,
};

#define COMMON_LONGOPTS \
	{ "pid", required_argument, NULL, 'p' }, \
	{ "user", required_argument, NULL, 'u' }, \
	{ "command", required_argument, NULL, 'C' }, \
	{ "cgroup", required_argument, NULL, TARGET_OPT_CGROUP }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "list-columns", no_argument, NULL, CO_OPT_LIST_COLUMNS }, \
	{ "json", no_argument, NULL, 'J' }, \
	{ "raw", no_argument, NULL, 'r' }, \
	{ "bytes", no_argument, NULL, CO_OPT_BYTES }, \
	{ "output-file", required_argument, NULL, CO_OPT_OUTPUT_FILE }, \
	{ "run-as", required_argument, NULL, CO_OPT_RUN_AS }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }

#define CO_MAX_OPERANDS 2

struct common_opts {
	const char *name;	/* the command ("maps"), NULL for the task view */
	unsigned accept;	/* CO_* */
	void (*usage)(FILE *out);	/* -h */
	struct target target;
	const char *output;	/* -o */
	bool list_columns;
	bool json, raw, bytes;
	const char *output_file;
	const char *run_as;
	char **cmd;		/* after "--" */
	/* CO_OPERANDS: the command sets max_operands (at most CO_MAX_OPERANDS) and, if it
	 * likes, operand_hint (" (two moments to compare)") for one too many */
	size_t max_operands, noperands;
	const char *operand_hint;
	char *operand[CO_MAX_OPERANDS];
};

/* Start: opterr off (our own messages never echo raw bytes), getopt reset. */
void common_init(struct common_opts *o, const char *name, unsigned accept,
		 void (*usage)(FILE *out));
void common_free(struct common_opts *o);

#define CO_CONTINUE (-1)
/* A usage error of this command: the message and the --help hint; returns 2. */
int common_usage_error(const struct common_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The combinations of common options that make no sense (-J with -r, ...): CO_CONTINUE,
 * or the exit status. */
int common_check(const struct common_opts *o);

/*
 * A command declares its own options in a table of struct cmd_option and itself in a
 * struct cmd_spec; command_main parses argv with them (the getopt tables are built from
 * the table and the CO_* flags), runs the command and frees the options.
 */

/* What an option's argument is and where it goes. */
enum cmd_option_kind {
	CMD_FLAG,	/* no argument: a bool set to true, or call(opts, NULL) when set */
	CMD_STRING,	/* a const char * set to the argument */
	CMD_FILE,	/* the same, but an empty argument is a usage error ("needs a file name") */
	CMD_COUNT,	/* a whole number from lo to hi (util_parse_u64), into an unsigned of 4
			 * or 8 bytes */
	CMD_SECONDS,	/* a double: seconds from lo to hi (util_parse_seconds) */
	CMD_SIZE,	/* a uint64_t: a size such as 64M from lo to hi (util_parse_size) */
	CMD_CHOICE,	/* an int (an enum): lo plus the index of the argument in choices */
	CMD_LIST,	/* a char *array[]: the argument added; the count in the size_t at count */
	CMD_CALL,	/* call(opts, argument): CO_CONTINUE or the exit status */
};

/* Where a value goes in the command's options struct, and the bool set when it is given. */
#define CMD_FIELD(type, field) .off = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define CMD_GIVEN(type, field) .given = offsetof(type, field) + 1

struct cmd_option {
	const char *name;	/* the long name, without "--"; NULL ends a table */
	int letter;		/* the short option, 0 for none */
	enum cmd_option_kind kind;
	size_t off, size;	/* CMD_FIELD */
	size_t given;		/* CMD_GIVEN, 0 for none */
	size_t count;		/* CMD_LIST: offsetof the count */
	double lo, hi;		/* CMD_COUNT, CMD_SECONDS, CMD_SIZE: the range */
	bool above;		/* ... and lo itself is out of it */
	/* A usage error's words: numbers and choices after "invalid --NAME 'ARG': ", for
	 * numbers a printf format given lo and hi as doubles, in that order (so a format that
	 * shows hi shows lo first); CMD_LIST what there are at most size / sizeof(char *) of
	 * ("--NAME: at most N WORDS"). */
	const char *words;
	const char *const *choices;	/* CMD_CHOICE: the names, NULL at the end */
	int (*call)(void *opts, const char *arg);	/* CMD_CALL, CMD_FLAG */
	/* an option of the command's other form (live tasks, where a recording is read): given,
	 * it is the usage error cmd_spec.refused; kind says if it takes an argument */
	bool refused;
};

/* An option refused (above) that takes an argument, and one that does not. */
#define CMD_REFUSED(name, letter) { name, letter, CMD_STRING, .refused = true }
#define CMD_REFUSED_FLAG(name) { name, 0, CMD_FLAG, .refused = true }

struct cmd_spec {
	const char *name;	/* "record"; NULL for the task view */
	unsigned accept;	/* CO_* */
	bool permute;		/* getopt moves the operands after the options (no '+') */
	bool plain_messages;	/* msg_error without the command's name */
	bool help_only;		/* of the common long options, --help alone (demo: no
				 * --json to say is not taken) */
	size_t shown;		/* the bytes of a bad argument a usage error shows, with its
				 * NUL: 128 when 0, at most 256 */
	void (*usage)(FILE *out);
	const struct cmd_option *options;
	const char *refused;	/* the usage error of a refused option: why it is not taken */
	size_t co;		/* offsetof the struct common_opts in the options */
	size_t max_operands;	/* CO_OPERANDS, as in struct common_opts */
	const char *operand_hint;
	/* cpus FILE: an argument before the common ones look at it; true when taken */
	bool (*bare)(void *opts, int argc, char **argv);
	/* Instead of common_finish: each argument that is not an option, between the options
	 * and (without CO_JOB) after "--"; with CO_JOB what follows "--" is the command. Then
	 * check does all the checks of combinations. */
	int (*operand)(void *opts, const char *arg);
	int (*check)(void *opts);	/* after the parse: CO_CONTINUE or the exit status */
	int (*run)(void *opts);		/* the exit status */
	void (*done)(void *opts);	/* frees what the options hold (not co) */
};

/* Parse argv into opts (its defaults set): CO_CONTINUE, or the exit status. */
int command_parse(const struct cmd_spec *cs, void *opts, int argc, char **argv);
/* A command's main: msg_set_command, command_parse, run, then common_free and done. */
int command_main(const struct cmd_spec *cs, void *opts, int argc, char **argv);

#endif
