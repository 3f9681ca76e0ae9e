/* errors.h -- return codes shared by every core module */
#ifndef ET_ERRORS_H
#define ET_ERRORS_H

/* Core functions return 0 on success or one of these. When a function
 * returns ET_EINVALID it has reported every problem through struct diag. */
enum {
	ET_OK = 0,
	ET_ERROR = -1,     /* anything else; the reason went to the diag */
	ET_ENOTFOUND = -2, /* a file or item does not exist */
	ET_EINVALID = -3,  /* the input had errors, reported as diagnostics */
	ET_EIO = -4,       /* reading or writing failed */
	ET_ENET = -5       /* network or server failure */
};

#endif
