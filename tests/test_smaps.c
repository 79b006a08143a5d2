/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_smaps.c - unit tests of the smaps, numa_maps and syscall readers and of memmap */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/columns.h"
#include "model/mapcols.h"
#include "model/memmap.h"
#include "sample/procmap.h"
#include "sample/smaps.h"
#include "sample/stackptr.h"
#include "fixture.h"
#include "tap.h"

#define KB 1024ULL
#define NENTRIES 33	/* mappings in fixtures/smaps/proc/4300/smaps */

static int fixfd = -1;		/* tests/fixtures/smaps */

static int parse_file(const char *rel, struct smaps_map *m)
{
	size_t len;
	char *buf = fixture_slurp(fixfd, rel, &len);
	int rc;

	if (!buf) {
		memset(m, 0, sizeof(*m));
		return -999;
	}
	rc = smaps_parse(buf, len, m);
	free(buf);
	return rc;
}

static const struct smaps_vma *find_name(const struct smaps_map *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->vma[i].name && !strcmp(m->vma[i].name, name))
			return &m->vma[i];
	return NULL;
}

/* ---- smaps_parse on the real capture ------------------------------------------------------ */
static void test_parse_real(void)
{
	const struct smaps_vma *v;
	struct smaps_map m;
	uint64_t rss = 0, pss = 0;
	size_t anon = 0;
	int rc;

	rc = parse_file("proc/4300/smaps", &m);
	tap_is_rc(rc, 0, "smaps: the real capture parses");
	tap_is_u64(m.n, NENTRIES, "smaps: every mapping is there");
	tap_is_u64(m.dropped_repeats, 0, "smaps: no repeats in a clean read");
	tap_ok(!m.truncated, "smaps: not truncated");
	if (m.n != NENTRIES) {
		smaps_map_free(&m);
		return;
	}
	v = &m.vma[0];
	tap_is_u64(v->start, 0x55a7fc95a000ULL, "header: start");
	tap_is_u64(v->end, 0x55a7fc95b000ULL, "header: end");
	tap_is_str(v->perms, "r--p", "header: perms");
	tap_is_u64(v->dev_major, 0xfe, "header: device major (hex)");
	tap_is_u64(v->dev_minor, 0, "header: device minor");
	tap_is_u64(v->inode, 10970538, "header: inode (decimal)");
	tap_is_str(v->name, "/tmp/mycap/fixcap", "header: the name after the padding");
	tap_is_str(v->vmflags, "rd mr mw me", "VmFlags: trailing space dropped");
	tap_is_u64(m.vma[2].offset, 0x2000, "header: offset (hex)");

	v = find_name(&m, "[heap]");
	if (tap_ok(v != NULL, "[heap] found")) {
		tap_is_u64(v->mem.size, 132 * KB, "[heap] Size in bytes");
		tap_is_u64(v->mem.rss, 8 * KB, "[heap] Rss");
		tap_is_u64(v->mem.private_dirty, 8 * KB, "[heap] Private_Dirty");
		tap_is_u64(v->mem.anonymous, 8 * KB, "[heap] Anonymous");
		tap_ok(v->name && !v->deleted, "[heap] not deleted");
	}
	v = find_name(&m, "/tmp/ts fix/lib with space.so");
	tap_ok(v && !v->deleted && !strcmp(v->perms, "r-xp"), "a name with spaces is whole");
	v = find_name(&m, "/tmp/ts fix/gone");
	tap_ok(v && v->deleted, "' (deleted)' is stripped and flagged");
	v = find_name(&m, "/memfd:my buf");
	tap_ok(v && v->deleted && v->perms[3] == 's', "a memfd with a space, deleted, shared");
	v = find_name(&m, "/dev/zero");
	tap_ok(v && v->deleted && v->dev_minor == 1, "shared anonymous memory: /dev/zero (deleted)");
	v = find_name(&m, "[anon:my name]");
	tap_ok(v != NULL, "[anon:NAME] with a space");
	v = find_name(&m, "/tmp/ts fix/esc\033[31mred");
	tap_ok(v != NULL, "a name with an ESC byte is kept raw (sanitized only for output)");
	v = find_name(&m, "[vsyscall]");
	tap_ok(v && v->start == 0xffffffffff600000ULL, "[vsyscall]: a 64-bit address");
	for (size_t i = 0; i < m.n; i++) {
		rss += m.vma[i].mem.rss;
		pss += m.vma[i].mem.pss;
		anon += !m.vma[i].name;
	}
	tap_is_u64(anon, 6, "anonymous mappings have no name");
	/* smaps_rollup of the same instant: Rss 1448 kB, Pss 169 kB (the rollup rounds once,
	 * smaps rounds each mapping's Pss down) */
	tap_is_u64(rss, 1448 * KB, "the Rss of all mappings adds up to the rollup's");
	tap_ok(pss <= 169 * KB && pss + NENTRIES * KB >= 169 * KB,
	       "the Pss adds up to the rollup's within 1 KiB a mapping (%llu)",
	       (unsigned long long)pss);
	smaps_map_free(&m);
}

