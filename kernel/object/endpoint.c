/*
 * endpoint.c - endpoints, the kernel object through which threads send
 * and receive messages (the passing itself is kernel/core/ipc.c).  An
 * endpoint is one donated frame: the queues of threads waiting to send
 * and to receive, its generation (capabilities to it must match it), and
 * a count of the thread pagers that name it.
 */
#include <abi/syscall.h>
#include <keel/kmem.h>
#include <keel/thread.h>

struct endpoint *endpoint_get(u64 pa)
{
	return kmem_object_get(pa, KOBJ_ENDPOINT);
}

long sys_endpoint_create(u64 frame)
{
	long r = kmem_check_free(frame);

	if (r)
		return r;
	struct endpoint *ep = kmem_object_make(frame, KOBJ_ENDPOINT);
	ep->gen = kmem_gen_new();
	return 0;
}

long endpoint_destroy(struct endpoint *ep)
{
	if (ep->refs)
		return -KEEL_EBUSY;
	ipc_abort_endpoint(ep);
	kmem_object_free(kmem_object_phys(ep));
	return 0;
}
