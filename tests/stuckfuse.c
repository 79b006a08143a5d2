/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stuckfuse.c - a process whose memory is stuck: a reader in D state holds its mmap_lock
 *
 * Usage: stuckfuse DIR [SECONDS] [--no-writer]
 *
 * Run as root. In a mount namespace of its own (so nothing is left mounted outside it,
 * whatever happens), the helper mounts a tiny FUSE file system on the empty directory DIR,
 * speaking the /dev/fuse protocol itself, with one file whose READ requests it never
 * answers. Then:
 *   - the target, a child process, maps that file and starts a second thread, the writer;
 *   - the holder, another child, reads the mapped page through /proc/TARGET/mem: the kernel
 *     faults the page in while holding the target's mmap_lock for read and sends READ;
 *     the holder waits for the answer, interruptibly (S) until the helper sends it a
 *     signal it catches, then killably (D), the lock held all along;
 *   - the writer then calls mmap(), which queues for the lock in write mode (D): from then
 *     on every reader of the target's mmap_lock (smaps, cmdline, ...) waits behind it.
 * It prints, line-buffered, "ready target=PID holder=PID writer=TID" when all of that
 * holds (the holder and the writer are in D state), or with --no-writer
 * "ready target=PID holder=PID" when the holder is.
 *
 * SIGUSR1 answers the pending and all later READs (zeros): the readers go on. SIGTERM,
 * SIGINT, SIGHUP, or SECONDS (default 300) passing, close /dev/fuse, which aborts the
 * connection (every waiting reader gets an error), kill both children and end. The
 * helper also ends when its parent dies (PR_SET_PDEATHSIG), and the children end with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_NAME "stuck"
#define FILE_SIZE (64 * 1024)
#define FILE_INO 2
#define MAX_HELD 64		/* READ requests kept unanswered */

static int fuse_fd = -1;
static pid_t target_pid, holder_pid;
static pid_t writer_tid;
static uintptr_t map_addr;
static int go_pipe[2] = { -1, -1 };		/* parent -> target's writer thread */
static int report_pipe[2] = { -1, -1 };	/* target -> parent: "addr tid" */
static const char *prog = "stuckfuse";

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

/* Its messages are far shorter than PIPE_BUF: a pipe takes each whole or not at all. */
static void pipe_send(int fd, const void *buf, size_t len)
{
	while (write(fd, buf, len) < 0 && errno == EINTR)
		;
}

/* ---- the file system ------------------------------------------------------------------- */

static void reply(uint64_t unique, int error, const void *data, size_t len)
{
	struct fuse_out_header oh = {
		.len = (uint32_t)(sizeof(oh) + len), .error = error, .unique = unique,
	};
	char buf[sizeof(oh) + 8192];

	if (len > sizeof(buf) - sizeof(oh))
		len = sizeof(buf) - sizeof(oh);
	memcpy(buf, &oh, sizeof(oh));
	if (len)
		memcpy(buf + sizeof(oh), data, len);
	/* ENOENT: the request was interrupted meanwhile; anything else cannot happen */
	if (write(fuse_fd, buf, sizeof(oh) + len) < 0 && errno != ENOENT)
		fprintf(stderr, "%s: reply to %" PRIu64 ": %s\n", prog, unique, strerror(errno));
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->nlink = 1;
	a->blksize = 4096;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0444;
		a->size = FILE_SIZE;
		a->blocks = FILE_SIZE / 512;
	}
}

static uint64_t held[MAX_HELD];
static uint32_t held_size[MAX_HELD];
static size_t nheld;
static bool released;
static bool first_read_seen;

static void answer_read(uint64_t unique, uint32_t size)
{
	static char zeros[8192];

	reply(unique, 0, zeros, size < sizeof(zeros) ? size : sizeof(zeros));
}

static void release_all(void)
{
	released = true;
	for (size_t i = 0; i < nheld; i++)
		answer_read(held[i], held_size[i]);
	nheld = 0;
}

