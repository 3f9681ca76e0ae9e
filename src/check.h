/* check.h -- rules between items of a parsed course
 *
 * parse.c checks each value on its own; this checks what needs more than
 * one: unique ids, the right answers of each question type, and that every
 * file a source names exists inside the course folder. */
#ifndef ET_CHECK_H
#define ET_CHECK_H

#include "course.h"
#include "diag.h"

/* Report every violation. Returns 0, or ET_EINVALID when any was found. */
int check_course(struct course *c, struct diag *d);

#endif
