/* lrs_store.c -- the LRS's SQLite database: schema, connections, prepared
 * statements, storing and fetching statements and attachments */
#include "lrs_store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "lrs_codec.h"
#include "lrs_keys.h"
#include "util.h"

#define SCHEMA_VERSION 1
#define STMT_CACHE 64
/* how far statement references are followed (a targets b targets c) */
#define REF_DEPTH 16

struct lrs_db {
	sqlite3 *db;
	struct lrs_pack *pack;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int n;
	struct lrs_db *next; /* the store's list of connections */
};

/* interned strings -> refs.id, for the writer only */
struct intern {
	char **key;
	int64_t *id;
	size_t cap, n;
};

struct lrs_store {
	char *path;
	int memory; /* ":memory:": one connection, one thread */
	struct lrs_db *writer;
	pthread_mutex_t write_lock;
	pthread_mutex_t readers_lock;
	struct lrs_db *readers;
	pthread_key_t tls;
	unsigned char cursor_key[32];
	struct intern intern;
	pthread_mutex_t clock_lock;
	int64_t last_stored; /* under clock_lock */
	int64_t inflight;    /* stored time of the write in progress, or 0 */
	/* the checkpointer: copies the WAL into the database in the
	 * background, so that writers don't */
	pthread_t ckpt_thread;
	int ckpt_running;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_cond;
	int ckpt_wanted, ckpt_stop;
	int wal_pages; /* in the WAL after the last commit */
	/* statements whose StatementRef target is not stored (yet): only
	 * then must each new statement look for statements targeting it */
	int dangling;
};

/* WAL pages that wake the checkpointer, and that make the writer
 * checkpoint itself when the checkpointer falls behind */
#define CKPT_PAGES 8192
#define CKPT_HARD_PAGES 65536

static const char *const schema[] = {
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB) "
	"WITHOUT ROWID",
	"CREATE TABLE IF NOT EXISTS statements("
	"seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, "
	"stored INTEGER NOT NULL, voided INTEGER NOT NULL DEFAULT 0, "
	"voiding INTEGER NOT NULL DEFAULT 0, target BLOB, "
	"att INTEGER NOT NULL DEFAULT 0, body BLOB NOT NULL)",
	"CREATE INDEX IF NOT EXISTS statements_stored ON statements(stored)",
	"CREATE INDEX IF NOT EXISTS statements_target ON statements(target) "
	"WHERE target IS NOT NULL",
	"CREATE TABLE IF NOT EXISTS refs(id INTEGER PRIMARY KEY, "
	"v TEXT NOT NULL UNIQUE)",
	"CREATE TABLE IF NOT EXISTS stmt_idx(ref INTEGER NOT NULL, "
	"kind INTEGER NOT NULL, seq INTEGER NOT NULL, "
	"PRIMARY KEY(ref, kind, seq)) WITHOUT ROWID",
	"CREATE TABLE IF NOT EXISTS attachments(sha2 TEXT PRIMARY KEY, "
	"content_type TEXT NOT NULL, data BLOB NOT NULL)",
	"CREATE TABLE IF NOT EXISTS documents(kind INTEGER NOT NULL, "
	"activity TEXT NOT NULL, agent TEXT NOT NULL, "
	"registration TEXT NOT NULL, doc_id TEXT NOT NULL, "
	"content_type TEXT NOT NULL, body BLOB NOT NULL, "
	"etag TEXT NOT NULL, updated INTEGER NOT NULL, "
	"PRIMARY KEY(kind, activity, agent, registration, doc_id)) "
	"WITHOUT ROWID",
	"CREATE INDEX IF NOT EXISTS documents_agent ON documents(kind, agent)",
	NULL
};

/* ---- connections ----------------------------------------------------------- */

static void db_error(struct lrs_db *db, struct diag *d, const char *what)
{
	diag_error(d, LOC_NONE, "database: %s: %s", what,
		   db && db->db ? sqlite3_errmsg(db->db) : "out of memory");
}

sqlite3 *lrs_db_handle(struct lrs_db *db)
{
	return db->db;
}

struct lrs_pack *lrs_db_pack(struct lrs_db *db)
{
	return db->pack;
}

