/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.h - a small streaming JSON writer for reports that are more than one table */
#ifndef TASKSCOPE_JSON_H
#define TASKSCOPE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

/*
 * Writes one document, indented two spaces a level. Every call takes the member's key
 * (NULL for an array element or the top value). Containers opened "inline" keep their
 * members on one line. Strings are escaped completely: quote, backslash and every
 * control byte; bytes that are not valid UTF-8 become U+FFFD, so the output is always
 * valid JSON whatever it is given. Errors of the stream are left in it (ferror).
 */
struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool inl[JSON_MAX_DEPTH];
	bool overflow;		/* nested deeper than JSON_MAX_DEPTH: output is wrong */
};

void json_begin(struct json *j, FILE *out);
/* Ends the document with a newline; -EINVAL if containers are still open or nesting
 * overflowed. */
int json_end(struct json *j);

void json_open_object(struct json *j, const char *key, bool inl);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key, bool inl);
void json_close_array(struct json *j);

void json_string(struct json *j, const char *key, const char *s);	/* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
/* v with the given decimals (0-9); NaN and infinities as null */
void json_double(struct json *j, const char *key, double v, int decimals);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/* The escaped form of s (quotes included) to out. */
void json_write_string(FILE *out, const char *s);

/*
 * Where a document stands in time and on which machine: the first keys of every document
 * (man page, OUTPUT, JSON): taskscope_version, hostname, kernel_release, time (RFC 3339,
 * UTC, microseconds), unix_time (seconds) and, for documents of a sample over an interval,
 * interval (seconds, null when the sample has none).
 */
struct json_stamp {
	char time[40];
	double unix_time;
	uint64_t unix_us;	/* the same in microseconds: what both keys print */
	bool has_interval;	/* the document kind has an interval */
	double interval;	/* seconds; <= 0: none (null) */
	char host[72], kernel[72];
};

/* wall: seconds since the epoch of the sample, or <= 0 for now. */
void json_stamp_init(struct json_stamp *s, double wall, bool has_interval, double interval);
/* The keys, as members of the open top-level object. */
void json_stamp_write(struct json *j, const struct json_stamp *s);
/* The same keys as text lines ("   \"key\": value,") for a document another writer makes
 * (libsmartcols' tables): they go right after its opening brace. */
void json_stamp_raw(FILE *out, const struct json_stamp *s);

#endif