/* ---- truncated, repeated, unknown, hostile --------------------------------------------------- */
static void test_parse_edges(void)
{
	static const struct {
		const char *file;
		int rc;
	} bad[] = {
		{ "bad-number.smaps", -EINVAL },
		{ "bad-unit.smaps", -EINVAL },
		{ "overflow.smaps", -ERANGE },
		{ "bad-perms.smaps", -EINVAL },
		{ "bad-range.smaps", -EINVAL },
		{ "field-first.smaps", -EINVAL },
		{ "truncated-first.smaps", -EINVAL },
	};
	struct smaps_map m;
	int rc;

	rc = parse_file("truncated.smaps", &m);
	tap_is_rc(rc, 0, "truncated: what is whole parses");
	tap_is_u64(m.n, 2, "truncated: the cut entry is left out");
	tap_ok(m.truncated, "truncated: said so");
	smaps_map_free(&m);

	rc = parse_file("truncated-line.smaps", &m);
	tap_is_rc(rc, 0, "cut in a line: parses");
	tap_is_u64(m.n, 3, "cut in a line: the entry with the partial line is left out");
	tap_ok(m.truncated, "cut in a line: said so");
	smaps_map_free(&m);

	rc = parse_file("repeat.smaps", &m);
	tap_is_rc(rc, 0, "racy read: parses");
	tap_is_u64(m.n, NENTRIES, "racy read: each mapping once");
	tap_is_u64(m.dropped_repeats, 3, "racy read: 2 repeats and 1 overlap counted");
	if (m.n > 5) {
		tap_is_u64(m.vma[5].start, 0x55a814ac4000ULL, "racy read: the first [heap] is kept");
		tap_is_u64(m.vma[5].mem.size, 132 * KB, "racy read: with its own fields");
	}
	smaps_map_free(&m);

	rc = parse_file("noflags.smaps", &m);
	tap_is_rc(rc, 0, "no VmFlags (before Linux 3.8): parses");
	tap_is_u64(m.n, NENTRIES, "no VmFlags: every mapping, the last too");
	tap_ok(!m.truncated && m.n && !m.vma[0].vmflags, "no VmFlags: not truncated, no flags");
	smaps_map_free(&m);

	rc = parse_file("unknown.smaps", &m);
	tap_is_rc(rc, 0, "fields the parser does not know are skipped");
	tap_is_u64(m.n, 3, "unknown fields: all entries");
	smaps_map_free(&m);

	rc = parse_file("empty.smaps", &m);
	tap_is_rc(rc, 0, "empty smaps (a kernel thread, a zombie): no error");
	tap_is_u64(m.n, 0, "empty smaps: no mapping");
	smaps_map_free(&m);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		rc = parse_file(bad[i].file, &m);
		tap_is_rc(rc, bad[i].rc, "%s is refused", bad[i].file);
		tap_ok(m.n == 0 && m.vma == NULL, "%s: nothing left allocated", bad[i].file);
		smaps_map_free(&m);
	}
}

/* ---- field lines as the kernel writes them, and the ones it does not ---------------------- */
#define HDR "7f0000000000-7f0000010000 rw-p 00000000 00:00 0 \n"
static void test_parse_kernel_lines(void)
{
	static const char text[] = HDR
		"Size:           99999999 kB\n"		/* 8 digits: the widest in 28 bytes */
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:           123456789 kB\n"		/* 9 digits: a longer line */
		"Pss:                   0 kB\n"
		"Pss_Dirty:       1 kB\n"			/* skipped, however written */
		"Pss_Anon:  7 kB\n"			/* fewer blanks */
		"Shared_Clean:           2 kB\n"		/* one blank more: 29 bytes */
		"Swap:                 33 kB\n"		/* fields left out, then found */
		"Shared_Dirty:         44 kB\n"		/* one before the last found */
		"Locked:         00000012 kB\n"		/* leading zeros */
		"THPeligible:           1\n"		/* skipped, no unit: 25 bytes */
		"VmFlags:        12345678 kB\n"
		HDR
		"Size:                  5 kB\n"
		"Rss:                   3 kB";		/* the last line cut before its newline */
	static const char *const bad[] = {
		HDR "Size:                1 2 kB\n",
		HDR "Size:                 12 kb\n",
		HDR "Size:                 12 kBx\n",
		HDR "Size:\t               12 kB\n",
		HDR "Size:                 1a kB\n",
		HDR "Size:                    kB\n",
		HDR "Size:                  1\n",		/* summed: its unit is needed */
	};
	struct smaps_map m;
	int rc;

	rc = smaps_parse(text, sizeof(text) - 1, &m);
	tap_is_rc(rc, 0, "kernel lines: the map parses");
	tap_is_u64(m.n, 1, "kernel lines: the entry cut short is left out");
	tap_ok(m.truncated, "kernel lines: cut short, said so");
	if (m.n) {
		const struct smaps_mem *x = &m.vma[0].mem;

		tap_is_u64(x->size, 99999999 * KB, "8 digits in 28 bytes");
		tap_is_u64(x->rss, 123456789 * KB, "9 digits: the line is longer, read too");
		tap_is_u64(x->pss, 0, "a 0");
		tap_is_u64(x->pss_anon, 7 * KB, "fewer blanks than the kernel writes");
		tap_is_u64(x->shared_clean, 2 * KB, "more blanks than the kernel writes");
		tap_is_u64(x->swap, 33 * KB, "fields left out before one");
		tap_is_u64(x->shared_dirty, 44 * KB, "a field before the last one found");
		tap_is_u64(x->locked, 12 * KB, "leading zeros");
		tap_is_str(m.vma[0].vmflags, "12345678 kB", "VmFlags is text, whatever it holds");
	}
	smaps_map_free(&m);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		rc = smaps_parse(bad[i], strlen(bad[i]), &m);
		tap_is_rc(rc, -EINVAL, "a field line that is not a number in kB is refused (%zu)", i);
		smaps_map_free(&m);
	}
}
#undef HDR

