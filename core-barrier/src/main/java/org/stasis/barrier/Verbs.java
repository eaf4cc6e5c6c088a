package org.stasis.barrier;

/** Frame verbs of protocol.md, in one place so a typo is a compile error. */
final class Verbs {
    static final String HELLO = "HELLO";
    static final String WELCOME = "WELCOME";
    static final String REFUSED = "REFUSED";
    static final String ERROR = "ERROR";
    static final String EVENT = "EVENT";
    static final String ARRIVE = "ARRIVE";
    static final String DURABLE = "DURABLE";
    static final String COMMIT = "COMMIT";
    static final String COMMITTED = "COMMITTED";
    static final String ABORT = "ABORT";
    static final String KV_PUT = "KV_PUT";
    static final String KV_OK = "KV_OK";
    static final String KV_GET = "KV_GET";
    static final String KV_VALUE = "KV_VALUE";
    static final String KV_PUTS = "KV_PUTS";
    static final String KV_GETS = "KV_GETS";
    static final String KV_VALUES = "KV_VALUES";
    static final String BARRIER = "BARRIER";
    static final String RELEASE = "RELEASE";
    static final String KILL = "KILL";
    static final String EXEC = "EXEC";
    static final String COMMAND = "COMMAND";
    static final String RESULT = "RESULT";

    static final String PROTOCOL_VERSION = "1";

    private Verbs() {}
}
