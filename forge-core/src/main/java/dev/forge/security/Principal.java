package dev.forge.security;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param userId   stable id (the JWT {@code sub}); owns tasks
 * @param username display name
 * @param roles    at least one role
 */
public record Principal(String userId, String username, Set<Role> roles) {

    /** Validates the principal. */
    public Principal {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        username = username == null || username.isBlank() ? userId : username;
        if (roles == null || roles.isEmpty()) {
            throw new IllegalArgumentException("a principal needs at least one role");
        }
        roles = Set.copyOf(EnumSet.copyOf(roles));
    }

    /** A principal with the {@code user} role. */
    public static Principal user(String userId) {
        return new Principal(userId, userId, Set.of(Role.USER));
    }

    /** A principal with the {@code admin} role. */
    public static Principal admin(String userId) {
        return new Principal(userId, userId, Set.of(Role.ADMIN));
    }

    /** True when the principal holds the admin role. */
    public boolean isAdmin() {
        return roles.contains(Role.ADMIN);
    }

    /** True when the principal may read or cancel a task owned by {@code owner}. */
    public boolean canAccess(String owner) {
        return isAdmin() || userId.equals(owner);
    }
}