/* One request from the kernel; returns false when the connection is gone. */
static bool serve_one(void)
{
	static char buf[FUSE_MIN_READ_BUFFER + 128 * 1024];
	struct fuse_in_header *ih = (struct fuse_in_header *)buf;
	void *arg = buf + sizeof(*ih);
	ssize_t r = read(fuse_fd, buf, sizeof(buf));

	if (r < 0)
		return errno == EINTR || errno == EAGAIN || errno == ENOENT;
	if ((size_t)r < sizeof(*ih))
		return false;
	switch (ih->opcode) {
	case FUSE_INIT: {
		const struct fuse_init_in *in = arg;
		struct fuse_init_out out;

		memset(&out, 0, sizeof(out));
		out.major = FUSE_KERNEL_VERSION;
		out.minor = in->minor < FUSE_KERNEL_MINOR_VERSION ? in->minor
								  : FUSE_KERNEL_MINOR_VERSION;
		out.max_readahead = in->max_readahead;
		out.flags = 0;		/* no FUSE_ASYNC_READ: the faulting reader itself waits */
		out.max_write = 4096;
		out.time_gran = 1;
		reply(ih->unique, 0, &out, sizeof(out));
		break;
	}
	case FUSE_LOOKUP: {
		struct fuse_entry_out out;

		if (ih->nodeid != FUSE_ROOT_ID || strcmp(arg, FILE_NAME)) {
			reply(ih->unique, -ENOENT, NULL, 0);
			break;
		}
		memset(&out, 0, sizeof(out));
		out.nodeid = FILE_INO;
		out.entry_valid = out.attr_valid = 3600;
		fill_attr(&out.attr, FILE_INO);
		reply(ih->unique, 0, &out, sizeof(out));
		break;
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out out = { .attr_valid = 3600 };

		fill_attr(&out.attr, ih->nodeid);
		reply(ih->unique, 0, &out, sizeof(out));
		break;
	}
	case FUSE_OPEN: {
		struct fuse_open_out out = { .fh = 1 };

		reply(ih->unique, 0, &out, sizeof(out));
		break;
	}
	case FUSE_READ: {
		const struct fuse_read_in *in = arg;

		if (!first_read_seen) {
			first_read_seen = true;
			printf("read pid=%u offset=%" PRIu64 " size=%u\n", ih->pid, in->offset,
			       in->size);
		}
		if (released || nheld == MAX_HELD) {
			answer_read(ih->unique, in->size);
		} else {
			held[nheld] = ih->unique;
			held_size[nheld++] = in->size;
		}
		break;
	}
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		break;		/* no reply; an interrupted READ stays unanswered */
	case FUSE_FLUSH:
	case FUSE_RELEASE:
		reply(ih->unique, 0, NULL, 0);
		break;
	default:
		reply(ih->unique, -ENOSYS, NULL, 0);
		break;
	}
	return true;
}

/* ---- the target and the holder ---------------------------------------------------------- */

static void *writer_main(void *arg)
{
	char msg[64], c;

	(void)arg;
	prctl(PR_SET_NAME, "stuck-writer");
	snprintf(msg, sizeof(msg), "%#lx %ld\n", (unsigned long)map_addr, (long)syscall(SYS_gettid));
	pipe_send(report_pipe[1], msg, strlen(msg));
	close(report_pipe[1]);
	/* wait for the go, then ask for the mmap_lock in write mode */
	while (read(go_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		_exit(3);
	for (;;)
		pause();
	return NULL;
}

static void target_main(const char *dir)
{
	char path[4096];
	pthread_t th;
	void *m;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "stuck-target");
	close(fuse_fd);
	close(report_pipe[0]);
	close(go_pipe[1]);
	snprintf(path, sizeof(path), "%s/%s", dir, FILE_NAME);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("target: open %s", path);
	m = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("target: mmap %s", path);
	close(fd);
	map_addr = (uintptr_t)m;
	if (pthread_create(&th, NULL, writer_main, NULL))
		die("target: pthread_create");
	for (;;)
		pause();
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void holder_main(const sigset_t *blocked)
{
	struct sigaction sa;
	char path[64], page[4096];
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "stuck-holder");
	close(fuse_fd);
	/* the nudge that turns FUSE's interruptible wait for the answer into a killable one
	 * (D state): the signal is caught, FUSE sends INTERRUPT, which is never answered */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigprocmask(SIG_UNBLOCK, blocked, NULL);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)target_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("holder: open %s", path);
	/* blocks in the page fault, the target's mmap_lock held for read, until released */
	if (pread(fd, page, sizeof(page), (off_t)map_addr) < 0)
		_exit(2);
	_exit(0);
}

/* The state letter of task tid of process pid ('?' when unreadable). */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] ? p[2] : '?';
}

/* ---- the helper --------------------------------------------------------------------------- */

static void mount_fs(const char *dir)
{
	char opts[128];

	if (unshare(CLONE_NEWNS))
		die("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("making the mounts private");
	fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fuse_fd < 0)
		die("open /dev/fuse");
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other",
		 fuse_fd);
	if (mount("stuckfuse", dir, "fuse.stuckfuse", MS_NOSUID | MS_NODEV, opts))
		die("mount fuse on %s", dir);
}

