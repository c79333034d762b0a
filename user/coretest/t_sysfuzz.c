/*
 * t_sysfuzz.c - the system-call fuzzer that knows the ABI (user/sysfuzz,
 * docs/reliability.md), run as a storm: SF_WORKERS of them at once on
 * every CPU, each with its own memory (a chunk to make objects in, a
 * chunk to map) and capabilities of every kind, the shared endpoints and
 * notifications destroyed and made again under them, a worker killed
 * part-way now and then, while a bystander process and a thread of ours
 * call an echo server and check every answer.  A worker ends by its own
 * exit, by an exit it chose part-way, or by our kill; then a janitor
 * thread in its space destroys what it made, and its space goes.
 *
 * After the storm: every worker that ended by itself saw no surprise,
 * every echo answer was right, and the kernel's donated memory and live
 * objects, and our free memory, are exactly what they were before.
 *
 * The number of calls: SF_CALLS, or `fuzz-calls=N` on the command line
 * (`make fuzz-syscalls`).  Each worker counts its calls and surprises in a
 * status page we map into it, read once it is gone, however it ended.
 */
#include "ct.h"
#include <common/cmdline.h>

#define SF_CALLS      20000 /* a make-test run on 1 or 2 CPUs */
#define SF_CALLS_MANY 6000  /* ... on 3 to SF_MAX_CPUS (cross-CPU calls cost more under TCG) */
#define SF_LIFE_CALLS 6000  /* the most one worker makes */
#define SF_WORKERS    4
#define SF_MIN_CALLS  100 /* what a worker makes on the average, at least */
#define SF_LIFE_TICKS 300 /* a worker still running after this is killed */
#define SF_STIR_TICKS 3	  /* how often a shared notification is destroyed and made again */
#define SF_KILL_EVERY 150 /* ... and a worker killed */

struct worker {
	struct proc p;
	struct client c, jc; /* its main thread; its janitor */
	unsigned long kchunk, mchunk, started, calls;
	unsigned long status; /* the frame of its SYSFUZZ_STATUS page */
	int live;
};

static struct kpool pool;
static struct worker w[SF_WORKERS];
static int shared[SYSFUZZ_NEP + SYSFUZZ_NNT];
static unsigned long shared_frame[SYSFUZZ_NEP + SYSFUZZ_NNT];
static struct server s;
static struct uthread bt, dt[SYSFUZZ_NEP];
static struct client btc, dtc[SYSFUZZ_NEP];
static volatile int stop_bystander;
static unsigned long chunks[4 * SF_WORKERS];
static int nchunks;
static struct {
	unsigned long calls, killed_calls, started, exits, chosen_exits, kills, surprises, crashed,
	    janitor_left, stirs, lost_chunks;
} st;

static long bystander(struct uthread *t)
{
	long bad = 0;
	for (unsigned long i = 0; !__atomic_load_n(&stop_bystander, __ATOMIC_ACQUIRE); i++)
		bad += !echo_call(s.slot, t->buf, i * 11 + 5, 0);
	return bad;
}

/*
 * A drainer: answers whatever comes to shared endpoint i, so that the
 * workers' sends and calls there end (a worker's receive competes with it).
 */
static long drainer(struct uthread *t)
{
	unsigned long slot = (unsigned long)shared[(unsigned long)t->arg];
	struct keel_msg m;
	long n = 0;

	while (!__atomic_load_n(&stop_bystander, __ATOMIC_ACQUIRE)) {
		long r = keel_recv(slot, &m);
		while (r == 0 && !__atomic_load_n(&stop_bystander, __ATOMIC_ACQUIRE)) {
			n++;
			m.tag = IPC_TAG(0, 0);
			r = keel_reply_recv(slot, &m);
		}
	}
	return n >= 0 ? 0 : 1;
}

static unsigned long total_calls(void)
{
	char num[16];
	unsigned long n = 0;

	if (!cmdline_get(ct.bi->cmdline, "fuzz-calls", num, sizeof(num)))
		return ct.cpus > 2 ? SF_CALLS_MANY : SF_CALLS;
	for (const char *c = num; *c >= '0' && *c <= '9' && n < 1000000000; c++)
		n = n * 10 + (unsigned long)(*c - '0');
	return n ? n : SF_CALLS;
}

