/*
 * df.S - a loop with the direction flag set, for t_df.c.  C cannot set
 * the flag: the ABI says it is clear at every call and return.
 *
 *   df_spin(loops)  set DF, count loops down to 0, read RFLAGS, clear DF;
 *                   returns 1 if DF was still set at the end, else 0.
 */
	.text
	.globl df_spin
df_spin:
	std
1:	decq %rdi
	jnz 1b
	pushfq
	popq %rax
	cld
	shrq $10, %rax			/* RFLAGS.DF is bit 10 */
	andq $1, %rax
	ret
