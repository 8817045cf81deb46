package dev.forge.http;

import io.javalin.security.RouteRole;
import java.util.Set;

/** Who may call a forge route; attached to each route as its Javalin role. */
enum Access implements RouteRole {
    /** No token needed. */
    ANYONE,
    /** No token needed, but a presented token is checked and may unlock details. */
    OPTIONAL,
    /** A valid token with the user or admin role. */
    USER,
    /** A valid token with the admin role. */
    ADMIN;

    /** The forge access level among a route's roles; null for routes forge did not register. */
    static Access of(Set<RouteRole> roles) {
        for (RouteRole role : roles) {
            if (role instanceof Access access) {
                return access;
            }
        }
        return null;
    }
}