json_t *lrs_store_row_json(struct lrs_db *db, sqlite3_stmt *st, int body_col,
			   int stored_col, struct diag *d)
{
	struct buf text = BUF_INIT;
	json_t *j = NULL;
	if (lrs_store_text(db, sqlite3_column_blob(st, body_col),
			   (size_t)sqlite3_column_bytes(st, body_col),
			   sqlite3_column_int64(st, stored_col), &text, d) == 0)
		j = json_loadb(text.ptr, text.len, 0, NULL);
	buf_free(&text);
	return j;
}

int lrs_store_text(struct lrs_db *db, const void *body, size_t len,
		   int64_t stored, struct buf *out, struct diag *d)
{
	static const char tail[] = ",\"stored\":\"" LRS_STORED_PLACEHOLDER "\"}";
	static const char ts[] = "\"timestamp\":\"" LRS_STORED_PLACEHOLDER;
	size_t start = out->len;
	if (lrs_pack_unbody(db->pack, body, len, out)) {
		diag_error(d, LOC_NONE, "database: a stored statement is damaged");
		return ET_EIO;
	}
	size_t n = out->len - start;
	char *t = out->ptr + start;
	char iso[32];
	lrs_codec_time_format(stored, iso);
	if (n >= sizeof(tail) - 1 &&
	    memcmp(t + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0) {
		size_t at = n - 2 - LRS_TIME_LEN;
		memcpy(t + at, iso, LRS_TIME_LEN);
		/* a timestamp the LRS set is just before */
		size_t ts_at = at - 12 - LRS_TIME_LEN;
		if (at >= 12 + sizeof(ts) - 1 &&
		    memcmp(t + ts_at - (sizeof(ts) - 1 - LRS_TIME_LEN), ts,
			   sizeof(ts) - 1) == 0)
			memcpy(t + ts_at, iso, LRS_TIME_LEN);
	}
	return 0;
}

void lrs_store_pack(struct lrs_pack *p, struct lrs_statement *v)
{
	struct buf b = BUF_INIT;
	lrs_pack_body(p, v->text, v->len, &b);
	free(v->blob);
	v->blob = buf_detach(&b, &v->blob_len);
}

sqlite3_stmt *lrs_db_prepare(struct lrs_db *db, const char *sql,
			     struct diag *d)
{
	for (int i = 0; i < db->n; i++) {
		if (db->cache[i].sql == sql) {
			sqlite3_stmt *st = db->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (db->n == STMT_CACHE)
		BUG("more than %d distinct SQL statements", STMT_CACHE);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		db_error(db, d, "prepare");
		return NULL;
	}
	db->cache[db->n].sql = sql;
	db->cache[db->n].st = st;
	db->n++;
	return st;
}

int lrs_db_exec(struct lrs_db *db, const char *sql, struct diag *d)
{
	sqlite3_stmt *st = lrs_db_prepare(db, sql, d);
	if (!st)
		return ET_EIO;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_error(db, d, sql);
		return ET_EIO;
	}
	return 0;
}

static void db_close(struct lrs_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->n; i++)
		sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->db);
	lrs_pack_free(db->pack);
	free(db);
}

