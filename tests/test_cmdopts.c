/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cmdopts.c - a command's option table (src/cmd/options.c): each kind, its range
 * errors, refused options, the operand hook and command_main */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/options.h"
#include "tap.h"

struct topts {
	bool flag, flag_given, called;
	const char *str, *file;
	unsigned small;
	uint64_t big;
	double secs;
	uint64_t size;
	int pick;
	char *dirs[2];
	size_t ndirs;
	struct common_opts co;
	const char *operands[4];
	size_t noperands;
	int ran, freed;
};

static const char *const picks[] = { "a", "b", NULL };

static int call_flag(void *ctx, const char *arg)
{
	struct topts *o = ctx;

	o->called = !arg;
	return CO_CONTINUE;
}

static const struct cmd_option options[] = {
	{ "flag", 'f', CMD_FLAG, CMD_FIELD(struct topts, flag), CMD_GIVEN(struct topts, flag_given) },
	{ "call", 0, CMD_FLAG, .call = call_flag },
	{ "str", 0, CMD_STRING, CMD_FIELD(struct topts, str) },
	{ "output-file", 'o', CMD_FILE, CMD_FIELD(struct topts, file) },
	{ "small", 'n', CMD_COUNT, CMD_FIELD(struct topts, small), .lo = 1, .hi = 10,
	  .words = "a whole number from %.0f to %.0f" },
	{ "big", 0, CMD_COUNT, CMD_FIELD(struct topts, big), .hi = 1e12,
	  .words = "from %.0f to %.0f" },
	{ "secs", 0, CMD_SECONDS, CMD_FIELD(struct topts, secs), .hi = 60, .above = true,
	  .words = "seconds above %.0f, at most %.0f" },
	{ "size", 0, CMD_SIZE, CMD_FIELD(struct topts, size), .lo = 65536, .hi = 1 << 20,
	  .words = "a size from 64K to 1M" },
	{ "pick", 0, CMD_CHOICE, CMD_FIELD(struct topts, pick), .lo = 5, .choices = picks,
	  .words = "a or b" },
	{ "dir", 0, CMD_LIST, CMD_FIELD(struct topts, dirs), .count = offsetof(struct topts, ndirs),
	  .words = "trees" },
	{ 0 }
};

static int operand(void *ctx, const char *arg)
{
	struct topts *o = ctx;

	if (o->noperands == 4)
		return 2;
	o->operands[o->noperands++] = arg;
	return CO_CONTINUE;
}

static int run(void *ctx)
{
	struct topts *o = ctx;

	o->ran++;
	return 7;
}

static void done(void *ctx)
{
	struct topts *o = ctx;

	o->freed++;
}

static void usage(FILE *out)
{
	fputs("usage\n", out);
}

static const struct cmd_spec spec = {
	.name = "t", .accept = CO_JSON | CO_OUTPUT_FILE, .usage = usage, .options = options,
	.co = offsetof(struct topts, co), .run = run, .done = done,
};

/* Parse words (after "t", NULL at the end) with cs; the first line of stderr into err. */
static int parse(const struct cmd_spec *cs, struct topts *o, char *err, size_t len,
		 const char *const *words)
{
	char *argv[32] = { "t" };
	int argc = 1, saved, rc;
	FILE *f = tmpfile();
	size_t n;

	while (argc < 31 && words[argc - 1]) {
		argv[argc] = (char *)words[argc - 1];
		argc++;
	}
	memset(o, 0, sizeof(*o));
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	rc = command_parse(cs, o, argc, argv);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(err, 1, len - 1, f);
	err[n] = '\0';
	fclose(f);
	err[strcspn(err, "\n")] = '\0';
	return rc;
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Usage errors: the words, the message. */
static const struct {
	const char *what;
	const char *const *words;
	const char *msg;
} errors[] = {
	{ "a count below lo", WORDS("-n", "0"),
	  "taskscope: t: invalid --small '0': a whole number from 1 to 10" },
	{ "a count above hi", WORDS("--small", "11"),
	  "taskscope: t: invalid --small '11': a whole number from 1 to 10" },
	{ "seconds at lo when lo is out (above)", WORDS("--secs", "0"),
	  "taskscope: t: invalid --secs '0': seconds above 0, at most 60" },
	{ "seconds above hi", WORDS("--secs", "61"),
	  "taskscope: t: invalid --secs '61': seconds above 0, at most 60" },
	{ "a size above hi", WORDS("--size", "2M"),
	  "taskscope: t: invalid --size '2M': a size from 64K to 1M" },
	{ "a size below lo", WORDS("--size", "1K"),
	  "taskscope: t: invalid --size '1K': a size from 64K to 1M" },
	{ "an unknown choice", WORDS("--pick", "c"), "taskscope: t: invalid --pick 'c': a or b" },
	{ "a list that is full", WORDS("--dir", "1", "--dir", "2", "--dir", "3"),
	  "taskscope: t: --dir: at most 2 trees" },
	{ "an empty file name", WORDS("--output-file", ""),
	  "taskscope: t: --output-file needs a file name" },
	{ "a bad argument is shown sanitized", WORDS("--small", "\x01x"),
	  "taskscope: t: invalid --small '\\x01x': a whole number from 1 to 10" },
	{ "a common option not taken", WORDS("--raw"), "taskscope: t: unknown option '--raw'" },
	{ "its letter is not in optstring", WORDS("-r"), "taskscope: t: unknown option '-r'" },
	{ "a flag takes no argument", WORDS("--flag=1"),
	  "taskscope: t: option '--flag' takes no argument" },
	{ "no operands without a hook", WORDS("x"), "taskscope: t: unexpected argument 'x'" },
};

static void test_kinds(void)
{
	struct topts o;
	char err[512];
	int rc;

	rc = parse(&spec, &o, err, sizeof(err),
		   WORDS("-f", "--str", "s", "-o", "out", "--small=3", "--big", "1000000000000",
			 "--secs", "0.5", "--size", "64K", "--pick", "b", "--dir", "d1", "--dir",
			 "d2", "--call", "-J"));
	tap_ok(rc == CO_CONTINUE && !err[0], "every kind in range is taken");
	tap_ok(o.flag && o.flag_given && o.called, "a flag sets its bool, its given, or calls");
	tap_ok(o.str && !strcmp(o.str, "s") && o.file && !strcmp(o.file, "out"),
	       "strings are stored (-o by its letter)");
	tap_is_u64(o.small, 3, "a count into an unsigned");
	tap_is_u64(o.big, 1000000000000ULL, "a count into a uint64_t");
	tap_is_dbl(o.secs, 0.5, 1e-9, "seconds");
	tap_is_u64(o.size, 65536, "a size");
	tap_is_i64(o.pick, 6, "a choice: lo plus its index");
	tap_ok(o.ndirs == 2 && !strcmp(o.dirs[1], "d2"), "a list keeps each");
	tap_ok(o.co.json, "a common option goes to common_option");
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		rc = parse(&spec, &o, err, sizeof(err), errors[i].words);
		if (!tap_ok(rc == 2 && !strcmp(err, errors[i].msg), "%s: a usage error",
			    errors[i].what))
			tap_diag("rc %d, message '%s', expected '%s'", rc, err, errors[i].msg);
	}
}

