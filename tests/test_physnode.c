/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_physnode.c - unit tests of the NUMA node of a physical page (src/sample/physnode.c):
 * the 2-node machine of the numa2 fixture, broken trees, and this machine; and how share
 * shows the shared pages of two nodes (src/view/sharefmt.c) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/sharing.h"
#include "sample/physnode.h"
#include "view/sharefmt.h"
#include "fixture.h"
#include "tap.h"

#define GIB (UINT64_C(1) << 30)
#define PS 4096

/* numa2: blocks of 1 GiB, node 0 blocks 0-7, node 1 blocks 8-15 */
static void test_fixture(int sysfd)
{
	struct physnode m;
	int rc = physnode_load_at(sysfd, &m);

	if (!tap_is_i64(rc, 0, "numa2: loads"))
		return;
	tap_is_u64(m.block_bytes, GIB, "numa2: block size 0x40000000");
	tap_is_i64(m.nnodes, 2, "numa2: 2 nodes");
	tap_is_i64(physnode_of_pfn(&m, 0, PS), 0, "the first page is on node 0");
	tap_is_i64(physnode_of_pfn(&m, 8 * GIB / PS - 1, PS), 0,
		   "the last page of block 7 is on node 0");
	tap_is_i64(physnode_of_pfn(&m, 8 * GIB / PS, PS), 1, "the first page of block 8 on node 1");
	tap_is_i64(physnode_of_pfn(&m, 16 * GIB / PS - 1, PS), 1, "the last page of node 1");
	tap_is_i64(physnode_of_pfn(&m, 16 * GIB / PS, PS), -1, "past the last block: unknown");
	tap_is_i64(physnode_of_pfn(&m, 8 * GIB / (2 << 20), 2 << 20), 1,
		   "a 2 MiB frame number counts in its own page size");
	tap_is_i64(physnode_of_pfn(&m, UINT64_MAX / 2, PS), -1, "an address past 64 bits: unknown");
	physnode_free(&m);
}

