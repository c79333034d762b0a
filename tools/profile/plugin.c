/*
 * plugin.c - a QEMU TCG plugin that counts the guest instructions executed
 * at each translation block's start address, for tools/profile/profile.py.
 *
 * Debian ships no header for QEMU's plugin API, so the few declarations
 * used here are written out below, from QEMU's documented C API (version
 * 1, as in QEMU 7.2's include/qemu/qemu-plugin.h).  At exit it writes one
 * line per block address: "ADDRESS INSTRUCTIONS" (hex, decimal), the sum
 * over every translation of that block of executions times its length.
 * Arguments: out=FILE (default profile.out), min=ADDRESS (count only
 * blocks at or above it; default 0).
 *
 * Windows.  A guest marks a window with two instructions that do nothing,
 * `nopl MARK(%rax)` (0f 1f 80 and the 32-bit MARK), where MARK is
 * MARK_MAGIC | on << 8 | id (user/bench/main.c's MARK).  Between window
 * id's "on" and its "off" every block's executions are added to that
 * window, on every CPU.  At exit FILE.win gets "W ID WINDOWS" for each
 * window used, then "ID ADDRESS BYTES INSTRUCTIONS" for each translation
 * that ran inside it, BYTES being up to 16 bytes of its code in hex: the
 * same address in two programs' address spaces is two translations, and
 * the bytes tell which program's code it was (tools/bench.py).
 */
#include <pthread.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *),
				    void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define MARK_MAGIC 0x4b4c0000u /* "KL" */
#define MARK_IDS   16
#define CODE_BYTES 16

/*
 * One translation: its address and length, how often it ran, its first
 * bytes; its runs when the open window began, and in each window.
 */
struct block {
	uint64_t vaddr, insns, runs, snap;
	uint64_t win[MARK_IDS];
	uint8_t code[CODE_BYTES];
	size_t ncode;
};

static struct block **blocks;
static size_t nblocks, capacity;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *out_path = "profile.out";
static uint64_t min_vaddr;
static uint64_t windows[MARK_IDS];
static int open_id = -1;

/* A marker ran (before its instruction): open or close its window. */
static void on_mark(unsigned int vcpu, void *data)
{
	(void)vcpu;
	uint32_t mark = (uint32_t)(uintptr_t)data;
	int id = (int)(mark & 0xff), on = (mark >> 8) & 1;

	if (id >= MARK_IDS)
		return;
	pthread_mutex_lock(&lock);
	if (on) {
		for (size_t i = 0; i < nblocks; i++)
			blocks[i]->snap = blocks[i]->runs;
		open_id = id;
	} else if (open_id == id) {
		for (size_t i = 0; i < nblocks; i++)
			blocks[i]->win[id] += blocks[i]->runs - blocks[i]->snap;
		windows[id]++;
		open_id = -1;
	}
	pthread_mutex_unlock(&lock);
}

/* Note the block's first bytes, and hook the markers among its instructions. */
static void scan(struct qemu_plugin_tb *tb, struct block *b)
{
	for (size_t i = 0; i < b->insns; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		const uint8_t *d = qemu_plugin_insn_data(insn);
		size_t n = qemu_plugin_insn_size(insn);
		for (size_t k = 0; k < n && b->ncode < CODE_BYTES; k++)
			b->code[b->ncode++] = d[k];
		if (n == 7 && d[0] == 0x0f && d[1] == 0x1f && d[2] == 0x80) {
			uint32_t mark = d[3] | d[4] << 8 | d[5] << 16 | (uint32_t)d[6] << 24;
			if ((mark & 0xffff0000u) == MARK_MAGIC)
				qemu_plugin_register_vcpu_insn_exec_cb(
				    insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)mark);
		}
	}
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	uint64_t va = qemu_plugin_tb_vaddr(tb);
	if (va < min_vaddr)
		return;
	struct block *b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->vaddr = va;
	b->insns = qemu_plugin_tb_n_insns(tb);
	scan(tb, b);
	pthread_mutex_lock(&lock);
	if (nblocks == capacity) {
		capacity = capacity ? 2 * capacity : 4096;
		blocks = realloc(blocks, capacity * sizeof(*blocks));
		if (!blocks)
			abort();
	}
	blocks[nblocks++] = b;
	pthread_mutex_unlock(&lock);
	/* Racy across vCPU threads without -icount; exact under -icount (one thread). */
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->runs, 1);
}

static int by_vaddr(const void *a, const void *b)
{
	uint64_t x = (*(struct block *const *)a)->vaddr, y = (*(struct block *const *)b)->vaddr;

	return x < y ? -1 : x > y;
}

static void write_windows(void)
{
	char path[4096];
	bool any = false;

	for (int id = 0; id < MARK_IDS; id++)
		any |= windows[id] != 0;
	if (!any)
		return;
	snprintf(path, sizeof(path), "%s.win", out_path);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	for (int id = 0; id < MARK_IDS; id++)
		if (windows[id])
			fprintf(f, "W %d %" PRIu64 "\n", id, windows[id]);
	for (size_t i = 0; i < nblocks; i++)
		for (int id = 0; id < MARK_IDS; id++) {
			struct block *b = blocks[i];
			if (!b->win[id])
				continue;
			fprintf(f, "%d %" PRIx64 " ", id, b->vaddr);
			for (size_t k = 0; k < b->ncode; k++)
				fprintf(f, "%02x", b->code[k]);
			fprintf(f, " %" PRIu64 "\n", b->win[id] * b->insns);
		}
	fclose(f);
}

static void on_quit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	FILE *f = fopen(out_path, "w");
	if (!f)
		return;
	qsort(blocks, nblocks, sizeof(*blocks), by_vaddr);
	for (size_t i = 0; i < nblocks;) {
		uint64_t va = blocks[i]->vaddr, n = 0;
		for (; i < nblocks && blocks[i]->vaddr == va; i++)
			n += blocks[i]->runs * blocks[i]->insns;
		if (n)
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n", va, n);
	}
	fclose(f);
	write_windows();
}

__attribute__((visibility("default"))) int
qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
		else if (!strncmp(argv[i], "min=", 4))
			min_vaddr = strtoull(argv[i] + 4, NULL, 0);
		else
			return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_quit, NULL);
	return 0;
}
