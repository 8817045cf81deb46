package dev.forge.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.testing.MutableClock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevTokensTest {

    final MutableClock clock = MutableClock.startingAt2026();

    @Test
    void mint_claimsAreTheOnesAsked() {
        String token = DevTokens.hs256(JwtAuthenticatorTest.SECRET, clock)
                .mint("u-1", "Ada", Set.of(Role.USER, Role.ADMIN), Duration.ofMinutes(2));

        String payload = HandMadeJwt.decode(token.split("\\.")[1]);

        long now = clock.millis() / 1000;
        assertThat(payload).contains("\"sub\":\"u-1\"", "\"preferred_username\":\"Ada\"",
                "\"roles\":[\"user\",\"admin\"]", "\"iat\":" + now, "\"exp\":" + (now + 120));
    }

    @Test
    void mint_withLongSecret_stillSignsHs256() {
        byte[] secret64 = JwtAuthenticatorTest.SECRET_64;
        String token = DevTokens.hs256(secret64, clock).mint(Principal.user("u"), Duration.ofMinutes(1));

        assertThat(HandMadeJwt.decode(token.split("\\.")[0])).contains("\"alg\":\"HS256\"");
        assertThat(JwtAuthenticator.builder().hs256Secret(secret64).clock(clock).build().authenticate(token))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void mint_expiresAfterTtl() {
        JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(JwtAuthenticatorTest.SECRET)
                .clock(clock).clockSkew(Duration.ZERO).cacheSize(0).build();
        String token = DevTokens.hs256(JwtAuthenticatorTest.SECRET, clock).mint(Principal.user("u"), Duration.ofMinutes(1));

        clock.advance(Duration.ofSeconds(60));
        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
        clock.advance(Duration.ofSeconds(1));

        assertThat(auth.authenticate(token)).isEqualTo(AuthResult.rejected("token expired"));
    }

    @Test
    void withIssuerAndAudience_passTheAuthenticatorChecks() {
        JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(JwtAuthenticatorTest.SECRET)
                .issuer("forge-dev").audience("forge").clock(clock).build();
        DevTokens plain = DevTokens.hs256(JwtAuthenticatorTest.SECRET, clock);

        String good = plain.withIssuer("forge-dev").withAudience("forge").mint(Principal.admin("a"), Duration.ofMinutes(1));
        String noAudience = plain.withIssuer("forge-dev").mint(Principal.admin("a"), Duration.ofMinutes(1));

        assertThat(auth.authenticate(good)).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(auth.authenticate(noAudience)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void hs256_stringSecret_matchesAuthenticatorStringSecret() {
        String secret = "a-development-secret-of-32-bytes!";
        String token = DevTokens.hs256(secret, clock).mint(Principal.user("u"), Duration.ofMinutes(1));

        assertThat(JwtAuthenticator.builder().hs256Secret(secret).clock(clock).build().authenticate(token))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void hs256_shortSecret_fails() {
        assertThatThrownBy(() -> DevTokens.hs256(new byte[8]))
                .hasMessage("HS256 secret must be at least 32 bytes, was 8 bytes");
    }

    @Test
    void mint_badArguments_fail() {
        DevTokens tokens = DevTokens.hs256(JwtAuthenticatorTest.SECRET, clock);

        assertThatThrownBy(() -> tokens.mint("u", "u", Set.of(), Duration.ofMinutes(1)))
                .hasMessage("roles must not be empty");
        assertThatThrownBy(() -> tokens.mint("u", "u", Set.of(Role.USER), Duration.ZERO))
                .hasMessage("ttl must be positive, was PT0S");
        assertThatThrownBy(() -> tokens.mint(" ", "u", Set.of(Role.USER), Duration.ofMinutes(1)))
                .hasMessage("userId must not be blank");
    }
}
