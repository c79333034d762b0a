/*
 * keel.h - the small library user programs build with: system-call
 * wrappers and a few helpers.  Only the ABI (include/abi) is shared with
 * the kernel.
 *
 * Names: the wrapper of SYS_FOO is keel_foo (keel_map for SYS_MAP, keel_call
 * for SYS_CALL); `sys_` names are the kernel's handlers, never user code's.
 *
 * Every wrapper returns the kernel's RAX: >= 0 on success, a negated
 * KEEL_E* code otherwise.  All six argument registers are declared as
 * outputs too: the IPC calls that receive return a message in them, and
 * treating them as clobbered everywhere keeps a fuzzer that calls the
 * IPC numbers through keel_syscall() correct.
 */
#ifndef USER_KEEL_H
#define USER_KEEL_H

#include <abi/page.h>
#include <abi/syscall.h>
#include <stddef.h>
#include <stdint.h>

/* The page size (include/abi/page.h); PAGE_MASK is the offset within a page. */
#define PAGE_SIZE KEEL_PAGE_SIZE
#define PAGE_MASK (PAGE_SIZE - 1)

static inline long keel_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	__asm__ volatile("syscall"
			 : "+a"(n), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	return n;
}

/* The TSC at the program's first instruction (crt0.S). */
extern unsigned long keel_start_tsc;

/* The time-stamp counter, after earlier instructions have completed. */
static inline unsigned long keel_rdtsc(void)
{
	unsigned int lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (unsigned long)hi << 32 | lo;
}

/*
 * A message as user programs hold it: the sender's badge (filled on
 * receive), the tag, four words.  (The kernel's struct ipc_msg, in
 * kernel/include/keel/thread.h, has no badge: it is kernel-internal.)
 */
struct keel_msg {
	unsigned long badge;
	unsigned long tag;
	unsigned long w[4];
};

/*
 * The IPC system calls: send `in` (may be 0 for SYS_RECV) and, if `out`
 * is given and the call succeeded, store the message received in it
 * (`in` and `out` may be the same).
 */
