/* xapi_auth.h -- where the LRS credentials come from, and keeping them
 * out of sight
 *
 * First found: --auth KEY:SECRET, --auth-file FILE, the environment
 * variable ETOOLBOX_LRS_AUTH (which the command reads and passes in: the
 * core never reads the environment). A file holds "KEY:SECRET" on its first line
 * (a final newline is ignored); when group or others may read it, a
 * warning says so (rule "auth-file-mode"). No message ever contains the
 * credentials. */
#ifndef ET_XAPI_AUTH_H
#define ET_XAPI_AUTH_H

#include "diag.h"

#define XAPI_AUTH_ENV "ETOOLBOX_LRS_AUTH"

/* Set *out to the credentials (a new string the caller frees with
 * xapi_auth_free), or NULL when none are configured: 'opt_auth' first,
 * then 'file', then 'env_auth' (the value of XAPI_AUTH_ENV, or NULL).
 * Returns 0, or ET_ENOTFOUND / ET_EIO / ET_EINVALID for an unreadable or
 * malformed file or value (reported). */
int xapi_auth_resolve(char **out, const char *opt_auth, const char *file,
		      const char *env_auth, struct diag *d);
/* Wipe and free. */
void xapi_auth_free(char *auth);

#endif
