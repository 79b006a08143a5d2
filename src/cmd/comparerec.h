/* SPDX-License-Identifier: GPL-2.0-or-later */
/* comparerec.h - taskscope compare A.db B.db: two recorded jobs' footprints side by side */
#ifndef TASKSCOPE_COMPAREREC_H
#define TASKSCOPE_COMPAREREC_H

#include <stdbool.h>

/* True when compare's arguments are about recordings: an operand is a recording (known by
 * its content: an SQLite file, see recfile.h), or --from or --to is given. */
bool comparerec_wanted(int argc, char **argv);

/* taskscope compare [options] A.db B.db; argv[0] is "compare". The exit status: 0, 1
 * runtime failure (a recording that cannot be read), 2 usage error. */
int comparerec_main(int argc, char **argv);

#endif
