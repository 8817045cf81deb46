package dev.forge.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forge.testing.MutableClock;
import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Generated claims, correctly signed, against the strict claim rules: only a token whose time
 * claims are in-range JSON numbers and whose text claims are printable gets in.
 */
class StrictClaimsProperties {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HS256 = JwtAuthenticatorTest.HS256;

    private final MutableClock clock = MutableClock.startingAt2026();
    private final JwtAuthenticator auth = JwtAuthenticator.builder()
            .hs256Secret(JwtAuthenticatorTest.SECRET).clock(clock).cacheSize(0).build();

    private long now() {
        return clock.millis() / 1000;
    }

    private ObjectNode valid(String sub) {
        ObjectNode claims = JSON.createObjectNode();
        claims.put("sub", sub);
        claims.putArray("roles").add("user");
        claims.put("exp", now() + 600);
        claims.put("iat", now());
        return claims;
    }

    private AuthResult send(ObjectNode claims) {
        return auth.authenticate(HandMadeJwt.hmac("HmacSHA256", JwtAuthenticatorTest.SECRET, HS256, claims.toString()));
    }

    @Property(tries = 300)
    void printableSubject_isAcceptedAsTheUserId(@ForAll("printableText") String sub) {
        AuthResult result = send(valid(sub));

        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(((AuthResult.Authenticated) result).principal().userId()).isEqualTo(sub);
    }

    @Property(tries = 300)
    void subjectOrNameWithAControlCharacter_isRejected(@ForAll("printableText") String text,
            @ForAll("unprintable") char bad, @ForAll @IntRange(max = 300) int at, @ForAll("textClaims") String claim) {
        int index = Math.min(at, text.length());
        String poisoned = text.substring(0, index) + bad + text.substring(index);
        ObjectNode claims = valid("u-1");
        claims.put(claim, poisoned);

        assertThat(send(claims)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Property(tries = 100)
    void textLongerThan256_isRejected(@ForAll @IntRange(min = 257, max = 2000) int length,
            @ForAll("textClaims") String claim) {
        ObjectNode claims = valid("u-1");
        claims.put(claim, "a".repeat(length));

        assertThat(send(claims)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Property(tries = 300)
    void timeClaimThatIsNotAnInRangeNumber_isRejected(@ForAll("timeClaims") String claim,
            @ForAll("badTimes") Object value) {
        ObjectNode claims = valid("u-1");
        claims.set(claim, JSON.valueToTree(value));

        assertThat(send(claims)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Property(tries = 200)
    void issuedAt_isRejectedExactlyWhenFurtherInTheFutureThanTheSkew(
            @ForAll @IntRange(min = -100_000, max = 100_000) int offsetSeconds) {
        ObjectNode claims = valid("u-1");
        claims.put("iat", now() + offsetSeconds);

        AuthResult result = send(claims);

        if (offsetSeconds > 60) {
            assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        } else {
            assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        }
    }

    @Property(tries = 200)
    void expiry_isRejectedExactlyWhenBeyondTheMaximumLifetime(
            @ForAll @IntRange(min = 1, max = 400_000) int aheadSeconds) {
        ObjectNode claims = valid("u-1");
        claims.put("exp", now() + aheadSeconds);

        AuthResult result = send(claims);

        if (aheadSeconds > 24 * 3600 + 60) {
            assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        } else {
            assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        }
    }

    @Provide
    Arbitrary<String> printableText() {
        return Arbitraries.strings().alpha().numeric().withChars("-_.@ éß漢字")
                .ofMinLength(1).ofMaxLength(256)
                .filter(s -> !s.isBlank());
    }

    @Provide
    Arbitrary<Character> unprintable() {
        return Arbitraries.oneOf(
                Arbitraries.chars().range('\u0000', '\u001F'),
                Arbitraries.chars().range('\u007F', '\u009F'),
                Arbitraries.of('\u2028', '\u2029', '\u202E', '\u2066', '\u200B', '\uFEFF'));
    }

    @Provide
    Arbitrary<String> textClaims() {
        return Arbitraries.of("sub", "name", "preferred_username");
    }

    @Provide
    Arbitrary<String> timeClaims() {
        return Arbitraries.of("exp", "nbf", "iat");
    }

    @Provide
    Arbitrary<Object> badTimes() {
        long now = now();
        return Arbitraries.oneOf(
                // a number as text, an ISO date: jjwt alone would convert both
                Arbitraries.longs().between(now - 60, now + 600).map(String::valueOf),
                Arbitraries.just("2026-01-01T00:00:00Z"),
                Arbitraries.of(true, false),
                Arbitraries.just(java.util.List.of(now + 600)),
                Arbitraries.just(java.util.Map.of("seconds", now + 600)),
                // beyond year 9999, and so large that longValue() would wrap
                Arbitraries.bigIntegers().between(BigInteger.valueOf(TokenClaims.MAX_NUMERIC_DATE + 1),
                        BigInteger.TEN.pow(38)),
                Arbitraries.longs().between(Long.MIN_VALUE, -1),
                Arbitraries.just(new BigDecimal("1e30")));
    }
}
