/* vs_libvirt: the process-wide libvirt set-up both daemons need: virInitialize, libvirt's
 * errors routed into our log, and the default event loop running in its own thread (for
 * keepalive, close callbacks and lifecycle events). */
#ifndef VS_LIBVIRT_H
#define VS_LIBVIRT_H

/* Take a reference: the first one initialises libvirt (once per process, before any
 * connection is opened) and starts the event loop thread. Returns 0, or -1 (logged). */
int vs_libvirt_acquire(void);

/* Drop a reference: the last one stops and joins the event loop thread (it can be started
 * again by a later acquire). */
void vs_libvirt_release(void);

#endif /* VS_LIBVIRT_H */