static inline long keel_ipc(long n, unsigned long slot, const struct keel_msg *in,
			    struct keel_msg *out)
{
	register unsigned long r10 __asm__("r10") = in ? in->w[1] : 0;
	register unsigned long r8 __asm__("r8") = in ? in->w[2] : 0;
	register unsigned long r9 __asm__("r9") = in ? in->w[3] : 0;
	unsigned long rdi = slot, rsi = in ? in->tag : 0, rdx = in ? in->w[0] : 0;
	__asm__ volatile("syscall"
			 : "+a"(n), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	if (out && n == 0) {
		out->badge = rdi;
		out->tag = rsi;
		out->w[0] = rdx;
		out->w[1] = r10;
		out->w[2] = r8;
		out->w[3] = r9;
	}
	return n;
}

#define KEEL_SYSCALL0(n)	  keel_syscall((n), 0, 0, 0, 0, 0, 0)
#define KEEL_SYSCALL1(n, a)	  keel_syscall((n), (long)(a), 0, 0, 0, 0, 0)
#define KEEL_SYSCALL2(n, a, b)	  keel_syscall((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define KEEL_SYSCALL3(n, a, b, c) keel_syscall((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define KEEL_SYSCALL4(n, a, b, c, d) \
	keel_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static inline long keel_debug_write(const void *buf, size_t len)
{
	return KEEL_SYSCALL2(SYS_DEBUG_WRITE, buf, len);
}

static inline _Noreturn void keel_exit(long code)
{
	for (;;)
		KEEL_SYSCALL1(SYS_EXIT, code);
}

/* Block for `ticks` timer ticks of this CPU (0: just yield). */
static inline long keel_sleep(unsigned long ticks)
{
	return KEEL_SYSCALL1(SYS_SLEEP, ticks);
}

static inline long keel_yield(void)
{
	return KEEL_SYSCALL0(SYS_YIELD);
}

static inline long keel_info(unsigned long what)
{
	return KEEL_SYSCALL1(SYS_INFO, what);
}

#define KEEL_SYSCALL5(n, a, b, c, d, e) \
	keel_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define KEEL_SYSCALL6(n, a, b, c, d, e, f) \
	keel_syscall((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/*
 * The object and memory calls (include/abi/syscall.h).  Every object is a
 * capability slot; `mem` is a memory capability and `off` an offset in
 * it (for the first program's, a physical address).
 */
static inline long keel_kmem_donate(unsigned long mem, unsigned long off, unsigned long size)
{
	return KEEL_SYSCALL3(SYS_KMEM_DONATE, mem, off, size);
}

static inline long keel_kmem_reclaim(unsigned long mem, unsigned long off, unsigned long size)
{
	return KEEL_SYSCALL3(SYS_KMEM_RECLAIM, mem, off, size);
}

static inline long keel_kmem_counts(unsigned long mem, unsigned long off, unsigned long frame_off)
{
	return KEEL_SYSCALL3(SYS_KMEM_COUNTS, mem, off, frame_off);
}

static inline long keel_mem_derive(unsigned long mem, unsigned long off, unsigned long size,
				   unsigned long rights, unsigned long dst)
{
	return KEEL_SYSCALL5(SYS_MEM_DERIVE, mem, off, size, rights, dst);
}

/* Three free frames of a donation: the object, its PML4, its capability space. */
static inline long keel_as_create(unsigned long mem, unsigned long obj_off, unsigned long pml4_off,
				  unsigned long cspace_off, unsigned long dst)
{
	return KEEL_SYSCALL5(SYS_AS_CREATE, mem, obj_off, pml4_off, cspace_off, dst);
}

static inline long keel_map(unsigned long as, unsigned long va, unsigned long mem,
			    unsigned long off, unsigned long rights)
{
	return KEEL_SYSCALL5(SYS_MAP, as, va, mem, off, rights);
}

static inline long keel_map_range(unsigned long as, unsigned long va, unsigned long mem,
				  unsigned long off, unsigned long pages, unsigned long rights)
{
	return KEEL_SYSCALL6(SYS_MAP_RANGE, as, va, mem, off, pages, rights);
}

/* The offset in mem of the frame that was mapped (mem KEEL_CAP_NONE: 0). */
static inline long keel_unmap(unsigned long as, unsigned long va, unsigned long mem)
{
	return KEEL_SYSCALL3(SYS_UNMAP, as, va, mem);
}

/*
 * Unmap every mapped page of [va, va + pages * PAGE_SIZE) with one TLB
 * flush: how many; their frames' offsets in mem go to our IPC buffer.
 */
static inline long keel_unmap_range(unsigned long as, unsigned long va, unsigned long pages,
				    unsigned long mem)
{
	return KEEL_SYSCALL4(SYS_UNMAP_RANGE, as, va, pages, mem);
}

/* The offset in mem of the frame mapped at va. */
static inline long keel_lookup(unsigned long as, unsigned long va, unsigned long mem)
{
	return KEEL_SYSCALL3(SYS_LOOKUP, as, va, mem);
}

static inline long keel_supply_table(unsigned long as, unsigned long va, unsigned long level,
				     unsigned long mem, unsigned long off)
{
	return KEEL_SYSCALL5(SYS_SUPPLY_TABLE, as, va, level, mem, off);
}

/* buf_off: KEEL_NO_BUFFER for none. */
static inline long keel_thread_create(unsigned long mem, unsigned long tcb_off, unsigned long as,
				      unsigned long buf_off, unsigned long badge, unsigned long dst)
{
	return KEEL_SYSCALL6(SYS_THREAD_CREATE, mem, tcb_off, as, buf_off, badge, dst);
}

/* pager_ep: an endpoint slot, or KEEL_CAP_NONE. */
static inline long keel_thread_config(unsigned long thread, unsigned long prio, unsigned long cpu,
				      unsigned long pager_ep)
{
	return KEEL_SYSCALL4(SYS_THREAD_CONFIG, thread, prio, cpu, pager_ep);
}

static inline long keel_thread_start(unsigned long thread, unsigned long rip, unsigned long rsp,
				     unsigned long arg)
{
	return KEEL_SYSCALL4(SYS_THREAD_START, thread, rip, rsp, arg);
}

static inline long keel_endpoint_create(unsigned long mem, unsigned long off, unsigned long dst)
{
	return KEEL_SYSCALL3(SYS_ENDPOINT_CREATE, mem, off, dst);
}

/* Notifications (include/abi/syscall.h, "Notifications"). */
static inline long keel_notify_create(unsigned long mem, unsigned long off, unsigned long dst)
{
	return KEEL_SYSCALL3(SYS_NOTIFY_CREATE, mem, off, dst);
}

/* Set the bits of the capability's badge (bit 0 if it has none); never blocks. */
static inline long keel_signal(unsigned long nt)
{
	return KEEL_SYSCALL1(SYS_SIGNAL, nt);
}

/* The bits set (> 0), waiting for one; with KEEL_WAIT_POLL, 0 if none. */
static inline long keel_wait(unsigned long nt, unsigned long flags)
{
	return KEEL_SYSCALL2(SYS_WAIT, nt, flags);
}

/* The thread's receives take the notification's bits too (KEEL_CAP_NONE: unbind). */
static inline long keel_notify_bind(unsigned long th, unsigned long nt)
{
	return KEEL_SYSCALL2(SYS_NOTIFY_BIND, th, nt);
}

/* I/O ports (include/abi/syscall.h, "I/O ports"). */
static inline long keel_io_derive(unsigned long io, unsigned long first, unsigned long count,
				  unsigned long dst)
{
	return KEEL_SYSCALL4(SYS_IO_DERIVE, io, first, count, dst);
}

/* The space `as` may use ports [first, first + count) of io from now on. */
static inline long keel_io_enable(unsigned long io, unsigned long as, unsigned long first,
				  unsigned long count)
{
	return KEEL_SYSCALL4(SYS_IO_ENABLE, io, as, first, count);
}

/* Interrupt lines (include/abi/syscall.h, "Interrupts"). */
static inline long keel_irq_derive(unsigned long irq, unsigned long first, unsigned long count,
				   unsigned long dst)
{
	return KEEL_SYSCALL4(SYS_IRQ_DERIVE, irq, first, count, dst);
}

/* Interrupts on `line` signal nt (KEEL_CAP_NONE: unbind and mask); mode: KEEL_IRQ_*. */
static inline long keel_irq_bind(unsigned long irq, unsigned long line, unsigned long nt,
				 unsigned long mode)
{
	return KEEL_SYSCALL4(SYS_IRQ_BIND, irq, line, nt, mode);
}

/* Interrupts the kernel took on `line` since boot. */
static inline long keel_irq_status(unsigned long irq, unsigned long line)
{
	return KEEL_SYSCALL2(SYS_IRQ_STATUS, irq, line);
}

/* The device on `line` is served: unmask it. */
static inline long keel_irq_ack(unsigned long irq, unsigned long line)
{
	return KEEL_SYSCALL2(SYS_IRQ_ACK, irq, line);
}

/* Device memory (include/abi/syscall.h, "Device memory"). */
static inline long keel_device_derive(unsigned long dev, unsigned long off, unsigned long size,
				      unsigned long rights, unsigned long dst)
{
	return KEEL_SYSCALL5(SYS_DEVICE_DERIVE, dev, off, size, rights, dst);
}

/* Map the device page at off in dev at va, uncached. */
static inline long keel_map_device(unsigned long as, unsigned long va, unsigned long dev,
				   unsigned long off, unsigned long rights)
{
	return KEEL_SYSCALL5(SYS_MAP_DEVICE, as, va, dev, off, rights);
}

/* Destroy the object of the capability in slot, and empty the slot. */
static inline long keel_destroy(unsigned long slot)
{
	return KEEL_SYSCALL1(SYS_DESTROY, slot);
}

/* Type and rights of a capability: KEEL_CAP_TYPE(r), KEEL_CAP_RIGHTS(r). */
static inline long keel_cap_info(unsigned long slot)
{
	return KEEL_SYSCALL1(SYS_CAP_INFO, slot);
}

/*
 * Copy the capability in src into slot dst of `space` (KEEL_CAP_SELF, or
 * an address space capability with KEEL_AS_CAPS), with `rights`; a badge
 * (non-zero) mints a badged endpoint capability from an unbadged one.
 */
static inline long keel_cap_copy(unsigned long src, unsigned long space, unsigned long dst,
				 unsigned long rights, unsigned long badge)
{
	return KEEL_SYSCALL5(SYS_CAP_COPY, src, space, dst, rights, badge);
}

static inline long keel_cap_delete(unsigned long space, unsigned long slot)
{
	return KEEL_SYSCALL2(SYS_CAP_DELETE, space, slot);
}

/* Where capabilities sent to this thread land (KEEL_CAP_NONE: nowhere). */
static inline long keel_cap_landing(unsigned long slot0, unsigned long slot1)
{
	return KEEL_SYSCALL2(SYS_CAP_LANDING, slot0, slot1);
}

static inline long keel_send(unsigned long slot, const struct keel_msg *m)
{
	return keel_ipc(SYS_SEND, slot, m, 0);
}

static inline long keel_recv(unsigned long slot, struct keel_msg *out)
{
	return keel_ipc(SYS_RECV, slot, 0, out);
}

static inline long keel_call(unsigned long slot, struct keel_msg *m)
{
	return keel_ipc(SYS_CALL, slot, m, m);
}

static inline long keel_reply_recv(unsigned long slot, struct keel_msg *m)
{
	return keel_ipc(SYS_REPLY_RECV, slot, m, m);
}

static inline long keel_debug_test(const char *name, unsigned long result, const char *why)
{
	return KEEL_SYSCALL3(SYS_DEBUG_TEST, name, result, why);
}

/* Print all of s[0..n), waiting while the console is busy. */
void print_n(const char *s, size_t n);
/* The name of a KEEL_E* code (negated or not): "EQUOTA". */
const char *keel_error_name(long err);
/* Print a NUL-terminated string. */
void print(const char *s);
/* Print a signed number in decimal. */
void print_num(long v);
/* Print an unsigned number as 0x... */
void print_hex(unsigned long v);

#endif
