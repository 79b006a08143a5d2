/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sysinfo.c - system-wide facts for the TUI header: memory, swap and load average */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "lib/util.h"
#include "sample/sysinfo.h"
#include "sample/taskfiles.h"

/* "Name:   1234 kB" lines; the value is in KiB */
static int meminfo_line(const char *p, const char *end, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);
	uint64_t kb;

	if ((size_t)(end - p) <= klen || memcmp(p, key, klen) || p[klen] != ':')
		return -ENOENT;
	p += klen + 1;
	while (p < end && *p == ' ')
		p++;
	if (util_span_dec(&p, end, &kb) || kb > UINT64_MAX / 1024)
		return -EINVAL;
	*v = kb * 1024;
	return 0;
}

int sysinfo_parse_meminfo(const char *buf, size_t len, struct sysinfo_mem *out)
{
	const char *p = buf, *end = buf + len;
	unsigned found = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (!meminfo_line(p, le, "MemTotal", &out->mem_total))
			found |= 1;
		else if (!meminfo_line(p, le, "MemAvailable", &out->mem_avail))
			found |= 2;
		else if (!meminfo_line(p, le, "SwapTotal", &out->swap_total))
			found |= 4;
		else if (!meminfo_line(p, le, "SwapFree", &out->swap_free))
			found |= 8;
		p = nl ? nl + 1 : end;
	}
	if (!(found & 1))
		return -EINVAL;
	if (!(found & 2))
		out->mem_avail = 0;
	if (!(found & 4))
		out->swap_total = 0;
	if (!(found & 8) || out->swap_free > out->swap_total)
		out->swap_free = out->swap_total;
	if (out->mem_avail > out->mem_total)
		out->mem_avail = out->mem_total;
	out->have_mem = true;
	return 0;
}

/* "0.52" as hundredths; "12345.67" (uptime) as well */
static int span_load(const char **p, const char *end, double *v)
{
	uint64_t whole, frac = 0, scale = 1;

	if (util_span_dec(p, end, &whole))
		return -EINVAL;
	if (*p < end && **p == '.') {
		const char *f = ++*p;

		if (util_span_dec(p, end, &frac) || *p - f > 6)
			return -EINVAL;
		for (const char *q = f; q < *p; q++)
			scale *= 10;
	}
	*v = (double)whole + (double)frac / (double)scale;
	return 0;
}

int sysinfo_parse_loadavg(const char *buf, size_t len, struct sysinfo_mem *out)
{
	const char *p = buf, *end = buf + len;

	for (int i = 0; i < 3; i++) {
		if (span_load(&p, end, &out->load[i]) || util_span_char(&p, end, ' '))
			return -EINVAL;
	}
	if (util_span_dec(&p, end, &out->running) || util_span_char(&p, end, '/') ||
	    util_span_dec(&p, end, &out->total))
		return -EINVAL;
	out->have_load = true;
	return 0;
}

/* "cpu  user nice system idle iowait irq softirq steal [guest guest_nice]": guest time is
 * already counted in user and nice, so it is left out of the total */
static int stat_cpu_line(const char *p, const char *end, struct sysinfo_stat *out)
{
	uint64_t v[8] = { 0 }, total = 0;
	int n = 0;

	while (p < end && n < 8) {
		if (util_span_char(&p, end, ' '))
			return -EINVAL;
		while (p < end && *p == ' ')
			p++;
		if (util_span_dec(&p, end, &v[n]))
			return -EINVAL;
		if (total > UINT64_MAX - v[n])
			return -ERANGE;
		total += v[n++];
	}
	if (n < 4)
		return -EINVAL;		/* user nice system idle: every kernel has them */
	out->cpu_total = total;
	out->cpu_busy = total - v[3] - v[4];
	out->have_cpu = true;
	return 0;
}

int sysinfo_parse_stat(const char *buf, size_t len, struct sysinfo_stat *out)
{
	static const char kcpu[] = "cpu ", kbt[] = "btime ";
	const char *p = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);

		if (!out->have_cpu && ll > sizeof(kcpu) - 1 && !memcmp(p, kcpu, sizeof(kcpu) - 1)) {
			if (stat_cpu_line(p + 3, le, out))
				return -EINVAL;
		} else if (ll > sizeof(kbt) - 1 && !memcmp(p, kbt, sizeof(kbt) - 1)) {
			const char *q = p + sizeof(kbt) - 1;

			if (util_span_dec(&q, le, &out->btime) || q != le)
				return -EINVAL;
			out->have_btime = true;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int sysinfo_parse_uptime(const char *buf, size_t len, double *up)
{
	const char *p = buf, *end = buf + len;

	if (span_load(&p, end, up) || (p < end && *p != ' ' && *p != '\n'))
		return -EINVAL;
	return 0;
}

void sysinfo_read(int rootfd, struct sysinfo_mem *out)
{
	char buf[8192];
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = taskfiles_read(rootfd, "meminfo", buf, sizeof(buf), &len);
	if (!rc || rc == -EFBIG)
		sysinfo_parse_meminfo(buf, len, out);
	if (!taskfiles_read(rootfd, "loadavg", buf, sizeof(buf), &len))
		sysinfo_parse_loadavg(buf, len, out);
}
