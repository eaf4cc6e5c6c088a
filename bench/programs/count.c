/* The seeds' demo counter: one number every 100 ms. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    for (long i = 1;; i++) {
        printf("%ld\n", i);
        fflush(stdout);
        usleep(100000);
    }
}
