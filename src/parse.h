/* parse.h -- course sources (YAML) to the course model
 *
 * Reads COURSE_DIR/course.yml and every module file it names, and checks
 * their shape: known keys, required keys, value types, ids, languages and
 * paths. Cross-references and rules between items are check.c's work. */
#ifndef ET_PARSE_H
#define ET_PARSE_H

#include "course.h"
#include "diag.h"

/* Parse the course in 'dir'. On success or on input errors *out holds the
 * model (possibly partial), which the caller frees with course_free();
 * returns 0 when no error was reported, else ET_EINVALID. */
int parse_course(struct course **out, const char *dir, struct diag *d);

#endif
