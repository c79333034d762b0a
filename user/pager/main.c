/*
 * pager - the first program of a normal boot.  It takes over every free
 * frame, starts init (the second module), and is the memory server and
 * pager of every process it starts (include/abi/pager.h; the design is
 * docs/design-pager.md, and pager.h says which file does what).  This
 * file: start-up, the serving loop, and requests dispatched by label.
 */
#include "args.h"
#include "pager.h"
#include "fmt.h"
#include "keel.h"
#include "str.h"
#include "proto.h"
#include <common/cmdline.h>

const struct bootinfo *bi;
unsigned long pager_ep;
unsigned long pager_land[IPC_CAPS_MAX], pager_landed;
int test_boot;

/*
 * PAGER_SPAWN: the module's name is in the caller's IPC buffer, and may
 * be followed by an argument line.
 */
static long request_spawn(struct process *pr, const struct keel_msg *m, unsigned long *out)
{
	char name[NAME_MAX], args[PAGER_ARGS_MAX];
	unsigned long len = IPC_TAG_LEN(m->tag);
	const char *buf = (const char *)bi->ipc_buffer; /* where the kernel put it */
	unsigned long n = str_nlen(buf, len < NAME_MAX ? len : NAME_MAX);

	if (!len || n == len || n >= NAME_MAX)
		return KEEL_EINVAL; /* no NUL in the name's room */
	memcpy(name, buf, n + 1);
	unsigned long rest = len - n - 1;
	if (rest && (rest > PAGER_ARGS_MAX || buf[len - 1] != '\0' ||
		     str_nlen(buf + n + 1, rest) != rest - 1))
		return KEEL_EINVAL; /* one NUL-terminated line, no longer than that */
	if (rest)
		memcpy(args, buf + n + 1, rest);
	return proc_spawn(pr, name, rest ? args : 0, m->w[0], m->w[1], m->w[2], m->w[3], &out[0]);
}

/* PAGER_PS: the name goes back in the reply's buffer. */
static long request_ps(unsigned long pid, unsigned long *out, unsigned long *len)
{
	char *buf = (char *)bi->ipc_buffer;
	long err = proc_ps(pid, out, buf);

	*len = err ? 0 : str_len(buf) + 1;
	return err;
}

/* A request from a process: the reply goes into m. */
static void request(struct process *pr, struct keel_msg *m)
{
	unsigned long out[4] = { 0 }, *w = m->w, len = 0;
	long err;

	switch (IPC_TAG_LABEL(m->tag)) {
	case PAGER_ALLOC:
		err = region_alloc(pr, w[0], w[1], w[2], out);
		break;
	case PAGER_FREE:
		err = region_free(pr, w[0], w[1]);
		break;
	case PAGER_SPAWN:
		err = request_spawn(pr, m, out);
		break;
	case PAGER_SHARE:
		err = share_into(pr, w[0], w[1], w[2], w[3], &out[0]);
		break;
	case PAGER_OFFER:
		err = conn_offer(pr, w[0], w[1]);
		break;
	case PAGER_CONNECT:
		err = conn_connect(pr, w[0]);
		break;
	case PAGER_PROTECT:
		err = region_protect(pr, w[0], w[1], w[2]);
		break;
	case PAGER_QUERY:
		err = region_query(pr, w[0], out);
		break;
	case PAGER_STATUS:
		err = proc_status(pr, w[0], out);
		break;
	case PAGER_KILL:
		err = proc_kill(pr, w[0]);
		break;
	case PAGER_LIMITS:
		err = proc_limits(pr, w[0], out);
		break;
	case PAGER_SHUTDOWN:
		if (pr->badge != 1) {
			err = KEEL_EPERM;
			break;
		}
		print_fmt("[pager] init asks to end the %s (code %ld)\n",
			  test_boot ? "test run" : "system", (long)w[0]);
		keel_exit((long)w[0]);
	case PAGER_STATS:
		/*
		 * Chunks a stale capability kept at a process's end come back
		 * once their holder deletes it (the console does when the next
		 * driver attaches): the statistics see them back at once.
		 */
		mem_pending_retry();
		proc_stats(out);
		err = 0;
		break;
	case PAGER_PSTATS:
		err = proc_pstats(pr, w[0], out);
		break;
	case PAGER_REGISTER:
		err = names_register(pr, m, w[0]);
		break;
	case PAGER_LOOKUP:
		err = names_lookup(pr, m, w[0], &out[0]);
		break;
	case PAGER_NOTIFY:
		err = obj_notify(pr, w[0], w[1]);
		break;
	case PAGER_ENDPOINT:
		err = obj_endpoint(pr, w[0]);
		break;
	case PAGER_IO_ENABLE:
		err = obj_io_enable(pr, w[0], w[1]);
		break;
	case PAGER_ISA_IRQ: /* the boot information's table: 0xff for none */
		err = w[0] >= 16 ? KEEL_EINVAL : bi->isa_irq_gsi[w[0]] == 0xff ? KEEL_ENOENT : 0;
		out[0] = err ? 0 : bi->isa_irq_gsi[w[0]];
		break;
	case PAGER_PS:
		err = request_ps(w[0], out, &len);
		break;
	default:
		err = KEEL_ENOSYS;
		break;
	}
	m->tag = IPC_TAG((unsigned)err, len);
	for (int i = 0; i < 4; i++)
		m->w[i] = out[i];
}

