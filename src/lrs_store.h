/* lrs_store.h -- the LRS's SQLite database: schema, connections, prepared
 * statements, and storing and fetching statements and attachments
 *
 * The database is in WAL mode with synchronous=FULL: when a write
 * transaction returns, it is on disk, and a reader never sees half of
 * one. There is one writer connection (writes are serialized by a mutex)
 * and one read connection per thread, opened on first use and closed by
 * lrs_store_close. Every SQL statement is prepared once per connection
 * (lrs_db_prepare) and bound, never built from values.
 *
 * Schema (version 1):
 *   statements(seq PK, id BLOB(16) UNIQUE, stored ms, voided, voiding,
 *              target BLOB(16) = the StatementRef object's id, att, body)
 *     seq grows with stored, so 'since'/'until' become seq ranges; body
 *     is the statement packed (lrs_pack.h) with placeholders for stored
 *     (and a timestamp the LRS set), which lrs_store_text fills in from
 *     the stored column;
 *   refs(id PK, v UNIQUE): interned agent keys, IRIs and registrations;
 *   stmt_idx(ref, kind, seq) WITHOUT ROWID: what each statement is found
 *     by (enum lrs_ref_kind); a statement whose object is a StatementRef
 *     also gets the refs of its target, recursively, so a filter matching
 *     the target finds it (xAPI Communication 2.1.3);
 *   attachments(sha2 PK, content_type, data);
 *   documents(kind, activity, agent, registration, doc_id, ...): State,
 *     Activity Profile and Agent Profile documents (lrs_state.c);
 *   meta(k PK, v): schema version, the key that signs 'more' cursors. */
#ifndef ET_LRS_STORE_H
#define ET_LRS_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "lrs_pack.h"
#include "lrs_statement.h"

struct lrs_store;

/* One connection and its prepared statements. Used by one thread at a
 * time. */
struct lrs_db;

/* Open (creating if needed) the database at 'path' (":memory:" for a
 * private in-memory one, for tests and fuzzing). Returns 0, or ET_EIO
 * (reported). */
int lrs_store_open(struct lrs_store **out, const char *path, struct diag *d);
/* Close every connection. No other thread may use the store. */
void lrs_store_close(struct lrs_store *s);

/* The calling thread's read connection; NULL on failure (reported). */
struct lrs_db *lrs_store_reader(struct lrs_store *s, struct diag *d);
/* The writer connection, locked for the caller until
 * lrs_store_write_end. */
struct lrs_db *lrs_store_write_begin(struct lrs_store *s);
void lrs_store_write_end(struct lrs_store *s);

sqlite3 *lrs_db_handle(struct lrs_db *db);
/* The connection's zlib streams, for (un)packing bodies on its thread. */
struct lrs_pack *lrs_db_pack(struct lrs_db *db);
/* The JSON of a stored body (column 'body', with the statement's stored
 * time in ms), appended to 'out'. Returns 0, or ET_EIO when the body is
 * damaged (reported). */
int lrs_store_text(struct lrs_db *db, const void *body, size_t len,
		   int64_t stored, struct buf *out, struct diag *d);
/* The same, parsed: the statement whose body is column 'body_col' of the
 * current row of 'st', and its stored time column 'stored_col'. NULL when
 * the body is damaged (reported) or is not JSON. */
json_t *lrs_store_row_json(struct lrs_db *db, sqlite3_stmt *st, int body_col,
			   int stored_col, struct diag *d);
/* The prepared statement for 'sql' (a string constant: statements are
 * cached by its address), reset and with no bindings. NULL on error
 * (reported). */
sqlite3_stmt *lrs_db_prepare(struct lrs_db *db, const char *sql,
			     struct diag *d);
/* Run a statement without results (BEGIN, COMMIT...); 0 or ET_EIO. */
int lrs_db_exec(struct lrs_db *db, const char *sql, struct diag *d);

/* The 32-byte key that signs 'more' cursors (made once per database). */
const unsigned char *lrs_store_cursor_key(struct lrs_store *s);
/* The latest time up to which every statement stored is visible to
 * readers: now, or just before the stored time of a write in progress
 * (X-Experience-API-Consistent-Through). */
int64_t lrs_store_consistent_through(struct lrs_store *s);

/* An attachment's content, for storing. */
struct lrs_attachment {
	const char *sha2; /* lowercase hex */
	const char *content_type;
	const void *data;
	size_t len;
};

/* What storing a batch came to. */
struct lrs_store_result {
	int status;      /* 200, or 400 / 409 when refused */
	struct buf why;  /* the message when refused */
	int64_t stored;  /* the batch's stored time */
	size_t inserted; /* statements new to the store */
};

/* Pack each statement's text into its 'blob' (done by lrs_store_insert
 * for those that have none; callers may do it on other threads first).
 * 'p' is the calling thread's (lrs_db_pack of its reader). */
void lrs_store_pack(struct lrs_pack *p, struct lrs_statement *v);

/* Store a batch atomically: all statements, or none. A statement whose id
 * is stored already is skipped when it is the same statement (an
 * idempotent resend) and refuses the batch with 409 otherwise; a voiding
 * statement that targets a voiding statement refuses it with 400. The
 * attachments are stored with it (content is shared by sha2). Returns 0
 * (see res->status), or ET_EIO (reported; nothing stored). */
int lrs_store_insert(struct lrs_store *s, struct lrs_statement *v, size_t n,
		     const struct lrs_attachment *att, size_t natt,
		     struct lrs_store_result *res, struct diag *d);

/* The same in steps, so that statements can be stored while the next
 * ones are still being parsed: lrs_store_begin takes the write lock,
 * starts the transaction and fixes the stored time (res->stored);
 * lrs_store_add stores one statement (skipped if it is there already and
 * the same; res->status becomes 409 or 400 when it can't be stored);
 * lrs_store_add_attachment stores content; lrs_store_end commits when
 * 'commit' is set and res->status is 200, else rolls back, and releases
 * the lock. Each returns 0 or ET_EIO (reported). After an error, call
 * lrs_store_end all the same. */
int lrs_store_begin(struct lrs_store *s, struct lrs_store_result *res,
		    struct diag *d);
int lrs_store_add(struct lrs_store *s, struct lrs_statement *v,
		  struct lrs_store_result *res, struct diag *d);
int lrs_store_add_attachment(struct lrs_store *s,
			     const struct lrs_attachment *att,
			     struct diag *d);
int lrs_store_end(struct lrs_store *s, int commit,
		  struct lrs_store_result *res, struct diag *d);

/* Fetch the statement 'id' (any case). 'voided' selects which: 0 a
 * statement that is not voided (for statementId), 1 one that is (for
 * voidedStatementId). Sets *out_body (caller frees), *out_stored and
 * *out_att (it has attachments). Returns 0, ET_ENOTFOUND, or ET_EIO. */
int lrs_store_get(struct lrs_db *db, const char *id, int voided,
		  char **out_body, int64_t *out_stored, int *out_att,
		  struct diag *d);
/* Append the content of attachment 'sha2' to 'out' and set its type
 * (caller frees). Returns 0, ET_ENOTFOUND or ET_EIO. */
int lrs_store_attachment(struct lrs_db *db, const char *sha2,
			 struct buf *out, char **out_type, struct diag *d);

/* Statements stored, for /about and the tests. -1 on error. */
int64_t lrs_store_count(struct lrs_db *db, struct diag *d);

/* A UUID string (any case) to its 16 bytes; 0 or -1. */
int lrs_store_uuid_bytes(const char *s, unsigned char out[16]);

#endif
