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

    .section .note.GNU-stack,"",@progbits
