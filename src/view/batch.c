/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch.c - batch tables, raw and JSON output of task snapshots (libsmartcols) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsmartcols.h>

#include "lib/outfile.h"
#include "lib/util.h"
#include "view/batch.h"
#include "view/json.h"

static int json_type(enum col_kind k)
{
	switch (k) {
	case CK_INT:
	case CK_COUNT:
	case CK_SIZE:
	case CK_PCT:
	case CK_CPUTIME:
	case CK_NSEC:
		return SCOLS_JSON_NUMBER;
	default:
		return SCOLS_JSON_STRING;
	}
}

static void print_header(const struct batch_opts *o, const struct snapshot *sn,
			 unsigned long seq)
{
	char when[32];
	time_t t = (time_t)sn->wall;
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	else
		snprintf(when, sizeof(when), "?");
	if (seq > 1)
		fputc('\n', o->out);
	fprintf(o->out, "taskscope %s  %s: %zu process%s", when,
		o->what ? o->what : "all tasks", sn->nprocs, sn->nprocs == 1 ? "" : "es");
	if (sn->nthreads_known)
		fprintf(o->out, ", %zu thread%s", sn->nthreads, sn->nthreads == 1 ? "" : "s");
	if (sn->ndenied)
		fprintf(o->out, " (%zu more process%s denied: hidepid=noaccess)", sn->ndenied,
			sn->ndenied == 1 ? "" : "es");
	if (sn->cpu_busy >= 0)
		fprintf(o->out, "  CPU busy %.1f%%", sn->cpu_busy);
	if (sn->interval > 0)
		fprintf(o->out, "  interval %.2fs", sn->interval);
	fputc('\n', o->out);
}

/* The table as JSON with the notes as a first member: libsmartcols writes the document
 * ("{\n" first), the notes go in after its opening brace. */
static int print_json_notes(const struct batch_opts *o, struct libscols_table *tb)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&doc, &len);
	int rc = 0;

	if (!mem)
		return -ENOMEM;
	scols_table_set_stream(tb, mem);
	if (scols_print_table(tb))
		rc = -EIO;
	if (fclose(mem) && !rc)
		rc = -ENOMEM;
	if (!rc && (len < 2 || doc[0] != '{' || doc[1] != '\n'))
		rc = -EIO;	/* not the layout this libsmartcols was seen to write */
	if (!rc) {
		fputs("{\n   \"reused\": [", o->out);
		for (size_t i = 0; i < o->nnotes; i++) {
			fprintf(o->out, "%s{\"pid\": %d, \"comm\": ", i ? ", " : "",
				o->notes[i].pid);
			json_write_string(o->out, o->notes[i].comm);
			fputc('}', o->out);
		}
		fputs("],\n", o->out);
		fwrite(doc + 2, 1, len - 2, o->out);
	}
	free(doc);
	return rc;
}

/* The JSON word for why a value is null. */
static const char *avail_word(enum ts_avail av)
{
	switch (av) {
	case TS_GONE:
		return "gone";
	case TS_DENIED:
		return "denied";
	case TS_UNSUPPORTED:
		return "unsupported";
	case TS_EMPTY:
		return "empty";
	default:
		return "n/a";
	}
}

/* Append "key:why" to a row's list of null values (comma-separated). */
static void why_add(char *buf, size_t len, const struct column *col, enum ts_avail av)
{
	size_t off = strlen(buf);
	char key[32];

	snprintf(buf + off, len - off, "%s%s:%s", off ? "," : "",
		 columns_json_key(col, key, sizeof(key)), avail_word(av));
}

int batch_print(const struct batch_opts *o, const struct col_ctx *ctx,
		const struct snapshot *sn, unsigned long seq)
{
	struct libscols_table *tb;
	unsigned missing = 0;
	char *why = NULL;	/* JSON: the row's null values and why */
	size_t whylen = o->ncols * 48 + 1;
	int rc = 0, werr;

	tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	if (o->json) {
		scols_table_enable_json(tb, 1);
		scols_table_set_name(tb, "tasks");
	} else if (o->raw) {
		scols_table_enable_raw(tb, 1);
	} else {
		/* every string is sanitized at its source: no second encoding pass */
		scols_table_enable_noencoding(tb, 1);
	}
	for (size_t i = 0; i < o->ncols; i++) {
		const struct column *col = o->cols[i];
		struct libscols_column *cl;
		int fl = 0;
		char key[32];

		if (col->flags & CF_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (col->flags & CF_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		cl = scols_table_new_column(tb, o->json ? columns_json_key(col, key, sizeof(key))
							: col->name, col->whint, fl);
		if (!cl) {
			rc = -ENOMEM;
			goto out;
		}
		if (o->json)
			scols_column_set_json_type(cl, json_type(col->kind));
		/* strings arrive sanitized with \xHH escapes: do not escape those again */
		scols_column_set_safechars(cl, "\\");
	}
	/* JSON has no footnotes: each row names its null values and why, or is null */
	if (o->json) {
		why = malloc(whylen);
		if (!why || !scols_table_new_column(tb, "unavailable", 0, 0)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (size_t r = 0; r < sn->ntasks; r++) {
		const struct task *t = &sn->tasks[r];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln) {
			rc = -ENOMEM;
			goto out;
		}
		if (why)
			why[0] = '\0';
		for (size_t i = 0; i < o->ncols; i++) {
			struct cell c;
			char buf[64];
			const char *txt;

			memset(&c, 0, sizeof(c));
			o->cols[i]->get(ctx, t, &c);
			txt = columns_format(o->cols[i], &c, o->json, o->bytes, buf, sizeof(buf));
			if (!txt) {
				missing |= 1u << (c.av == TS_OK ? TS_NA : c.av);
				if (o->json) {
					why_add(why, whylen, o->cols[i],
						c.av == TS_OK ? TS_NA : c.av);
					continue;	/* no data: libsmartcols writes null */
				}
				txt = "-";
			}
			if (scols_line_set_data(ln, i, txt)) {
				rc = -ENOMEM;
				goto out;
			}
		}
		if (why && why[0] && scols_line_set_data(ln, o->ncols, why)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	if (!o->json && !o->raw)
		print_header(o, sn, seq);
	if (o->json && o->nnotes) {
		rc = print_json_notes(o, tb);
	} else {
		scols_table_set_stream(tb, o->out);
		if (scols_print_table(tb))
			rc = -EIO;
	}
	if (!o->json && !o->raw && missing) {
		for (int av = TS_GONE; av <= TS_NA; av++)
			if (missing & (1u << av))
				fprintf(o->out, "  - %s\n", columns_avail_text((enum ts_avail)av));
	}
	for (size_t i = 0; !o->json && !o->raw && i < o->nnotes; i++)
		fprintf(o->out, "  - %s\n", o->notes[i].text);
	werr = outfile_error(o->out);	/* the cause: EPIPE, ENOSPC, ... */
	if (werr)
		rc = werr;
out:
	free(why);
	scols_unref_table(tb);
	return rc;
}
