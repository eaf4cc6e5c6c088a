/* Saving and resuming a thread's place, like setjmp/longjmp but with a fixed layout the
 * restorer can load from an image (struct sx_ctx in image_format.h). */
    .text
    .globl sx_ctx_save
    .hidden sx_ctx_save
    .type sx_ctx_save, @function
/* int sx_ctx_save(struct sx_ctx *c): 0 when called, 1 when resumed later */
sx_ctx_save:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rdx
    mov %rdx, 48(%rdi)
    mov (%rsp), %rdx
    mov %rdx, 56(%rdi)
    xor %eax, %eax
    ret
    .size sx_ctx_save, .-sx_ctx_save

    .globl sx_raw_thread
    .hidden sx_raw_thread
    .type sx_raw_thread, @function
/* long sx_raw_thread(unsigned long clone_flags, void *stack_top, void (*fn)(void *), void *arg)
 * A thread without libc: runs fn(arg) on stack_top, then exits the thread. */
sx_raw_thread:
    and $-16, %rsi
    sub $16, %rsi
    mov %rdx, 0(%rsi)
    mov %rcx, 8(%rsi)
    xor %edx, %edx
    xor %r10d, %r10d
    xor %r8d, %r8d
    mov $56, %eax
    syscall
    test %rax, %rax
    jnz 1f
    pop %rax
    pop %rdi
    call *%rax
    mov $60, %eax
    xor %edi, %edi
    syscall
    hlt
1:  ret
    .size sx_raw_thread, .-sx_raw_thread
    .section .note.GNU-stack,"",@progbits
