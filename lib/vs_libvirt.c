/* vs_libvirt: libvirt initialisation, error routing and the event loop thread, shared. */
#include "config.h"

#include "vs_libvirt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "vs_log.h"

static struct {
    pthread_mutex_t lock;
    int users;
    int initialised; /* virInitialize, error routing and the event implementation: once */
    atomic_int quit;
    pthread_t thread;
} lv_global = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0 };

/* libvirt's errors go to our log at debug level: the caller of the failing call reports what
 * matters itself, with its target. */
static void libvirt_error_cb(void *opaque, virErrorPtr err)
{
    (void)opaque;
    if (err != NULL && err->message != NULL)
        VS_LOG(VS_LOG_DEBUG, "libvirt", "%s", err->message);
}

static void *event_loop_main(void *arg)
{
    vs_complaint failing = VS_COMPLAINT_INIT;

    (void)arg;
    while (!atomic_load(&lv_global.quit)) {
        if (virEventRunDefaultImpl() < 0) {
            vs_complain(&failing, vs_log_now(), VS_LOG_ERR, "libvirt", "the event loop failed: %s",
                        virGetLastErrorMessage());
            struct timespec pause = { 0, 100 * 1000 * 1000 };
            nanosleep(&pause, NULL);
        } else {
            vs_complain_release(&failing, VS_LOG_NOTICE, "libvirt", "the event loop works again");
        }
    }
    return NULL;
}

/* A timer that only makes virEventRunDefaultImpl return. */
static void event_loop_wake(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

/* virInitialize, error routing, the default event implementation (before any connection). */
static int libvirt_init_once(void)
{
    if (lv_global.initialised)
        return 0;
    if (virInitialize() < 0) {
        VS_LOG(VS_LOG_ERR, "libvirt", "cannot initialise libvirt: %s", virGetLastErrorMessage());
        return -1;
    }
    virSetErrorFunc(NULL, libvirt_error_cb);
    if (virEventRegisterDefaultImpl() < 0) {
        VS_LOG(VS_LOG_ERR, "libvirt", "cannot register the event loop: %s",
               virGetLastErrorMessage());
        return -1;
    }
    lv_global.initialised = 1;
    return 0;
}

int vs_libvirt_acquire(void)
{
    sigset_t set, old;
    int rc = 0;

    pthread_mutex_lock(&lv_global.lock);
    if (lv_global.users == 0) {
        rc = libvirt_init_once();
        if (rc == 0) {
            atomic_store(&lv_global.quit, 0);
            /* Signals belong to the main thread. */
            sigfillset(&set);
            pthread_sigmask(SIG_BLOCK, &set, &old);
            int err = pthread_create(&lv_global.thread, NULL, event_loop_main, NULL);
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            if (err != 0) {
                VS_LOG(VS_LOG_ERR, "libvirt", "cannot start the event loop thread: %s",
                       strerror(err));
                rc = -1;
            }
        }
    }
    if (rc == 0)
        lv_global.users++;
    pthread_mutex_unlock(&lv_global.lock);
    return rc;
}

void vs_libvirt_release(void)
{
    pthread_mutex_lock(&lv_global.lock);
    if (lv_global.users > 0 && --lv_global.users == 0) {
        atomic_store(&lv_global.quit, 1);
        int timer = virEventAddTimeout(0, event_loop_wake, NULL, NULL);
        pthread_join(lv_global.thread, NULL);
        if (timer >= 0)
            virEventRemoveTimeout(timer);
    }
    pthread_mutex_unlock(&lv_global.lock);
}
