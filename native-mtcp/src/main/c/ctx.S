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

    .section .note.GNU-stack,"",@progbits
