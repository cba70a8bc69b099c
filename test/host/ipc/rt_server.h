/*
 * The server of roundtrip.idl for the host tests: a thread that receives on
 * one endpoint through the loopback transport and runs the generated
 * rt_dispatch with handlers whose answers the tests can predict.
 */
#ifndef RT_SERVER_H
#define RT_SERVER_H

#include "roundtrip.h"

/* What the handlers saw; written by the server thread before it replies. */
struct rt_seen {
	unsigned long calls;   /* handler calls so far */
	uint64_t badge;        /* badge of the last message */
	uint64_t frame_object; /* object id of the frame cap caps received */
	uint64_t frame_rights;
	uint64_t ep_object;    /* object id of the endpoint cap caps received */
	uint32_t notify_value; /* value of the last notify */
};

extern struct rt_seen rt_seen;

/* Start the server thread; returns its endpoint's cptr (all rights). Call once,
 * after fl_host_thread_init on the calling thread. */
fl_cptr_t rt_server_start(void);

/* The notification the server signals (badge 1) after each notify. */
extern fl_cptr_t rt_notify_done;

#endif
