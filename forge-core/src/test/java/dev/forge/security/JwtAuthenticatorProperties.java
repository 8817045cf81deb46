package dev.forge.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.testing.MutableClock;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;

/** Whatever a caller sends, authenticate answers with a result and never throws. */
class JwtAuthenticatorProperties {

    private final MutableClock clock = MutableClock.startingAt2026();
    private final JwtAuthenticator auth = JwtAuthenticator.builder()
            .hs256Secret(JwtAuthenticatorTest.SECRET).clock(clock).build();
    private final String valid = DevTokens.hs256(JwtAuthenticatorTest.SECRET, clock)
            .mint(Principal.user("u-1"), Duration.ofMinutes(10));

    @Property(tries = 300)
    void authenticate_arbitraryText_isRejectedNotThrown(@ForAll String token) {
        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Property(tries = 300)
    void authenticate_threeBase64Segments_isRejectedNotThrown(@ForAll("segments") String token) {
        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Property(tries = 500)
    void authenticate_validTokenWithOneCharacterChanged_isRejected(
            @ForAll("positions") int position, @ForAll("base64Chars") char replacement) {
        int index = position % valid.length();
        char original = valid.charAt(index);
        String mutated = valid.substring(0, index) + replacement + valid.substring(index + 1);
        AuthResult result = auth.authenticate(mutated);

        if (mutated.equals(valid)) {
            assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        } else if (index == valid.length() - 1 && sameSignificantBits(original, replacement)) {
            // the last signature character's low bits are padding a lenient decoder may ignore;
            // such a change leaves the signature bytes, and so the outcome, as they were
            assertThat(result).isNotNull();
        } else {
            assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        }
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 10_000);
    }

    @Provide
    Arbitrary<Character> base64Chars() {
        return Arbitraries.chars().with("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ");
    }

    @Provide
    Arbitrary<String> segments() {
        Arbitrary<String> segment = Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                .ofMaxLength(60);
        Arbitrary<String> header = Arbitraries.of("{\"alg\":\"HS256\"}", "{\"alg\":\"none\"}",
                        "{\"alg\":\"HS512\"}", "{}", "{\"alg\":\"HS256\",\"zip\":\"DEF\"}", "[]", "null")
                .map(HandMadeJwt::b64);
        return Combinators.combine(header, segment, segment)
                .as((h, p, s) -> h + "." + p + "." + s);
    }

    private static boolean sameSignificantBits(char a, char b) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int ia = alphabet.indexOf(a);
        int ib = alphabet.indexOf(b);
        // a 32-byte HMAC ends in a character carrying 4 data bits and 2 padding bits
        return ia >= 0 && ib >= 0 && (ia >> 2) == (ib >> 2);
    }
}
