package org.stasis.barrier;

import java.nio.file.Path;

/** The fixed facts the kernel works with, known once the server is bound. */
record KernelSettings(String host, int port, Path ckptDir, Path stasisHome, boolean exitOnLast,
        boolean exitAfterCkpt, int initialInterval) {}
