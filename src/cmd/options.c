/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.c - the options the commands share, parsed in one place */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "lib/exitcode.h"

void common_init(struct common_opts *o, const char *name, unsigned accept,
		 void (*usage)(FILE *out))
{
	memset(o, 0, sizeof(*o));
	o->name = name;
	o->accept = accept;
	o->usage = usage;
	target_init(&o->target);
	opterr = 0;
	optind = 0;	/* a full reset: main may have used getopt already */
}

void common_free(struct common_opts *o)
{
	target_free(&o->target);
}

int common_usage_error(const struct common_opts *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cli_usage_error(o->name, "%s", msg);
}

/* A long option this command does not take: as getopt says of an unknown one. */
static int not_here(const struct common_opts *o, char **argv)
{
	/* "--user x": getopt took x as the option's argument; "--user=x": the name alone */
	const char *arg = optarg && optind >= 2 && argv[optind - 1] == optarg ? argv[optind - 2]
									     : argv[optind - 1];
	char name[128], shown[128];
	size_t n = strcspn(arg, "=");

	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), arg);
	return common_usage_error(o, "unknown option '%s'", cli_shown(name, shown, sizeof(shown)));
}

static int target_option(struct common_opts *o, int c, const char *arg)
{
	char msg[256];
	int rc = target_parse_option(&o->target, c, arg, msg, sizeof(msg));

	if (rc == -EINVAL)
		return common_usage_error(o, "%s", msg);
	if (rc == -ENOENT)
		msg_error("%s", msg);
	return rc ? TS_EXIT_FAILURE : CO_CONTINUE;
}

static bool after_dashes(char **argv)
{
	return optind > 0 && !strcmp(argv[optind - 1], "--");
}

int common_check(const struct common_opts *o)
{
	if (o->json && o->raw)
		return common_usage_error(o, "--json and --raw cannot be used together");
	if (o->cmd && !target_is_all(&o->target))
		return common_usage_error(o, "-p, -u and -C cannot be used with a command to run ('--')");
	if (o->run_as && !o->cmd)
		return common_usage_error(o, "--run-as needs a command to run ('-- command')");
	return CO_CONTINUE;
}

/* One operand more; too many is a usage error. */
static int operand(struct common_opts *o, char *arg)
{
	char shown[128];

	if (o->noperands >= o->max_operands || o->noperands >= CO_MAX_OPERANDS)
		return common_usage_error(o, "unexpected argument '%s'%s",
					  cli_shown(arg, shown, sizeof(shown)),
					  o->operand_hint ? o->operand_hint : "");
	o->operand[o->noperands++] = arg;
	return CO_CONTINUE;
}

/* CO_OPERANDS: the one at optind, options may follow; after "--", all that are left. */
static int operands(struct common_opts *o, int argc, char **argv, bool *again)
{
	int rc;

	if (!after_dashes(argv)) {
		*again = true;
		return operand(o, argv[optind++]);
	}
	for (; optind < argc; optind++) {
		rc = operand(o, argv[optind]);
		if (rc != CO_CONTINUE)
			return rc;
	}
	return common_check(o);
}

/* The arguments from optind on: operands (CO_OPERANDS) or PIDs (CO_BARE_PIDS; for both the
 * parser is called again for options after them when again is set; after "--" every
 * argument is an operand), "-- command" (CO_JOB); then the checks of combinations.
 * CO_CONTINUE, or the exit status. *again: call getopt_long again, then common_finish. */
static int common_finish(struct common_opts *o, int argc, char **argv, bool *again)
{
	char shown[128];

	*again = false;
	if (optind < argc && (o->accept & CO_OPERANDS))
		return operands(o, argc, argv, again);
	if (optind < argc && !after_dashes(argv) && (o->accept & CO_BARE_PIDS)) {
		/* a bare PID list, the same as -p; options may follow */
		if (!isdigit((unsigned char)argv[optind][0]))
			return common_usage_error(o, "unexpected argument '%s' (PIDs%s)",
						  cli_shown(argv[optind], shown, sizeof(shown)),
						  o->accept & CO_JOB ? ", or a command to run after '--'"
								     : "");
		optind++;
		*again = true;
		return target_option(o, 'p', argv[optind - 1]);
	}
	if (optind < argc) {
		if (!after_dashes(argv) || !(o->accept & CO_JOB))
			return common_usage_error(o, "unexpected argument '%s'%s",
						  cli_shown(argv[optind], shown, sizeof(shown)),
						  o->accept & CO_JOB ? " (a command to run goes after '--')"
								     : "");
		o->cmd = &argv[optind];
	} else if (after_dashes(argv) && (o->accept & CO_JOB)) {
		return common_usage_error(o, "no command after '--'");
	}
	return common_check(o);
}

