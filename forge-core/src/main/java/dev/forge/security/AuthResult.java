package dev.forge.security;

import java.util.Objects;

/** Outcome of {@link Authenticator#authenticate}: a principal, or a rejection. */
public sealed interface AuthResult {

    /** The token was valid. */
    record Authenticated(Principal principal) implements AuthResult {
        /** Validates the result. */
        public Authenticated {
            Objects.requireNonNull(principal, "principal");
        }
    }

    /** The token was missing, malformed, expired or forged; {@code reason} is for logs only. */
    record Rejected(String reason) implements AuthResult {
        /** Validates the result. */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Shorthand for an accepted token. */
    static AuthResult ok(Principal principal) {
        return new Authenticated(principal);
    }

    /** Shorthand for a rejected token. */
    static AuthResult rejected(String reason) {
        return new Rejected(reason);
    }
}