/* Shared object i, made again (it is destroyed first if it exists): 0 or -error. */
static long shared_make(int i)
{
	long r;

	if (shared[i] > 0) {
		r = endpoint_drop(&pool, shared[i], shared_frame[i]);
		if (r == -KEEL_EBUSY)
			return r; /* a thread's pager (a worker made it so): keep it */
		if (r)
			return r;
		shared[i] = 0;
	}
	return i < SYSFUZZ_NEP ? endpoint_new(&pool, &shared[i], &shared_frame[i])
			       : notify_new(&pool, &shared[i], &shared_frame[i]);
}

/* Give worker k shared object i (in its slot for it, emptied first). */
static void shared_give(struct worker *k, int i)
{
	unsigned long slot =
	    (unsigned long)(i < SYSFUZZ_NEP ? SYSFUZZ_EP + i : SYSFUZZ_NT + i - SYSFUZZ_NEP);
	unsigned long rights = i < SYSFUZZ_NEP ? KEEL_EP_SEND | KEEL_EP_RECV | KEEL_EP_GRANT
					       : KEEL_NT_SIGNAL | KEEL_NT_WAIT;

	keel_cap_delete(k->p.as, slot);
	keel_cap_copy((unsigned long)shared[i], k->p.as, slot, rights, 0);
}

/* A memory capability for chunk, with rights, into the worker's slot dst. */
static long give_memory(struct worker *k, unsigned long chunk, unsigned long rights,
			unsigned long dst)
{
	int slot = slot_alloc();
	long r;

	if (slot < 0)
		return -KEEL_EFULL;
	r = keel_mem_derive(ct.mem, chunk, CHUNK_SIZE, rights, (unsigned long)slot);
	if (!r)
		r = keel_cap_copy((unsigned long)slot, k->p.as, dst, rights, 0);
	slot_drop(slot);
	return r;
}

/* Each chunk's count table exists (the worker must never make one: it is permanent). */
static void counts_for(unsigned long chunk)
{
	void *va = scratch_map(chunk, KEEL_MAP_R);
	if (va)
		scratch_unmap(va, 1);
}

static long worker_start(struct worker *k, unsigned long calls, unsigned long cpu)
{
	unsigned long badge = badge_new();
	long r;

	memset(k, 0, sizeof(*k));
	k->kchunk = chunk_alloc();
	k->mchunk = chunk_alloc();
	if (!k->kchunk || !k->mchunk) {
		if (k->kchunk)
			chunk_free(k->kchunk);
		if (k->mchunk)
			chunk_free(k->mchunk);
		return -KEEL_EFULL;
	}
	counts_for(k->kchunk);
	counts_for(k->mchunk);
	const char *step = "spawning it";
	r = spawn(&k->p, &pool, ct.bi, "sysfuzz", badge);
	if (!r && (step = "mapping its status page"))
		r = (k->status = frame_alloc_zeroed()) ? 0 : -KEEL_EFULL;
	if (!r)
		r = map_page(&pool, k->p.as, SYSFUZZ_STATUS, k->status, KEEL_MAP_R | KEEL_MAP_W);
	if (!r && (step = "configuring its thread"))
		r = keel_thread_config(k->p.tcb, THREAD_PRIO_DEFAULT, cpu, ct.pager_ep);
	if (!r && (step = "giving it the echo server"))
		r = keel_cap_copy((unsigned long)ct.echo_slot, k->p.as, SYSFUZZ_ECHO, KEEL_EP_SEND,
				  0);
	if (!r && (step = "giving it memory for objects"))
		r = give_memory(k, k->kchunk, KEEL_MEM_R | KEEL_MEM_W | KEEL_MEM_KMEM,
				SYSFUZZ_KMEM);
	if (!r && (step = "giving it memory to map"))
		r = give_memory(k, k->mchunk, KEEL_MEM_R | KEEL_MEM_W, SYSFUZZ_MAPMEM);
	if (!r && (step = "giving it its address space"))
		r = keel_cap_copy(k->p.as, k->p.as, SYSFUZZ_AS,
				  KEEL_AS_MAP | KEEL_AS_CAPS | KEEL_AS_THREAD, 0);
	if (!r && (step = "giving it its thread"))
		r = keel_cap_copy(k->p.tcb, k->p.as, SYSFUZZ_TH, KEEL_TH_START, 0);
	for (int i = 0; !r && i < SYSFUZZ_NEP + SYSFUZZ_NNT; i++)
		shared_give(k, i);
	if (r)
		print_fmt("[coretest] sysfuzz: %s: error %ld\n", step, r);
	if (!r) {
		pager_watch(&k->c, badge);
		r = proc_start(&k->p, SYSFUZZ_ARG(calls, badge));
	}
	if (r) {
		if (k->p.as)
			proc_destroy(&k->p);
		if (k->status)
			frame_free(k->status);
		chunk_free(k->kchunk);
		chunk_free(k->mchunk);
		pager_unwatch(&k->c);
		return r;
	}
	k->live = 1;
	k->calls = calls;
	k->started = ticks();
	st.started++;
	return 0;
}