static int usage(void)
{
	fputs("usage: stuckfuse DIR [SECONDS] [--no-writer]\n", stderr);
	return 2;
}

enum stage { ST_MAPPING, ST_READING, ST_HOLDER, ST_WRITER, ST_READY };

int main(int argc, char **argv)
{
	const char *dir = NULL;
	double limit = 300;
	bool no_writer = false;
	enum stage st = ST_MAPPING;
	char line[128];
	size_t nline = 0;
	sigset_t set;
	pid_t parent = getppid();
	int sfd, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-writer"))
			no_writer = true;
		else if (!dir)
			dir = argv[i];
		else if ((limit = atof(argv[i])) <= 0)
			return usage();
	}
	if (!dir)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		die("signalfd");
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 1;
	alarm((unsigned)limit);

	mount_fs(dir);
	if (pipe2(report_pipe, O_CLOEXEC) || pipe2(go_pipe, O_CLOEXEC))
		die("pipe");
	target_pid = fork();
	if (target_pid < 0)
		die("fork");
	if (!target_pid) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		target_main(dir);
	}
	close(report_pipe[1]);
	close(go_pipe[0]);

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = fuse_fd, .events = POLLIN },
			{ .fd = report_pipe[0], .events = POLLIN },
		};
		int r = poll(pfd, report_pipe[0] >= 0 ? 3 : 2,
			     st == ST_HOLDER || st == ST_WRITER ? 20 : -1);

		if (r < 0 && errno != EINTR)
			die("poll");
		if (r > 0 && (pfd[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			bool end = false;

			if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			switch (si.ssi_signo) {
			case SIGUSR1:
				release_all();
				printf("released\n");
				break;
			case SIGCHLD:
				{
					int ws;
					pid_t c;

					while ((c = waitpid(-1, &ws, WNOHANG)) > 0)
						if (c == holder_pid && !released)
							fprintf(stderr, "%s: the holder ended (status %#x) "
								"before the release\n", prog, ws);
				}
				if (kill(target_pid, 0)) {
					fprintf(stderr, "%s: the target ended\n", prog);
					rc = 1;
					end = true;
				}
				break;
			case SIGALRM:
				fprintf(stderr, "%s: %.0f s passed: releasing\n", prog, limit);
				end = true;
				break;
			default:
				end = true;
				break;
			}
			if (end)
				break;
		}
		if (r > 0 && (pfd[1].revents & (POLLERR | POLLHUP)))
			break;
		if (r > 0 && (pfd[1].revents & POLLIN) && !serve_one())
			break;
		if (r > 0 && report_pipe[0] >= 0 && (pfd[2].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(report_pipe[0], line + nline, sizeof(line) - 1 - nline);

			if (n > 0)
				nline += (size_t)n;
			if (n <= 0 || memchr(line, '\n', nline)) {
				unsigned long a;
				long t = 0;
				char *e;

				line[nline] = '\0';
				close(report_pipe[0]);
				report_pipe[0] = -1;
				a = strtoul(line, &e, 16);
				if (e != line && *e == ' ')
					t = strtol(e + 1, &e, 10);
				if (!a || t <= 0 || *e != '\n') {
					fprintf(stderr, "%s: the target did not start\n", prog);
					rc = 1;
					break;
				}
				map_addr = a;
				writer_tid = (pid_t)t;
				printf("mapped target=%d addr=%#lx writer=%d\n", (int)target_pid, a,
				       (int)writer_tid);
				holder_pid = fork();
				if (holder_pid < 0)
					die("fork");
				if (!holder_pid)
					holder_main(&set);
				st = ST_READING;
			}
		}
		if (st == ST_READING && first_read_seen) {
			kill(holder_pid, SIGUSR1);
			st = ST_HOLDER;
		}
		if (st == ST_HOLDER && task_state(holder_pid, holder_pid) == 'D') {
			if (no_writer) {
				printf("ready target=%d holder=%d\n", (int)target_pid,
				       (int)holder_pid);
				st = ST_READY;
			} else {
				pipe_send(go_pipe[1], "g", 1);
				st = ST_WRITER;
			}
		}
		if (st == ST_WRITER && task_state(target_pid, writer_tid) == 'D') {
			printf("ready target=%d holder=%d writer=%d\n", (int)target_pid,
			       (int)holder_pid, (int)writer_tid);
			st = ST_READY;
		}
	}
	/* the end: abort the connection (every waiting reader gets an error), then the
	 * children; the mount goes with the namespace when the last of us is gone */
	close(fuse_fd);
	fuse_fd = -1;
	if (holder_pid > 0)
		kill(holder_pid, SIGKILL);
	kill(target_pid, SIGKILL);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return rc;
}
