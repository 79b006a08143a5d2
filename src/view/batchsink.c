/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batchsink.c - the session sink that prints each sample as a table, raw lines or JSON */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/msg.h"
#include "lib/outfile.h"
#include "view/batchsink.h"

static int print_frame(void *arg, const struct session_frame *f)
{
	struct batch_sink *k = arg;
	struct batch_opts *bo = &k->bo;
	struct batch_note *notes = NULL;
	char (*texts)[256] = NULL;
	size_t n = f->nreused;
	int rc;

	if (n && !bo->raw) {
		notes = calloc(n, sizeof(*notes));
		texts = calloc(n, sizeof(*texts));
		if (!notes || !texts) {
			free(notes);
			free(texts);
			msg_error("cannot print the report: %s", strerror(ENOMEM));
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			target_reuse_text(&f->reused[i], texts[i], sizeof(texts[i]));
			notes[i] = (struct batch_note){ .pid = f->reused[i].pid,
							.comm = f->reused[i].comm, .text = texts[i] };
		}
		bo->notes = notes;
		bo->nnotes = n;
	} else {
		for (size_t i = 0; i < n; i++) {
			char text[256];

			target_reuse_text(&f->reused[i], text, sizeof(text));
			msg_error("%s", text);
		}
	}
	rc = batch_print(bo, &k->ctx, f->sn, f->seq);
	bo->notes = NULL;
	bo->nnotes = 0;
	free(notes);
	free(texts);
	/* a write error is reported when the stream is closed */
	if (rc && rc != -EPIPE && !outfile_error(bo->out))
		msg_error("cannot print the report: %s", strerror(-rc));
	return rc;
}

const struct sink_ops batch_sink_ops = {
	.name = "batch",
	.sample = print_frame,
};