static int db_pragmas(sqlite3 *h, int writer)
{
	const char *common = "PRAGMA temp_store=MEMORY;"
			     "PRAGMA foreign_keys=OFF;";
	if (sqlite3_busy_timeout(h, 10000) != SQLITE_OK ||
	    sqlite3_exec(h, common, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (writer)
		return sqlite3_exec(h,
				    "PRAGMA cache_size=-32768;"
				    "PRAGMA journal_size_limit=67108864;"
				    "PRAGMA wal_autocheckpoint=0;",
				    NULL, NULL, NULL) == SQLITE_OK
			   ? 0
			   : -1;
	return sqlite3_exec(h, "PRAGMA cache_size=-16384; PRAGMA query_only=1;",
			    NULL, NULL, NULL) == SQLITE_OK
		   ? 0
		   : -1;
}

static struct lrs_db *db_open(struct lrs_store *s, int writer,
			      struct diag *d)
{
	struct lrs_db *db = xcalloc(1, sizeof(*db));
	db->pack = lrs_pack_new();
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
		    (writer ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(s->path, &db->db, flags, NULL) != SQLITE_OK ||
	    db_pragmas(db->db, writer)) {
		diag_error(d, LOC_NONE, "cannot open the database '%s': %s",
			   s->path,
			   db->db ? sqlite3_errmsg(db->db) : "out of memory");
		db_close(db);
		return NULL;
	}
	return db;
}

struct lrs_db *lrs_store_reader(struct lrs_store *s, struct diag *d)
{
	if (s->memory)
		return s->writer;
	struct lrs_db *db = pthread_getspecific(s->tls);
	if (db)
		return db;
	db = db_open(s, 0, d);
	if (!db)
		return NULL;
	pthread_setspecific(s->tls, db);
	pthread_mutex_lock(&s->readers_lock);
	db->next = s->readers;
	s->readers = db;
	pthread_mutex_unlock(&s->readers_lock);
	return db;
}

struct lrs_db *lrs_store_write_begin(struct lrs_store *s)
{
	pthread_mutex_lock(&s->write_lock);
	return s->writer;
}

void lrs_store_write_end(struct lrs_store *s)
{
	pthread_mutex_unlock(&s->write_lock);
}

const unsigned char *lrs_store_cursor_key(struct lrs_store *s)
{
	return s->cursor_key;
}

int64_t lrs_store_consistent_through(struct lrs_store *s)
{
	pthread_mutex_lock(&s->clock_lock);
	int64_t t = lrs_codec_now_ms() - 1;
	if (s->inflight && s->inflight - 1 < t)
		t = s->inflight - 1;
	pthread_mutex_unlock(&s->clock_lock);
	return t;
}

/* ---- checkpoints ------------------------------------------------------------ */

static int wal_hook(void *payload, sqlite3 *db, const char *name, int pages)
{
	struct lrs_store *s = payload;
	(void)db;
	(void)name;
	s->wal_pages = pages; /* the writer's own field: under write_lock */
	if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&s->ckpt_lock);
		s->ckpt_wanted = 1;
		pthread_cond_signal(&s->ckpt_cond);
		pthread_mutex_unlock(&s->ckpt_lock);
	}
	return SQLITE_OK;
}

