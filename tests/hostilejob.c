/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostilejob.c - a hostile job for the security tests: it pushes TEXT into every terminal it
 * can reach with TIOCSTI (each of its fds, then /dev/tty) and appends to REPORT what worked,
 * which descriptors it was given (and what they are), and its SigIgn/SigBlk masks. With an
 * empty TEXT it only reports. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int push(int fd, const char *text)
{
	for (const char *p = text; *p; p++)
		if (ioctl(fd, TIOCSTI, p))
			return -errno;
	return 0;
}

static void masks(FILE *rep)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigIgn:", 7) || !strncmp(line, "SigBlk:", 7))
			fputs(line, rep);
	fclose(f);
}

int main(int argc, char **argv)
{
	static char given[16384];
	char link[64], target[PATH_MAX];
	FILE *rep;
	int fd, rc, pushed = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: hostilejob TEXT REPORT\n");
		return 2;
	}
	/* what the job was given, before this program opens anything */
	for (fd = 0; fd < 1024; fd++) {
		size_t len = strlen(given);
		ssize_t n;

		if (fcntl(fd, F_GETFD) < 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		snprintf(given + len, sizeof(given) - len, "fd %d -> %s\n", fd, target);
	}
	rep = fopen(argv[2], "ae");
	if (!rep)
		return 2;
	fputs(given, rep);
	masks(rep);
	if (!*argv[1]) {
		fclose(rep);	/* no text: only what the job was given */
		return 0;
	}
	for (fd = 0; fd < 1024; fd++) {
		if (fd == fileno(rep) || fcntl(fd, F_GETFD) < 0)
			continue;
		rc = push(fd, argv[1]);
		fprintf(rep, "push fd %d: %s\n", fd, rc ? strerror(-rc) : "PUSHED");
		pushed += !rc;
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(rep, "push /dev/tty: open: %s\n", strerror(errno));
	} else {
		rc = push(fd, argv[1]);
		fprintf(rep, "push /dev/tty: %s\n", rc ? strerror(-rc) : "PUSHED");
		pushed += !rc;
		close(fd);
	}
	fprintf(rep, "pushed %d\n", pushed);
	fclose(rep);
	return 0;
}
