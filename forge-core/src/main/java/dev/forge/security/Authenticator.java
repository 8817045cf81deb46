package dev.forge.security;

/** Port: turns a bearer token into a principal. Implementations are thread-safe and fast. */
@FunctionalInterface
public interface Authenticator {

    /**
     * Verifies {@code token} (without the {@code Bearer } prefix).
     *
     * @return the principal, or a rejection with a reason for logs (never shown to callers)
     */
    AuthResult authenticate(String token);
}