static int mkfile(int dirfd, const char *path, const char *text)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Trees made here: no blocks (one node: every page on it; two: unknown), a bad size */
static void test_made(void)
{
	char dir[] = "/tmp/test_physnode.XXXXXX";
	struct physnode m;
	int fd, rc;

	if (!mkdtemp(dir)) {
		tap_ok(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	tap_is_i64(physnode_load_at(fd, &m), -ENOENT, "no node directory: -ENOENT");
	mkdirat(fd, "node", 0755);
	mkdirat(fd, "node/node0", 0755);
	rc = physnode_load_at(fd, &m);
	tap_is_i64(rc, 0, "one node, no memory blocks: loads");
	if (!rc) {
		tap_is_i64(physnode_of_pfn(&m, 123456, PS), 0, "... and every page is on node 0");
		physnode_free(&m);
	}
	mkdirat(fd, "node/node1", 0755);
	rc = physnode_load_at(fd, &m);
	if (!rc) {
		tap_is_i64(physnode_of_pfn(&m, 1, PS), -1, "two nodes without blocks: unknown");
		physnode_free(&m);
	} else {
		tap_ok(false, "two nodes without blocks: %s", strerror(-rc));
	}
	mkdirat(fd, "memory", 0755);
	mkfile(fd, "memory/block_size_bytes", "12x4\n");
	tap_is_i64(physnode_load_at(fd, &m), -EINVAL, "a block size that is not hex: -EINVAL");
	mkfile(fd, "memory/block_size_bytes", "0\n");
	tap_is_i64(physnode_load_at(fd, &m), -EINVAL, "a block size of 0: -EINVAL");
	unlinkat(fd, "memory/block_size_bytes", 0);
	unlinkat(fd, "memory", AT_REMOVEDIR);
	unlinkat(fd, "node/node1", AT_REMOVEDIR);
	unlinkat(fd, "node/node0", AT_REMOVEDIR);
	unlinkat(fd, "node", AT_REMOVEDIR);
	close(fd);
	rmdir(dir);
}

/* This machine: its first page's node is one it has */
static void test_live(void)
{
	struct physnode m;
	int rc = physnode_load(&m);

	if (rc) {
		tap_diag("this machine's node map cannot be read (%s): not tested", strerror(-rc));
		return;
	}
	tap_ok(m.nnodes >= 1, "this machine: %d node(s)", m.nnodes);
	physnode_free(&m);
}

enum share_view { VIEW_TEXT, VIEW_JSON, VIEW_LIST };
struct view_call {
	const struct sharing_report *rep;
	enum share_view v;
	const char *pids;	/* the command line's */
};

/* share's view c->v of c->rep */
static int write_view(FILE *f, const void *p)
{
	const struct view_call *c = p;

	if (c->v == VIEW_TEXT)
		return sharefmt_text(f, c->rep, false, c->pids);
	if (c->v == VIEW_JSON)
		return sharefmt_json(f, c->rep, 0);
	return sharefmt_list_text(f, c->rep, false, c->pids, 0);
}

static char *view_of(const struct sharing_report *rep, enum share_view v, const char *pids)
{
	struct view_call c = { rep, v, pids };

	return tap_capture(write_view, &c);
}

/* A report of two processes that share 3 MiB, 2 MiB on node 0 and 1 MiB on node 1 (the
 * second also 4 KiB on no known node): the text's table and the JSON's arrays */
static void test_share_view(void)
{
	static char comm[] = "w";
	struct sharing_task tasks[2] = {
		{ .tid = 101, .tgid = 101, .comm = comm, .space = 0 },
		{ .tid = 102, .tgid = 102, .comm = comm, .space = 1 },
	};
	pid_t pids[2] = { 101, 102 };
	struct sharing_space spaces[2] = {
		{ .label = "A", .first = 0, .ntasks = 1, .pids = &pids[0], .npids = 1,
		  .rss = 4 << 20, .shared = 3 << 20, .only = 1 << 20, .kinds_known = true },
		{ .label = "B", .first = 1, .ntasks = 1, .pids = &pids[1], .npids = 1,
		  .rss = 3 << 20, .shared = 3 << 20, .kinds_known = true },
	};
	enum sharing_cell cells[KCMP_RES_COUNT][4];
	uint64_t both[4] = { 4 << 20, 3 << 20, 3 << 20, 3 << 20 };
	uint64_t node_shared[4] = { 2 << 20, 1 << 20, 2 << 20, 1 << 20 };
	uint64_t seg_nodes[2] = { 2 << 20, 1 << 20 };
	size_t members[2] = { 0, 1 };
	struct sharing_segment seg = { .members = members, .n = 2, .bytes = 3 << 20,
				       .node_bytes = seg_nodes };
	struct sharing_report rep = {
		.tasks = tasks, .ntasks = 2, .spaces = spaces, .nspaces = 2,
		.method = SHARING_EXACT, .both = both, .page_size = PS, .together = UINT64_MAX,
		.nnodes = 2, .node_shared = node_shared, .node_unknown = 4096,
		.segments = &seg, .nsegments = 1,
	};
	char *t;

	for (int r = 0; r < KCMP_RES_COUNT; r++) {
		for (int i = 0; i < 4; i++)
			cells[r][i] = i == 0 || i == 3 ? SHARING_SHARED : SHARING_SEPARATE;
		rep.res[r] = cells[r];
	}
	t = view_of(&rep, VIEW_TEXT, "101,102");
	if (!t) {
		tap_ok(false, "share's text of two nodes");
		return;
	}
	tap_ok(t && strstr(t, "Shared pages by NUMA node (where their frames are):\n"
			       "SPACE   N0   N1\n"
			       "A     2.0M 1.0M\n"
			       "B     2.0M 1.0M\n"
			       "  - 4.0K on no known node\n"),
	       "share, text: a row per space, a column per node, the bytes on no node");
	free(t);
	t = view_of(&rep, VIEW_JSON, NULL);
	if (!t) {
		tap_ok(false, "share's JSON of two nodes");
		return;
	}
	tap_ok(t && strstr(t, "\"numa_nodes\": 2,") && strstr(t, "\"node_unknown\": 4096,"),
	       "share, JSON: numa_nodes and node_unknown");
	tap_ok(t && strstr(t, "\"nodes\": [2097152, 1048576]}") &&
	       strstr(t, "\"shmem\": 0, \"nodes\": [2097152, 1048576]}"),
	       "share, JSON: a space's and a segment's bytes per node");
	free(t);
}

/* Three processes that all map 3 MiB, 2 MiB of it on node 0 and 1 MiB on node 1: the
 * groups' table of the list view has a NODES column */
static void test_share_list(void)
{
	static char comm[] = "w";
	struct sharing_task tasks[3];
	pid_t pids[3] = { 201, 202, 203 };
	struct sharing_space spaces[3];
	enum sharing_cell cells[KCMP_RES_COUNT][9];
	uint64_t both[9], node_shared[6], seg_nodes[2] = { 2 << 20, 1 << 20 };
	size_t members[3] = { 0, 1, 2 };
	struct sharing_segment seg = { .members = members, .n = 3, .bytes = 3 << 20,
				       .node_bytes = seg_nodes };
	struct sharing_report rep = {
		.tasks = tasks, .ntasks = 3, .spaces = spaces, .nspaces = 3,
		.method = SHARING_EXACT, .both = both, .page_size = PS, .together = UINT64_MAX,
		.nnodes = 2, .node_shared = node_shared, .segments = &seg, .nsegments = 1,
	};
	char *t;

	memset(spaces, 0, sizeof(spaces));
	for (size_t i = 0; i < 3; i++) {
		tasks[i] = (struct sharing_task){ .tid = pids[i], .tgid = pids[i], .comm = comm,
						  .space = i };
		spaces[i] = (struct sharing_space){ .first = i, .ntasks = 1, .pids = &pids[i],
						    .npids = 1, .rss = 3 << 20, .shared = 3 << 20,
						    .kinds_known = true };
		spaces[i].label[0] = (char)('A' + i);
		node_shared[i * 2] = 2 << 20;
		node_shared[i * 2 + 1] = 1 << 20;
	}
	for (size_t i = 0; i < 9; i++)
		both[i] = 3 << 20;
	for (int r = 0; r < KCMP_RES_COUNT; r++) {
		for (int i = 0; i < 9; i++)
			cells[r][i] = i % 4 == 0 ? SHARING_SHARED : SHARING_SEPARATE;
		rep.res[r] = cells[r];
	}
	t = view_of(&rep, VIEW_LIST, "201,202,203");
	if (!t) {
		tap_ok(false, "share's list of two nodes");
		return;
	}
	tap_ok(t && strstr(t, " COMMANDS NODES\n") && strstr(t, " w        N0=2.0M,N1=1.0M\n"),
	       "share, list: the groups' NODES column");
	free(t);
}

/* sharefmt_grid: the cells and their text in one zeroed block */
static void test_grid(void)
{
	const char **cells;
	char (*txt)[3][16] = sharefmt_grid(4, 5, sizeof(*txt), &cells);
	size_t zero = 0;

	if (!tap_ok(txt && cells, "grid: 4 rows of 5 cells and 3 texts of 16 bytes"))
		return;
	for (size_t i = 0; i < 4 * 5; i++)
		zero += !cells[i];
	for (size_t r = 0; r < 4; r++)
		for (size_t k = 0; k < 3; k++)
			zero += !txt[r][k][0] && !txt[r][k][15];
	tap_is_u64(zero, 4 * 5 + 4 * 3, "grid: every cell and every text starts zeroed");
	tap_ok((char *)txt >= (char *)(cells + 4 * 5), "grid: the text comes after the cells");
	snprintf(txt[3][2], sizeof(txt[3][2]), "last");
	cells[19] = txt[3][2];
	tap_is_str(cells[19], "last", "grid: the last text is there to write");
	free(cells);
	txt = sharefmt_grid(0, 2, sizeof(*txt), &cells);
	tap_ok(txt && cells && !cells[0] && !cells[1], "grid: no row still gets one");
	free(cells);
	tap_ok(!sharefmt_grid(SIZE_MAX / 4, 8, 16, &cells) && !cells,
	       "grid: a size that would overflow is NULL");
}

int main(void)
{
	int fix, sysfd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fix = fixture_open_dir("golden/numa2/1");
	if (fix < 0)
		return tap_skip_all("fixtures not found: set FIXTURES (or top_srcdir) (%s)",
				    strerror(errno));
	sysfd = openat(fix, "sys/devices/system", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sysfd < 0) {
		printf("Bail out! no sys/devices/system in golden/numa2/1: %s\n", strerror(errno));
		return TAP_EXIT_FAIL;
	}
	test_fixture(sysfd);
	test_made();
	test_live();
	test_share_view();
	test_share_list();
	test_grid();
	close(sysfd);
	close(fix);
	return tap_done();
}
