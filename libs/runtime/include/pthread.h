/*
 * The pthread subset of the Faultline runtime: threads of one process share
 * its address space; each has its own stack (from malloc) and its own TLS
 * block (picolibc _init_tls), with TPIDR_EL0 set by the pager. picolibc
 * ships no <pthread.h>, so this is the whole of it.
 */
#ifndef FAULTLINE_PTHREAD_H
#define FAULTLINE_PTHREAD_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t pthread_t; /* the thread's tid within its process */
typedef struct {
	size_t stacksize; /* 0 = default (64 KiB) */
} pthread_attr_t;

/* Create a thread running start(arg); 0 or an errno value (EAGAIN, ENOMEM). */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                   void *arg);
/* Wait for thread to end; its return value goes to *retval if not NULL. 0 or ESRCH/EINVAL. */
int pthread_join(pthread_t thread, void **retval);
/* End the calling thread with retval; ending the last thread ends the process with status 0. */
void pthread_exit(void *retval) __attribute__((noreturn));
/* The calling thread's id. */
pthread_t pthread_self(void);
int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);

#endif
