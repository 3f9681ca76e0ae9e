/* replay.c -- run a fuzz corpus through the targets without libFuzzer
 *
 * usage: fuzz-replay CORPUS_DIR
 * CORPUS_DIR holds yaml/, manifest/, markdown/ and zip/, one input per
 * file.
 * Prints TAP: one test per target, ok when every input ran. A crash or a
 * sanitizer report ends the process, which the caller sees as a failure. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"
#include "xsd.h"

static const struct {
	const char *dir;
	int (*fn)(const uint8_t *, size_t);
} targets[] = {
	{ "yaml", fuzz_yaml },
	{ "manifest", fuzz_manifest },
	{ "markdown", fuzz_markdown },
	{ "zip", fuzz_zip },
	{ "xapi", fuzz_xapi },
	{ "lrs_reply", fuzz_lrs_reply },
	{ "journal", fuzz_journal },
	{ "lrs", fuzz_lrs },
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int n = 0, failed = 0;
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-replay CORPUS_DIR\n");
		return 2;
	}
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		char *dir = path_join(argv[1], targets[t].dir);
		DIR *dh = opendir(dir);
		char **names = NULL;
		size_t count = 0;
		struct dirent *de;
		while (dh && (de = readdir(dh))) {
			if (de->d_name[0] == '.')
				continue;
			names = xrealloc(names, (count + 1) * sizeof(*names));
			names[count++] = path_join(dir, de->d_name);
		}
		if (dh)
			closedir(dh);
		if (count)
			qsort(names, count, sizeof(*names), cmp_names);
		size_t ran = 0;
		for (size_t i = 0; i < count; i++) {
			char *data = NULL;
			size_t len = 0;
			if (util_read_file(&data, &len, names[i]) == 0) {
				targets[t].fn((const uint8_t *)data, len);
				ran++;
			}
			free(data);
			free(names[i]);
		}
		free(names);
		n++;
		if (count == 0 || ran != count) {
			failed++;
			printf("not ok %d - fuzz %s: %zu of %zu inputs ran\n", n,
			       targets[t].dir, ran, count);
		} else {
			printf("ok %d - fuzz %s: %zu inputs replayed\n", n,
			       targets[t].dir, ran);
		}
		free(dir);
	}
	xsd_cleanup();
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
