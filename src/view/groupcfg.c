/* SPDX-License-Identifier: GPL-2.0-or-later */
/* groupcfg.c - parse serve's --group-config file and match processes against its rules */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "view/groupcfg.h"
#include "view/metrics.h"

#define MAX_FILE (1 << 20)
#define MAX_RULES 10000
#define MAX_NAME 128

enum key { K_COMM, K_EXE, K_CMDLINE, K_USER, K_CGROUP };

struct rule {
	char *name;
	enum key key;
	regex_t re;
};

struct groupcfg {
	struct rule *rules;
	size_t n;
};

void groupcfg_free(struct groupcfg *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->rules[i].name);
		regfree(&g->rules[i].re);
	}
	free(g->rules);
	free(g);
}

/* The whole file (bounded) as a string. */
static int slurp(const char *path, char **text, char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	size_t n = 0;
	char *buf;
	int rc;

	if (fd < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, len, "not a regular file");
		return -EINVAL;
	}
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	rc = util_read_full(fd, buf, MAX_FILE + 1, -1, &n);
	close(fd);
	if (!rc && n > MAX_FILE)
		rc = -EFBIG;
	if (rc) {
		if (rc == -EFBIG)
			snprintf(why, len, "larger than %d bytes", MAX_FILE);
		else
			snprintf(why, len, "%s", strerror(-rc));
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		free(buf);
		snprintf(why, len, "a NUL byte: not a text file");
		return -EINVAL;
	}
	*text = buf;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next white-space separated word of *p: its start and length. */
static const char *word(char **p, size_t *len)
{
	char *s = *p;

	while (is_space(*s))
		s++;
	*len = 0;
	while (s[*len] && !is_space(s[*len]))
		(*len)++;
	*p = s + *len;
	return *len ? s : NULL;
}

/* One line into a rule: 0, or -EINVAL with why. */
static int parse_line(char *line, struct rule *r, bool *empty, char *why, size_t len)
{
	static const char *const keys[] = { "comm", "exe", "cmdline", "user", "cgroup" };
	char *p = line, shown[64];
	const char *name, *key;
	size_t nl, kl, pl;
	int rc;

	*empty = false;
	name = word(&p, &nl);
	if (!name || *name == '#') {
		*empty = true;
		return 0;
	}
	key = word(&p, &kl);
	while (is_space(*p))
		p++;
	pl = strlen(p);
	while (pl && is_space(p[pl - 1]))
		p[--pl] = '\0';
	if (!key || !pl) {
		snprintf(why, len, "expected NAME KEY PATTERN");
		return -EINVAL;
	}
	if (nl > MAX_NAME) {
		snprintf(why, len, "group name longer than %d bytes", MAX_NAME);
		return -EINVAL;
	}
	for (size_t i = 0; i < nl; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			snprintf(why, len, "a control character in the group name");
			return -EINVAL;
		}
	}
	r->key = (enum key)-1;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == kl && !strncmp(keys[i], key, kl))
			r->key = (enum key)i;
	if (r->key == (enum key)-1) {
		char k[64];

		snprintf(k, sizeof(k), "%.*s", (int)(kl < 60 ? kl : 60), key);
		snprintf(why, len, "unknown key '%s' (comm, exe, cmdline, user or cgroup)",
			 util_sanitize(k, strlen(k), shown, sizeof(shown)) ? shown : "");
		return -EINVAL;
	}
	rc = regcomp(&r->re, p, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char err[128];

		regerror(rc, &r->re, err, sizeof(err));
		util_sanitize(p, pl, shown, sizeof(shown));
		snprintf(why, len, "bad regular expression '%s': %s", shown, err);
		return -EINVAL;
	}
	r->name = util_sanitize_dup(name, nl);
	if (!r->name) {
		regfree(&r->re);
		return -ENOMEM;
	}
	return 0;
}

int groupcfg_load(const char *path, struct groupcfg **out, char *why, size_t len)
{
	struct groupcfg *g;
	char *text = NULL, *line, *next;
	unsigned lineno = 0;
	int rc = slurp(path, &text, why, len);

	if (rc)
		return rc;
	g = calloc(1, sizeof(*g));
	if (!g) {
		free(text);
		return -ENOMEM;
	}
	for (line = text; line; line = next) {
		char msg[400];
		bool empty;
		struct rule r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		rc = parse_line(line, &r, &empty, msg, sizeof(msg));
		if (!rc && !empty && g->n == MAX_RULES) {
			regfree(&r.re);
			free(r.name);
			snprintf(msg, sizeof(msg), "more than %d rules", MAX_RULES);
			rc = -EINVAL;
		}
		if (rc) {
			snprintf(why, len, "line %u: %s", lineno, msg);
			break;
		}
		if (empty)
			continue;
		if (!(g->n & (g->n + 1))) {	/* 0, 1, 3, 7, ...: grow */
			struct rule *v = realloc(g->rules, (2 * g->n + 2) * sizeof(*v));

			if (!v) {
				regfree(&r.re);
				free(r.name);
				rc = -ENOMEM;
				break;
			}
			g->rules = v;
		}
		g->rules[g->n++] = r;
	}
	free(text);
	if (rc) {
		groupcfg_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

bool groupcfg_needs_cgroup(const struct groupcfg *g)
{
	for (size_t i = 0; g && i < g->n; i++)
		if (g->rules[i].key == K_CGROUP)
			return true;
	return false;
}

bool groupcfg_needs_cmdline(const struct groupcfg *g)
{
	for (size_t i = 0; g && i < g->n; i++)
		if (g->rules[i].key == K_CMDLINE || g->rules[i].key == K_EXE)
			return true;
	return false;
}

const char *groupcfg_match(const struct groupcfg *g, const struct task *t)
{
	char user[128], exe[256];
	const char *v;
	bool have_user = false, have_exe = false;

	for (size_t i = 0; g && i < g->n; i++) {
		const struct rule *r = &g->rules[i];

		switch (r->key) {
		case K_COMM:
			v = t->comm ? t->comm : "";
			break;
		case K_CMDLINE:
			v = t->cmd ? t->cmd : "";
			break;
		case K_CGROUP:
			v = metrics_group_of(MG_CGROUP, t, NULL, 0);
			break;
		case K_USER:
			if (!have_user)
				metrics_group_of(MG_USER, t, user, sizeof(user));
			have_user = true;
			v = user;
			break;
		case K_EXE:
		default:
			if (!have_exe)
				metrics_group_of(MG_EXE, t, exe, sizeof(exe));
			have_exe = true;
			v = exe;
			break;
		}
		if (!regexec(&r->re, v, 0, NULL, 0))
			return r->name;
	}
	return NULL;
}
