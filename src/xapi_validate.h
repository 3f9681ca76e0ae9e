/* xapi_validate.h -- the xAPI 1.0.3 statement validator (jansson, no I/O)
 *
 * Checks one statement against xAPI 1.0.3 (xAPI-Data.md section 2, with
 * the errata) the way a conforming LRS does: structure and JSON types,
 * required and unknown properties, no null outside extensions, exactly one
 * inverse functional identifier per Agent, IRIs, UUIDs, ISO 8601
 * timestamps (with a time zone) and durations, scores, language maps,
 * contextActivities, interaction components, voiding, SubStatements and
 * attachments. The rules are listed, with their ids, in
 * docs/xapi-statements.md ("Validation rules").
 *
 * Every problem is reported through 'd' as an error with a rule id
 * ("xapi-type", "xapi-iri", ...) and a message that starts with 'label'
 * and names the JSON path of the problem:
 *
 *   statement [3]: 'result.score.scaled' must be between -1 and 1
 *
 * The validator keeps no state between calls and does no I/O, so a server
 * can call it from any thread. */
#ifndef ET_XAPI_VALIDATE_H
#define ET_XAPI_VALIDATE_H

#include <jansson.h>

#include "diag.h"

/* Validate 'st'. 'label' (e.g. "statement [3]") starts every message and
 * 'loc' is where the statement begins in its file (LOC_NONE if unknown).
 * Returns 0 when valid, ET_EINVALID after reporting each problem. */
int xapi_validate_statement(const json_t *st, const char *label,
			    struct loc loc, struct diag *d);

/* The same with options (added for etoolbox lrs). XAPI_VALIDATE_LRS
 * adds two checks an LRS makes on statements it stores: timestamps with
 * the offset -00:00 (-0000, -00), which RFC 3339 reserves for "unknown
 * zone", are refused; an 'authority' that is a Group must be an anonymous
 * group of exactly two agents (OAuth's). */
#define XAPI_VALIDATE_LRS 1u
int xapi_validate_statement_flags(const json_t *st, const char *label,
				  struct loc loc, unsigned flags,
				  struct diag *d);

/* Validate 'a' as an Agent or a Group on its own (as the 'agent' query
 * parameter of the LRS is checked), reporting like
 * xapi_validate_statement with paths relative to the agent. Added for
 * etoolbox lrs. Returns 0 when valid, ET_EINVALID after reporting. */
int xapi_validate_actor(const json_t *a, const char *label, struct loc loc,
			struct diag *d);

/* The value checks on their own, for other modules and the tests. Each
 * returns 1 when the string is valid. */
int xapi_validate_iri(const char *s);       /* absolute IRI with a scheme */
int xapi_validate_timestamp(const char *s); /* ISO 8601, with a zone */
int xapi_validate_duration(const char *s);  /* ISO 8601 duration */
int xapi_validate_language(const char *s);  /* RFC 5646 tag */
int xapi_validate_mailto(const char *s);    /* mailto:local@domain */

#endif
