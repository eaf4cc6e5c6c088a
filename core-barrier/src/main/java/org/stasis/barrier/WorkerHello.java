package org.stasis.barrier;

/** What a worker says about itself in its HELLO (protocol.md, "Worker HELLO"). */
record WorkerHello(
        String upid,
        String pid,
        String host,
        String program,
        boolean restart,
        int generation,
        String compid,
        int peers,
        String image) {

    static WorkerHello parse(Message hello) throws ProtocolException {
        String upid = hello.get("upid", "").trim();
        if (upid.isEmpty()) {
            throw new ProtocolException("worker HELLO without upid");
        }
        boolean restart = "1".equals(hello.get("restart"));
        String compid = hello.get("compid", "").trim();
        if (restart && compid.isEmpty()) {
            throw new ProtocolException("restarted worker did not say which computation it belongs to");
        }
        return new WorkerHello(
                upid,
                hello.get("pid", "?"),
                hello.get("host", "?"),
                hello.get("program", "?"),
                restart,
                restart ? number(hello, "generation") : 0,
                compid,
                restart ? number(hello, "peers") : 0,
                hello.get("image", ""));
    }

    private static int number(Message m, String key) throws ProtocolException {
        String value = m.get(key, "0");
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new ProtocolException(key + " must not be negative: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ProtocolException(key + " is not a number: " + value);
        }
    }
}
