/* lrs_sig.c -- JWS signatures of statements */
#include "lrs_sig.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "lrs_codec.h"
#include "util.h"

/* A copy of 'st' without the properties a signature does not cover. */
static json_t *signed_part(const json_t *st)
{
	json_t *c = json_deep_copy(st);
	json_object_del(c, "attachments");
	json_object_del(c, "stored");
	json_object_del(c, "authority");
	json_object_del(c, "version");
	return c;
}

static int verify(const char *alg, json_t *header, const char *input,
		  size_t input_len, const struct buf *sig, struct buf *why)
{
	json_t *x5c = json_object_get(header, "x5c");
	const char *cert64 = json_string_value(json_array_get(x5c, 0));
	struct buf der = BUF_INIT;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx = NULL;
	int rc = -1;
	if (!x5c)
		return 0; /* nothing to verify against */
	if (!cert64 || lrs_codec_base64_decode(&der, cert64, strlen(cert64), 0)) {
		buf_puts(why, "the signature's x5c is not a base64 certificate");
		goto done;
	}
	const unsigned char *p = (const unsigned char *)der.ptr;
	cert = d2i_X509(NULL, &p, (long)der.len);
	key = cert ? X509_get_pubkey(cert) : NULL;
	if (!key) {
		buf_puts(why, "the signature's x5c certificate can't be read");
		goto done;
	}
	const EVP_MD *md = strcmp(alg, "RS256") == 0   ? EVP_sha256()
			   : strcmp(alg, "RS384") == 0 ? EVP_sha384()
						       : EVP_sha512();
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestVerify(ctx, (const unsigned char *)sig->ptr, sig->len,
			     (const unsigned char *)input, input_len) != 1) {
		buf_puts(why, "the signature does not verify with the key of "
			      "its x5c certificate");
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	X509_free(cert);
	buf_free(&der);
	return rc;
}

int lrs_sig_check(const json_t *st, const char *jws, size_t len,
		  struct buf *why)
{
	const char *d1 = memchr(jws, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jws))
			    : NULL;
	struct buf h = BUF_INIT, p = BUF_INIT, s = BUF_INIT;
	json_t *header = NULL, *payload = NULL, *mine = NULL;
	int rc = -1;
	if (!d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jws)) ||
	    lrs_codec_base64_decode(&h, jws, (size_t)(d1 - jws), 1) ||
	    lrs_codec_base64_decode(&p, d1 + 1, (size_t)(d2 - d1 - 1), 1) ||
	    lrs_codec_base64_decode(&s, d2 + 1, len - (size_t)(d2 + 1 - jws),
				    1)) {
		buf_puts(why, "the signature is not a JWS in compact "
			      "serialization");
		goto done;
	}
	header = json_loadb(h.ptr, h.len, 0, NULL);
	const char *alg = json_string_value(json_object_get(header, "alg"));
	if (!alg) {
		buf_puts(why, "the signature's JWS header has no 'alg'");
		goto done;
	}
	if (strcmp(alg, "RS256") && strcmp(alg, "RS384") &&
	    strcmp(alg, "RS512")) {
		buf_printf(why,
			   "the signature uses '%.20s': it must be RS256, RS384 "
			   "or RS512",
			   alg);
		goto done;
	}
	payload = json_loadb(p.ptr, p.len, 0, NULL);
	if (!json_is_object(payload)) {
		buf_puts(why, "the signature's payload is not a JSON statement");
		goto done;
	}
	json_t *theirs = signed_part(payload);
	mine = signed_part(st);
	int same = json_equal(theirs, mine);
	json_decref(theirs);
	if (!same) {
		buf_puts(why, "the signature's payload is not this statement");
		goto done;
	}
	rc = verify(alg, header, jws, (size_t)(d2 - jws), &s, why);
done:
	json_decref(header);
	json_decref(payload);
	json_decref(mine);
	buf_free(&h);
	buf_free(&p);
	buf_free(&s);
	return rc;
}
