package dev.forge.task;

import java.security.SecureRandom;

/** Makes new task ids. Injected so tests can control ids. */
@FunctionalInterface
public interface IdGenerator {

    /** Returns a fresh id, never one returned before. */
    TaskId next();

    /**
     * 128 random bits from {@link SecureRandom}, URL-safe base64 without padding (22 characters):
     * unguessable ids. The random bytes are drawn 4 KiB at a time per thread, so an id costs one
     * SecureRandom call in 256 and takes no lock.
     */
    static IdGenerator random() {
        SecureRandom random = new SecureRandom();
        ThreadLocal<RandomIds> perThread = ThreadLocal.withInitial(() -> new RandomIds(random));
        return () -> perThread.get().next();
    }
}