/* ---- a command's own options, from its table ---- */

#define CMD_OPT_BASE 256	/* getopt's value for the long option i: CMD_OPT_BASE + i */
#define CMD_MAX_OPTIONS 32

static const struct option common_longopts[] = { COMMON_LONGOPTS };

struct cmd_parse {
	const struct cmd_spec *cs;
	char *opts;
	struct common_opts *co;
};

static size_t count_options(const struct cmd_option *t)
{
	size_t n = 0;

	while (t && t[n].name)
		n++;
	return n;
}

static bool declared(const struct cmd_option *t, const char *name)
{
	for (; t && t->name; t++)
		if (!strcmp(t->name, name))
			return true;
	return false;
}

/* getopt_long's tables: the command's options, then the common ones it does not declare
 * again; the letters of both. */
static void build_tables(const struct cmd_spec *cs, struct option *lo, char *optstr)
{
	static const struct { unsigned co; const char *letters; } common_letters[] = {
		{ CO_TARGETS, "p:u:C:" }, { CO_COLUMNS, "o:" }, { CO_JSON, "J" },
		{ CO_RAW, "r" }, { CO_VERSION, "V" },
	};
	const struct cmd_option *t = cs->options;
	size_t n = 0;
	char *p = optstr;

	strcpy(p, cs->permute ? ":" : "+:");
	p += strlen(p);
	for (size_t i = 0; t && t[i].name; i++) {
		lo[n++] = (struct option){ t[i].name, t[i].kind == CMD_FLAG ? no_argument
									 : required_argument,
					   NULL, CMD_OPT_BASE + (int)i };
		if (t[i].letter)
			p += sprintf(p, "%c%s", t[i].letter, t[i].kind == CMD_FLAG ? "" : ":");
	}
	for (size_t i = 0; i < ARRAY_SIZE(common_longopts); i++) {
		const char *name = common_longopts[i].name;

		if (!name || (!declared(t, name) && (!cs->help_only || !strcmp(name, "help"))))
			lo[n++] = common_longopts[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(common_letters); i++)
		if (cs->accept & common_letters[i].co)
			p += sprintf(p, "%s", common_letters[i].letters);
	strcpy(p, "h");
}

/* The usage error of a number or a choice out of range: "invalid --NAME 'ARG': WORDS". */
static int invalid(const struct cmd_parse *p, const struct cmd_option *t, const char *arg)
{
	char shown[256], words[160];
	size_t len = p->cs->shown ? p->cs->shown : 128;

	snprintf(words, sizeof(words), t->words, t->lo, t->hi);
	return common_usage_error(p->co, "invalid --%s '%s': %s", t->name,
				  cli_shown(arg, shown, len < sizeof(shown) ? len : sizeof(shown)),
				  words);
}

static bool out_of_range(const struct cmd_option *t, double v)
{
	return v < t->lo || (t->above && v <= t->lo) || v > t->hi;
}

/* A whole number into an unsigned of t->size bytes. */
static int set_count(const struct cmd_parse *p, char *base, const struct cmd_option *t,
		     const char *arg)
{
	uint64_t v;
	unsigned u;

	if (util_parse_u64(arg, (uint64_t)t->hi, &v) || out_of_range(t, (double)v))
		return invalid(p, t, arg);
	if (t->size == sizeof(v)) {
		memcpy(base + t->off, &v, sizeof(v));
	} else {
		u = (unsigned)v;
		memcpy(base + t->off, &u, sizeof(u));
	}
	return CO_CONTINUE;
}

static int set_choice(const struct cmd_parse *p, char *base, const struct cmd_option *t,
		      const char *arg)
{
	for (int i = 0; t->choices[i]; i++) {
		if (!strcmp(arg, t->choices[i])) {
			int v = (int)t->lo + i;

			memcpy(base + t->off, &v, sizeof(v));
			return CO_CONTINUE;
		}
	}
	return invalid(p, t, arg);
}

static int add_to_list(const struct cmd_parse *p, char *base, const struct cmd_option *t,
		       char *arg)
{
	char **list = (char **)(base + t->off);
	size_t *n = (size_t *)(base + t->count), max = t->size / sizeof(*list);

	if (*n == max)
		return common_usage_error(p->co, "--%s: at most %zu %s", t->name, max, t->words);
	list[(*n)++] = arg;
	return CO_CONTINUE;
}

/* One option of a table, its argument in optarg, into the struct at base. */
static int set_option(const struct cmd_parse *p, char *base, const struct cmd_option *t)
{
	void *at = base + t->off;
	double d;
	uint64_t v;

	if (t->refused)
		return common_usage_error(p->co, "%s", p->cs->refused);
	switch (t->kind) {
	case CMD_FLAG:
		if (t->call)
			return t->call(p->opts, NULL);
		*(bool *)at = true;
		break;
	case CMD_FILE:
		if (!*optarg)
			return common_usage_error(p->co, "--%s needs a file name", t->name);
		/* fall through */
	case CMD_STRING:
		*(const char **)at = optarg;
		break;
	case CMD_COUNT:
		return set_count(p, base, t, optarg);
	case CMD_SECONDS:
		if (util_parse_seconds(optarg, t->hi, &d) || out_of_range(t, d))
			return invalid(p, t, optarg);
		*(double *)at = d;
		break;
	case CMD_SIZE:
		if (util_parse_size(optarg, &v) || out_of_range(t, (double)v))
			return invalid(p, t, optarg);
		*(uint64_t *)at = v;
		break;
	case CMD_CHOICE:
		return set_choice(p, base, t, optarg);
	case CMD_LIST:
		return add_to_list(p, base, t, optarg);
	case CMD_CALL:
		return t->call(p->opts, optarg);
	}
	return CO_CONTINUE;
}

/* The common options that are a value as a table's are, and the CO_* that takes each. */
static const struct common_value {
	unsigned co;
	int c;		/* getopt's value */
	struct cmd_option opt;
} common_values[] = {
	{ CO_COLUMNS, 'o', { "output", 'o', CMD_STRING, CMD_FIELD(struct common_opts, output) } },
	{ CO_COLUMNS, CO_OPT_LIST_COLUMNS,
	  { "list-columns", 0, CMD_FLAG, CMD_FIELD(struct common_opts, list_columns) } },
	{ CO_JSON, 'J', { "json", 'J', CMD_FLAG, CMD_FIELD(struct common_opts, json) } },
	{ CO_RAW, 'r', { "raw", 'r', CMD_FLAG, CMD_FIELD(struct common_opts, raw) } },
	{ CO_BYTES, CO_OPT_BYTES, { "bytes", 0, CMD_FLAG, CMD_FIELD(struct common_opts, bytes) } },
	{ CO_OUTPUT_FILE, CO_OPT_OUTPUT_FILE,
	  { "output-file", 0, CMD_FILE, CMD_FIELD(struct common_opts, output_file) } },
	{ CO_JOB, CO_OPT_RUN_AS,
	  { "run-as", 0, CMD_STRING, CMD_FIELD(struct common_opts, run_as) } },
};

static const struct common_value *common_value(int c)
{
	for (size_t i = 0; i < ARRAY_SIZE(common_values); i++)
		if (common_values[i].c == c)
			return &common_values[i];
	return NULL;
}

static bool takes(const struct common_opts *o, int c)
{
	const struct common_value *v = common_value(c);

	switch (c) {
	case 'p': case 'u': case 'C': case TARGET_OPT_CGROUP:
		return o->accept & CO_TARGETS;
	case 'V':
		return o->accept & CO_VERSION;
	case 'h':
		return true;
	default:
		return v && (o->accept & v->co);
	}
}

/* Option c of the common ones (getopt_long's return, also ':' and '?'): CO_CONTINUE, or
 * the exit status to end with (0 after -h or -V, 2 for a usage error, 1 when -u names no
 * user). */
static int common_option(const struct cmd_parse *p, int c, char **argv)
{
	struct common_opts *o = p->co;
	char msg[160];

	if (c == ':' || c == '?')
		return common_usage_error(o, "%s", util_getopt_error(c, argv, optind, optopt,
								      msg, sizeof(msg)));
	if (!takes(o, c))
		return not_here(o, argv);
	switch (c) {
	case 'p': case 'u': case 'C': case TARGET_OPT_CGROUP:
		return target_option(o, c, optarg);
	case 'h':
		o->usage(stdout);
		return TS_EXIT_OK;	/* main checks that it was written */
	case 'V':
		printf("taskscope %s\n", PACKAGE_VERSION);
		return TS_EXIT_OK;
	default:
		return set_option(p, (char *)o, &common_value(c)->opt);
	}
}

/* getopt_long's c: an option of the table (by its value or its letter), else a common one. */
static int dispatch(const struct cmd_parse *p, int c, char **argv)
{
	const struct cmd_option *t = p->cs->options;
	size_t n = count_options(t);
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (c != CMD_OPT_BASE + (int)i && c != t[i].letter)
			continue;
		rc = set_option(p, p->opts, &t[i]);
		if (rc == CO_CONTINUE && t[i].given)
			*(bool *)(p->opts + t[i].given - 1) = true;
		return rc;
	}
	return common_option(p, c, argv);
}