static void *ckpt_main(void *arg)
{
	struct lrs_store *s = arg;
	sqlite3 *h = NULL;
	if (sqlite3_open_v2(s->path, &h,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
		SQLITE_OK) {
		sqlite3_close(h);
		return NULL; /* the writer checkpoints, at CKPT_HARD_PAGES */
	}
	sqlite3_busy_timeout(h, 1000);
	pthread_mutex_lock(&s->ckpt_lock);
	while (!s->ckpt_stop) {
		if (!s->ckpt_wanted) {
			pthread_cond_wait(&s->ckpt_cond, &s->ckpt_lock);
			continue;
		}
		s->ckpt_wanted = 0;
		pthread_mutex_unlock(&s->ckpt_lock);
		sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
		pthread_mutex_lock(&s->ckpt_lock);
	}
	pthread_mutex_unlock(&s->ckpt_lock);
	sqlite3_close(h);
	return NULL;
}

/* After a commit: when the checkpointer can't keep up, the writer
 * checkpoints (no one else writes meanwhile, so it catches up). */
static void wal_check(struct lrs_store *s, struct lrs_db *db)
{
	if (s->memory || s->wal_pages < CKPT_HARD_PAGES)
		return;
	sqlite3_wal_checkpoint_v2(db->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
				  NULL);
	s->wal_pages = 0;
}

/* ---- opening ------------------------------------------------------------------ */

static int store_schema(struct lrs_store *s, struct diag *d)
{
	sqlite3 *h = s->writer->db;
	char *err = NULL;
	int rc = ET_EIO;
	if (!s->memory) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(h, "PRAGMA journal_mode=WAL", -1, &st,
				       NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW ||
		    strcmp((const char *)sqlite3_column_text(st, 0), "wal")) {
			sqlite3_finalize(st);
			diag_error(d, LOC_NONE,
				   "cannot put the database '%s' in WAL mode: %s",
				   s->path, sqlite3_errmsg(h));
			return ET_EIO;
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_exec(h, "PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
		SQLITE_OK ||
	    sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK)
		goto fail;
	for (int i = 0; schema[i]; i++)
		if (sqlite3_exec(h, schema[i], NULL, NULL, &err) != SQLITE_OK)
			goto rollback;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(h, "SELECT k, v FROM meta", -1, &st, NULL) !=
	    SQLITE_OK)
		goto rollback;
	int version = 0, have_key = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(k, "schema") == 0)
			version = sqlite3_column_int(st, 1);
		else if (strcmp(k, "cursor_key") == 0 &&
			 sqlite3_column_bytes(st, 1) == 32) {
			memcpy(s->cursor_key, sqlite3_column_blob(st, 1), 32);
			have_key = 1;
		}
	}
	sqlite3_finalize(st);
	if (version > SCHEMA_VERSION) {
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		diag_error(d, LOC_NONE,
			   "the database '%s' has schema version %d, newer "
			   "than this etoolbox knows (%d)",
			   s->path, version, SCHEMA_VERSION);
		return ET_EIO;
	}
	if (!have_key) {
		if (lrs_keys_random(s->cursor_key, 32))
			goto rollback;
		st = NULL;
		if (sqlite3_prepare_v2(h,
				       "INSERT OR REPLACE INTO meta(k, v) "
				       "VALUES('cursor_key', ?1), "
				       "('schema', ?2)",
				       -1, &st, NULL) != SQLITE_OK)
			goto rollback;
		sqlite3_bind_blob(st, 1, s->cursor_key, 32, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, SCHEMA_VERSION);
		int r = sqlite3_step(st);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE)
			goto rollback;
	}
	if (sqlite3_exec(h, "COMMIT", NULL, NULL, &err) != SQLITE_OK)
		goto rollback;
	/* are there statements whose target is missing? */
	st = NULL;
	if (sqlite3_prepare_v2(h,
			       "SELECT 1 FROM statements s WHERE target IS NOT "
			       "NULL AND NOT EXISTS (SELECT 1 FROM statements t "
			       "WHERE t.id = s.target) LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK)
		s->dangling = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	/* stored keeps growing across restarts, whatever the clock says */
	st = NULL;
	if (sqlite3_prepare_v2(h, "SELECT max(stored) FROM statements", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		s->last_stored = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
rollback:
	sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
fail:
	diag_error(d, LOC_NONE, "cannot set up the database '%s': %s", s->path,
		   err ? err : sqlite3_errmsg(h));
	sqlite3_free(err);
	return rc;
}

int lrs_store_open(struct lrs_store **out, const char *path, struct diag *d)
{
	struct lrs_store *s = xcalloc(1, sizeof(*s));
	s->memory = strcmp(path, ":memory:") == 0;
	s->path = xstrdup(path);
	pthread_mutex_init(&s->write_lock, NULL);
	pthread_mutex_init(&s->readers_lock, NULL);
	pthread_mutex_init(&s->clock_lock, NULL);
	pthread_key_create(&s->tls, NULL);
	pthread_mutex_init(&s->ckpt_lock, NULL);
	pthread_cond_init(&s->ckpt_cond, NULL);
	s->writer = db_open(s, 1, d);
	if (!s->writer || store_schema(s, d)) {
		lrs_store_close(s);
		return ET_EIO;
	}
	if (!s->memory) {
		sqlite3_wal_hook(s->writer->db, wal_hook, s);
		s->ckpt_running =
		    pthread_create(&s->ckpt_thread, NULL, ckpt_main, s) == 0;
	}
	*out = s;
	return 0;
}

static void intern_clear(struct intern *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->key[i]);
	free(t->key);
	free(t->id);
	memset(t, 0, sizeof(*t));
}

void lrs_store_close(struct lrs_store *s)
{
	if (!s)
		return;
	if (s->ckpt_running) {
		pthread_mutex_lock(&s->ckpt_lock);
		s->ckpt_stop = 1;
		pthread_cond_signal(&s->ckpt_cond);
		pthread_mutex_unlock(&s->ckpt_lock);
		pthread_join(s->ckpt_thread, NULL);
	}
	while (s->readers) {
		struct lrs_db *next = s->readers->next;
		db_close(s->readers);
		s->readers = next;
	}
	if (s->writer && !s->memory)
		sqlite3_exec(s->writer->db, "PRAGMA optimize", NULL, NULL, NULL);
	db_close(s->writer);
	intern_clear(&s->intern);
	pthread_key_delete(s->tls);
	pthread_mutex_destroy(&s->write_lock);
	pthread_mutex_destroy(&s->readers_lock);
	pthread_mutex_destroy(&s->clock_lock);
	pthread_mutex_destroy(&s->ckpt_lock);
	pthread_cond_destroy(&s->ckpt_cond);
	free(s->path);
	free(s);
}

/* ---- interning ------------------------------------------------------------------ */

#define INTERN_CAP (1u << 16)

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int64_t *intern_find(struct intern *t, const char *key, size_t *slot)
{
	if (!t->cap) {
		t->cap = INTERN_CAP;
		t->key = xcalloc(t->cap, sizeof(*t->key));
		t->id = xcalloc(t->cap, sizeof(*t->id));
	}
	size_t k = str_hash(key) & (t->cap - 1);
	while (t->key[k]) {
		if (strcmp(t->key[k], key) == 0)
			return &t->id[k];
		k = (k + 1) & (t->cap - 1);
	}
	*slot = k;
	return NULL;
}

static void intern_put(struct intern *t, size_t slot, const char *key,
		       int64_t id)
{
	if (t->n + 1 > t->cap / 2) { /* full: start over, it is a cache */
		for (size_t i = 0; i < t->cap; i++) {
			free(t->key[i]);
			t->key[i] = NULL;
		}
		t->n = 0;
		size_t k = str_hash(key) & (t->cap - 1);
		slot = k;
	}
	t->key[slot] = xstrdup(key);
	t->id[slot] = id;
	t->n++;
}

static const char sql_ref_get[] = "SELECT id FROM refs WHERE v = ?1";
static const char sql_ref_add[] = "INSERT INTO refs(v) VALUES(?1)";

/* The refs.id of 'v', added if new. 0 on error (reported). */
static int64_t ref_id(struct lrs_store *s, struct lrs_db *db, const char *v,
		      struct diag *d)
{
	size_t slot = 0;
	int64_t *hit = intern_find(&s->intern, v, &slot);
	if (hit)
		return *hit;
	int64_t id = 0;
	sqlite3_stmt *st = lrs_db_prepare(db, sql_ref_get, d);
	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		st = lrs_db_prepare(db, sql_ref_add, d);
		if (!st)
			return 0;
		sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_error(db, d, "intern");
			sqlite3_reset(st);
			return 0;
		}
		id = sqlite3_last_insert_rowid(db->db);
	} else {
		db_error(db, d, "intern");
	}
	sqlite3_reset(st);
	if (id)
		intern_put(&s->intern, slot, v, id);
	return id;
}

