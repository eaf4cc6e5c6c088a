/* A thread without libc, for the image writer's compressors and the restorer's threads:
 * libc's pthread_create cannot be used in either place. */
    .text
    .globl sx_clone_thread
    .hidden sx_clone_thread
    .type sx_clone_thread, @function
/* long sx_clone_thread(unsigned long flags, void *stack_top, unsigned long tls,
 *                      void (*fn)(const void *), const void *arg, int *tid_word)
 * The child runs fn(arg) on stack_top with the given thread pointer. tid_word, when the
 * flags ask for it, is set to the child's tid and cleared (with a futex wake) by the kernel
 * once the child has completely exited. */
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
    mov $60, %eax  /* exit: this thread only */
    xor %edi, %edi
    syscall
    hlt
1:  ret
    .size sx_clone_thread, .-sx_clone_thread
    .section .note.GNU-stack,"",@progbits
