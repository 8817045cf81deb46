package dev.forge.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.IncorrectClaimException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.MalformedJwtException;
import io.jsonwebtoken.MissingClaimException;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import io.jsonwebtoken.security.SecurityException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The default {@link Authenticator}: verifies a compact JWS with one pinned algorithm (HS256 for
 * an HMAC secret, RS256 for an RSA public key, ES256 for an EC P-256 public key) and maps its
 * claims to a {@link Principal}.
 *
 * <p>Rules: {@code exp} is required and {@code nbf} honoured, both with a small clock skew;
 * {@code iss} and {@code aud} are checked when configured; {@code sub} is the user id;
 * {@code preferred_username}, else {@code name}, else {@code sub} is the display name; the
 * {@code roles} claim is an array of strings of which at least one must name a {@link Role}
 * (unknown values are ignored). Unsigned tokens, any other algorithm, encrypted or compressed
 * tokens and tokens longer than {@value #MAX_TOKEN_LENGTH} characters are rejected. Strict
 * claims: {@code exp}, {@code nbf} and {@code iat} must be JSON numbers up to year 9999,
 * {@code iat} not in the future beyond the skew, {@code exp} at most the maximum lifetime ahead
 * (default 24 h); {@code sub} and the display name printable text of at most 256 characters.
 *
 * <p>Every failure is an {@link AuthResult.Rejected} with a fixed reason for logs; nothing a
 * caller sends can make {@link #authenticate} throw. Verified tokens are kept in a small bounded
 * cache until they expire, because verifying a signature costs far more than a lookup; the
 * injected clock decides expiry on every hit. Instances are immutable and thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {

    /** Longest token accepted, in characters; longer ones are rejected before any parsing. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    /** Shortest HS256 secret accepted, in bytes (RFC 7518 section 3.2: at least the hash size). */
    public static final int MIN_HS256_SECRET_BYTES = 32;

    /** Largest clock skew accepted: enough for badly synchronised clocks, small next to token lifetimes. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(10);

    /** Default number of verified tokens remembered. */
    public static final long DEFAULT_CACHE_SIZE = 10_000;

    /** Default {@link Builder#maxTokenLifetime}: tokens valid for longer are refused. */
    public static final Duration DEFAULT_MAX_TOKEN_LIFETIME = Duration.ofHours(24);

    /** Largest {@link Builder#maxTokenLifetime} accepted. */
    public static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(366);

    private final JwtParser parser;
    private final Clock clock;
    private final long skewMillis;
    private final String algorithm;
    private final Cache<String, Verified> cache;
    private final TokenClaims claimRules;

    private JwtAuthenticator(Builder builder) {
        this.clock = builder.clock;
        // jjwt counts skew in whole seconds; mirror exactly that in the cache window
        long skewSeconds = builder.clockSkew.toSeconds();
        this.skewMillis = skewSeconds * 1000L;
        this.algorithm = builder.algorithm.getId();
        this.claimRules = new TokenClaims(skewMillis, builder.maxTokenLifetime.toMillis());
        JwtParserBuilder parserBuilder = Jwts.parser()
                .clock(() -> new Date(clock.millis()))
                .clockSkewSeconds(skewSeconds)
                // the one algorithm for this key, nothing else: this is what stops "none",
                // HS384/HS512 with a long secret, and HS256-signed-with-the-public-key confusion
                .sig().clear().add(builder.algorithm).and()
                // no compressed payloads (decompression bombs), no JWE
                .zip().clear().and()
                .enc().clear().and()
                .key().clear().and();
        if (builder.hmacKey != null) {
            parserBuilder.verifyWith(builder.hmacKey);
        } else {
            parserBuilder.verifyWith(builder.publicKey);
        }
        if (builder.issuer != null) {
            parserBuilder.requireIssuer(builder.issuer);
        }
        if (builder.audience != null) {
            parserBuilder.requireAudience(builder.audience);
        }
        this.parser = parserBuilder.build();
        this.cache = builder.cacheSize == 0 ? null
                : Caffeine.newBuilder()
                        .maximumSize(builder.cacheSize)
                        // an upper bound on residence; the exp check on each hit is what counts
                        .expireAfterWrite(Duration.ofMinutes(10))
                        .executor(Runnable::run)
                        .build();
    }

    /** A builder; configure exactly one key. */
    public static Builder builder() {
        return new Builder();
    }

    /** The one JWS algorithm this authenticator accepts, e.g. {@code HS256}. */
    public String algorithm() {
        return algorithm;
    }

    @Override
    public AuthResult authenticate(String token) {
        if (token == null || token.isBlank()) {
            return AuthResult.rejected("empty token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return AuthResult.rejected("token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        if (cache != null) {
            Verified hit = cache.getIfPresent(token);
            if (hit != null) {
                if (hit.usableAt(clock.millis())) {
                    return hit.result;
                }
                // outside its window now: forget it and let full verification give the reason
                cache.invalidate(token);
            }
        }
        return verify(token);
    }

    private AuthResult verify(String token) {
        try {
            parser.parseSignedClaims(token);
        } catch (ExpiredJwtException e) {
            return AuthResult.rejected("token expired");
        } catch (PrematureJwtException e) {
            return AuthResult.rejected("token not yet valid (nbf)");
        } catch (MissingClaimException e) {
            return AuthResult.rejected("required claim missing: " + e.getClaimName());
        } catch (IncorrectClaimException e) {
            return AuthResult.rejected("claim does not match: " + e.getClaimName());
        } catch (SecurityException e) {
            // jjwt reports a pinned-out algorithm as a SignatureException too; its message is the
            // only way to tell the two apart, and it only shapes the log line, never the outcome
            String message = String.valueOf(e.getMessage());
            if (message.startsWith("Unsupported signature algorithm")) {
                return AuthResult.rejected("algorithm not allowed: only " + algorithm + " is accepted");
            }
            return AuthResult.rejected("signature not valid for the configured " + algorithm + " key");
        } catch (UnsupportedJwtException e) {
            return AuthResult.rejected("unsupported token: only " + algorithm + "-signed JWS is accepted");
        } catch (MalformedJwtException e) {
            return AuthResult.rejected("malformed token");
        } catch (JwtException | IllegalArgumentException e) {
            return AuthResult.rejected("invalid token");
        } catch (RuntimeException e) {
            // a library surprise must still be a rejection, never a 500 for a bad header
            return AuthResult.rejected("invalid token");
        }
        TokenClaims.Checked checked;
        try {
            checked = claimRules.check(token, clock.millis());
        } catch (RuntimeException e) {
            return AuthResult.rejected("invalid claims");
        }
        if (checked.accepted() && cache != null) {
            cache.put(token, new Verified(checked.result(), checked.notBeforeMillis(), checked.expiresMillis()));
        }
        return checked.result();
    }

    /** Number of tokens in the verified-token cache; for tests. */
    long cachedTokens() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /**
     * A verified token and the window, in epoch millis with skew applied, in which it stays
     * valid; the same window jjwt applies, so a cache hit never accepts what a parse would not.
     */
    private record Verified(AuthResult result, long notBeforeMillis, long expiresMillis) {
        boolean usableAt(long nowMillis) {
            return nowMillis >= notBeforeMillis && nowMillis <= expiresMillis;
        }
    }

    /** Configures a {@link JwtAuthenticator}; every bad value fails fast, naming it. */
    public static final class Builder {

        private SecretKey hmacKey;
        private PublicKey publicKey;
        private SecureDigestAlgorithm<?, ?> algorithm;
        private String issuer;
        private String audience;
        private Duration clockSkew = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();
        private long cacheSize = DEFAULT_CACHE_SIZE;
        private Duration maxTokenLifetime = DEFAULT_MAX_TOKEN_LIFETIME;

        private Builder() {
        }

        /**
         * Accepts HS256 tokens signed with {@code secret}, which must be at least
         * {@value #MIN_HS256_SECRET_BYTES} bytes. The array is copied.
         */
        public Builder hs256Secret(byte[] secret) {
            Objects.requireNonNull(secret, "secret");
            SecretKey key = hs256Key(secret);
            setAlgorithm(Jwts.SIG.HS256);
            this.hmacKey = key;
            return this;
        }

        /** Accepts HS256 tokens signed with the UTF-8 bytes of {@code secret}. */
        public Builder hs256Secret(String secret) {
            Objects.requireNonNull(secret, "secret");
            return hs256Secret(secret.getBytes(StandardCharsets.UTF_8));
        }

        /** Accepts RS256 tokens verified with {@code key}, an RSA public key of 2048 bits or more. */
        public Builder rsaPublicKey(PublicKey key) {
            Objects.requireNonNull(key, "key");
            if (!(key instanceof RSAPublicKey rsa)) {
                throw new IllegalArgumentException("rsaPublicKey needs an RSA public key, was " + key.getAlgorithm());
            }
            int bits = rsa.getModulus().bitLength();
            if (bits < 2048) {
                throw new IllegalArgumentException("RSA key must be at least 2048 bits, was " + bits);
            }
            setAlgorithm(Jwts.SIG.RS256);
            this.publicKey = key;
            return this;
        }

        /** Accepts ES256 tokens verified with {@code key}, an EC public key on curve P-256. */
        public Builder ecPublicKey(PublicKey key) {
            Objects.requireNonNull(key, "key");
            if (!(key instanceof ECPublicKey ec)) {
                throw new IllegalArgumentException("ecPublicKey needs an EC public key, was " + key.getAlgorithm());
            }
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            if (bits != 256) {
                throw new IllegalArgumentException("ES256 needs an EC key on P-256, was a " + bits + "-bit curve");
            }
            setAlgorithm(Jwts.SIG.ES256);
            this.publicKey = key;
            return this;
        }

        /** Requires the {@code iss} claim to equal {@code issuer}. */
        public Builder issuer(String issuer) {
            this.issuer = requireText(issuer, "issuer");
            return this;
        }

        /** Requires the {@code aud} claim to be, or contain, {@code audience}. */
        public Builder audience(String audience) {
            this.audience = requireText(audience, "audience");
            return this;
        }

        /**
         * Tolerance for {@code exp} and {@code nbf} against this machine's clock; default 60 s,
         * at most {@link #MAX_CLOCK_SKEW}. Counted in whole seconds (a fraction is dropped), as
         * jjwt does.
         */
        public Builder clockSkew(Duration skew) {
            Objects.requireNonNull(skew, "clockSkew");
            if (skew.isNegative()) {
                throw new IllegalArgumentException("clockSkew must not be negative, was " + skew);
            }
            if (skew.compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new IllegalArgumentException("clockSkew must be at most " + MAX_CLOCK_SKEW + ", was " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        /** The clock for {@code exp} and {@code nbf}; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How many verified tokens to remember (default {@value #DEFAULT_CACHE_SIZE});
         * 0 verifies every token from scratch.
         */
        public Builder cacheSize(long size) {
            if (size < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, was " + size);
            }
            this.cacheSize = size;
            return this;
        }

        /**
         * The longest a token may still be valid for: one whose {@code exp} lies further ahead
         * than this (plus the skew) is refused, so a leaked long-lived token is worth little.
         * Default {@link #DEFAULT_MAX_TOKEN_LIFETIME}; 1 minute to {@link #MAX_TOKEN_LIFETIME}.
         */
        public Builder maxTokenLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "maxTokenLifetime");
            if (lifetime.compareTo(Duration.ofMinutes(1)) < 0 || lifetime.compareTo(MAX_TOKEN_LIFETIME) > 0) {
                throw new IllegalArgumentException("maxTokenLifetime must be 1 minute to " + MAX_TOKEN_LIFETIME
                        + ", was " + lifetime);
            }
            this.maxTokenLifetime = lifetime;
            return this;
        }

        /**
         * Builds the authenticator.
         *
         * @throws IllegalStateException if no key was configured
         */
        public JwtAuthenticator build() {
            if (algorithm == null) {
                throw new IllegalStateException(
                        "no key configured: call hs256Secret, rsaPublicKey or ecPublicKey");
            }
            return new JwtAuthenticator(this);
        }

        private void setAlgorithm(SecureDigestAlgorithm<?, ?> next) {
            if (algorithm != null && algorithm != next) {
                throw new IllegalStateException("a " + algorithm.getId() + " key is already configured;"
                        + " configure exactly one of hs256Secret, rsaPublicKey, ecPublicKey");
            }
            algorithm = next;
        }

        private static String requireText(String value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value;
        }
    }

    /** An HS256 key from raw bytes, rejecting secrets shorter than the hash. Shared with DevTokens. */
    static SecretKey hs256Key(byte[] secret) {
        if (secret.length < MIN_HS256_SECRET_BYTES) {
            throw new IllegalArgumentException("HS256 secret must be at least " + MIN_HS256_SECRET_BYTES
                    + " bytes, was " + secret.length + " bytes");
        }
        // named HmacSHA256 whatever the length, so a long secret is never mistaken for an HS512 key
        return new SecretKeySpec(secret, "HmacSHA256");
    }
}
