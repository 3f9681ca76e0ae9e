/* xapi_auth.c -- where the LRS credentials come from (see xapi_auth.h) */
#include "xapi_auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errors.h"
#include "util.h"

static int xapi_auth_file(char **out, const char *file, struct diag *d)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	struct loc loc = { file, 0, 0 };
	int rc = util_read_file(&text, &len, file);
	if (rc < 0) {
		diag_error(d, loc, "cannot read the credentials file: %s",
			   strerror(errno));
		return rc;
	}
	if (stat(file, &st) == 0 && (st.st_mode & 077))
		diag_report(d, DIAG_WARNING, "auth-file-mode", loc,
			    "other users can read this credentials file "
			    "(mode %04o); run chmod 600 on it",
			    (unsigned)(st.st_mode & 07777));
	size_t n = strcspn(text, "\r\n");
	if (n == 0 || !memchr(text, ':', n)) {
		diag_error(d, loc,
			   "the first line must be the LRS key and secret as "
			   "KEY:SECRET");
		memset(text, 0, len);
		free(text);
		return ET_EINVALID;
	}
	*out = xstrndup(text, n);
	memset(text, 0, len);
	free(text);
	return 0;
}

int xapi_auth_resolve(char **out, const char *opt_auth, const char *file,
		      const char *env_auth, struct diag *d)
{
	*out = NULL;
	if (opt_auth) {
		if (!strchr(opt_auth, ':')) {
			diag_error(d, LOC_NONE,
				   "--auth must be the LRS key and secret as "
				   "KEY:SECRET");
			return ET_EINVALID;
		}
		*out = xstrdup(opt_auth);
		return 0;
	}
	if (file)
		return xapi_auth_file(out, file, d);
	if (env_auth && *env_auth) {
		if (!strchr(env_auth, ':')) {
			diag_error(d, LOC_NONE,
				   XAPI_AUTH_ENV " must be the LRS key and "
						 "secret as KEY:SECRET");
			return ET_EINVALID;
		}
		*out = xstrdup(env_auth);
	}
	return 0;
}

void xapi_auth_free(char *auth)
{
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
}
