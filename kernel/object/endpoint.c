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
#include <keel/kmem.h>
#include <keel/thread.h>

/* SYS_ENDPOINT_CREATE(mem, off, dst). */
long sys_endpoint_create(struct thread *cur, struct cap *mem, u64 off, u64 dst)
{
	struct cap *to;
	u64 frame;
	long r;

	if ((r = cap_dst(cur, dst, &to)) || (r = cap_mem_range(mem, off, PAGE_SIZE, &frame)) ||
	    (r = kmem_check_free(frame)))
		return r;
	struct endpoint *ep = kmem_object_make(frame, KOBJ_ENDPOINT);
	ep->gen = kmem_gen_new();
	cap_set(to, CAP_ENDPOINT, ep, CAP_RIGHTS_ENDPOINT, 0);
	return 0;
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
