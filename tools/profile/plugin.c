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
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *),
				    void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* One translation: its address and length, and how often it ran. */
struct block {
	uint64_t vaddr, insns, runs;
};

static struct block **blocks;
static size_t nblocks, capacity;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *out_path = "profile.out";
static uint64_t min_vaddr;

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
