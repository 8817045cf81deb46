package dev.forge.security;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Mints HS256 tokens that {@link JwtAuthenticator} accepts, for development, demos and tests
 * (the example server's {@code token} command). Not an identity provider: whoever holds the
 * secret can mint any identity. Instances are immutable; {@link #withIssuer} and
 * {@link #withAudience} return copies.
 */
public final class DevTokens {

    private final SecretKey key;
    private final Clock clock;
    private final String issuer;
    private final String audience;

    private DevTokens(SecretKey key, Clock clock, String issuer, String audience) {
        this.key = key;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
    }

    /**
     * A minter for {@code secret} (at least 32 bytes; copied) on the system UTC clock.
     *
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes
     */
    public static DevTokens hs256(byte[] secret) {
        return hs256(secret, Clock.systemUTC());
    }

    /** A minter for {@code secret} whose {@code iat} and {@code exp} come from {@code clock}. */
    public static DevTokens hs256(byte[] secret, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(clock, "clock");
        return new DevTokens(JwtAuthenticator.hs256Key(secret), clock, null, null);
    }

    /** A minter for the UTF-8 bytes of {@code secret}, e.g. the value of {@code FORGE_JWT_SECRET}. */
    public static DevTokens hs256(String secret) {
        return hs256(secret, Clock.systemUTC());
    }

    /** A minter for the UTF-8 bytes of {@code secret} on {@code clock}. */
    public static DevTokens hs256(String secret, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        return hs256(secret.getBytes(StandardCharsets.UTF_8), clock);
    }

    /** A copy that puts {@code issuer} in the {@code iss} claim. */
    public DevTokens withIssuer(String issuer) {
        return new DevTokens(key, clock, requireText(issuer, "issuer"), audience);
    }

    /** A copy that puts {@code audience} in the {@code aud} claim. */
    public DevTokens withAudience(String audience) {
        return new DevTokens(key, clock, issuer, requireText(audience, "audience"));
    }

    /**
     * A signed token: {@code sub} = userId, {@code preferred_username} = username,
     * {@code roles} = the roles' wire names, {@code iat} = now, {@code exp} = now + ttl.
     *
     * @throws IllegalArgumentException if userId is blank, roles is empty or ttl is not positive
     */
    public String mint(String userId, String username, Set<Role> roles, Duration ttl) {
        requireText(userId, "userId");
        Objects.requireNonNull(roles, "roles");
        Objects.requireNonNull(ttl, "ttl");
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("roles must not be empty");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        long now = clock.millis();
        List<String> roleNames = EnumSet.copyOf(roles).stream().map(Role::wireName).toList();
        JwtBuilder builder = Jwts.builder()
                .subject(userId)
                .claim("roles", roleNames)
                .issuedAt(new Date(now))
                .expiration(new Date(now + ttl.toMillis()));
        if (username != null && !username.isBlank()) {
            builder.claim("preferred_username", username);
        }
        if (issuer != null) {
            builder.issuer(issuer);
        }
        if (audience != null) {
            builder.audience().single(audience);
        }
        // name the algorithm: jjwt would otherwise pick HS512 for a 64-byte secret
        return builder.signWith(key, Jwts.SIG.HS256).compact();
    }

    /** A token for {@code principal}, valid for {@code ttl}. */
    public String mint(Principal principal, Duration ttl) {
        Objects.requireNonNull(principal, "principal");
        return mint(principal.userId(), principal.username(), principal.roles(), ttl);
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
