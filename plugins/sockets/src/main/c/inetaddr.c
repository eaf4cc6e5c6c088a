/* inetaddr.h. Only pure functions (inet_ntop and inet_pton take no locks). */
#define _GNU_SOURCE
#include "inetaddr.h"
#include "say.h"

#include <arpa/inet.h>
#include <string.h>

uint16_t inet_port(const struct sockaddr_storage *a)
{
    return ntohs(a->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)a)->sin6_port
                                          : ((const struct sockaddr_in *)a)->sin_port);
}

void inet_set_port(struct sockaddr_storage *a, uint16_t port)
{
    if (a->ss_family == AF_INET6) ((struct sockaddr_in6 *)a)->sin6_port = htons(port);
    else ((struct sockaddr_in *)a)->sin_port = htons(port);
}

const void *inet_ip(const struct sockaddr_storage *a)
{
    return a->ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr
                                    : (const void *)&((const struct sockaddr_in *)a)->sin_addr;
}

/* "127.0.0.1:5000" or "[::1]:5000" */
const char *inet_text(const struct sockaddr_storage *a, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN], port[8];
    if (!inet_ntop(a->ss_family, inet_ip(a), ip, sizeof ip)) say_into(ip, sizeof ip, "?", NULL);
    say_num(port, inet_port(a));
    if (a->ss_family == AF_INET6) say_into(out, cap, "[", ip, "]:", port, NULL);
    else say_into(out, cap, ip, ":", port, NULL);
    return out;
}

int inet_loopback(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET) return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    const struct in6_addr *v6 = &((const struct sockaddr_in6 *)a)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(v6)) return 1;
    return IN6_IS_ADDR_V4MAPPED(v6) && v6->s6_addr[12] == 127;
}

int inet_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family || inet_port(a) != inet_port(b)) return 0;
    return memcmp(inet_ip(a), inet_ip(b), a->ss_family == AF_INET6 ? 16 : 4) == 0;
}

socklen_t inet_len(const struct sockaddr_storage *a)
{
    return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* "<ip> <port>" of a socket's address, for the store. */
void inet_publish(const struct sockaddr_storage *a, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN], port[8];
    if (!inet_ntop(a->ss_family, inet_ip(a), ip, sizeof ip)) ip[0] = 0;
    say_into(out, cap, ip, " ", say_num(port, inet_port(a)), NULL);
}

int inet_parse(const char *text, int family, struct sockaddr_storage *out)
{
    char ip[INET6_ADDRSTRLEN];
    const char *sp = strchr(text, ' ');
    if (!sp || (size_t)(sp - text) >= sizeof ip) return -1;
    memcpy(ip, text, (size_t)(sp - text));
    ip[sp - text] = 0;
    uint32_t port = 0;
    for (const char *c = sp + 1; *c >= '0' && *c <= '9'; c++) port = port * 10 + (uint32_t)(*c - '0');
    memset(out, 0, sizeof *out);
    out->ss_family = (sa_family_t)family;
    if (inet_pton(family, ip, (void *)inet_ip(out)) != 1 || port > 65535) return -1;
    inet_set_port(out, (uint16_t)port);
    return 0;
}