/* ---- inserting ------------------------------------------------------------------ */

int lrs_store_uuid_bytes(const char *s, unsigned char out[16])
{
	char hex[33];
	int k = 0;
	if (!s || strlen(s) != 36)
		return -1;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		hex[k++] = s[i];
	}
	hex[32] = '\0';
	return lrs_codec_unhex(hex, out, 16);
}

static const char sql_find[] =
    "SELECT seq, body, voiding, stored FROM statements WHERE id = ?1";
static const char sql_insert[] =
    "INSERT INTO statements(id, stored, voided, voiding, target, att, body) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_idx_add[] =
    "INSERT OR IGNORE INTO stmt_idx(ref, kind, seq) VALUES(?1, ?2, ?3)";
static const char sql_void[] =
    "UPDATE statements SET voided = 1 WHERE seq = ?1 AND voiding = 0";
static const char sql_referrers[] =
    "SELECT seq, voiding, body, stored FROM statements WHERE target = ?1";
static const char sql_att_add[] =
    "INSERT OR IGNORE INTO attachments(sha2, content_type, data) "
    "VALUES(?1, ?2, ?3)";

/* A stored statement found by id. */
struct found {
	int64_t seq;
	int voiding;
	json_t *json; /* parsed body, when wanted */
};

/* Look up 'id' (16 bytes). Returns 1 found, 0 not, -1 error. */
static int find(struct lrs_db *db, const unsigned char id[16], int parse,
		struct found *f, struct diag *d)
{
	sqlite3_stmt *st = lrs_db_prepare(db, sql_find, d);
	memset(f, 0, sizeof(*f));
	if (!st)
		return -1;
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		f->seq = sqlite3_column_int64(st, 0);
		f->voiding = sqlite3_column_int(st, 2);
		if (parse) {
			f->json = lrs_store_row_json(db, st, 1, 3, d);
			if (!f->json) {
				sqlite3_reset(st);
				diag_error(d, LOC_NONE,
					   "database: a stored statement is "
					   "not JSON");
				return -1;
			}
		}
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, d, "find");
		return -1;
	}
	return 0;
}