/*
 * The end of a worker, however it came: its thread goes, a janitor of
 * ours cleans its space, the space goes; its chunks wait for the end
 * (a capability to an object in them may still sit in another worker).
 */
/* What its status page says. */
static struct sysfuzz_status worker_status(struct worker *k)
{
	struct sysfuzz_status now = { 0, 0, 0 };
	const struct sysfuzz_status *p = scratch_map(k->status, KEEL_MAP_R);

	if (p) {
		now.calls = p->calls;
		now.current = p->current;
		now.surprises = p->surprises;
		scratch_unmap((void *)p, 1);
	}
	return now;
}

/*
 * Take back the chunks of workers that ended: reclaim the donation, then
 * free.  One still holding an object, or counted by a capability in
 * another worker's space, is kept for later (EBUSY).  1 if any is kept.
 */
static int chunks_back(int report)
{
	int kept = 0;

	for (int i = 0; i < nchunks; i++) {
		long r = keel_kmem_reclaim(ct.mem, chunks[i], CHUNK_SIZE);
		if (r && r != -KEEL_ENOENT) { /* ENOENT: never donated */
			if (report)
				print_fmt("[coretest] sysfuzz: chunk 0x%lx not reclaimed: %ld\n",
					  chunks[i], r);
			chunks[kept++] = chunks[i];
			continue;
		}
		chunk_free(chunks[i]);
	}
	nchunks = kept;
	return kept != 0;
}

static void chunks_keep(unsigned long chunk)
{
	if (nchunks == (int)(sizeof(chunks) / sizeof(chunks[0])))
		chunks_back(0);
	if (nchunks < (int)(sizeof(chunks) / sizeof(chunks[0])))
		chunks[nchunks++] = chunk;
	else
		st.lost_chunks++;
}

/*
 * `exited`: it ended by its own exit (else it faulted or we kill it).  Its
 * calls and surprises are read from its status page once all its threads
 * are gone, so a part-way exit, a kill, or a helper thread's late surprise
 * are all counted.
 */
static void worker_finish(struct worker *k, int exited)
{
	unsigned long jbadge = badge_new(), tcb = kpool_get(&pool);
	int jslot = slot_alloc();
	long r;

	if (destroy_retry(k->p.tcb)) {
		/* Still running somewhere: nothing of it can be given back safely. */
		print_fmt("[coretest] sysfuzz: a worker's thread could not be destroyed\n");
		st.janitor_left += 1000;
		st.lost_chunks += 2;
		pager_unwatch(&k->c);
		if (tcb)
			kpool_put(&pool, tcb);
		if (jslot >= 0)
			slot_free(jslot);
		k->live = 0;
		return;
	}
	kpool_put(&pool, k->p.tcb_frame);
	k->p.tcb = k->p.tcb_frame = 0;
	pager_unwatch(&k->c);
	r = tcb && jslot >= 0 ? 0 : -KEEL_EFULL;
	if (!r)
		r = keel_thread_create(ct.mem, tcb, k->p.as, k->p.buf_frame, jbadge,
				       (unsigned long)jslot);
	if (!r) {
		memset(&k->jc, 0, sizeof(k->jc));
		pager_watch(&k->jc, jbadge);
		r = keel_thread_config((unsigned long)jslot, THREAD_PRIO_DEFAULT + 1, 0,
				       ct.pager_ep);
		if (!r)
			r = keel_thread_start((unsigned long)jslot, k->p.entry, PROG_STACK_TOP,
					      SYSFUZZ_JANITOR);
		if (!r && wait_until(&k->jc.events, 1, WAIT_TICKS) && k->jc.exits) {
			st.janitor_left += (unsigned long)k->jc.exit_code;
		} else {
			print_fmt("[coretest] sysfuzz: a janitor did not end: error %ld, %d faults "
				  "(0x%lx at rip 0x%lx)\n",
				  r, k->jc.faults, k->jc.addr[0], k->jc.rip[0]);
			st.janitor_left += 1000; /* what it held is lost */
		}
		pager_unwatch(&k->jc);
		destroy_retry((unsigned long)jslot);
	} else {
		st.janitor_left += 1000;
	}
	if (jslot >= 0)
		slot_free(jslot);
	if (tcb)
		kpool_put(&pool, tcb);
	struct sysfuzz_status ws = worker_status(k);
	if (exited)
		st.calls += ws.calls;
	else
		st.killed_calls += ws.calls;
	st.surprises += ws.surprises;
	if (proc_destroy(&k->p)) {
		/* Its space survives (a thread of its own still runs): keep its memory out of use. */
		print_fmt("[coretest] sysfuzz: a worker's space could not be destroyed\n");
		st.janitor_left += 1000;
		st.lost_chunks += 2;
		k->live = 0;
		return;
	}
	frame_free(k->status);
	chunks_keep(k->kchunk);
	chunks_keep(k->mchunk);
	k->live = 0;
}

