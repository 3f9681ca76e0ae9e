/* journal.h -- the crash-safe journal of 'etoolbox send'
 *
 * One journal per (input content, LRS endpoint) pair: its file name is the
 * SHA-1 of the endpoint and of the input's SHA-1, so a rerun of the same
 * send, from the same file or the same bytes on standard input, finds it,
 * and a different input or LRS never does.
 *
 * The file is append-only text:
 *
 *   etoolbox-send-journal 1
 *   input <sha1 of the input> <number of statements>
 *   lrs <endpoint>
 *   <first> <count> <kind> <check>       one line per resolved run
 *
 * where a run is statements first .. first+count-1 (0-based, in the order
 * send reads them), kind is "stored" (the LRS acknowledged them with 200),
 * "rejected" (dead-lettered after a 400 or 413) or "conflict" (409, the
 * LRS holds a different statement with that id), and check is a 32-bit
 * FNV-1a hash of the line before it, in hex.
 *
 * Invariant: a run is appended, and fsync()ed, only after the LRS has
 * acknowledged it (or, for "rejected", after its dead-letter entry was
 * written and fsync()ed). So every statement marked in the journal is in
 * the LRS or in the dead-letter file, and a rerun skips exactly those. A
 * crash between the LRS's answer and the fsync costs at most one batch
 * sent again, which the LRS answers with 200 because statement ids are
 * fixed (xAPI: same id and content is not a conflict). A torn last line
 * (no newline, bad check) is ignored and cut off on open.
 *
 * The file is locked (flock) while open, so two sends of the same input
 * to the same LRS can't interleave. */
#ifndef ET_JOURNAL_H
#define ET_JOURNAL_H

#include <stddef.h>

#include "diag.h"
#include "sha1.h"

enum journal_kind { JOURNAL_STORED, JOURNAL_REJECTED, JOURNAL_CONFLICT };

struct journal;

/* Open (creating 'dir' with mode 0700 and the file as needed) the journal
 * of sending 'count' statements with input hash 'input_sha' to 'lrs'.
 * Returns 0, ET_EIO (reported), or ET_ERROR when it is locked by another
 * process (reported). */
int journal_open(struct journal **out, const char *dir, const char *lrs,
		 const unsigned char input_sha[SHA1_LEN], size_t count,
		 struct diag *d);
/* Release the lock and free; NULL is fine. */
void journal_close(struct journal *j);

/* 1 when statement 'i' is resolved in the journal. */
int journal_done(const struct journal *j, size_t i);
/* How many statements the journal resolved with each kind. */
size_t journal_count(const struct journal *j, enum journal_kind kind);
const char *journal_path(const struct journal *j);

/* Append and fsync runs for the n statements whose indexes are 'idx'
 * (increasing). Returns 0 or ET_EIO (reported). */
int journal_record(struct journal *j, const size_t *idx, size_t n,
		   enum journal_kind kind, struct diag *d);

/* The journal file name for these inputs (no directory), into out. */
void journal_name(char out[SHA1_HEX_LEN + 9], const char *lrs,
		  const unsigned char input_sha[SHA1_LEN]);

#endif
