/*
 * endpoint.c - endpoints, the kernel object through which threads send
 * and receive messages (the passing itself is kernel/core/ipc.c).  An
 * endpoint is one donated frame: the queues of threads waiting to send
 * and to receive, its generation (capabilities to it must match it), and
 * a count of the thread pagers that name it.
 */
#include <abi/syscall.h>
#include <keel/addr.h>
#include <keel/cap.h>
#include <keel/decode.h>
#include <keel/kmem.h>
#include <keel/thread.h>

/* SYS_ENDPOINT_CREATE(mem, off, dst). */
long sys_endpoint_create(struct thread *cur, const struct sysreq *rq)
{
	long r;

	cap_object_create(rq, KOBJ_ENDPOINT, CAP_ENDPOINT, &r);
	return r;
}

long endpoint_destroy(struct endpoint *ep)
{
	if (ep->refs)
		return -KEEL_EBUSY;
	ipc_abort_endpoint(ep);
	ep->gen = 0; /* every capability to it is stale */
	kmem_object_free(kmem_object_phys(ep));
	return 0;
}