static int add_refs(struct lrs_store *s, struct lrs_db *db, int64_t seq,
		    const struct lrs_ref *refs, size_t n, struct diag *d)
{
	for (size_t i = 0; i < n; i++) {
		int64_t id = ref_id(s, db, refs[i].value, d);
		if (!id)
			return ET_EIO;
		sqlite3_stmt *st = lrs_db_prepare(db, sql_idx_add, d);
		if (!st)
			return ET_EIO;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, refs[i].kind);
		sqlite3_bind_int64(st, 3, seq);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_error(db, d, "index");
			return ET_EIO;
		}
	}
	return 0;
}

/* Give statement 'seq' the refs of the statements its StatementRef
 * object leads to (target, the target's target...), as far as they are
 * stored. 'target' is the first one's id. */
static int inherit(struct lrs_store *s, struct lrs_db *db, int64_t seq,
		   const char *target, struct diag *d)
{
	char next[37];
	snprintf(next, sizeof(next), "%s", target);
	for (int depth = 0; depth < REF_DEPTH && next[0]; depth++) {
		unsigned char id[16];
		struct found f;
		if (lrs_store_uuid_bytes(next, id))
			return 0;
		int r = find(db, id, 1, &f, d);
		if (r < 0)
			return ET_EIO;
		if (r == 0 || f.seq == seq) {
			json_decref(f.json);
			return 0;
		}
		struct lrs_ref *refs;
		size_t n;
		lrs_statement_refs(f.json, &refs, &n);
		int rc = add_refs(s, db, seq, refs, n, d);
		lrs_statement_refs_free(refs, n);
		json_t *obj = json_object_get(f.json, "object");
		const char *ot =
		    json_string_value(json_object_get(obj, "objectType"));
		const char *tid = json_string_value(json_object_get(obj, "id"));
		next[0] = '\0';
		if (ot && strcmp(ot, "StatementRef") == 0 && tid)
			snprintf(next, sizeof(next), "%s", tid);
		json_decref(f.json);
		if (rc)
			return rc;
	}
	return 0;
}

/* Statement 'id' (at 'seq', voiding or not) was just stored: statements
 * stored earlier that target it get its refs, and it is voided if one of
 * them voids it. Walks referrers of referrers up to REF_DEPTH. */
static int referrers(struct lrs_store *s, struct lrs_db *db,
		     const unsigned char id[16], int64_t seq, int voiding,
		     int depth, struct diag *d)
{
	struct {
		int64_t seq;
		int voiding;
		char target[37];
		char id[37];
	} *r = NULL;
	size_t n = 0;
	int rc = 0;
	sqlite3_stmt *st = lrs_db_prepare(db, sql_referrers, d);
	if (!st)
		return ET_EIO;
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t rs = sqlite3_column_int64(st, 0);
		if (rs == seq)
			continue;
		json_t *j = lrs_store_row_json(db, st, 2, 3, d);
		r = xrealloc(r, (n + 1) * sizeof(*r));
		r[n].seq = rs;
		r[n].voiding = sqlite3_column_int(st, 1);
		const char *t = json_string_value(
		    json_object_get(json_object_get(j, "object"), "id"));
		const char *i = json_string_value(json_object_get(j, "id"));
		snprintf(r[n].target, 37, "%s", t ? t : "");
		snprintf(r[n].id, 37, "%s", i ? i : "");
		json_decref(j);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, d, "referrers");
		free(r);
		return ET_EIO;
	}
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (r[i].voiding && !voiding) {
			st = lrs_db_prepare(db, sql_void, d);
			if (!st) {
				rc = ET_EIO;
				break;
			}
			sqlite3_bind_int64(st, 1, seq);
			if (sqlite3_step(st) != SQLITE_DONE) {
				db_error(db, d, "void");
				rc = ET_EIO;
			}
			sqlite3_reset(st);
		}
		if (!rc)
			rc = inherit(s, db, r[i].seq, r[i].target, d);
		unsigned char rid[16];
		if (!rc && depth + 1 < REF_DEPTH &&
		    lrs_store_uuid_bytes(r[i].id, rid) == 0)
			rc = referrers(s, db, rid, r[i].seq, r[i].voiding,
				       depth + 1, d);
	}
	free(r);
	return rc;
}

