/* sha1.h -- SHA-1 (FIPS 180-4), for content identity, never for security
 *
 * Used for name-based (version 5) UUIDs of statements without an id and
 * for the identity of an input file in the send journal. */
#ifndef ET_SHA1_H
#define ET_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN 20
#define SHA1_HEX_LEN 40

struct sha1 {
	uint32_t h[5];
	uint64_t total; /* bytes hashed so far */
	unsigned char block[64];
	size_t used; /* bytes waiting in block */
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *data, size_t n);
/* Finish and write the 20-byte digest; 's' must be re-initialized before
 * reuse. */
void sha1_final(struct sha1 *s, unsigned char out[SHA1_LEN]);
/* Digest as 40 lowercase hex digits plus NUL. */
void sha1_hex(const unsigned char digest[SHA1_LEN],
	      char out[SHA1_HEX_LEN + 1]);

#endif
