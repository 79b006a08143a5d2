/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serve.h - taskscope serve: per-group task metrics over HTTP for Prometheus */
#ifndef TASKSCOPE_SERVE_H
#define TASKSCOPE_SERVE_H

int serve_main(int argc, char **argv);

#endif
