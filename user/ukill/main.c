/*
 * ukill - a program that reads kernel memory.  The CPU refuses (the
 * kernel half is not user-accessible), and the kernel must kill this
 * program and carry on.
 */
#include "keel.h"

int main(void)
{
	print("[ukill] reading the kernel image\n");
	volatile unsigned long *p = (volatile unsigned long *)0xffffffff80200000ul;
	print_num((long)*p);
	print("[ukill] still running: the kernel let me read it\n");
	return 1;
}
