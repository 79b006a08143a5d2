/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c - cpu lists, PID lists and sets, comma lists, growing arrays, whole reads and
 * writes, comparators */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/util.h"

int util_cpulist_init(struct cpulist *cl, int ncpus)
{
	if (ncpus < 1)
		ncpus = 1;
	cl->set = CPU_ALLOC((size_t)ncpus);
	if (!cl->set)
		return -ENOMEM;
	cl->size = CPU_ALLOC_SIZE((size_t)ncpus);
	cl->ncpus = (int)(cl->size * 8);
	CPU_ZERO_S(cl->size, cl->set);
	return 0;
}

void util_cpulist_free(struct cpulist *cl)
{
	if (cl->set)
		CPU_FREE(cl->set);
	cl->set = NULL;
	cl->size = 0;
	cl->ncpus = 0;
}

int util_cpulist_parse(const char *s, int max_cpus, struct cpulist *out)
{
	const char *p = s;
	int rc;

	if (!s || !*s)
		return -EINVAL;
	if (max_cpus < 1)
		return -EINVAL;
	rc = util_cpulist_init(out, max_cpus);
	if (rc)
		return rc;
	for (;;) {
		uint64_t a, b, stride = 1;

		rc = util_scan_u64(p, &p, &a);
		if (rc)
			goto fail;
		b = a;
		if (*p == '-') {
			rc = util_scan_u64(p + 1, &p, &b);
			if (rc)
				goto fail;
			if (*p == ':') {
				rc = util_scan_u64(p + 1, &p, &stride);
				if (rc)
					goto fail;
				if (stride == 0) {
					rc = -EINVAL;
					goto fail;
				}
			}
		}
		if (b < a) {
			rc = -EINVAL;
			goto fail;
		}
		if (b >= (uint64_t)max_cpus) {
			rc = -ERANGE;
			goto fail;
		}
		for (uint64_t c = a;; c += stride) {
			CPU_SET_S((size_t)c, out->size, out->set);
			if (b - c < stride)
				break;	/* the next step passes b (and c + stride may wrap) */
		}
		if (*p == '\n' && p[1] == '\0')
			break;
		if (*p == '\0')
			break;
		if (*p != ',') {
			rc = -EINVAL;
			goto fail;
		}
		p++;
	}
	return 0;
fail:
	util_cpulist_free(out);
	return rc;
}

int util_cpulist_format(const struct cpulist *cl, char *buf, size_t len)
{
	size_t off = 0;
	int c = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	while (c < cl->ncpus) {
		int end;
		int n;

		if (!CPU_ISSET_S((size_t)c, cl->size, cl->set)) {
			c++;
			continue;
		}
		for (end = c; end + 1 < cl->ncpus &&
			      CPU_ISSET_S((size_t)end + 1, cl->size, cl->set); end++)
			;
		if (end == c)
			n = snprintf(buf + off, len - off, "%s%d", off ? "," : "", c);
		else
			n = snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "", c, end);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0';
			return -ENOSPC;
		}
		off += (size_t)n;
		c = end + 1;
	}
	return 0;
}

char *util_join_argv(char *const *v)
{
	size_t len = 0, off = 0, n = 0;
	char *line, *out;

	if (!v || !v[0] || !v[0][0])
		return NULL;
	/* a title rewritten in place (PostgreSQL, nginx) leaves NULs after it, which come as
	 * empty arguments: leave them out, and trailing blanks with them, as ps does */
	for (size_t i = 0; v[i]; i++) {
		size_t l = strlen(v[i]) + 1;

		if (len > SIZE_MAX - 1 - l)
			return NULL;
		len += l;
		if (l > 1)
			n = i + 1;
	}
	line = malloc(len + 1);
	if (!line)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		if (off)
			line[off++] = ' ';
		memcpy(line + off, v[i], l);
		off += l;
	}
	while (off && line[off - 1] == ' ')
		off--;
	if (!off) {
		free(line);
		return NULL;
	}
	line[off] = '\0';
	out = util_sanitize_dup(line, off);
	free(line);
	return out;
}

bool util_list_next(const char **p, char *buf, size_t cap, const char **item, size_t *len)
{
	const char *s = *p, *comma;
	size_t l;

	if (!s)
		return false;
	comma = strchr(s, ',');
	l = comma ? (size_t)(comma - s) : strlen(s);
	*item = s;
	*len = l;
	if (l < cap) {
		memcpy(buf, s, l);
		buf[l] = '\0';
	} else if (cap) {
		buf[0] = '\0';
	}
	*p = comma ? comma + 1 : NULL;
	return true;
}

int util_pidset_init(struct util_pidset *set, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n) {
		if (cap > SIZE_MAX / 4 / sizeof(int))
			return -ENOMEM;
		cap *= 2;
	}
	set->slot = calloc(cap, sizeof(int));
	if (!set->slot)
		return -ENOMEM;
	set->mask = cap - 1;
	return 0;
}