/* The arguments left after the options, to the command's operand hook: the next one (and
 * read on), or after "--" (or with permute) all of them, or the command to run. */
static int own_operands(const struct cmd_parse *p, int argc, char **argv, bool *again)
{
	int rc;

	*again = false;
	if (!p->cs->permute && optind < argc && !after_dashes(argv)) {
		*again = true;
		return p->cs->operand(p->opts, argv[optind++]);
	}
	if (after_dashes(argv) && (p->co->accept & CO_JOB)) {
		if (optind >= argc)
			return common_usage_error(p->co, "no command after '--'");
		p->co->cmd = &argv[optind];
		return CO_CONTINUE;
	}
	for (; optind < argc; optind++) {
		rc = p->cs->operand(p->opts, argv[optind]);
		if (rc != CO_CONTINUE)
			return rc;
	}
	return CO_CONTINUE;
}

int command_parse(const struct cmd_spec *cs, void *opts, int argc, char **argv)
{
	struct cmd_parse p = { cs, opts, (struct common_opts *)((char *)opts + cs->co) };
	struct option lo[CMD_MAX_OPTIONS + ARRAY_SIZE(common_longopts)];
	char optstr[3 * CMD_MAX_OPTIONS + 32];
	bool again;
	int c, rc;

	if (count_options(cs->options) > CMD_MAX_OPTIONS) {
		msg_error("more than %d options in a table", CMD_MAX_OPTIONS);	/* a bug */
		return TS_EXIT_FAILURE;
	}
	common_init(p.co, cs->name, cs->accept, cs->usage);
	p.co->max_operands = cs->max_operands;
	p.co->operand_hint = cs->operand_hint;
	build_tables(cs, lo, optstr);
	do {
		while ((c = getopt_long(argc, argv, optstr, lo, NULL)) != -1) {
			rc = dispatch(&p, c, argv);
			if (rc != CO_CONTINUE)
				return rc;
		}
		if (cs->bare && cs->bare(opts, argc, argv)) {
			again = true;
			continue;
		}
		if (cs->operand)
			rc = own_operands(&p, argc, argv, &again);
		else
			rc = common_finish(p.co, argc, argv, &again);
		if (rc != CO_CONTINUE)
			return rc;
	} while (again);
	return cs->check ? cs->check(opts) : CO_CONTINUE;
}

int command_main(const struct cmd_spec *cs, void *opts, int argc, char **argv)
{
	int rc;

	if (!cs->plain_messages)
		msg_set_command(cs->name);
	rc = command_parse(cs, opts, argc, argv);
	if (rc == CO_CONTINUE)
		rc = cs->run(opts);
	common_free((struct common_opts *)((char *)opts + cs->co));
	if (cs->done)
		cs->done(opts);
	msg_set_command(NULL);
	return rc;
}
