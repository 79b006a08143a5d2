/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tshelper.c - small programs the live tests spawn: orphans, exit codes, signals, names */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts))
		;
}

static void *named_thread(void *arg)
{
	prctl(PR_SET_NAME, (const char *)arg, 0, 0, 0);
	sleep_s(atof(getenv("TSHELPER_SLEEP") ? getenv("TSHELPER_SLEEP") : "2"));
	return NULL;
}

static int usage(void)
{
	fputs("usage: tshelper exit N | signal N | orphan SECONDS FILE | name NAME SECONDS |\n"
	      "       echo TEXT | ignore-int SECONDS\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "exit") && argc == 3)
		return atoi(argv[2]);
	if (!strcmp(argv[1], "signal") && argc == 3) {
		signal(atoi(argv[2]), SIG_DFL);
		raise(atoi(argv[2]));
		return 99;
	}
	if (!strcmp(argv[1], "echo") && argc == 3) {
		/* output must reach the user untouched */
		printf("%s\n", argv[2]);
		fprintf(stderr, "%s on stderr\n", argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "orphan") && argc == 4) {
		/* the child forks a grandchild and exits at once: the grandchild is orphaned
		 * and writes its PID to FILE, then lives SECONDS */
		pid_t c = fork();

		if (c < 0)
			return 1;
		if (c == 0) {
			pid_t g = fork();

			if (g < 0)
				_exit(1);
			if (g == 0) {
				FILE *f;

				prctl(PR_SET_NAME, "ts-orphan", 0, 0, 0);
				sleep_s(0.2);	/* let the parent exit first */
				f = fopen(argv[3], "w");
				if (f) {
					fprintf(f, "%d %d\n", (int)getpid(), (int)getppid());
					fclose(f);
				}
				sleep_s(atof(argv[2]));
				_exit(0);
			}
			_exit(0);
		}
		waitpid(c, NULL, 0);
		return 0;	/* the orphan outlives us */
	}
	if (!strcmp(argv[1], "name") && argc == 4) {
		pthread_t t;
		char secs[32];

		snprintf(secs, sizeof(secs), "%s", argv[3]);
		setenv("TSHELPER_SLEEP", secs, 1);
		prctl(PR_SET_NAME, argv[2], 0, 0, 0);
		if (pthread_create(&t, NULL, named_thread, argv[2]))
			return 1;
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		pthread_join(t, NULL);
		return 0;
	}
	if (!strcmp(argv[1], "ignore-int") && argc == 3) {
		signal(SIGINT, SIG_IGN);
		sleep_s(atof(argv[2]));
		return 0;
	}
	return usage();
}
