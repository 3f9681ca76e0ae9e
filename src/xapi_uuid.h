/* xapi_uuid.h -- UUIDs for xAPI: check the standard form, make random
 * (version 4) and name-based (version 5) ones, and the deterministic id
 * 'etoolbox send' gives a statement that has none
 *
 * A UUID string is 36 characters: 8-4-4-4-12 hexadecimal digits. */
#ifndef ET_XAPI_UUID_H
#define ET_XAPI_UUID_H

#include <jansson.h>
#include <stddef.h>

#define XAPI_UUID_LEN 36

/* 1 when 's' is a UUID in the standard string form with the RFC 4122
 * variant (8, 9, a or b in the first digit of the fourth group), of any
 * version (v7 ids are common). Hex digits of either case. */
int xapi_uuid_valid(const char *s);

/* A random (version 4) UUID in lowercase, from getrandom(). */
void xapi_uuid_v4(char out[XAPI_UUID_LEN + 1]);

/* The name-based (version 5, SHA-1) UUID of 'name' in namespace 'ns'
 * (16 bytes), as RFC 4122 section 4.3 defines it. */
void xapi_uuid_v5(const unsigned char ns[16], const void *name, size_t n,
		  char out[XAPI_UUID_LEN + 1]);

/* The namespace of statement ids made by xapi_uuid_statement:
 * 1bd8507b-90c7-5248-adf5-c0b9366efb42, itself the version 5 UUID of
 * "https://w3id.org/etoolbox/send/statement-id" in the URL namespace. */
extern const unsigned char xapi_uuid_statement_ns[16];

/* The deterministic id of a statement: the version 5 UUID, in the
 * namespace above, of the statement's canonical JSON (keys sorted, no
 * white space, reals with 17 significant digits, no "id" member). The
 * same statement always gets the same id, so sending it twice stores it
 * once. */
void xapi_uuid_statement(const json_t *st, char out[XAPI_UUID_LEN + 1]);

#endif