static int insert_one(struct lrs_store *s, struct lrs_db *db,
		      struct lrs_statement *v, int64_t stored,
		      struct lrs_store_result *res, struct diag *d)
{
	unsigned char id[16], target[16];
	struct found f;
	int r;
	if (lrs_store_uuid_bytes(v->id, id))
		BUG("a prepared statement without a UUID");
	lrs_statement_patch(v, stored);
	r = find(db, id, 1, &f, d);
	if (r < 0)
		return ET_EIO;
	if (r == 1) {
		int same = lrs_statement_same(f.json, v);
		json_decref(f.json);
		if (same)
			return 0;
		res->status = 409;
		buf_printf(&res->why,
			   "statement '%s' conflicts with the statement stored "
			   "with that id (statements never change)",
			   v->id);
		return 0;
	}
	int voided_target = 0;
	int64_t target_seq = 0;
	if (v->has_target && lrs_store_uuid_bytes(v->target, target) == 0) {
		r = find(db, target, 0, &f, d);
		if (r < 0)
			return ET_EIO;
		if (r == 1 && v->voiding) {
			if (f.voiding) {
				res->status = 400;
				buf_printf(&res->why,
					   "statement '%s': 'object' targets "
					   "'%s', a voiding statement, which "
					   "can't be voided",
					   v->id, v->target);
				return 0;
			}
			voided_target = 1;
		}
		target_seq = r == 1 ? f.seq : 0;
	}
	sqlite3_stmt *st = lrs_db_prepare(db, sql_insert, d);
	if (!st)
		return ET_EIO;
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, stored);
	sqlite3_bind_int(st, 3, 0);
	sqlite3_bind_int(st, 4, v->voiding);
	if (v->has_target && lrs_store_uuid_bytes(v->target, target) == 0)
		sqlite3_bind_blob(st, 5, target, 16, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, v->attachments);
	sqlite3_bind_blob(st, 7, v->blob, (int)v->blob_len, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		db_error(db, d, "insert");
		return ET_EIO;
	}
	int64_t seq = sqlite3_last_insert_rowid(db->db);
	if (add_refs(s, db, seq, v->refs, v->nrefs, d))
		return ET_EIO;
	if (voided_target) {
		st = lrs_db_prepare(db, sql_void, d);
		if (!st)
			return ET_EIO;
		sqlite3_bind_int64(st, 1, target_seq);
		r = sqlite3_step(st);
		sqlite3_reset(st);
		if (r != SQLITE_DONE) {
			db_error(db, d, "void");
			return ET_EIO;
		}
	}
	if (target_seq && inherit(s, db, seq, v->target, d))
		return ET_EIO;
	if (v->has_target && !target_seq)
		s->dangling = 1;
	if (s->dangling && referrers(s, db, id, seq, v->voiding, 0, d))
		return ET_EIO;
	res->inserted++;
	return 0;
}

int lrs_store_begin(struct lrs_store *s, struct lrs_store_result *res,
		    struct diag *d)
{
	res->status = 200;
	res->inserted = 0;
	buf_clear(&res->why);
	struct lrs_db *db = lrs_store_write_begin(s);
	pthread_mutex_lock(&s->clock_lock);
	int64_t stored = lrs_codec_now_ms();
	if (stored < s->last_stored)
		stored = s->last_stored;
	s->inflight = stored;
	pthread_mutex_unlock(&s->clock_lock);
	res->stored = stored;
	return lrs_db_exec(db, "BEGIN IMMEDIATE", d) ? ET_EIO : 0;
}

int lrs_store_add(struct lrs_store *s, struct lrs_statement *v,
		  struct lrs_store_result *res, struct diag *d)
{
	if (res->status != 200)
		return 0;
	if (!v->blob) {
		struct lrs_db *rd = lrs_store_reader(s, d);
		lrs_store_pack(rd ? rd->pack : s->writer->pack, v);
	}
	return insert_one(s, s->writer, v, res->stored, res, d);
}

int lrs_store_add_attachment(struct lrs_store *s,
			     const struct lrs_attachment *att, struct diag *d)
{
	struct lrs_db *db = s->writer;
	sqlite3_stmt *st = lrs_db_prepare(db, sql_att_add, d);
	if (!st)
		return ET_EIO;
	sqlite3_bind_text(st, 1, att->sha2, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, att->content_type, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 3, att->data, att->len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_error(db, d, "attachment");
		return ET_EIO;
	}
	return 0;
}