static void storm(unsigned long want)
{
	unsigned long next_cpu = 0, last_stir = ticks(), last_kill = ticks(), seq = 0,
		      t_report = ticks();
	unsigned long cpus = (unsigned long)(ct.cpus > 0 ? ct.cpus : 1);

	/*
	 * Bounded: every worker must make SF_MIN_CALLS calls on the average,
	 * and a surprise or a fault ends the storm (each fails the test), so
	 * a kernel that breaks every worker at once fails, not hangs.
	 */
	while (st.calls + st.killed_calls < want && !st.surprises && !st.crashed &&
	       st.started <= want / SF_MIN_CALLS + 4 * SF_WORKERS) {
		unsigned long inflight = 0;
		for (int i = 0; i < SF_WORKERS; i++)
			inflight += w[i].live ? w[i].calls : 0;
		for (int i = 0; i < SF_WORKERS; i++) {
			if (w[i].live || st.calls + st.killed_calls + inflight >= want)
				continue;
			unsigned long n = want - st.calls - st.killed_calls - inflight;
			n = n < SF_LIFE_CALLS ? n : SF_LIFE_CALLS;
			long r = worker_start(&w[i], n, next_cpu++ % cpus);
			if (r) {
				print_fmt("[coretest] sysfuzz: starting a worker: error %ld\n", r);
				return;
			}
			inflight += n;
		}
		sleep_ticks(1);
		unsigned long now = ticks();
		if (now - t_report >= 200) {
			t_report = now;
			print_fmt("[coretest] sysfuzz: %lu calls, %lu workers so far\n",
				  st.calls + st.killed_calls, st.started);
		}
		for (int i = 0; i < SF_WORKERS; i++) {
			struct worker *k = &w[i];
			if (!k->live)
				continue;
			if (__atomic_load_n(&k->c.exits, __ATOMIC_ACQUIRE)) {
				long code = k->c.exit_code;
				st.exits++;
				if (code >= 0 && (unsigned long)code < k->calls)
					st.chosen_exits++;
				worker_finish(k, 1);
			} else if (__atomic_load_n(&k->c.faults, __ATOMIC_ACQUIRE)) {
				print_fmt(
				    "[coretest] sysfuzz: worker faulted at 0x%lx (rip 0x%lx)\n",
				    k->c.addr[0], k->c.rip[0]);
				st.crashed++;
				worker_finish(k, 0);
			} else if (now - k->started > SF_LIFE_TICKS ||
				   (now - last_kill >= SF_KILL_EVERY &&
				    (seq++ % SF_WORKERS) == (unsigned)i)) {
				struct sysfuzz_status ws = worker_status(k);
				if (now - k->started > SF_LIFE_TICKS)
					print_fmt("[coretest] sysfuzz: a worker ran out of time "
						  "after %lu "
						  "calls, in syscall %lu\n",
						  ws.calls, ws.current);
				st.kills++;
				last_kill = now;
				worker_finish(k, 0);
			}
		}
		if (now - last_stir >= SF_STIR_TICKS) {
			int i = SYSFUZZ_NEP + (int)(seq++ % SYSFUZZ_NNT);
			last_stir = now;
			if (!shared_make(i)) {
				st.stirs++;
				for (int j = 0; j < SF_WORKERS; j++)
					if (w[j].live)
						shared_give(&w[j], i);
			}
		}
	}
}

/* The storm runs on machines of 1 to SF_MAX_CPUS CPUs (the 64- and 255-CPU boots test start-up). */
#define SF_MAX_CPUS 8

