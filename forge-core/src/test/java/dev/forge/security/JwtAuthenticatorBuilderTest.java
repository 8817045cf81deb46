package dev.forge.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorBuilderTest {

    @Test
    void hs256Secret_shorterThan32Bytes_failsNamingTheLength() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().hs256Secret(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HS256 secret must be at least 32 bytes, was 31 bytes");
    }

    @Test
    void hs256Secret_stringCountsUtf8Bytes() {
        // 16 characters, 32 bytes in UTF-8: long enough
        assertThat(JwtAuthenticator.builder().hs256Secret("é".repeat(16)).build().algorithm()).isEqualTo("HS256");
        assertThatThrownBy(() -> JwtAuthenticator.builder().hs256Secret("é".repeat(15)))
                .hasMessageContaining("was 30 bytes");
    }

    @Test
    void hs256Secret_copiesTheArray() {
        byte[] secret = JwtAuthenticatorTest.SECRET.clone();
        JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(secret).cacheSize(0).build();
        String token = DevTokens.hs256(JwtAuthenticatorTest.SECRET).mint(Principal.user("u"), Duration.ofMinutes(1));

        secret[0] ^= 1;

        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void build_noKey_failsNamingTheOptions() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().issuer("x").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no key configured")
                .hasMessageContaining("hs256Secret");
    }

    @Test
    void clockSkew_negative_fails() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().clockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clockSkew must not be negative, was PT-1S");
    }

    @Test
    void clockSkew_overTenMinutes_fails() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().clockSkew(Duration.ofMinutes(11)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clockSkew must be at most PT10M, was PT11M");
    }

    @Test
    void cacheSize_negative_fails() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().cacheSize(-1))
                .hasMessageContaining("cacheSize must be >= 0, was -1");
    }

    @Test
    void issuerAndAudience_blank_fail() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().issuer(" ")).hasMessageContaining("issuer");
        assertThatThrownBy(() -> JwtAuthenticator.builder().audience("")).hasMessageContaining("audience");
    }

    @Test
    void twoKindsOfKey_fail() throws Exception {
        PublicKey ec = ecKey("secp256r1");
        JwtAuthenticator.Builder builder = JwtAuthenticator.builder().hs256Secret(JwtAuthenticatorTest.SECRET);

        assertThatThrownBy(() -> builder.ecPublicKey(ec))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HS256 key is already configured");
    }

    @Test
    void rsaPublicKey_shorterThan2048Bits_fails() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        PublicKey small = generator.generateKeyPair().getPublic();

        assertThatThrownBy(() -> JwtAuthenticator.builder().rsaPublicKey(small))
                .hasMessage("RSA key must be at least 2048 bits, was 1024");
    }

    @Test
    void rsaPublicKey_ecKey_fails() throws Exception {
        PublicKey ec = ecKey("secp256r1");

        assertThatThrownBy(() -> JwtAuthenticator.builder().rsaPublicKey(ec))
                .hasMessage("rsaPublicKey needs an RSA public key, was EC");
    }

    @Test
    void ecPublicKey_otherCurve_fails() throws Exception {
        PublicKey p384 = ecKey("secp384r1");

        assertThatThrownBy(() -> JwtAuthenticator.builder().ecPublicKey(p384))
                .hasMessage("ES256 needs an EC key on P-256, was a 384-bit curve");
    }

    @Test
    void maxTokenLifetime_outOfRange_failsNamingTheValue() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().maxTokenLifetime(java.time.Duration.ofSeconds(59)))
                .hasMessageContaining("maxTokenLifetime").hasMessageContaining("PT59S");
        assertThatThrownBy(() -> JwtAuthenticator.builder().maxTokenLifetime(java.time.Duration.ofDays(367)))
                .hasMessageContaining("maxTokenLifetime").hasMessageContaining("PT8808H");
        assertThatThrownBy(() -> JwtAuthenticator.builder().maxTokenLifetime(null))
                .isInstanceOf(NullPointerException.class);
    }

    private static PublicKey ecKey(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair().getPublic();
    }
}