static void test_rollup(void)
{
	struct smaps_mem r;
	size_t len;
	char *buf;
	int rc;

	buf = fixture_slurp(fixfd, "proc/4300/smaps_rollup", &len);
	rc = buf ? smaps_parse_rollup(buf, len, &r) : -999;
	tap_is_rc(rc, 0, "smaps_rollup parses");
	tap_is_u64(r.rss, 1448 * KB, "rollup Rss");
	tap_is_u64(r.pss, 169 * KB, "rollup Pss");
	tap_is_u64(r.pss_anon, 116 * KB, "rollup Pss_Anon");
	tap_is_u64(r.pss_file, 41 * KB, "rollup Pss_File");
	tap_is_u64(r.pss_shmem, 12 * KB, "rollup Pss_Shmem");
	tap_is_u64(r.shared_clean, 1284 * KB, "rollup Shared_Clean");
	tap_is_u64(r.private_dirty, 164 * KB, "rollup Private_Dirty");
	free(buf);
	buf = fixture_slurp(fixfd, "noheader.smaps_rollup", &len);
	rc = buf ? smaps_parse_rollup(buf, len, &r) : -999;
	tap_is_rc(rc, -EINVAL, "a rollup without its header line is refused");
	free(buf);
}

/* ---- numa_maps ------------------------------------------------------------------------------ */
static void test_numa(void)
{
	const struct smaps_vma *v;
	struct smaps_map m;
	size_t len;
	char *buf;
	int rc;

	if (parse_file("proc/4300/smaps", &m))
		return;
	buf = fixture_slurp(fixfd, "nodes.numa_maps", &len);
	rc = buf ? smaps_parse_numa(buf, len, &m) : -999;
	free(buf);
	tap_is_rc(rc, 0, "numa_maps parses");
	v = find_name(&m, "[heap]");
	tap_ok(v && v->node_pages && v->nnodes == 1 && v->node_pages[0] == 2 &&
	       v->node_pagesize == 4 * KB, "[heap]: N0=2 pages of 4 KiB");
	v = &m.vma[7];	/* 7f8a0c049000, edited to N2=5 N0=2 */
	tap_ok(v->nnodes == 3 && v->node_pages[0] == 2 && v->node_pages[1] == 0 &&
	       v->node_pages[2] == 5, "N2=5 N0=2: three nodes, the middle one empty");
	v = &m.vma[6];	/* a guard page: "7f8a0c048000 default" */
	tap_ok(v->node_pages && v->nnodes == 0, "a mapping with no pages: read, no nodes");
	v = find_name(&m, "/dev/zero");
	tap_ok(v && v->nnodes == 1 && v->node_pages[0] == 2,
	       "file=/dev/zero\\040(deleted): the escaped name does not split the line");
	smaps_map_free(&m);

	if (parse_file("proc/4300/smaps", &m))
		return;
	buf = fixture_slurp(fixfd, "bad.numa_maps", &len);
	rc = buf ? smaps_parse_numa(buf, len, &m) : -999;
	free(buf);
	tap_is_rc(rc, -EINVAL, "N0=x1 is refused");
	smaps_map_free(&m);

	if (parse_file("proc/4300/smaps", &m))
		return;
	buf = strdup("55a814ac4000 default heap anon=2 dirty=2 active=0 N0=2 kernelpagesize_kB=4x\n");
	rc = buf ? smaps_parse_numa(buf, strlen(buf), &m) : -999;
	free(buf);
	tap_is_rc(rc, -EINVAL, "kernelpagesize_kB=4x is refused (was taken as a line without it)");
	smaps_map_free(&m);
}

/* ---- numa_maps summed per node (NODEMEM) ----------------------------------------------------- */
/* fixtures/numa_maps/proc/4400/numa_maps, summed by hand (see its README): node 0 has 398
 * pages of 4 kB, node 1 58 pages of 4 kB and 2 huge pages of 2048 kB */
