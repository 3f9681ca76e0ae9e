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