void tests_sysfuzz(void)
{
	unsigned long want = total_calls(), bcpu = ct.cpus > 1 ? 1 : 0;
	long free0 = (long)mem_free_bytes(), don0 = keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 0)),
	     obj0 = keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 1));
	unsigned long t0 = ticks();
	int ok = 1;

	if (ct.cpus > SF_MAX_CPUS) {
		test_skip("sysfuzz_storm", "more than 8 CPUs");
		test_skip("sysfuzz_memory_back_exactly", "more than 8 CPUs");
		return;
	}
	memset(&st, 0, sizeof(st));
	kpool_init(&pool, &root_pool);
	test_begin("sysfuzz_storm");
	for (int i = 0; i < SYSFUZZ_NEP + SYSFUZZ_NNT && ok; i++)
		ok = shared_make(i) == 0;
	expect(ok, "making the shared endpoints and notifications");
	long r = server_start(&s, &pool, badge_new(), THREAD_PRIO_DEFAULT, bcpu);
	expect_eq(r, 0, "starting the bystanders' echo server");
	stop_bystander = 0;
	if (ok && !r)
		r = child_start(&bt, &btc, &pool, bystander, 0, THREAD_PRIO_DEFAULT, 0);
	expect_eq(r, 0, "starting the bystander");
	int drainers = 0;
	for (int i = 0; ok && !r && i < SYSFUZZ_NEP; i++, drainers++)
		r = child_start(&dt[i], &dtc[i], &pool, drainer, (void *)(unsigned long)i,
				THREAD_PRIO_DEFAULT, (unsigned long)i % (unsigned long)ct.cpus);
	expect_eq(r, 0, "starting the drainers");
	if (ok && !r) {
		storm(want);
		for (int i = 0; i < SF_WORKERS; i++)
			if (w[i].live) {
				st.kills++;
				worker_finish(&w[i], 0);
			}
		__atomic_store_n(&stop_bystander, 1, __ATOMIC_RELEASE);
		expect(child_wait(&btc) && btc.exits == 1, "the bystander never ended");
		expect_eq(btc.exit_code, 0, "the bystander's wrong echo answers");
		child_finish(&bt, &btc);
	}
	for (int i = 0; i < drainers; i++) /* each waits in a receive: destroyed there */
		expect_eq(child_finish(&dt[i], &dtc[i]), 0, "destroying a drainer");
	print_fmt("[coretest] sysfuzz: %lu calls by %lu workers in %lu ticks (%lu ended by "
		  "themselves, %lu of them part-way, with %lu calls; %lu killed, with %lu); %lu "
		  "shared notifications made again\n",
		  st.calls + st.killed_calls, st.started, ticks() - t0, st.exits, st.chosen_exits,
		  st.calls, st.kills, st.killed_calls, st.stirs);
	expect(st.calls + st.killed_calls >= want, "%lu calls made, %lu wanted",
	       st.calls + st.killed_calls, want);
	expect_eq((long)st.surprises, 0, "surprises (answers outside the ABI)");
	expect_eq((long)st.crashed, 0, "workers that faulted");
	expect_eq((long)st.janitor_left, 0, "objects the janitors could not destroy");
	expect_eq(s.errors, 0, "errors in the echo server");
	test_end();

	test_begin("sysfuzz_memory_back_exactly");
	for (int i = 0; i < SYSFUZZ_NEP + SYSFUZZ_NNT; i++)
		if (shared[i] > 0) {
			expect_eq(endpoint_drop(&pool, shared[i], shared_frame[i]), 0,
				  "destroying a shared object");
			shared[i] = 0;
		}
	if (s.t.tcb)
		expect_eq(server_stop(&s), 0, "stopping the echo server");
	expect_eq(chunks_back(1), 0, "workers' chunks not reclaimed");
	expect_eq((long)st.lost_chunks, 0, "chunks with no room to be remembered");
	expect_eq(kpool_release(&pool), 0, "reclaiming the storm's pool");
	long free1 = (long)mem_free_bytes(), don1 = keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 0)),
	     obj1 = keel_info(KEEL_INFO_AT(KEEL_INFO_KMEM, 1));
	print_fmt("[coretest] sysfuzz: free memory %ld -> %ld, donated %ld -> %ld, kernel objects "
		  "%ld -> %ld\n",
		  free0, free1, don0, don1, obj0, obj1);
	expect_eq(free1, free0, "our free memory");
	expect_eq(don1, don0, "the kernel's donated bytes");
	expect_eq(obj1, obj0, "the kernel's live objects");
	test_end();
}
