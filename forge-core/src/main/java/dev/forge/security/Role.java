package dev.forge.security;

import java.util.Locale;
import java.util.Optional;

/** What a principal may do: users see their own tasks, admins see everyone's. */
public enum Role {
    /** An ordinary user. */
    USER,
    /** May read and cancel any user's tasks. */
    ADMIN;

    /** Lower-case claim value, e.g. {@code admin}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role for a claim value, or empty when it names no role. */
    public static Optional<Role> fromWire(String value) {
        for (Role role : values()) {
            if (role.wireName().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
