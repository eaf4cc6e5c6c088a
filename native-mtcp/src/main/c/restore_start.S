/* Entry points of the freestanding restorer: no libc, so the first instructions and the
 * final jumps into the restored program are written here by hand. */
    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp
    mov %rsp, %rdi
    and $-16, %rsp
    call sx_restore_main
    hlt

/* void sx_switch_stack(void *stack_top, void (*fn)(void)) - never returns */
    .globl sx_switch_stack
    .hidden sx_switch_stack
    .type sx_switch_stack, @function
sx_switch_stack:
    mov %rdi, %rsp
    call *%rsi
    hlt

/* void sx_resume_ctx(const struct sx_ctx *c) - load a saved place and go there; the code
 * there sees sx_ctx_save return 1 */
    .globl sx_resume_ctx
    .hidden sx_resume_ctx
    .type sx_resume_ctx, @function
sx_resume_ctx:
    mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    mov $1, %eax
    jmp *56(%rdi)

/* long sx_clone_thread(unsigned long flags, void *stack_top, unsigned long tls,
 *                      void (*fn)(const void *), const void *arg, int *tid_word)
 * The child runs fn(arg) on stack_top with the given thread pointer. tid_word, when the
 * flags ask for it, is set to the child's tid and cleared (with a futex wake) by the kernel
 * once the child has completely exited. */
    .globl sx_clone_thread
    .hidden sx_clone_thread
    .type sx_clone_thread, @function
sx_clone_thread:
    and $-16, %rsi
    sub $16, %rsi
    mov %rcx, 0(%rsi)
    mov %r8, 8(%rsi)
    mov %rdx, %r8
    mov %r9, %rdx
    mov %r9, %r10
    mov $56, %eax
    syscall
    test %rax, %rax
    jnz 1f
    pop %rax
    pop %rdi
    call *%rax
    hlt
1:  ret
    .section .note.GNU-stack,"",@progbits
