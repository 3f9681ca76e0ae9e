/* lrs_statement.h -- what the LRS does to one statement (jansson, no I/O)
 *
 * A statement that passed xapi_validate_statement is made ready for
 * storage by lrs_statement_prepare: it gets an id (a version 4 UUID) if
 * it has none; single contextActivities objects become arrays; the LRS
 * sets 'authority' (the key that sent it), 'version' ("1.0.0" when
 * absent), 'stored' and, when absent, 'timestamp' (= stored). Stored is
 * only known inside the write transaction, so the statement is serialized
 * with placeholders that lrs_statement_patch fills in.
 *
 * It also lists what the statement can be found by ("refs"): the keys of
 * its agents, its verb, activities and registration, by the query
 * parameter they serve (see enum lrs_ref_kind), and the statement it
 * targets with a StatementRef object (and whether it voids it).
 *
 * The formats of GET /statements: 'exact' is the stored text; 'ids' and
 * 'canonical' are made from it by lrs_statement_format. */
#ifndef ET_LRS_STATEMENT_H
#define ET_LRS_STATEMENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What a ref serves. An agent is found by 'agent' when it is the actor or
 * the object (AGENT), and with related_agents=true also as authority,
 * instructor, team or inside a SubStatement (AGENT_RELATED, which repeats
 * every AGENT ref); activities likewise. */
enum lrs_ref_kind {
	LRS_REF_AGENT = 1,
	LRS_REF_AGENT_RELATED = 2,
	LRS_REF_VERB = 3,
	LRS_REF_ACTIVITY = 4,
	LRS_REF_ACTIVITY_RELATED = 5,
	LRS_REF_REGISTRATION = 6
};

struct lrs_ref {
	int kind;
	char *value; /* owned */
};

#define LRS_STORED_PLACEHOLDER "0000-00-00T00:00:00.000Z"
#define LRS_TIME_LEN 24

/* One statement ready to store. */
struct lrs_statement {
	json_t *json;   /* the completed statement, with placeholders */
	char *text;     /* compact JSON of json, patched at insert */
	size_t len;
	size_t stored_off;    /* where the 24 characters of stored start */
	size_t timestamp_off; /* same for timestamp; 0 when it was given */
	char id[37];          /* lowercase */
	int has_target;       /* the object is a StatementRef */
	char target[37];      /* its id, lowercase */
	int voiding;          /* ... and the verb is voided */
	int attachments;      /* it declares attachments */
	struct lrs_ref *refs;
	size_t nrefs;
	char *blob; /* the text packed for storage (lrs_store_pack), or NULL */
	size_t blob_len;
};

/* Prepare 'st' (a validated statement; the reference is taken over) for
 * storage by the key 'key_id' (the authority's account name). 'home' is
 * the authority's account homePage. 'text' (len bytes) is the statement's
 * JSON as it was received, or NULL: when given, and the statement needs
 * no change but additions (no stored or authority given, every
 * contextActivities value an array), the stored text is that text with
 * the LRS's properties added, so numbers and strings stay exactly as
 * sent and nothing is serialized again. Never fails. */
void lrs_statement_prepare(struct lrs_statement *out, json_t *st,
			   const char *text, size_t len, const char *key_id,
			   const char *home);
void lrs_statement_release(struct lrs_statement *s);
/* Write 'stored' (ms) into the text (and the JSON). */
void lrs_statement_patch(struct lrs_statement *s, int64_t stored);

/* The refs of a statement's own content (those prepare lists, without a
 * target's). Free with lrs_statement_refs_free. */
void lrs_statement_refs(const json_t *st, struct lrs_ref **out,
			size_t *out_n);
void lrs_statement_refs_free(struct lrs_ref *v, size_t n);

/* 1 when the stored statement 'old' and the new 'st' are the same
 * statement: equal but for stored, authority and version, and for the
 * timestamp when the new one had none; timestamps are compared as
 * instants. */
int lrs_statement_same(const json_t *old, const struct lrs_statement *st);

/* The key of an Agent or identified Group: objectType, the IFI's name and
 * value ("Agent|mbox|mailto:a@b.org", "Group|account|<homePage>|<name>").
 * Returns 0, or -1 when it has no IFI. */
int lrs_statement_agent_key(const json_t *agent, struct buf *out);

enum lrs_format { LRS_FORMAT_EXACT, LRS_FORMAT_IDS, LRS_FORMAT_CANONICAL };

/* Rewrite a stored statement in place for 'ids' or 'canonical' (the
 * language maps cut to the one best for 'accept_language', an
 * Accept-Language header value or NULL). EXACT changes nothing. */
void lrs_statement_format(json_t *st, enum lrs_format f,
			  const char *accept_language);

#endif
