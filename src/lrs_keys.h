/* lrs_keys.h -- the LRS's credentials: keys with a scope, whose secrets
 * are kept only as salted SHA-256 hashes
 *
 * A key is an id (the HTTP Basic user name, "et" + 16 hex digits) and a
 * secret (32 random bytes in base64url, 43 characters), shown once when
 * the key is made. The credentials file keeps, for each key, one line of
 * tab-separated fields:
 *
 *   id  scope  created  revoked  salt  sha256  name
 *
 * where salt is 16 random bytes in hex, sha256 is SHA-256(salt || secret)
 * in hex, created and revoked are timestamps ("-" when not revoked) and
 * name is a free label. Lines starting with '#' are comments. The file is
 * written with mode 0600, replaced atomically (a temporary file and
 * rename), and changes are serialized with a lock file (FILE.lock).
 *
 * Why one SHA-256 and not a slow password hash: the secrets are 256-bit
 * random values made by 'key add', never passwords a person chose, so
 * guessing one from its hash is as hard as guessing the secret itself; a
 * deliberately slow hash would only slow down every request (each one is
 * authenticated). The salt makes equal secrets hash differently, and the
 * comparison takes constant time.
 *
 * Scopes:
 *   write  POST/PUT statements and use the document resources (Activity
 *          State, profiles): what a package needs; it can't read
 *          statements
 *   read   GET statements, documents, agents and activities; no writes
 *   admin  everything */
#ifndef ET_LRS_KEYS_H
#define ET_LRS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum lrs_scope { LRS_SCOPE_NONE = 0, LRS_SCOPE_WRITE, LRS_SCOPE_READ,
		 LRS_SCOPE_ADMIN };

#define LRS_KEY_ID_LEN 18     /* "et" + 16 hex digits */
#define LRS_KEY_SECRET_LEN 43 /* base64url of 32 bytes */

struct lrs_key_info {
	char id[LRS_KEY_ID_LEN + 1];
	enum lrs_scope scope;
	int64_t created; /* ms since the epoch */
	int64_t revoked; /* 0 when active */
	char *name;      /* owned */
};

/* The keys of a credentials file, as a server checks them. Thread-safe. */
struct lrs_keys;

/* Load 'path' (a missing file means no keys). Returns 0, or ET_EIO /
 * ET_EINVALID (reported). */
int lrs_keys_open(struct lrs_keys **out, const char *path, struct diag *d);
void lrs_keys_free(struct lrs_keys *k);
/* How many active keys there are. */
size_t lrs_keys_count(struct lrs_keys *k);
/* Reload the file if it changed since it was read (a stat per call).
 * On a read error the keys in memory stay. Returns 0 or ET_EIO /
 * ET_EINVALID (reported). */
int lrs_keys_refresh(struct lrs_keys *k, struct diag *d);
/* Check the credentials 'id' and 'secret' (lengths given, not
 * NUL-terminated). Returns the key's scope, or LRS_SCOPE_NONE when the
 * id is unknown or revoked, or the secret is wrong. When 'out_id' is not
 * NULL it receives the key id (LRS_KEY_ID_LEN + 1 bytes). */
enum lrs_scope lrs_keys_check(struct lrs_keys *k, const char *id,
			      size_t id_len, const char *secret,
			      size_t secret_len, char *out_id);

/* Make a key and add it to the file (created if missing). The new
 * secret is put in 'secret_out' (LRS_KEY_SECRET_LEN + 1 bytes); it is
 * stored nowhere. Returns 0, or ET_EIO (reported). */
int lrs_keys_add(const char *path, enum lrs_scope scope, const char *name,
		 char id_out[LRS_KEY_ID_LEN + 1],
		 char secret_out[LRS_KEY_SECRET_LEN + 1], struct diag *d);
/* Every key in the file, in file order; free with lrs_keys_list_free.
 * A missing file is an empty list. Returns 0, or ET_EIO / ET_EINVALID. */
int lrs_keys_list(const char *path, struct lrs_key_info **out,
		  size_t *out_n, struct diag *d);
void lrs_keys_list_free(struct lrs_key_info *list, size_t n);
/* Mark key 'id' revoked. Returns 0, ET_ENOTFOUND (no such key, or
 * already revoked; reported) or ET_EIO. */
int lrs_keys_revoke(const char *path, const char *id, struct diag *d);

/* "write", "read", "admin" (NULL for NONE) and back; -1 when unknown. */
const char *lrs_keys_scope_name(enum lrs_scope s);
int lrs_keys_scope_parse(const char *s, enum lrs_scope *out);

/* Fill 'out' with 'n' random bytes from the kernel. Returns 0 or -1. */
int lrs_keys_random(void *out, size_t n);

#endif