bool util_pidset_add(struct util_pidset *set, int pid)
{
	/* open addressing, linear probing, at most half full; the bits of the PID mixed
	 * (a 32-bit finalizer) so that no pattern of PIDs piles up on one slot */
	uint32_t h = (uint32_t)pid;
	size_t i;

	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	i = h & set->mask;

	while (set->slot[i]) {
		if (set->slot[i] == pid)
			return false;
		i = (i + 1) & set->mask;
	}
	set->slot[i] = pid;
	return true;
}

void util_pidset_free(struct util_pidset *set)
{
	free(set->slot);
	set->slot = NULL;
}

int util_parse_pidlist(const char *s, int **pids, size_t *npids)
{
	const char *p = s, *item;
	struct util_pidset seen;	/* duplicates found in O(1), any list length */
	size_t items = 1, n = *npids;
	char tok[32];
	size_t tl;
	int rc = 0;
	int *v;

	if (!s || !*s)
		return -EINVAL;
	for (const char *c = s; (c = strchr(c, ',')); c++)
		items++;
	if (items > SIZE_MAX / 2 / sizeof(int) - n)
		return -ENOMEM;
	v = realloc(*pids, (n + items) * sizeof(int));
	if (!v)
		return -ENOMEM;
	*pids = v;
	if (util_pidset_init(&seen, n + items))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		util_pidset_add(&seen, v[i]);
	while (util_list_next(&p, tok, sizeof(tok), &item, &tl)) {
		uint64_t pid;

		if (tl == 0 || tl >= sizeof(tok)) {
			rc = tl == 0 ? -EINVAL : -ERANGE;
			break;
		}
		if (tok[0] == '-') {
			rc = util_parse_u64(tok + 1, UINT64_MAX, &pid) == -EINVAL ? -EINVAL : -ERANGE;
			break;
		}
		rc = util_parse_u64(tok, 4194304, &pid);
		if (!rc && pid == 0)
			rc = -ERANGE;
		if (rc)
			break;
		if (util_pidset_add(&seen, (int)pid))
			v[n++] = (int)pid;
	}
	util_pidset_free(&seen);
	*npids = n;
	return rc;
}

const char *util_getopt_error(int c, char *const argv[], int optind, int optopt, char *msg,
			      size_t len)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char name[128], *eq;

	if (c == ':') {
		util_sanitize(arg, strlen(arg), name, sizeof(name));
		snprintf(msg, len, "option '%s' needs an argument", name);
	} else if (!strncmp(arg, "--", 2)) {
		/* a long option: unknown, or given an argument it does not take */
		util_sanitize(arg, strlen(arg), name, sizeof(name));
		eq = strchr(name, '=');
		if (optopt && eq) {
			*eq = '\0';
			snprintf(msg, len, "option '%s' takes no argument", name);
		} else {
			snprintf(msg, len, "unknown option '%s'", name);
		}
	} else {
		char opt[3] = { '-', (char)optopt, '\0' };

		util_sanitize(opt, 2, name, sizeof(name));
		snprintf(msg, len, "unknown option '%s'", name);
	}
	return msg;
}

int util_reserve(void *arr, size_t *cap, size_t need, size_t first, size_t size)
{
	size_t nc = *cap ? *cap : first;
	void *old, *v;

	if (need <= *cap)
		return 0;
	if (!nc || !size)
		return -ENOMEM;
	while (nc < need) {
		if (nc > SIZE_MAX / 2)
			return -ENOMEM;
		nc *= 2;
	}
	if (nc > SIZE_MAX / size)
		return -ENOMEM;
	memcpy(&old, arr, sizeof(old));
	v = realloc(old, nc * size);
	if (!v)
		return -ENOMEM;
	memcpy(arr, &v, sizeof(v));
	*cap = nc;
	return 0;
}

int util_grow(void *arr, size_t *cap, size_t n, size_t first, size_t size)
{
	return n < SIZE_MAX ? util_reserve(arr, cap, n + 1, first, size) : -ENOMEM;
}

int util_read_full(int fd, void *buf, size_t len, long long off, size_t *done)
{
	char *p = buf;
	ssize_t r;

	*done = 0;
	while (*done < len) {
		if (off < 0)
			r = read(fd, p + *done, len - *done);
		else
			r = pread(fd, p + *done, len - *done, (off_t)(off + (long long)*done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		*done += (size_t)r;
	}
	return 0;
}

int util_write_full(int fd, const void *buf, size_t len, size_t *done)
{
	const char *p = buf;

	*done = 0;
	while (*done < len) {
		ssize_t w = write(fd, p + *done, len - *done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		*done += (size_t)w;
	}
	return 0;
}

bool util_list_has(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	const char *end = s + n;

	while (s < end) {
		const char *c = memchr(s, ',', (size_t)(end - s));
		const char *e = c ? c : end;

		if ((size_t)(e - s) == wl && !memcmp(s, w, wl))
			return true;
		s = e + 1;
	}
	return false;
}

_Static_assert(sizeof(pid_t) == sizeof(int), "util_cmp_int sorts PIDs as int");

int util_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return UTIL_CMP(x, y);
}

int util_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return UTIL_CMP(x, y);
}

int util_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return UTIL_CMP(x, y);
}

double util_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
