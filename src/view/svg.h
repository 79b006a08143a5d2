/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svg.h - the placement timeline as an SVG chart: thread rows over time, a colour per CPU */
#ifndef TASKSCOPE_SVG_H
#define TASKSCOPE_SVG_H

#include <stdio.h>

#include "view/cpus.h"

/* One <g class="thread"> row per thread, one rect per run of samples on one CPU, a band
 * under it for the NUMA node, marks where the affinity changed and where the thread
 * ended; a time axis and a legend. Returns 0 or -errno. */
int svg_write(const struct cpus_report *r, FILE *out);

/* s (sanitized text: it is not sanitized again) with &, <, >, " and ' escaped for XML text
 * and attributes; control characters, invalid UTF-8 and U+FFFE/U+FFFF become '?' */
void svg_escape(FILE *out, const char *s);

#endif
