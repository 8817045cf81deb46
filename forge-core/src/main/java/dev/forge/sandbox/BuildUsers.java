package dev.forge.sandbox;

import java.util.BitSet;

/**
 * A pool of unprivileged user ids, one per running build, so that no build runs as root and
 * per-user limits (RLIMIT_NPROC) and file ownership never mix two builds. Used only when forge
 * runs as root; the ids need no entry in /etc/passwd.
 */
final class BuildUsers {

    /** First id of the default range; far above the ids distributions hand out. */
    static final int DEFAULT_BASE = 2_100_000_000;
    /** Default size of the range: more builds than that at once wait for an id. */
    static final int DEFAULT_COUNT = 4096;

    private final int base;
    private final int count;
    private final BitSet used = new BitSet();

    BuildUsers(int base, int count) {
        if (base < 1000 || count < 1 || (long) base + count > 4_294_967_294L || base + count < 0) {
            throw new IllegalArgumentException("build user ids must lie in 1000..2^31, was " + base
                    + " + " + count);
        }
        this.base = base;
        this.count = count;
    }

    /** Leases a free id, waiting while all are in use. */
    synchronized int lease() throws InterruptedException {
        while (used.cardinality() >= count) {
            wait();
        }
        int slot = used.nextClearBit(0);
        used.set(slot);
        return base + slot;
    }

    /** Returns an id to the pool. */
    synchronized void release(int uid) {
        used.clear(uid - base);
        notifyAll();
    }

    /** The range, for descriptions. */
    String range() {
        return base + "-" + (base + count - 1);
    }
}
