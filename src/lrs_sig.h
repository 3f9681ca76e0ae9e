/* lrs_sig.h -- signed statements (xAPI Data 2.6): check the JWS that a
 * statement carries as its signature attachment
 *
 * The JWS (compact serialization) must have an "alg" of RS256, RS384 or
 * RS512 and a payload that is the statement as it was signed: the same
 * JSON as the statement, but for its attachments and the properties the
 * LRS sets (stored, authority, version). When the JWS header carries the
 * signer's certificate ("x5c"), the signature is verified with its public
 * key (OpenSSL); without one there is no key to verify against, and only
 * the form and the payload are checked. */
#ifndef ET_LRS_SIG_H
#define ET_LRS_SIG_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

#define LRS_SIG_USAGE "http://adlnet.gov/expapi/attachments/signature"

/* Returns 0 when 'jws' (len bytes) is a valid signature of 'st', or -1
 * with the reason in 'why'. */
int lrs_sig_check(const json_t *st, const char *jws, size_t len,
		  struct buf *why);

#endif
