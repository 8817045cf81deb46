package dev.forge.task;

import java.security.SecureRandom;
import java.util.Base64;

/** Makes new task ids. Injected so tests can control ids. */
@FunctionalInterface
public interface IdGenerator {

    /** Returns a fresh id, never one returned before. */
    TaskId next();

    /** 128 random bits, URL-safe base64 without padding: unguessable ids. */
    static IdGenerator random() {
        SecureRandom random = new SecureRandom();
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return () -> {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            return new TaskId(encoder.encodeToString(bytes));
        };
    }
}