#define N0_BYTES (398 * 4 * KB)
#define N1_BYTES (58 * 4 * KB + 2 * 2048 * KB)

static int numa_text(const char *text, uint64_t pagesize, struct smaps_numa *n)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);	/* exact size, so that a read past len shows */
	int rc;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, text, len);
	rc = smaps_parse_numa_nodes(buf, len, pagesize, n);
	free(buf);
	return rc;
}

static void test_numa_nodes(int numafd)
{
	struct smaps_numa n;
	size_t len;
	char *buf;
	int rc, rootfd, dfd;

	buf = fixture_slurp(numafd, "proc/4400/numa_maps", &len);
	rc = buf ? smaps_parse_numa_nodes(buf, len, 4 * KB, &n) : -999;
	tap_is_rc(rc, 0, "2-node numa_maps: parses");
	tap_ok(!rc && n.nnodes == 2 && n.bytes[0] == N0_BYTES && n.bytes[1] == N1_BYTES &&
	       n.total == N0_BYTES + N1_BYTES && !n.dropped_repeats && !n.truncated,
	       "2-node numa_maps: node 0 %llu, node 1 %llu bytes (hugetlb in 2 MiB pages)",
	       N0_BYTES, N1_BYTES);
	smaps_numa_free(&n);
	rc = buf ? smaps_parse_numa_nodes(buf, len, 64 * KB, &n) : -999;
	tap_ok(!rc && n.bytes[0] == N0_BYTES && n.bytes[1] == N1_BYTES,
	       "every line says its page size: the default one is not used");
	smaps_numa_free(&n);
	free(buf);

	rc = numa_text("1000 default anon=2 dirty=2 N0=2\n", 16 * KB, &n);
	tap_ok(!rc && n.nnodes == 1 && n.bytes[0] == 32 * KB,
	       "a line without kernelpagesize_kB counts in the default page size");
	smaps_numa_free(&n);
	rc = numa_text("1000 bind:1 anon=3 N1=3 kernelpagesize_kB=4\n", 4 * KB, &n);
	tap_ok(!rc && n.nnodes == 2 && n.bytes[0] == 0 && n.bytes[1] == 12 * KB &&
	       n.total == 12 * KB, "pages on node 1 only: node 0 is 0");
	smaps_numa_free(&n);
	rc = numa_text("", 4 * KB, &n);
	tap_ok(!rc && n.nnodes == 0 && !n.bytes && n.total == 0,
	       "an empty numa_maps (a kernel thread): no node, total 0");
	smaps_numa_free(&n);
	rc = numa_text("1000 default N0=1 kernelpagesize_kB=4\n"
		       "2000 default N1=2 kernelpagesize_kB=4\n"
		       "2000 default N1=2 kernelpagesize_kB=4\n"
		       "1000 default N0=1 kernelpagesize_kB=4\n"
		       "3000 default N0=4 kernelpagesize_kB=4\n", 4 * KB, &n);
	tap_ok(!rc && n.bytes[0] == 5 * 4 * KB && n.bytes[1] == 2 * 4 * KB &&
	       n.dropped_repeats == 2, "a racy read's repeated lines are counted once");
	smaps_numa_free(&n);
	rc = numa_text("1000 default N0=1 kernelpagesize_kB=4\n2000 default N0=7 kernelpag",
		       4 * KB, &n);
	tap_ok(!rc && n.total == 4 * KB && n.truncated, "a line cut short is left out");
	smaps_numa_free(&n);
	tap_is_rc(numa_text("1000 default N4096=1 kernelpagesize_kB=4\n", 4 * KB, &n), -ERANGE,
		  "node 4096 is refused");
	tap_is_rc(numa_text("1000 default N0=1 kernelpagesize_kB=4x\n", 4 * KB, &n), -EINVAL,
		  "kernelpagesize_kB=4x is refused");
	tap_is_rc(numa_text("1000 default N0=4503599627370496 kernelpagesize_kB=4\n", 4 * KB,
			    &n), -ERANGE, "2^52 pages of 4 KiB overflow 64 bits");
	tap_is_rc(numa_text("1000 default N0=2251799813685248 kernelpagesize_kB=4\n"
			    "2000 default N1=2251799813685248 kernelpagesize_kB=4\n", 4 * KB, &n),
		  -ERANGE, "two nodes of 2^63 bytes overflow the total");
	tap_is_rc(numa_text("1000 default N0=1\n", 0, &n), -EINVAL, "no default page size");

	rootfd = openat(numafd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = smaps_read_numa_nodes_at(rootfd, "4400/numa_maps", 4 * KB, &n);
	tap_ok(!rc && n.total == N0_BYTES + N1_BYTES, "read 4400/numa_maps: the same sums");
	smaps_numa_free(&n);
	tap_is_rc(smaps_read_numa_nodes_at(rootfd, "4401/numa_maps", 4 * KB, &n), -EOPNOTSUPP,
		  "a process without numa_maps beside its stat: not supported");
	dfd = openat(rootfd, "4401", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	tap_is_rc(smaps_read_numa_nodes_at(dfd, "numa_maps", 4 * KB, &n), -EOPNOTSUPP,
		  "the same relative to the process's directory");
	tap_is_rc(smaps_read_numa_nodes_at(rootfd, "4402/numa_maps", 4 * KB, &n), -ENOENT,
		  "a process that is not there: gone");
	if (dfd >= 0)
		close(dfd);
	if (rootfd >= 0)
		close(rootfd);
}

/* NODEMEM's text in tables, with --bytes and in JSON */
static void test_nodemem_format(void)
{
	static const uint64_t two[] = { N0_BYTES, N1_BYTES }, one1[] = { 0, N1_BYTES };
	const struct column *col = columns_find("nodemem");
	struct cell c;
	char buf[256], *big;
	const char *v;

	tap_ok(col && col->kind == CK_NODES && (col->readers & RD_NUMA),
	       "NODEMEM is a node list read from numa_maps");
	if (!col)
		return;
	memset(&c, 0, sizeof(c));
	c.nodes = two;
	c.nnodes = 2;
	c.u = N0_BYTES + N1_BYTES;
	tap_is_str(columns_format(col, &c, false, true, buf, sizeof(buf)), "0:1630208,1:4431872",
		   "--bytes: NODE:BYTES pairs");
	tap_is_str(columns_format(col, &c, false, false, buf, sizeof(buf)), "0:1.6M,1:4.2M",
		   "a table: NODE:SIZE pairs");
	tap_is_str(columns_format(col, &c, true, false, buf, sizeof(buf)),
		   "[{\"node\": 0, \"bytes\": 1630208}, {\"node\": 1, \"bytes\": 4431872}]",
		   "JSON: an array of {node, bytes}");
	tap_is_str(columns_format(col, &c, false, true, buf, 12), "0:1630208,+",
		   "a table text that does not fit ends with ',+'");
	tap_ok(!columns_format(col, &c, true, false, buf, 40), "JSON that does not fit: NULL");
	big = malloc(columns_format_size(col, &c));
	v = big ? columns_format(col, &c, true, false, big, columns_format_size(col, &c)) : NULL;
	tap_ok(v && v[0] == '[', "JSON fits in columns_format_size");
	free(big);
	c.nodes = one1;
	tap_is_str(columns_format(col, &c, false, true, buf, sizeof(buf)), "1:4431872",
		   "a node without pages is left out");
	c.nodes = NULL;
	c.nnodes = 0;
	c.u = 0;
	tap_is_str(columns_format(col, &c, false, false, buf, sizeof(buf)), "0B",
		   "no pages on any node: 0B");
	tap_is_str(columns_format(col, &c, true, false, buf, sizeof(buf)), "[]",
		   "no pages on any node: [] in JSON");
}

/* ---- task/TID/syscall ---------------------------------------------------------------------- */
static void test_syscall(void)
{
	static const struct {
		const char *file;
		int rc;
		uint64_t sp;
	} cases[] = {
		{ "syscall-normal", 0, 0x7f8a0d048eb0ULL },
		{ "syscall-blocked", 0, 0x7ffd59695410ULL },
		{ "syscall-noeol", 0, 0x7ffd59695410ULL },
		{ "syscall-running", -EAGAIN, 0 },
		{ "syscall-short", -EINVAL, 0 },
		{ "syscall-garbage", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t sp = 0;
		size_t len;
		char *buf = fixture_slurp(fixfd, cases[i].file, &len);
		int rc = buf ? stackptr_parse_syscall(buf, len, &sp) : -999;

		tap_is_rc(rc, cases[i].rc, "%s: result", cases[i].file);
		if (!cases[i].rc)
			tap_is_u64(sp, cases[i].sp, "%s: the stack pointer", cases[i].file);
		free(buf);
	}
	tap_is_rc(stackptr_parse_syscall("", 0, &(uint64_t){ 0 }), -EINVAL, "empty: refused");
}

/* ---- the readers and the model on the fake /proc -------------------------------------------- */
static const char *const kinds_4300[NENTRIES] = {
	"file", "code", "file", "data", "data", "heap", "anon", "thread-stack", "anon",
	"thread-stack", "shm", "anon", "file", "code", "file", "data", "data", "anon", "shm",
	"file", "file", "code", "anon", "kernel", "kernel", "kernel", "file", "code", "file",
	"data", "data", "stack", "kernel",
};

/* ---- thread-stack labels: more than four threads on one stack, a named one ---------------- */
static void test_stack_labels(void)
{
	static const char text[] =
		"7f0000000000-7f0000010000 rw-p 00000000 00:00 0                          [anon:pool]\n"
		"Size:                 64 kB\n"
		"VmFlags: rd wr mr mw me ac\n"
		"7f0000020000-7f0000030000 rw-p 00000000 00:00 0 \n"
		"Size:                 64 kB\n"
		"VmFlags: rd wr mr mw me ac\n";
	struct stackptr_thread th[6];
	struct smaps_map m;
	struct memmap mm;
	int rc;

	rc = smaps_parse(text, sizeof(text) - 1, &m);
	tap_is_rc(rc, 0, "stack labels: the map parses");
	if (rc)
		return;
	memset(th, 0, sizeof(th));
	for (int i = 0; i < 5; i++) {
		th[i].tid = 4194300 + i;
		th[i].sp = 0x7f0000008000ULL + (uint64_t)i * 16;
	}
	th[5].tid = 7;
	th[5].sp = 0x7f0000028000ULL;
	rc = memmap_build(&mm, 4194300, &m, th, 6, 0);
	tap_is_rc(rc, 0, "stack labels: memmap_build");
	if (rc)
		return;
	tap_is_u64(mm.nrows, 2, "stack labels: two rows");
	if (mm.nrows == 2) {
		tap_is_str(mm.rows[0].name, "[stack:4194300,4194301,4194302,4194303,...] [anon:pool]",
			   "five threads on a named stack: four TIDs, then ,..., then its name");
		tap_is_str(mm.rows[1].name, "[stack:7]", "one thread on an anonymous stack");
	}
	tap_is_u64(mm.stacks_labelled, 2, "stack labels: both labelled");
	memmap_free(&mm);
}

static void test_model(int rootfd)
{
	struct memmap_row *groups, *g2[2];
	struct memmap_cmp_row *cmp;
	struct procmap pm;
	struct memmap mm;
	size_t ng, n2[2], ncmp, ok = 0;
	int rc;

	rc = procmap_read(rootfd, 4300, PROCMAP_NUMA | PROCMAP_STACKS | PROCMAP_NAMES, &pm);
	tap_is_rc(rc, 0, "procmap_read of the fake process 4300");
	if (rc)
		return;
	tap_is_u64(pm.pid, 4300, "procmap: the process");
	tap_is_str(pm.comm, "fixcap", "procmap: its name (from status)");
	tap_is_rc(pm.map_rc, 0, "procmap: smaps read");
	tap_is_rc(pm.map.numa_rc, 0, "procmap: numa_maps read");
	tap_is_rc(pm.threads_rc, 0, "procmap: threads listed");
	tap_is_u64(pm.nthreads, 3, "procmap: three threads");
	if (pm.nthreads == 3) {
		tap_ok(pm.threads[0].tid == 4300 && pm.threads[1].tid == 4302 &&
		       pm.threads[2].tid == 4303, "threads sorted by TID");
		tap_is_u64(pm.threads[1].sp, 0x7f8a0d048eb0ULL, "thread 4302's stack pointer");
		tap_ok(pm.threads[1].comm && !strcmp(pm.threads[1].comm, "fixcap"),
		       "thread names with names asked");
	}
	rc = memmap_build(&mm, pm.pid, &pm.map, pm.threads, pm.nthreads, pm.threads_rc);
	tap_is_rc(rc, 0, "memmap_build");
	procmap_free(&pm);
	if (rc)
		return;
	tap_is_u64(mm.nrows, NENTRIES, "a row per mapping");
	for (size_t i = 0; i < mm.nrows && i < NENTRIES; i++) {
		const char *k = memmap_kind_name(mm.rows[i].kind);

		if (strcmp(k, kinds_4300[i]))
			tap_diag("row %zu (%s): kind %s, expected %s", i, mm.rows[i].name, k,
				 kinds_4300[i]);
		else
			ok++;
	}
	tap_is_u64(ok, NENTRIES, "every mapping has the expected KIND");
	tap_is_str(mm.rows[7].name, "[stack:4303]", "thread 4303's stack is labelled");
	tap_is_str(mm.rows[9].name, "[stack:4302]", "thread 4302's stack is labelled");
	tap_is_str(mm.rows[31].name, "[stack]", "the main thread's stack keeps [stack]");
	tap_is_u64(mm.stacks_labelled, 2, "two thread stacks labelled");
	tap_is_str(mm.rows[6].name, "[anon]", "an anonymous mapping is shown as [anon]");
	tap_is_str(mm.rows[19].name, "/tmp/ts fix/esc\\x1b[31mred", "the ESC byte is escaped");
	tap_is_str(mm.rows[20].name, "/tmp/ts fix/gone (deleted)", "(deleted) is shown");
	tap_is_u64(mm.total.rss, 1448 * KB, "total Rss");
	tap_is_u64(memmap_uss(&mm.total), 164 * KB, "total USS = Private_Clean + Private_Dirty");

	rc = memmap_group(&mm, MEMMAP_GROUP_KIND, &groups, &ng);
	tap_is_rc(rc, 0, "group by kind");
	tap_is_u64(ng, 9, "nine kinds present");
	if (!rc && ng == 9) {
		tap_is_str(groups[0].name, "code", "kinds in their order: code first");
		tap_is_u64(groups[0].nmaps, 4, "four code mappings");
		tap_is_str(groups[4].name, "thread-stack", "thread-stack group");
		tap_is_u64(groups[4].nmaps, 2, "two thread stacks");
		tap_ok(groups[4].node_pages && groups[4].nnodes == 1,
		       "node counts are summed in groups");
	}
	memmap_rows_free(groups, ng);

	rc = memmap_group(&mm, MEMMAP_GROUP_NAME, &groups, &ng);
	tap_is_rc(rc, 0, "group by name");
	for (size_t i = 0; !rc && i < ng; i++) {
		if (!strcmp(groups[i].name, "/usr/lib/x86_64-linux-gnu/libc.so.6"))
			tap_ok(groups[i].nmaps == 5 && groups[i].kinds ==
			       ((1u << MEMMAP_CODE) | (1u << MEMMAP_DATA) | (1u << MEMMAP_FILE)),
			       "libc: 5 mappings of code, data and file");
		if (!strcmp(groups[i].name, "[stack:*]"))
			tap_is_u64(groups[i].nmaps, 2, "[stack:*]: all thread stacks");
		if (i)
			tap_ok(groups[i - 1].mem.rss >= groups[i].mem.rss,
			       "name groups by RSS, largest first (%zu)", i);
	}
	/* the same process twice, side by side */
	g2[0] = g2[1] = groups;
	n2[0] = n2[1] = ng;
	rc = memmap_compare(g2, n2, 2, &cmp, &ncmp);
	tap_is_rc(rc, 0, "compare two processes");
	tap_is_u64(ncmp, ng, "compare: a row per name");
	if (!rc && ncmp)
		tap_ok(cmp[0].present[0] && cmp[0].present[1] && cmp[0].rss[0] == cmp[0].rss[1],
		       "compare: both sides");
	memmap_compare_free(cmp, ncmp);
	memmap_rows_free(groups, ng);
	memmap_free(&mm);

	rc = procmap_read(rootfd, 4999, 0, &pm);
	tap_is_rc(rc, -ESRCH, "procmap_read of a process that does not exist");
}

static void test_readers(int rootfd)
{
	struct smaps_map m;
	struct smaps_mem r;
	int rc;

	rc = smaps_read(rootfd, 4300, false, &m);
	tap_is_rc(rc, 0, "smaps_read relative to a root fd");
	tap_ok(m.n == NENTRIES && m.numa_rc == -ENODATA && !m.vma[0].node_pages,
	       "smaps_read without numa: no node counts");
	smaps_map_free(&m);
	rc = smaps_read(rootfd, 4300, true, &m);
	tap_ok(!rc && m.numa_rc == 0 && m.vma[0].node_pages, "smaps_read with numa_maps");
	smaps_map_free(&m);
	rc = smaps_read(rootfd, 4999, true, &m);
	tap_is_rc(rc, -ENOENT, "smaps_read of a missing process");
	rc = smaps_read_rollup(rootfd, 4300, &r);
	tap_ok(!rc && r.rss == 1448 * KB, "smaps_read_rollup");
}

static void test_columns(void)
{
	const struct maps_column **cols;
	size_t n;
	char *bad;
	int rc;

	rc = mapcols_parse_list("+NODES,rss", MEMMAP_GROUP_NONE, &cols, &n, &bad);
	tap_ok(!rc && n == 10 && !strcmp(cols[9]->name, "NODES"),
	       "-o +NODES,rss: the defaults, NODES added, RSS once");
	tap_ok(!rc && mapcols_need_numa(cols, n), "NODES needs numa_maps");
	free(cols);
	rc = mapcols_parse_list("RSS,nope", MEMMAP_GROUP_NONE, &cols, &n, &bad);
	tap_ok(rc == -EINVAL && bad && !strcmp(bad, "nope"), "an unknown column is named");
	free(bad);
	rc = mapcols_defaults(MEMMAP_GROUP_KIND, &cols, &n);
	tap_ok(!rc && !mapcols_need_numa(cols, n), "the defaults do not read numa_maps");
	free(cols);
}

/* The accessors COLTABLE_ACCESSORS writes for both tables find the same entries. */
static void test_accessors(void)
{
	size_t n = columns_count(), m = mapcols_count(), bad = 0;

	tap_ok(n > 10 && m > 10, "accessors: both tables have their entries (%zu, %zu)", n, m);
	for (size_t i = 0; i < n; i++)
		if (columns_find(columns_get(i)->name) != columns_get(i))
			bad++;
	for (size_t i = 0; i < m; i++)
		if (mapcols_find(mapcols_get(i)->name) != mapcols_get(i))
			bad++;
	tap_is_u64(bad, 0, "accessors: every entry is found by its name");
	tap_ok(!columns_get(n) && !mapcols_get(m), "accessors: past the end is NULL");
	tap_ok(!columns_find("nope") && !mapcols_find("nope") && !columns_find(""),
	       "accessors: an unknown name is NULL");
	tap_ok(columns_find("rss") == columns_find("RSS") && columns_find("rss") &&
	       !strcmp(mapcols_find("address")->name, "ADDRESS"),
	       "accessors: names are case-insensitive");
}

/* Why a value is missing, from each table's texts; numbers of both tables formatted alike */
static void test_avail_format(void)
{
	char buf[32];

	tap_ok(!*columns_avail_text(TS_OK) && !*mapcols_avail_text(TS_OK),
	       "avail: a value that is there needs no reason");
	tap_ok(!strncmp(columns_avail_text(TS_EMPTY), "empty: ", 7) &&
	       !strncmp(columns_avail_text(TS_GONE), "gone: the task", 14) &&
	       !strncmp(mapcols_avail_text(TS_GONE), "gone: the mapping", 17),
	       "avail: each table its own reasons");
	tap_ok(mapcols_avail_text(TS_EMPTY) == mapcols_avail_text(TS_NA) &&
	       columns_avail_text((enum ts_avail)99) == columns_avail_text(TS_NA),
	       "avail: a reason a table has no text for reads as its last (does not apply)");
	tap_is_str(columns_format_u64(CK_SIZE, 1536, false, false, buf, sizeof(buf)), "1.5K",
		   "format_u64: a size, human-readable");
	tap_is_str(columns_format_u64(CK_SIZE, 1536, false, true, buf, sizeof(buf)), "1536",
		   "format_u64: a size with --bytes");
	tap_is_str(columns_format_u64(CK_SIZE, 1536, true, false, buf, sizeof(buf)), "1536",
		   "format_u64: a size in JSON");
	tap_is_str(columns_format_u64(CK_COUNT, 1536, false, false, buf, sizeof(buf)), "1536",
		   "format_u64: a count as it is");
	/* mapcols_format writes 0 without util_size_human: the same text */
	{
		struct mapcols_cell c = { .av = TS_OK, .u = 0 };
		char b2[32];
		const char *z = mapcols_format(mapcols_find("SWAP"), &c, false, false, buf,
					       sizeof(buf));

		tap_is_str(z, util_size_human(0, b2, sizeof(b2)), "a size of 0 as util_size_human");
		tap_is_str(mapcols_format(mapcols_find("SWAP"), &c, false, true, buf, sizeof(buf)),
			   "0", "a size of 0 with --bytes");
		tap_is_str(mapcols_format(mapcols_find("SWAP"), &c, true, false, buf, sizeof(buf)),
			   "0", "a size of 0 in JSON");
	}
	/* remembered sizes: the text of util_size_human every time, sizes that share a slot
	 * and come back after others took it, a buffer too short for the text */
	{
		size_t bad = 0, n = 0;
		char b2[32], tiny[4];

		for (int pass = 0; pass < 3; pass++) {
			for (uint64_t kb = 0; kb < 70000; kb += pass ? 7 : 1, n++) {
				uint64_t v = kb * 1024 + (pass == 2 ? kb % 1024 : 0);

				if (strcmp(mapcols_size_human(v, buf, sizeof(buf)),
					   util_size_human(v, b2, sizeof(b2))))
					bad++;
			}
			for (int sh = 0; sh < 64; sh++, n++)
				if (strcmp(mapcols_size_human(~0ULL >> sh, buf, sizeof(buf)),
					   util_size_human(~0ULL >> sh, b2, sizeof(b2))))
					bad++;
		}
		tap_is_u64(bad, 0, "remembered sizes: util_size_human's text, %zu sizes", n);
		mapcols_size_human(1536, tiny, sizeof(tiny));	/* "1.5K" cut: not remembered */
		tap_is_str(mapcols_size_human(1536, buf, sizeof(buf)), "1.5K",
			   "a size cut to a short buffer is not remembered cut");
		tap_is_str(mapcols_size_human(1536, tiny, sizeof(tiny)),
			   util_size_human(1536, b2, sizeof(tiny)), "... and is cut again as it was");
	}
}

int main(void)
{
	int rootfd, numafd, before, after, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = fixture_open_proc("smaps", &fixfd, &rootfd);
	if (rc)
		return rc;

	test_parse_real();
	test_parse_edges();
	test_parse_kernel_lines();
	test_rollup();
	test_numa();
	numafd = fixture_open_dir("numa_maps");
	if (numafd >= 0) {
		test_numa_nodes(numafd);
		close(numafd);
	} else {
		tap_ok(false, "fixtures/numa_maps: %s", strerror(errno));
	}
	test_nodemem_format();
	test_syscall();
	test_stack_labels();
	before = fixture_count_fds();
	test_readers(rootfd);
	test_model(rootfd);
	after = fixture_count_fds();
	tap_ok(before >= 0 && before == after,
	       "the readers leave no fd open (%d before, %d after)", before, after);
	test_columns();
	test_accessors();
	test_avail_format();

	close(rootfd);
	close(fixfd);
	return tap_done();
}
