/*
 * falloc.c - the pager's buddy allocator (see falloc.h).
 */
#include "falloc.h"

static uint64_t block_bytes(unsigned order)
{
	return FALLOC_PAGE << order;
}

/* ---- The AVL tree of free blocks, by address ---- */

static int height(const struct falloc_node *n)
{
	return n ? n->height : 0;
}

static void fix_height(struct falloc_node *n)
{
	int l = height(n->left), r = height(n->right);
	n->height = 1 + (l > r ? l : r);
}

static struct falloc_node *rotate_right(struct falloc_node *y)
{
	struct falloc_node *x = y->left;
	y->left = x->right;
	x->right = y;
	fix_height(y);
	fix_height(x);
	return x;
}

static struct falloc_node *rotate_left(struct falloc_node *x)
{
	struct falloc_node *y = x->right;
	x->right = y->left;
	y->left = x;
	fix_height(x);
	fix_height(y);
	return y;
}

static struct falloc_node *balance(struct falloc_node *n)
{
	fix_height(n);
	int b = height(n->left) - height(n->right);
	if (b > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (b < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

static struct falloc_node *tree_insert(struct falloc_node *root, struct falloc_node *n)
{
	if (!root) {
		n->left = n->right = 0;
		n->height = 1;
		return n;
	}
	if (n->base < root->base)
		root->left = tree_insert(root->left, n);
	else
		root->right = tree_insert(root->right, n);
	return balance(root);
}

static struct falloc_node *tree_remove_min(struct falloc_node *n, struct falloc_node **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = tree_remove_min(n->left, min);
	return balance(n);
}

/* Remove the node with this base (it must be there). */
static struct falloc_node *tree_remove(struct falloc_node *root, uint64_t base)
{
	if (base < root->base) {
		root->left = tree_remove(root->left, base);
	} else if (base > root->base) {
		root->right = tree_remove(root->right, base);
	} else {
		struct falloc_node *l = root->left, *r = root->right, *m;
		if (!r)
			return l;
		r = tree_remove_min(r, &m);
		m->left = l;
		m->right = r;
		return balance(m);
	}
	return balance(root);
}

static struct falloc_node *tree_find(struct falloc_node *n, uint64_t base)
{
	while (n && n->base != base)
		n = base < n->base ? n->left : n->right;
	return n;
}

/* The block with the largest base <= x, or NULL. */
static struct falloc_node *tree_floor(struct falloc_node *n, uint64_t x)
{
	struct falloc_node *best = 0;

	while (n) {
		if (n->base <= x) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* ---- The lists, one per order ---- */

static void list_push(struct falloc *fa, struct falloc_node *n)
{
	n->prev = 0;
	n->next = fa->lists[n->order];
	if (n->next)
		n->next->prev = n;
	fa->lists[n->order] = n;
}

static void list_remove(struct falloc *fa, struct falloc_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		fa->lists[n->order] = n->next;
	if (n->next)
		n->next->prev = n->prev;
}

/* ---- Blocks ---- */

static void block_insert(struct falloc *fa, struct falloc_node *n, uint64_t base, unsigned order)
{
	n->base = base;
	n->order = order;
	fa->root = tree_insert(fa->root, n);
	list_push(fa, n);
	fa->free_bytes += block_bytes(order);
	fa->nodes++;
}

static void block_remove(struct falloc *fa, struct falloc_node *n)
{
	fa->root = tree_remove(fa->root, n->base);
	list_remove(fa, n);
	fa->free_bytes -= block_bytes(n->order);
	fa->nodes--;
}

void falloc_init(struct falloc *fa, struct falloc_node *(*node_get)(void *ctx),
		 void (*node_put)(void *ctx, struct falloc_node *n), void *ctx)
{
	*fa = (struct falloc){ .node_get = node_get, .node_put = node_put, .ctx = ctx };
}

bool falloc_overlaps(const struct falloc *fa, uint64_t base, uint64_t size)
{
	struct falloc_node *n;

	if (!size)
		return false;
	n = tree_floor(fa->root, base + size - 1);
	return n && n->base + block_bytes(n->order) > base;
}

static bool range_ok(uint64_t base, uint64_t size)
{
	return size && base % FALLOC_PAGE == 0 && size % FALLOC_PAGE == 0 && size - 1 <= ~base;
}

int falloc_free(struct falloc *fa, uint64_t base, unsigned order)
{
	struct falloc_node *n, *b;

	if (order > FALLOC_MAX_ORDER || !range_ok(base, block_bytes(order)) ||
	    base % block_bytes(order))
		return FALLOC_EINVAL;
	if (falloc_overlaps(fa, base, block_bytes(order)))
		return FALLOC_EBUSY;
	if (!(n = fa->node_get(fa->ctx)))
		return FALLOC_ENOMEM;
	/* Merge with the buddy while it is free whole. */
	while (order < FALLOC_MAX_ORDER) {
		uint64_t buddy = base ^ block_bytes(order);
		b = tree_find(fa->root, buddy);
		if (!b || b->order != order)
			break;
		block_remove(fa, b);
		fa->node_put(fa->ctx, b);
		base &= ~block_bytes(order);
		order++;
	}
	block_insert(fa, n, base, order);
	return FALLOC_OK;
}

int falloc_add(struct falloc *fa, uint64_t base, uint64_t size)
{
	if (!range_ok(base, size))
		return FALLOC_EINVAL;
	if (falloc_overlaps(fa, base, size))
		return FALLOC_EBUSY;
	while (size) {
		unsigned order = 0;
		while (order < FALLOC_MAX_ORDER && base % block_bytes(order + 1) == 0 &&
		       block_bytes(order + 1) <= size)
			order++;
		int r = falloc_free(fa, base, order);
		if (r)
			return r;
		base += block_bytes(order);
		size -= block_bytes(order);
	}
	return FALLOC_OK;
}

uint64_t falloc_alloc(struct falloc *fa, unsigned order)
{
	struct falloc_node *spare[FALLOC_NODES_PER_OP];
	unsigned j = order, need, i;

	if (order > FALLOC_MAX_ORDER)
		return FALLOC_NONE;
	while (j <= FALLOC_MAX_ORDER && !fa->lists[j])
		j++;
	if (j > FALLOC_MAX_ORDER)
		return FALLOC_NONE;
	/* Splitting j down to order frees j - order halves: the block's own
	 * node carries one, the rest need new nodes; get them all first. */
	need = j > order ? j - order - 1 : 0;
	for (i = 0; i < need; i++)
		if (!(spare[i] = fa->node_get(fa->ctx))) {
			while (i--)
				fa->node_put(fa->ctx, spare[i]);
			return FALLOC_NONE;
		}
	struct falloc_node *n = fa->lists[j];
	uint64_t base = n->base;
	block_remove(fa, n);
	while (j > order) {
		struct falloc_node *half;
		j--;
		if (need) {
			half = spare[--need];
		} else {
			half = n; /* the block's own node, for the last half */
			n = 0;
		}
		block_insert(fa, half, base + block_bytes(j), j);
	}
	if (n)
		fa->node_put(fa->ctx, n);
	return base;
}

unsigned falloc_order_of(uint64_t bytes)
{
	unsigned order = 0;

	while (order < FALLOC_MAX_ORDER && block_bytes(order) < bytes)
		order++;
	return order;
}
