/* lrs_codec.c -- base64, percent-encoding, hex and times for the LRS */
#include "lrs_codec.h"

#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int b64_value(int c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

int lrs_codec_base64_decode(struct buf *out, const char *s, size_t len,
			    int url)
{
	unsigned acc = 0;
	int bits = 0;
	buf_clear(out);
	if (!url) {
		/* at most two '=' at the end, and then the length is whole */
		size_t pad = 0;
		while (len && s[len - 1] == '=' && pad < 2)
			len--, pad++;
		if (pad && (len + pad) % 4)
			return -1;
	}
	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)s[i], url);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

void lrs_codec_base64url(struct buf *out, const void *data, size_t len)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = data;
	size_t i = 0;
	buf_grow(out, 4 * ((len + 2) / 3));
	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
			     p[i + 2];
		buf_putc(out, abc[v >> 18]);
		buf_putc(out, abc[(v >> 12) & 63]);
		buf_putc(out, abc[(v >> 6) & 63]);
		buf_putc(out, abc[v & 63]);
	}
	if (i < len) {
		unsigned v = (unsigned)p[i] << 16 |
			     (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0);
		buf_putc(out, abc[v >> 18]);
		buf_putc(out, abc[(v >> 12) & 63]);
		if (i + 1 < len)
			buf_putc(out, abc[(v >> 6) & 63]);
	}
}

void lrs_codec_hex(const unsigned char *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * len] = '\0';
}

int lrs_codec_unhex(const char *s, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi = util_hex_value((unsigned char)s[2 * i]);
		int lo = hi < 0 ? -1 : util_hex_value((unsigned char)s[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int lrs_codec_unescape(struct buf *out, const char *s, size_t len, int plus)
{
	buf_clear(out);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = i + 2 < len ? util_hex_value((unsigned char)s[i + 1])
					     : -1;
			int lo = hi >= 0 ? util_hex_value((unsigned char)s[i + 2]) : -1;
			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			buf_putc(out, (char)(hi << 4 | lo));
			i += 2;
		} else if (c == '+' && plus) {
			buf_putc(out, ' ');
		} else if (c == '\0') {
			return -1;
		} else {
			buf_putc(out, c);
		}
	}
	return 0;
}

void lrs_codec_escape(struct buf *out, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			buf_putc(out, (char)*p);
		} else {
			buf_putc(out, '%');
			buf_putc(out, digits[*p >> 4]);
			buf_putc(out, digits[*p & 15]);
		}
	}
}

/* ---- JSON ranges ------------------------------------------------------- */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The end of the value starting at s[i] (valid JSON). */
static size_t value_end(const char *s, size_t len, size_t i)
{
	int depth = 0;
	for (; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (depth == 0)
				return i + 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || is_ws(c))) {
			return i; /* the end of a number or literal */
		}
	}
	return len;
}

size_t lrs_codec_json_split(const char *s, size_t len,
			    struct lrs_codec_range **out, int *out_array)
{
	size_t i = 0, n = 0, cap = 0;
	struct lrs_codec_range *v = NULL;
	while (i < len && is_ws(s[i]))
		i++;
	*out_array = i < len && s[i] == '[';
	if (!*out_array) {
		size_t e = value_end(s, len, i);
		v = xmalloc(sizeof(*v));
		v[0].off = i;
		v[0].len = e - i;
		*out = v;
		return 1;
	}
	for (i++; i < len;) {
		while (i < len && (is_ws(s[i]) || s[i] == ','))
			i++;
		if (i >= len || s[i] == ']')
			break;
		size_t e = value_end(s, len, i);
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].off = i;
		v[n].len = e - i;
		n++;
		i = e;
	}
	*out = v;
	return n;
}

size_t lrs_codec_json_values(const char *s, size_t len, size_t max)
{
	size_t n = 1;
	for (size_t i = 0; i < len && n <= max; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (c == '{' || c == '[' || c == ',') {
			n++;
		}
	}
	return n;
}

/* ---- times ------------------------------------------------------------ */

static int digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int lrs_codec_time_parse(const char *s, int64_t *out_ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se = 0, ms = 0;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59)
		return -1;
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	const char *p = s + 16;
	if (*p == ':') {
		if (digits(p + 1, 2, &se) || se > 59)
			return -1;
		p += 3;
		if (*p == '.') {
			int scale = 100;
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			for (; *p >= '0' && *p <= '9'; p++) {
				ms += (*p - '0') * scale;
				scale /= 10;
			}
		}
	}
	int offset = 0; /* minutes east of UTC */
	if (p[0] == 'Z' && p[1] == '\0') {
		offset = 0;
	} else if (*p == '+' || *p == '-') {
		int zh, zm = 0, sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &zh) || zh > 23)
			return -1;
		p += 3;
		if (*p == ':')
			p++;
		if (*p) {
			if (digits(p, 2, &zm) || zm > 59 || p[2])
				return -1;
		}
		offset = sign * (zh * 60 + zm);
	} else {
		return -1;
	}
	int64_t days = days_from_civil(y, mo, d);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + se -
		       (int64_t)offset * 60;
	*out_ms = secs * 1000 + ms;
	return 0;
}

void lrs_codec_time_format(int64_t ms, char out[32])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int frac = (int)(ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int rem = (int)(secs - days * 86400);
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
		 rem / 3600, rem / 60 % 60, rem % 60, frac);
}

void lrs_codec_http_date(int64_t ms, char out[40])
{
	static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun",
					  "Mon", "Tue", "Wed" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec" };
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int rem = (int)(secs - days * 86400);
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	int w = (int)(((days % 7) + 7) % 7);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[w], d,
		 mon[m - 1], y, rem / 3600, rem / 60 % 60, rem % 60);
}

int64_t lrs_codec_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
