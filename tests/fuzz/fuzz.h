/* fuzz.h -- fuzz targets over every parser of outside input
 *
 * Each target takes arbitrary bytes and must neither crash nor leak:
 * fuzz_yaml (YAML tree + course parse of a course.yml), fuzz_manifest
 * (safe XML parse, XSD validation, SCORM rules) and fuzz_markdown (page
 * checks and rendering) and fuzz_zip (etoolbox check over a zip). libfuzzer_*.c wrap one each for libFuzzer;
 * replay.c runs a corpus through all of them without libFuzzer. */
#ifndef ET_FUZZ_H
#define ET_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int fuzz_yaml(const uint8_t *data, size_t size);
int fuzz_manifest(const uint8_t *data, size_t size);
int fuzz_markdown(const uint8_t *data, size_t size);
int fuzz_zip(const uint8_t *data, size_t size);
/* fuzz_xapi: statements read as 'etoolbox send' reads them (array or JSON
 * Lines), each validated, given an id and made a CSV row; fuzz_lrs_reply:
 * an LRS answer as 'statements' and the client read it (statement result
 * page, error message); fuzz_journal: a send journal file reopened. */
int fuzz_xapi(const uint8_t *data, size_t size);
int fuzz_lrs_reply(const uint8_t *data, size_t size);
int fuzz_journal(const uint8_t *data, size_t size);
/* fuzz_lrs: one request to etoolbox lrs (lrs_api over an in-memory
 * store): bytes 0-3 choose the method, the resource, the Content-Type,
 * the version header and the credentials; then "query\nbody", the query
 * as name=value pairs joined by '&' (percent-decoded). A statement body
 * goes through splitting, parsing, validation, storing and querying. */
int fuzz_lrs(const uint8_t *data, size_t size);

#endif
