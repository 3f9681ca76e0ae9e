/* sha1.c -- SHA-1 (FIPS 180-4), for content identity, never for security */
#include "sha1.h"

#include <string.h>

static uint32_t sha1_rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, t;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = sha1_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
#define SHA1_ROUND(f, k)                                                     \
	do {                                                                 \
		t = sha1_rol(a, 5) + (f) + e + (k) + w[i];                   \
		e = d, d = c, c = sha1_rol(b, 30), b = a, a = t;             \
	} while (0)
	int i = 0;
	for (; i < 20; i++)
		SHA1_ROUND((b & c) | (~b & d), 0x5A827999u);
	for (; i < 40; i++)
		SHA1_ROUND(b ^ c ^ d, 0x6ED9EBA1u);
	for (; i < 60; i++)
		SHA1_ROUND((b & c) | (b & d) | (c & d), 0x8F1BBCDCu);
	for (; i < 80; i++)
		SHA1_ROUND(b ^ c ^ d, 0xCA62C1D6u);
#undef SHA1_ROUND
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e;
}

void sha1_init(struct sha1 *s)
{
	static const uint32_t iv[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE,
					0x10325476, 0xC3D2E1F0 };
	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->used = 0;
}

void sha1_update(struct sha1 *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	s->total += n;
	if (s->used) {
		size_t take = 64 - s->used < n ? 64 - s->used : n;
		memcpy(s->block + s->used, p, take);
		s->used += take, p += take, n -= take;
		if (s->used < 64)
			return;
		sha1_block(s, s->block);
		s->used = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha1_block(s, p);
	memcpy(s->block, p, n);
	s->used = n;
}

void sha1_final(struct sha1 *s, unsigned char out[SHA1_LEN])
{
	uint64_t bits = s->total * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = (s->used < 56 ? 56 : 120) - s->used;
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(s, pad, padlen);
	sha1_update(s, len, 8);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(s->h[i] >> (24 - 8 * j));
}

void sha1_hex(const unsigned char digest[SHA1_LEN],
	      char out[SHA1_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < SHA1_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[SHA1_HEX_LEN] = '\0';
}