/*
 * Answer a fault that may resume: with the mapping in the reply
 * (IPC_FAULT_MAP: one call instead of a SYS_MAP and a reply), or a plain
 * resume.  If the reply cannot map:
 *   - the thread is gone (EDEAD): the frame comes back; receive;
 *   - the page is mapped already (EEXIST: two threads touched it, and the
 *     other's fault came first): the frame comes back; resume;
 *   - a page table or count table is missing, which only SYS_MAP's path
 *     supplies: map the long way and resume;
 *   - else (no memory for a table): the frame comes back and the process
 *     dies.
 * Returns what SYS_REPLY_RECV (or SYS_RECV) returned.
 */
static long fault_reply(struct process *pr, const struct fault_map *fm, struct keel_msg *m)
{
	if (!fm->frame) {
		m->tag = IPC_TAG(IPC_FAULT_RESUME, 0);
		return keel_reply_recv(pager_ep, m);
	}
	*m = (struct keel_msg){ 0,
				IPC_TAG(IPC_FAULT_MAP, 0),
				{ pr->p.as, mem_cap(), fm->frame, fm->va | fm->rights } };
	long r = keel_reply_recv(pager_ep, m);
	if (r == 0)
		return 0;
	if (r == -KEEL_EDEAD || r == -KEEL_EEXIST) {
		region_unback_page(pr, fm);
		if (r == -KEEL_EDEAD)
			return keel_recv(pager_ep, m);
		m->tag = IPC_TAG(IPC_FAULT_RESUME, 0);
		return keel_reply_recv(pager_ep, m);
	}
	if (asks_for_tables(r) &&
	    map_page(&pr->pool, pr->p.as, fm->va, fm->frame, fm->rights) == 0) {
		m->tag = IPC_TAG(IPC_FAULT_RESUME, 0);
		return keel_reply_recv(pager_ep, m);
	}
	region_unback_page(pr, fm);
	print_fmt("[pager] killed process %lu (%s): out of memory for a page table at 0x%lx\n",
		  pr->badge, pr->name, fm->va);
	proc_end(pr, PAGER_KILLED, 0);
	return keel_recv(pager_ep, m);
}