int lrs_store_end(struct lrs_store *s, int commit,
		  struct lrs_store_result *res, struct diag *d)
{
	struct lrs_db *db = s->writer;
	int rc = 0;
	if (commit && res->status == 200) {
		if (lrs_db_exec(db, "COMMIT", d))
			rc = ET_EIO;
		else
			wal_check(s, db);
	}
	if (!commit || rc || res->status != 200) {
		struct diag quiet; /* no transaction left is fine */
		diag_init(&quiet, NULL, NULL);
		lrs_db_exec(db, "ROLLBACK", &quiet);
		/* the cache may hold refs that were rolled back */
		intern_clear(&s->intern);
	}
	pthread_mutex_lock(&s->clock_lock);
	s->inflight = 0;
	if (commit && !rc && res->status == 200)
		s->last_stored = res->stored;
	pthread_mutex_unlock(&s->clock_lock);
	lrs_store_write_end(s);
	return rc;
}

int lrs_store_insert(struct lrs_store *s, struct lrs_statement *v, size_t n,
		     const struct lrs_attachment *att, size_t natt,
		     struct lrs_store_result *res, struct diag *d)
{
	int rc = lrs_store_begin(s, res, d);
	for (size_t i = 0; i < n && !rc && res->status == 200; i++)
		rc = lrs_store_add(s, &v[i], res, d);
	for (size_t i = 0; i < natt && !rc && res->status == 200; i++)
		rc = lrs_store_add_attachment(s, &att[i], d);
	int rc2 = lrs_store_end(s, !rc, res, d);
	return rc ? rc : rc2;
}

/* ---- reading ------------------------------------------------------------------ */

static const char sql_get[] =
    "SELECT body, stored, att, voided FROM statements WHERE id = ?1";

int lrs_store_get(struct lrs_db *db, const char *id, int voided,
		  char **out_body, int64_t *out_stored, int *out_att,
		  struct diag *d)
{
	unsigned char b[16];
	*out_body = NULL;
	if (lrs_store_uuid_bytes(id, b))
		return ET_ENOTFOUND;
	sqlite3_stmt *st = lrs_db_prepare(db, sql_get, d);
	if (!st)
		return ET_EIO;
	sqlite3_bind_blob(st, 1, b, 16, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int(st, 3) != voided) {
			rc = ET_ENOTFOUND;
		} else {
			struct buf text = BUF_INIT;
			*out_stored = sqlite3_column_int64(st, 1);
			*out_att = sqlite3_column_int(st, 2);
			rc = lrs_store_text(db, sqlite3_column_blob(st, 0),
					    (size_t)sqlite3_column_bytes(st, 0),
					    *out_stored, &text, d);
			*out_body = rc ? NULL : buf_detach(&text, NULL);
			buf_free(&text);
		}
	} else if (rc == SQLITE_DONE) {
		rc = ET_ENOTFOUND;
	} else {
		db_error(db, d, "get");
		rc = ET_EIO;
	}
	sqlite3_reset(st);
	return rc;
}

static const char sql_att_get[] =
    "SELECT content_type, data FROM attachments WHERE sha2 = ?1";

int lrs_store_attachment(struct lrs_db *db, const char *sha2,
			 struct buf *out, char **out_type, struct diag *d)
{
	sqlite3_stmt *st = lrs_db_prepare(db, sql_att_get, d);
	*out_type = NULL;
	if (!st)
		return ET_EIO;
	sqlite3_bind_text(st, 1, sha2, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out_type = xstrdup((const char *)sqlite3_column_text(st, 0));
		buf_add(out, sqlite3_column_blob(st, 1),
			(size_t)sqlite3_column_bytes(st, 1));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ET_ENOTFOUND;
	} else {
		db_error(db, d, "attachment");
		rc = ET_EIO;
	}
	sqlite3_reset(st);
	return rc;
}

static const char sql_count[] = "SELECT count(*) FROM statements";

int64_t lrs_store_count(struct lrs_db *db, struct diag *d)
{
	sqlite3_stmt *st = lrs_db_prepare(db, sql_count, d);
	int64_t n = -1;
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return n;
}