/* Options of the command's other form: refused with the spec's words, each taking an
 * argument or not as its kind says (from test_tables). */
static void test_refused(void)
{
	static const struct cmd_option live[] = {
		{ "flag", 'f', CMD_FLAG, CMD_FIELD(struct topts, flag) },
		CMD_REFUSED("pid", 'p'),
		CMD_REFUSED_FLAG("spin"),
		{ 0 }
	};
	struct cmd_spec rs = spec;
	struct topts o;
	char err[512];
	int rc;

	rs.options = live;
	rs.refused = "-p and --spin are for live tasks";
	rc = parse(&rs, &o, err, sizeof(err), WORDS("-f"));
	tap_ok(rc == CO_CONTINUE && o.flag, "a table with refused options takes its others");
	rc = parse(&rs, &o, err, sizeof(err), WORDS("-p", "1"));
	if (!tap_ok(rc == 2 && !strcmp(err, "taskscope: t: -p and --spin are for live tasks"),
		    "a refused option is the spec's usage error"))
		tap_diag("rc %d, message '%s'", rc, err);
	rc = parse(&rs, &o, err, sizeof(err), WORDS("--pid"));
	tap_ok(rc == 2 && strstr(err, "needs an argument"),
	       "a refused option with an argument still needs it ('%s')", err);
	rc = parse(&rs, &o, err, sizeof(err), WORDS("-f", "--spin", "-J"));
	tap_ok(rc == 2 && !strcmp(err, "taskscope: t: -p and --spin are for live tasks") &&
	       !o.co.json, "a refused flag takes no argument and stops the parse");
}

static void test_tables(void)
{
	struct cmd_spec ops = spec;
	struct topts o;
	char err[512];
	int rc;

	rc = parse(&spec, &o, err, sizeof(err), WORDS("--call", "-J"));
	tap_ok(rc == CO_CONTINUE && o.called && o.co.json,
	       "a flag that calls takes no argument (the next word is an option)");
	rc = parse(&spec, &o, err, sizeof(err), WORDS("--output-f", "x"));
	tap_ok(rc == CO_CONTINUE && o.file && !o.co.output_file,
	       "the table's --output-file replaces the common one, also abbreviated");
	ops.operand = operand;
	ops.accept |= CO_JOB;
	rc = parse(&ops, &o, err, sizeof(err), WORDS("a", "-f", "b", "--", "cmd", "arg"));
	tap_ok(rc == CO_CONTINUE && o.noperands == 2 && !strcmp(o.operands[1], "b") && o.flag &&
	       o.co.cmd && !strcmp(o.co.cmd[0], "cmd"),
	       "operands between the options to the hook, after '--' the command");
	rc = parse(&ops, &o, err, sizeof(err), WORDS("a", "--"));
	tap_ok(rc == 2 && !strcmp(err, "taskscope: t: no command after '--'"),
	       "'--' and nothing after it: a usage error");
	ops.accept &= ~(unsigned)CO_JOB;
	ops.permute = true;
	rc = parse(&ops, &o, err, sizeof(err), WORDS("a", "-f", "--", "-b"));
	tap_ok(rc == CO_CONTINUE && o.noperands == 2 && !strcmp(o.operands[1], "-b") && o.flag,
	       "permuted: the options first, then every operand, also after '--'");
	test_refused();
}

static void test_main(void)
{
	struct topts o;
	char *argv[] = { "t", "-f", NULL };
	char *bad[] = { "t", "--small", "0", NULL };
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);

	memset(&o, 0, sizeof(o));
	tap_is_i64(command_main(&spec, &o, 2, argv), 7, "command_main returns run's status");
	tap_ok(o.ran == 1 && o.freed == 1, "run and done once");
	memset(&o, 0, sizeof(o));
	dup2(null, STDERR_FILENO);
	tap_is_i64(command_main(&spec, &o, 3, bad), 2, "a usage error is the exit status");
	dup2(saved, STDERR_FILENO);
	tap_ok(!o.ran && o.freed == 1, "no run after a usage error, done all the same");
	close(null);
	close(saved);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_kinds();
	test_tables();
	test_main();
	return tap_done();
}
