/* kernel.h — `jx --kernel`, the line protocol the Jupyter kernel drives
 * (see kernel.c for the protocol). */
#ifndef JX_KERNEL_H
#define JX_KERNEL_H

/* Serve cells from stdin until end of input; returns the exit status. */
int kernel_main(void);

#endif
