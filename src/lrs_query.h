/* lrs_query.h -- GET /statements with filters: parsing the parameters,
 * running the query a page at a time, and 'more' cursors
 *
 * Pages are in stored order (newest first unless ascending=true). The
 * first page fixes a snapshot (the newest statement then), so following
 * 'more' neither skips nor repeats statements while others are stored;
 * voided statements are left out. A 'more' link is
 * "<base>/statements?more=<token>", where the token carries the query,
 * the snapshot and the position, signed with the database's cursor key
 * (HMAC-SHA256): it stays valid as long as the database, across restarts,
 * and can't be forged into another query.
 *
 * A filter finds a statement by its refs (lrs_statement.h), which include
 * those of the statements it targets with a StatementRef. With several
 * filters, the one with the fewest statements drives the scan and the
 * others are probed, so a page costs about 'limit' index lookups. */
#ifndef ET_LRS_QUERY_H
#define ET_LRS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "lrs_statement.h"
#include "lrs_store.h"

#define LRS_QUERY_MAX_LIMIT 1000

struct lrs_param {
	char *name;
	char *value;
};

struct lrs_query {
	char *agent; /* the agent's key (lrs_statement_agent_key), or NULL */
	int related_agents;
	char *verb;
	char *activity;
	int related_activities;
	char *registration; /* lowercase */
	int has_since, has_until;
	int64_t since, until; /* ms */
	size_t limit;         /* 1..LRS_QUERY_MAX_LIMIT */
	enum lrs_format format;
	int attachments;
	int ascending;
	/* paging */
	int64_t snapshot; /* 0 on the first page */
	int64_t after;    /* the last seq of the previous page, or 0 */
	json_t *params;   /* the parameters as given, for the cursor */
};

/* Parse the query parameters of GET /statements (without statementId or
 * voidedStatementId, which the caller handles), or a 'more' cursor.
 * Returns 0, or ET_EINVALID with a message naming the parameter in 'why'
 * (for a 400). */
int lrs_query_parse(struct lrs_query *q, const struct lrs_param *p,
		    size_t n, const unsigned char key[32], struct buf *why);
void lrs_query_release(struct lrs_query *q);

/* A page of results. */
struct lrs_page {
	struct buf json;     /* {"statements":[...],"more":"..."} */
	char **att;          /* sha2 of the attachments to send with it */
	size_t natt;
	int64_t last_stored; /* the newest stored time on the page, or 0 */
};

/* Run one page of 'q' on 'db' (in a read transaction). 'base' is the
 * endpoint's path ("/xAPI") for the 'more' link. Returns 0, or ET_EIO
 * (reported). */
int lrs_query_run(struct lrs_db *db, struct lrs_query *q,
		  const unsigned char key[32], const char *base,
		  const char *accept_language, struct lrs_page *out,
		  struct diag *d);
void lrs_page_release(struct lrs_page *p);

/* Append one stored statement, in format 'f', to 'out'. */
void lrs_query_render(struct buf *out, const char *body, size_t len,
		      enum lrs_format f, const char *accept_language);

/* Parse a boolean parameter value; 0 or -1. */
int lrs_query_bool(const char *v, int *out);

#endif
