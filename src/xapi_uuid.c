/* xapi_uuid.c -- UUIDs for xAPI: check, random, name-based, statement ids */
#include "xapi_uuid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sha1.h"
#include "util.h"

const unsigned char xapi_uuid_statement_ns[16] = {
	0x1b, 0xd8, 0x50, 0x7b, 0x90, 0xc7, 0x52, 0x48,
	0xad, 0xf5, 0xc0, 0xb9, 0x36, 0x6e, 0xfb, 0x42
};

static int xapi_uuid_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

int xapi_uuid_valid(const char *s)
{
	if (!s || strlen(s) != XAPI_UUID_LEN)
		return 0;
	for (int i = 0; i < XAPI_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!xapi_uuid_hex((unsigned char)s[i])) {
			return 0;
		}
	}
	return strchr("89abAB", s[19]) != NULL;
}

static void xapi_uuid_format(const unsigned char b[16],
			     char out[XAPI_UUID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

void xapi_uuid_v4(char out[XAPI_UUID_LEN + 1])
{
	unsigned char b[16];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			BUG("getrandom failed");
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	xapi_uuid_format(b, out);
}

void xapi_uuid_v5(const unsigned char ns[16], const void *name, size_t n,
		  char out[XAPI_UUID_LEN + 1])
{
	struct sha1 s;
	unsigned char d[SHA1_LEN];
	sha1_init(&s);
	sha1_update(&s, ns, 16);
	sha1_update(&s, name, n);
	sha1_final(&s, d);
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
	xapi_uuid_format(d, out);
}

void xapi_uuid_statement(const json_t *st, char out[XAPI_UUID_LEN + 1])
{
	json_t *copy = json_deep_copy(st);
	if (!copy)
		BUG("json_deep_copy failed");
	if (json_is_object(copy))
		json_object_del(copy, "id");
	char *s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS |
					JSON_ENCODE_ANY |
					JSON_REAL_PRECISION(17));
	if (!s)
		BUG("json_dumps failed");
	xapi_uuid_v5(xapi_uuid_statement_ns, s, strlen(s), out);
	free(s);
	json_decref(copy);
}
