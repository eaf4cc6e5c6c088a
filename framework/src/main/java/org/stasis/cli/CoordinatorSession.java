package org.stasis.cli;

/**
 * The coordinator a program or restorer will talk to.
 *
 * @param host the name to hand to child tools (DMTCP_COORD_HOST)
 * @param numericHost its IPv4 address, for the agent (STASIS_COORD_HOST)
 * @param port its port
 * @param secret the job secret
 * @param started whether this command started it (then it exits with its last worker)
 */
public record CoordinatorSession(String host, String numericHost, int port, String secret, boolean started) {}