static void serve(void)
{
	struct keel_msg m = { 0 };
	long r = keel_recv(pager_ep, &m);

	for (;;) {
		if (r < 0) {
			print_fmt("[pager] receive failed: %ld\n", r);
			keel_sleep(100);
			r = keel_recv(pager_ep, &m);
			continue;
		}
		struct process *pr = proc_find(m.badge);
		unsigned label = IPC_TAG_LABEL(m.tag);
		struct fault_map fm = { 0 };
		if (!pr) { /* a process that is gone: a fault of its is answered with kill */
			if ((m.tag & IPC_TAG_KERNEL) && label == IPC_LABEL_FAULT) {
				m.tag = IPC_TAG(IPC_FAULT_KILL, 0);
				r = keel_reply_recv(pager_ep, &m);
			} else {
				r = keel_recv(pager_ep, &m);
			}
			continue;
		}
		if (!(m.tag & IPC_TAG_KERNEL)) {
			pager_landed = IPC_TAG_NCAPS(m.tag);
			request(pr, &m);
			/* What it carried and no request took: the landing slots must be empty again. */
			for (unsigned long i = 0; i < pager_landed; i++)
				keel_cap_delete(KEEL_CAP_SELF, pager_land[i]);
			pager_landed = 0;
			r = keel_reply_recv(pager_ep, &m);
		} else if (label == IPC_LABEL_FAULT &&
			   region_fault(pr, m.w[0], m.w[1], m.w[2], &fm)) {
			r = fault_reply(pr, &fm, &m);
		} else {
			/* Killed (destroying its thread is the kill), or exited. */
			/*
			 * Its log is the kernel's, which shares the wire with the
			 * console (docs/design-core.md): outside test boots, only
			 * what went wrong.
			 */
			if (label == IPC_LABEL_EXIT && (test_boot || m.w[0]))
				print_fmt("[pager] process %lu (%s) exited with %ld\n", pr->badge,
					  pr->name, (long)m.w[0]);
			if (label == IPC_LABEL_EXIT)
				proc_end(pr, PAGER_EXITED, (long)m.w[0]);
			else
				proc_end(pr, PAGER_KILLED, 0);
			r = keel_recv(pager_ep, &m);
		}
	}
}

/* The kernel started this program: it has no arguments (user/lib/args.c). */
const char prog_root = 1;

int main(const struct bootinfo *boot_info)
{
	long r;

	bi = boot_info;
	if ((r = mem_init(bi))) {
		print_fmt("[pager] cannot take over memory: %ld\n", r);
		return 1;
	}
	print_fmt("[pager] managing %lu bytes of free memory in %u ranges; %u modules\n",
		  mem_managed_bytes(), bi->range_count, bi->module_count);
	print_fmt("[pager] first instruction at TSC %lu\n", keel_start_tsc);
	/*
	 * Its endpoint, kept for good: each process's PAGER_SLOT is a copy,
	 * badged with its pid, and its thread's pager (proc.c).
	 */
	unsigned long ep_frame = kpool_get(&root_pool);
	r = cslot_alloc();
	if (r >= 0) {
		pager_ep = (unsigned long)r;
		r = ep_frame ? keel_endpoint_create(mem_cap(), ep_frame, pager_ep) : -KEEL_EFULL;
	}
	if (r < 0) {
		print_fmt("[pager] cannot make its endpoint: %ld\n", r);
		return 1;
	}
	/* Where what a PAGER_SPAWN carries lands (the landing slots of its one thread). */
	for (int i = 0; i < IPC_CAPS_MAX; i++)
		if ((r = cslot_alloc()) >= 0)
			pager_land[i] = (unsigned long)r;
	if (r < 0 || (r = keel_cap_landing(pager_land[0], pager_land[1]))) {
		print_fmt("[pager] cannot set its landing slots: %ld\n", r);
		return 1;
	}
	/* Above every client (include/abi/syscall.h, THREAD_PRIO_SERVER); it has no pager. */
	if ((r = keel_thread_config(bi->self_thread, THREAD_PRIO_SERVER, 0, KEEL_CAP_NONE))) {
		print_fmt("[pager] cannot raise its priority: %ld\n", r);
		return 1;
	}
	test_boot = keel_debug_test("probe", 3, 0) != -KEEL_ENOSYS; /* 3: EINVAL, no line */
	if ((r = proc_start_init(cmdline_has_word(bi->cmdline, "bench")	       ? INIT_BENCH
				 : cmdline_has_word(bi->cmdline, "bench-fair") ? INIT_BENCH_FAIR
									       : 0))) {
		print_fmt("[pager] cannot start init: %ld\n", r);
		return 1;
	}
	serve();
	return 0;
}
