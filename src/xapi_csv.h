/* xapi_csv.h -- one CSV row per statement, with the columns an analyst
 * needs (RFC 4180: comma-separated, CRLF line ends, fields with a comma,
 * quote or line break in double quotes, quotes doubled)
 *
 * Columns, in order (docs/xapi-statements.md, "CSV export"):
 *   timestamp      the statement's timestamp
 *   learner        actor: account name, else mbox without "mailto:",
 *                  else mbox_sha1sum, openid, name
 *   verb           the last segment of the verb id ("responded")
 *   activity_id    the object's id
 *   activity_name  object.definition.name: en-US, en, else the first
 *   module         the first contextActivities parent's id; the object's
 *                  own id when it is a lesson or module and has no parent
 *   response       result.response
 *   success        result.success: true, false or empty
 *   score          result.score.scaled, else result.score.raw
 *   completion     result.completion: true, false or empty
 *   duration       result.duration (ISO 8601)
 *   registration   context.registration
 *   statement_id   the statement's id
 * A text field (any but success, score, completion and duration) that
 * starts with =, +, -, @, tab or CR gets a leading ' so that spreadsheets
 * don't run it as a formula. */
#ifndef ET_XAPI_CSV_H
#define ET_XAPI_CSV_H

#include <jansson.h>

#include "buf.h"

/* Append the header line. */
void xapi_csv_header(struct buf *out);
/* Append the row of 'st' (any JSON value: missing parts are empty). */
void xapi_csv_row(const json_t *st, struct buf *out);

#endif
