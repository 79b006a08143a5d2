/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batchsink.h - the session sink that prints each sample as a table, raw lines or JSON */
#ifndef TASKSCOPE_BATCHSINK_H
#define TASKSCOPE_BATCHSINK_H

#include "model/session.h"
#include "view/batch.h"

/* arg: a struct batch_sink; bo.notes are filled per frame from its reused -p PIDs (raw
 * output has no room for them: they go to standard error). */
struct batch_sink {
	struct batch_opts bo;
	struct col_ctx ctx;
};

extern const struct sink_ops batch_sink_ops;

#endif
