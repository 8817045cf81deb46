package dev.forge.task;

import java.security.SecureRandom;

/** Makes new task ids. Injected so tests can control ids. */
@FunctionalInterface
public interface IdGenerator {

    /** Returns a fresh id, never one returned before. */
    TaskId next();

    /**
     * 128 random bits, URL-safe base64 without padding (22 characters): unguessable ids. Each
     * thread cuts them from an AES-CTR keystream keyed from {@link SecureRandom}, 256 ids per
     * refill, without a lock.
     */
    static IdGenerator random() {
        SecureRandom random = new SecureRandom();
        ThreadLocal<RandomIds> perThread = ThreadLocal.withInitial(() -> new RandomIds(random));
        return () -> perThread.get().next();
    }
}
