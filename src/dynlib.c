/* dynlib.c -- libcurl and libmicrohttpd, opened when first needed (see
 * dynlib.h) */
#include "dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The sonames, from the Makefile (the .so the -dev package links to). */
#ifndef ET_CURL_SONAME
#define ET_CURL_SONAME "libcurl.so.4"
#endif
#ifndef ET_MHD_SONAME
#define ET_MHD_SONAME "libmicrohttpd.so.12"
#endif

/* POSIX: what dlsym returns converts to a function pointer. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
	       "function and object pointers of one size");

struct sym {
	const char *name;
	size_t offset; /* of the member of the table */
};

static char why[512];
static pthread_mutex_t why_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_why(const char *fmt, const char *a, const char *b)
{
	pthread_mutex_lock(&why_lock);
	snprintf(why, sizeof(why), fmt, a, b ? b : "unknown error");
	pthread_mutex_unlock(&why_lock);
}

/* Open 'soname' and set each of the n members of 'table' named in 'syms'.
 * Returns 0, or -1 with why[] set. The library stays open until exit. */
static int load(const char *soname, const struct sym *syms, size_t n,
		void *table)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror(); /* "<soname>: cannot open ..." */
		set_why(e ? "%.0s%s" : "cannot load %s", soname, e);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			set_why("%s has no %s", soname, syms[i].name);
			dlclose(h);
			return -1;
		}
		memcpy((char *)table + syms[i].offset, &p, sizeof(p));
	}
	return 0;
}

#define CURL_SYM(member, fn) {#fn, offsetof(struct dynlib_curl, member)}
#define MHD_SYM(member, fn) {#fn, offsetof(struct dynlib_mhd, member)}
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct dynlib_curl curl_table;
static int curl_ok;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_load(void)
{
	static const struct sym syms[] = {
	    CURL_SYM(global_init, curl_global_init),
	    CURL_SYM(global_cleanup, curl_global_cleanup),
	    CURL_SYM(easy_init, curl_easy_init),
	    CURL_SYM(easy_cleanup, curl_easy_cleanup),
	    CURL_SYM(easy_setopt, curl_easy_setopt),
	    CURL_SYM(easy_perform, curl_easy_perform),
	    CURL_SYM(easy_getinfo, curl_easy_getinfo),
	    CURL_SYM(easy_strerror, curl_easy_strerror),
	    CURL_SYM(slist_append, curl_slist_append),
	    CURL_SYM(slist_free_all, curl_slist_free_all),
	    CURL_SYM(getdate, curl_getdate),
	};
	_Static_assert(COUNT(syms) * sizeof(void *) == sizeof(curl_table),
		       "a name for every member of struct dynlib_curl");
	curl_ok = load(ET_CURL_SONAME, syms, COUNT(syms), &curl_table) == 0;
}

const struct dynlib_curl *dynlib_curl(void)
{
	pthread_once(&curl_once, curl_load);
	return curl_ok ? &curl_table : NULL;
}

static struct dynlib_mhd mhd_table;
static int mhd_ok;
static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;

static void mhd_load(void)
{
	static const struct sym syms[] = {
	    MHD_SYM(start_daemon, MHD_start_daemon),
	    MHD_SYM(stop_daemon, MHD_stop_daemon),
	    MHD_SYM(get_daemon_info, MHD_get_daemon_info),
	    MHD_SYM(create_response_from_buffer,
		    MHD_create_response_from_buffer),
	    MHD_SYM(add_response_header, MHD_add_response_header),
	    MHD_SYM(queue_response, MHD_queue_response),
	    MHD_SYM(destroy_response, MHD_destroy_response),
	    MHD_SYM(lookup_connection_value, MHD_lookup_connection_value),
	    MHD_SYM(get_connection_values, MHD_get_connection_values),
	};
	_Static_assert(COUNT(syms) * sizeof(void *) == sizeof(mhd_table),
		       "a name for every member of struct dynlib_mhd");
	mhd_ok = load(ET_MHD_SONAME, syms, COUNT(syms), &mhd_table) == 0;
}

const struct dynlib_mhd *dynlib_mhd(void)
{
	pthread_once(&mhd_once, mhd_load);
	return mhd_ok ? &mhd_table : NULL;
}

const char *dynlib_error(void)
{
	return why;
}
