/* Addresses of AF_INET and AF_INET6 sockets, as TCP and UDP records keep them: ports, text for
 * messages and for the coordinator's store, comparisons. */
#ifndef SOCKETS_INETADDR_H
#define SOCKETS_INETADDR_H
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

uint16_t inet_port(const struct sockaddr_storage *a);
void inet_set_port(struct sockaddr_storage *a, uint16_t port);
/* The address's IP bytes (4 or 16). */
const void *inet_ip(const struct sockaddr_storage *a);
/* "127.0.0.1:5000" or "[::1]:5000" into out; returns out. */
const char *inet_text(const struct sockaddr_storage *a, char *out, size_t cap);
/* 127.0.0.0/8, ::1, or an IPv4-mapped 127.x: an address only one host can tell apart. */
int inet_loopback(const struct sockaddr_storage *a);
/* The same family, IP and port. */
int inet_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b);
/* The length bind and connect take for it. */
socklen_t inet_len(const struct sockaddr_storage *a);
/* "<ip> <port>", as the store keeps it, and back (0, or -1 when the text is not one). */
void inet_publish(const struct sockaddr_storage *a, char *out, size_t cap);
int inet_parse(const char *text, int family, struct sockaddr_storage *out);

#endif
