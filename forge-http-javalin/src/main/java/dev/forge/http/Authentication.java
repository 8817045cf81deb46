package dev.forge.http;

import dev.forge.InfrastructureException;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.AuthResult;
import dev.forge.security.Authenticator;
import dev.forge.security.Principal;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The before-matched filter of forge routes: checks the bearer token against the route's
 * {@link Access}, stores the principal, and takes one {@link RateLimiter#REQUEST} permit for
 * every authenticated request, echoing the bucket in {@code RateLimit-*} headers.
 */
final class Authentication {

    private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);
    private static final String PRINCIPAL = "forge.principal";

    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;

    Authentication(Authenticator authenticator, RateLimiter rateLimiter) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
    }

    /** Javalin before-matched handler. */
    void check(Context ctx) {
        Access access = Access.of(ctx.routeRoles());
        if (access == null) {
            return;
        }
        refuseSecondAuthorizationHeader(ctx);
        if (access == Access.ANYONE) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            if (access == Access.OPTIONAL) {
                return;
            }
            throw new ProblemException(Problem.unauthorized("A bearer token is required.", false));
        }
        Principal principal = authenticate(header);
        ctx.attribute(PRINCIPAL, principal);
        RequestContext.user(ctx, principal.userId());
        RateLimitDecision decision = rateLimiter.tryAcquire(principal.userId(), RateLimiter.REQUEST);
        RateLimitHeaders.apply(decision, ctx.res()::setHeader);
        if (!decision.allowed()) {
            throw new ProblemException(ErrorMapper.rateLimited(decision));
        }
        if (access == Access.ADMIN && !principal.isAdmin()) {
            throw new ProblemException(Problem.forbidden("This resource needs the admin role."));
        }
    }

    /**
     * Two {@code Authorization} headers are ambiguous (RFC 9110 allows one credential): this
     * filter would read the first, a proxy or log might read the other. Like two {@code Host}
     * headers, that is a malformed request, not a guess.
     */
    private static void refuseSecondAuthorizationHeader(Context ctx) {
        var values = ctx.req().getHeaders("Authorization");
        if (values != null && values.hasMoreElements()) {
            values.nextElement();
            if (values.hasMoreElements()) {
                throw new ProblemException(Problem.malformed("more than one Authorization header"));
            }
        }
    }

    private Principal authenticate(String header) {
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String token = space < 0 ? "" : header.substring(space + 1).trim();
        if (!scheme.toLowerCase(Locale.ROOT).equals("bearer") || token.isEmpty()) {
            throw new ProblemException(Problem.unauthorized(
                    "The Authorization header must be 'Bearer <token>'.", true));
        }
        AuthResult result;
        try {
            result = authenticator.authenticate(token);
        } catch (InfrastructureException e) {
            throw e; // e.g. a key server is down: 503, not the caller's fault
        } catch (RuntimeException e) {
            // An authenticator must reject, not throw; treat a throw as a rejection and log it.
            LOG.warn("authenticator threw; rejecting the token", e);
            result = AuthResult.rejected("authenticator error");
        }
        if (result instanceof AuthResult.Authenticated authenticated) {
            return authenticated.principal();
        }
        LOG.debug("token rejected: {}", ((AuthResult.Rejected) result).reason());
        throw new ProblemException(Problem.unauthorized("The bearer token is invalid or expired.", true));
    }

    /** The caller of a USER or ADMIN route (the filter guarantees one). */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("route has no authenticated principal; is it registered with Access.USER?");
        }
        return principal;
    }

    /** The caller of an OPTIONAL route, or null when no token was sent. */
    static Principal principalOrNull(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }
}
