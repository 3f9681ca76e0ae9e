/* main.c -- runs the unit test groups: unit-tests [group...] */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xsd.h"

static const struct {
	const char *name;
	void (*fn)(void);
} groups[] = {
	{ "buf", test_buf },		 { "util", test_util },
	{ "source", test_source },	 { "ydoc", test_ydoc },
	{ "escape", test_escape },	 { "parse", test_parse },
	{ "markdown", test_markdown },	 { "xsd", test_xsd },
	{ "scormcheck", test_scormcheck }, { "manifest", test_manifest },
	{ "zipw", test_zipw },
	{ "sha1", test_sha1 },		 { "uuid", test_uuid },
	{ "xapi_values", test_xapi_values },
	{ "xapi_validate", test_xapi_validate },
	{ "xapi_reader", test_xapi_reader }, { "xapi_csv", test_xapi_csv },
	{ "xapi_auth", test_xapi_auth }, { "journal", test_journal },
	{ "lrsclient", test_lrsclient }, { "dynlib", test_dynlib },
	{ "lrs_codec", test_lrs_codec },	 { "lrs_keys", test_lrs_keys },
	{ "lrs_statement", test_lrs_statement }, { "lrs_pack", test_lrs_pack },
	{ "lrs_multipart", test_lrs_multipart }, { "lrs_api", test_lrs_api },
	{ "lrs_pool", test_lrs_pool },
};

int main(int argc, char **argv)
{
	size_t n = sizeof(groups) / sizeof(groups[0]);
	for (size_t i = 0; i < n; i++) {
		int run = argc < 2;
		for (int a = 1; a < argc; a++)
			run |= strcmp(argv[a], groups[i].name) == 0;
		if (run) {
			printf("# %s\n", groups[i].name);
			groups[i].fn();
		}
	}
	xsd_cleanup();
	return harness_done();
}
