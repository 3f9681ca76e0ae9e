/* dynlib.h -- libraries loaded when first needed: libcurl (send,
 * statements) and libmicrohttpd (lrs)
 *
 * Linked the usual way, these two and what they depend on (OpenSSL,
 * GnuTLS, Kerberos, LDAP, ...: 34 of etoolbox's 48 shared objects) made
 * every start of etoolbox twice as slow, 17 ms against 8, build and check
 * included, which use neither. So they are opened with dlopen by the
 * commands that use them, and called through the tables below. Each
 * table has the functions etoolbox uses, with the types of the library's
 * own header, so the compiler checks every call.
 *
 * dynlib_curl() and dynlib_mhd() load on the first call (thread-safe),
 * and return the table, or NULL when the library can't be loaded; then
 * dynlib_error() says why. Libraries stay loaded until exit. */
#ifndef ET_DYNLIB_H
#define ET_DYNLIB_H

#include <curl/curl.h>
#include <microhttpd.h>

/* Each member has the type of the library's own declaration (__typeof__
 * does not reference the symbol, so nothing is linked). */
#define DYNLIB_FN(name, fn) __typeof__(fn) *name

struct dynlib_curl {
	DYNLIB_FN(global_init, curl_global_init);
	DYNLIB_FN(global_cleanup, curl_global_cleanup);
	DYNLIB_FN(easy_init, curl_easy_init);
	DYNLIB_FN(easy_cleanup, curl_easy_cleanup);
	DYNLIB_FN(easy_setopt, curl_easy_setopt);
	DYNLIB_FN(easy_perform, curl_easy_perform);
	DYNLIB_FN(easy_getinfo, curl_easy_getinfo);
	DYNLIB_FN(easy_strerror, curl_easy_strerror);
	DYNLIB_FN(slist_append, curl_slist_append);
	DYNLIB_FN(slist_free_all, curl_slist_free_all);
	DYNLIB_FN(getdate, curl_getdate);
};

struct dynlib_mhd {
	DYNLIB_FN(start_daemon, MHD_start_daemon);
	DYNLIB_FN(stop_daemon, MHD_stop_daemon);
	DYNLIB_FN(get_daemon_info, MHD_get_daemon_info);
	DYNLIB_FN(create_response_from_buffer, MHD_create_response_from_buffer);
	DYNLIB_FN(add_response_header, MHD_add_response_header);
	DYNLIB_FN(queue_response, MHD_queue_response);
	DYNLIB_FN(destroy_response, MHD_destroy_response);
	DYNLIB_FN(lookup_connection_value, MHD_lookup_connection_value);
	DYNLIB_FN(get_connection_values, MHD_get_connection_values);
};

const struct dynlib_curl *dynlib_curl(void);
const struct dynlib_mhd *dynlib_mhd(void);
/* Why the last load failed, from dlerror: "libcurl.so.4: cannot open
 * shared object file: No such file or directory". */
const char *dynlib_error(void);

#endif
