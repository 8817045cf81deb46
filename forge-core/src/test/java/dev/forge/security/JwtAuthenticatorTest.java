package dev.forge.security;

import static dev.forge.security.HandMadeJwt.hmac;
import static dev.forge.security.HandMadeJwt.unsigned;
import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.testing.MutableClock;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwtAuthenticatorTest {

    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_SECRET = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SECRET_64 = ("0123456789abcdef0123456789abcdef"
            + "0123456789abcdef0123456789abcdef").getBytes(StandardCharsets.US_ASCII);
    static final String HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    static KeyPair rsa;
    static KeyPair otherRsa;
    static KeyPair ec;
    static KeyPair otherEc;

    final MutableClock clock = MutableClock.startingAt2026();

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        otherRsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
        otherEc = ecGen.generateKeyPair();
    }

    long nowSeconds() {
        return clock.millis() / 1000;
    }

    JwtAuthenticator.Builder hsBuilder() {
        return JwtAuthenticator.builder().hs256Secret(SECRET).clock(clock);
    }

    JwtAuthenticator hs() {
        return hsBuilder().build();
    }

    String payload(String extra) {
        return "{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":" + (nowSeconds() + 600)
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    String hs256(String payloadJson) {
        return hmac("HmacSHA256", SECRET, HS256, payloadJson);
    }

    static Principal principal(AuthResult result) {
        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        return ((AuthResult.Authenticated) result).principal();
    }

    static String reason(AuthResult result) {
        assertThat(result).isInstanceOf(AuthResult.Rejected.class);
        return ((AuthResult.Rejected) result).reason();
    }

    // --- accepted tokens and claim mapping ---

    @Test
    void authenticate_validHs256Token_mapsClaimsToPrincipal() {
        String token = hs256(payload("\"preferred_username\":\"Ada\",\"name\":\"Ada L\",\"roles\":[\"user\",\"admin\"]")
                .replace("\"roles\":[\"user\"],", ""));

        Principal principal = principal(hs().authenticate(token));

        assertThat(principal.userId()).isEqualTo("u-1");
        assertThat(principal.username()).isEqualTo("Ada");
        assertThat(principal.roles()).containsExactlyInAnyOrder(Role.USER, Role.ADMIN);
    }

    @Test
    void authenticate_noPreferredUsername_usesName() {
        assertThat(principal(hs().authenticate(hs256(payload("\"name\":\"Grace\"")))).username())
                .isEqualTo("Grace");
    }

    @Test
    void authenticate_noNameClaims_usesSubject() {
        assertThat(principal(hs().authenticate(hs256(payload("\"name\":\"  \"")))).username())
                .isEqualTo("u-1");
    }

    @Test
    void authenticate_unknownRolesBesideAKnownOne_ignoresThem() {
        String token = hs256(payload("").replace("[\"user\"]", "[\"superuser\",\"admin\",\"root\"]"));

        assertThat(principal(hs().authenticate(token)).roles()).containsExactly(Role.ADMIN);
    }

    @Test
    void authenticate_rs256TokenWithRsaKey_accepted() {
        String token = Jwts.builder().subject("u-2").claim("roles", List.of("admin"))
                .expiration(new Date(clock.millis() + 60_000))
                .signWith(rsa.getPrivate(), Jwts.SIG.RS256).compact();
        JwtAuthenticator auth = JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build();

        Principal principal = principal(auth.authenticate(token));

        assertThat(principal.userId()).isEqualTo("u-2");
        assertThat(principal.isAdmin()).isTrue();
        assertThat(auth.algorithm()).isEqualTo("RS256");
    }

    @Test
    void authenticate_es256TokenWithEcKey_accepted() {
        String token = Jwts.builder().subject("u-3").claim("roles", List.of("user"))
                .expiration(new Date(clock.millis() + 60_000))
                .signWith(ec.getPrivate(), Jwts.SIG.ES256).compact();
        JwtAuthenticator auth = JwtAuthenticator.builder().ecPublicKey(ec.getPublic()).clock(clock).build();

        assertThat(principal(auth.authenticate(token)).userId()).isEqualTo("u-3");
        assertThat(auth.algorithm()).isEqualTo("ES256");
    }

    @Test
    void authenticate_stringSecret_usesUtf8Bytes() {
        String secret = "ünïcödé-secret-that-is-long-enough!";
        JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(secret).clock(clock).build();
        String token = hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), HS256, payload(""));

        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
    }

    // --- claims that must be rejected ---

    @Test
    void authenticate_noKnownRole_rejected() {
        String token = hs256(payload("").replace("[\"user\"]", "[\"superuser\"]"));

        assertThat(reason(hs().authenticate(token))).contains("no known role");
    }

    @Test
    void authenticate_emptyRoles_rejected() {
        assertThat(reason(hs().authenticate(hs256(payload("").replace("[\"user\"]", "[]")))))
                .contains("no known role");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"user\"", "{\"user\":true}", "null", "7"})
    void authenticate_rolesNotAnArray_rejected(String roles) {
        String token = hs256(payload("").replace("[\"user\"]", roles));

        assertThat(reason(hs().authenticate(token))).contains("roles claim missing or not an array");
    }

    @Test
    void authenticate_rolesArrayWithNonString_rejected() {
        String token = hs256(payload("").replace("[\"user\"]", "[\"user\",1]"));

        assertThat(reason(hs().authenticate(token))).contains("only strings");
    }

    @Test
    void authenticate_noRolesClaim_rejected() {
        String token = hs256(payload("").replace("\"roles\":[\"user\"],", ""));

        assertThat(reason(hs().authenticate(token))).contains("roles");
    }

    @Test
    void authenticate_noSubject_rejected() {
        String token = hs256(payload("").replace("\"sub\":\"u-1\",", ""));

        assertThat(reason(hs().authenticate(token))).contains("sub");
    }

    @Test
    void authenticate_blankSubject_rejected() {
        String token = hs256(payload("").replace("\"u-1\"", "\"   \""));

        assertThat(reason(hs().authenticate(token))).contains("sub");
    }

    @Test
    void authenticate_noExpiry_rejected() {
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"]}");

        assertThat(reason(hs().authenticate(token))).contains("exp");
    }

    @Test
    void authenticate_expiryNotANumber_rejected() {
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":\"soon\"}");

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    // --- strict claims ---

    @ParameterizedTest
    @ValueSource(strings = {"\"1800000000\"", "\"2030-01-01T00:00:00Z\"", "1e30", "1000000000000000000000000000000",
            "-1", "253402300800", "true", "[1800000000]", "null"})
    void authenticate_expiryNotAnInRangeNumber_rejected(String exp) {
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":" + exp + "}");

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_issuedAYearInTheFuture_rejected() {
        String token = hs256(payload("\"iat\":" + (nowSeconds() + 365L * 24 * 3600)));

        assertThat(reason(hs().authenticate(token))).isEqualTo("token issued in the future (iat)");
    }

    @Test
    void authenticate_issuedAtAsText_rejected() {
        String token = hs256(payload("\"iat\":\"" + nowSeconds() + "\""));

        assertThat(reason(hs().authenticate(token))).contains("JSON numbers");
    }

    @Test
    void authenticate_lifetimeBeyondTheMaximum_rejectedUnlessConfigured() {
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":" + (nowSeconds() + 48 * 3600) + "}");

        assertThat(reason(hs().authenticate(token))).contains("lifetime");
        assertThat(hsBuilder().maxTokenLifetime(Duration.ofDays(3)).build().authenticate(token))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"u\\u0000x", "alice\\nERROR forged", "a\\rb", "\\u001b[31mred", "a\\u202eb", "a\\u2028b", "a\\ud800b"})
    void authenticate_subjectWithControlCharacters_rejected(String sub) {
        String token = hs256("{\"sub\":\"" + sub + "\",\"roles\":[\"user\"],\"exp\":" + (nowSeconds() + 600) + "}");

        assertThat(reason(hs().authenticate(token))).contains("printable");
    }

    @Test
    void authenticate_displayNameWithANewline_rejected() {
        String token = hs256(payload("\"preferred_username\":\"Ada\\nINFO x\""));

        assertThat(reason(hs().authenticate(token))).contains("preferred_username");
    }

    @Test
    void authenticate_subjectOf257Characters_rejected() {
        String token = hs256(payload("").replace("u-1", "a".repeat(257)));

        assertThat(reason(hs().authenticate(token))).contains("256");
        assertThat(hs().authenticate(hs256(payload("").replace("u-1", "a".repeat(256)))))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void authenticate_duplicateSubject_rejected() {
        String token = hs256(payload("\"sub\":\"admin\""));

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    // --- time ---

    @Test
    void authenticate_expiredBeyondSkew_rejected() {
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":" + (nowSeconds() - 61) + "}");

        assertThat(reason(hs().authenticate(token))).isEqualTo("token expired");
    }

    @Test
    void authenticate_expiredWithinSkew_accepted() {
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":" + (nowSeconds() - 59) + "}");

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void authenticate_zeroSkew_expiredBySecondRejected() {
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":" + (nowSeconds() - 1) + "}");

        assertThat(reason(hsBuilder().clockSkew(Duration.ZERO).build().authenticate(token)))
                .isEqualTo("token expired");
    }

    @Test
    void authenticate_notBeforeInFutureBeyondSkew_rejected() {
        String token = hs256(payload("\"nbf\":" + (nowSeconds() + 61)));

        assertThat(reason(hs().authenticate(token))).contains("not yet valid");
    }

    @Test
    void authenticate_notBeforeWithinSkew_accepted() {
        String token = hs256(payload("\"nbf\":" + (nowSeconds() + 59)));

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
    }

    // --- issuer and audience ---

    @Test
    void authenticate_matchingIssuerAndAudience_accepted() {
        JwtAuthenticator auth = hsBuilder().issuer("https://id.example").audience("forge").build();
        String token = hs256(payload("\"iss\":\"https://id.example\",\"aud\":[\"other\",\"forge\"]"));

        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void authenticate_wrongIssuer_rejected() {
        JwtAuthenticator auth = hsBuilder().issuer("https://id.example").build();

        assertThat(reason(auth.authenticate(hs256(payload("\"iss\":\"https://evil.example\"")))))
                .contains("iss");
    }

    @Test
    void authenticate_missingIssuerWhenRequired_rejected() {
        JwtAuthenticator auth = hsBuilder().issuer("https://id.example").build();

        assertThat(reason(auth.authenticate(hs256(payload(""))))).contains("iss");
    }

    @Test
    void authenticate_wrongAudience_rejected() {
        JwtAuthenticator auth = hsBuilder().audience("forge").build();

        assertThat(reason(auth.authenticate(hs256(payload("\"aud\":\"billing\""))))).contains("aud");
    }

    @Test
    void authenticate_missingAudienceWhenRequired_rejected() {
        JwtAuthenticator auth = hsBuilder().audience("forge").build();

        assertThat(reason(auth.authenticate(hs256(payload(""))))).contains("aud");
    }

    // --- attacks ---

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void authenticate_unsignedAlgNone_rejected(String alg) {
        String header = "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}";
        JwtAuthenticator auth = hs();

        assertThat(auth.authenticate(unsigned(header, payload("")))).isInstanceOf(AuthResult.Rejected.class);
        // and with the signature of a real token pasted on
        String real = hs256(payload(""));
        String pasted = unsigned(header, payload("")) + real.substring(real.lastIndexOf('.') + 1);
        assertThat(auth.authenticate(pasted)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_unsignedAlgNone_rejectedByPublicKeyAuthenticators() {
        String token = unsigned("{\"alg\":\"none\"}", payload(""));

        assertThat(JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build()
                .authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
        assertThat(JwtAuthenticator.builder().ecPublicKey(ec.getPublic()).clock(clock).build()
                .authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_hs384WithTheRightSecret_rejected() {
        String token = hmac("HmacSHA384", SECRET_64, "{\"alg\":\"HS384\"}", payload(""));
        JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(SECRET_64).clock(clock).build();

        assertThat(reason(auth.authenticate(token))).isEqualTo("algorithm not allowed: only HS256 is accepted");
    }

    @Test
    void authenticate_hs512WithTheRightSecret_rejected() {
        // a 64-byte secret is strong enough for HS512, so only the pinning stops this one
        String token = hmac("HmacSHA512", SECRET_64, "{\"alg\":\"HS512\"}", payload(""));
        JwtAuthenticator auth = JwtAuthenticator.builder().hs256Secret(SECRET_64).clock(clock).build();

        assertThat(reason(auth.authenticate(token))).isEqualTo("algorithm not allowed: only HS256 is accepted");
        // the same claims as HS256 with that secret are fine, so the algorithm is the only reason
        assertThat(auth.authenticate(hmac("HmacSHA256", SECRET_64, HS256, payload(""))))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void authenticate_hs256SignedWithTheRsaPublicKey_rejected() {
        // the classic confusion: the verifier's public key is public, so an attacker HMACs with it
        byte[] publicKeyBytes = rsa.getPublic().getEncoded();
        String token = hmac("HmacSHA256", publicKeyBytes, HS256, payload("\"roles\":[\"admin\"]")
                .replace("\"roles\":[\"user\"],", ""));
        JwtAuthenticator auth = JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build();

        assertThat(reason(auth.authenticate(token))).isEqualTo("algorithm not allowed: only RS256 is accepted");
    }

    @Test
    void authenticate_hs256SignedWithThePemOfTheRsaPublicKey_rejected() {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(rsa.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        String token = hmac("HmacSHA256", pem.getBytes(StandardCharsets.US_ASCII), HS256, payload(""));
        JwtAuthenticator auth = JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build();

        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_hs256SignedWithTheEcPublicKey_rejected() {
        String token = hmac("HmacSHA256", ec.getPublic().getEncoded(), HS256, payload(""));
        JwtAuthenticator auth = JwtAuthenticator.builder().ecPublicKey(ec.getPublic()).clock(clock).build();

        assertThat(reason(auth.authenticate(token))).isEqualTo("algorithm not allowed: only ES256 is accepted");
    }

    @Test
    void authenticate_rs256TokenAtAnHs256Authenticator_rejected() {
        String token = HandMadeJwt.rs256(rsa.getPrivate(), "{\"alg\":\"RS256\"}", payload(""));

        assertThat(reason(hs().authenticate(token))).isEqualTo("algorithm not allowed: only HS256 is accepted");
    }

    @Test
    void authenticate_es256TokenAtAnRs256Authenticator_rejected() {
        String token = Jwts.builder().subject("u-1").claim("roles", List.of("user"))
                .expiration(new Date(clock.millis() + 60_000))
                .signWith(ec.getPrivate(), Jwts.SIG.ES256).compact();

        assertThat(JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build()
                .authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_rs384TokenWithTheRightRsaKey_rejected() {
        String token = Jwts.builder().subject("u-1").claim("roles", List.of("user"))
                .expiration(new Date(clock.millis() + 60_000))
                .signWith(rsa.getPrivate(), Jwts.SIG.RS384).compact();

        assertThat(reason(JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build()
                .authenticate(token))).isEqualTo("algorithm not allowed: only RS256 is accepted");
    }

    @Test
    void authenticate_ps256TokenWithTheRightRsaKey_rejected() {
        String token = Jwts.builder().subject("u-1").claim("roles", List.of("user"))
                .expiration(new Date(clock.millis() + 60_000))
                .signWith(rsa.getPrivate(), Jwts.SIG.PS256).compact();

        assertThat(JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build()
                .authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_embeddedJwkOfTheAttacker_rejected() {
        // the attacker signs with their own key and ships its public half in the header
        String token = Jwts.builder()
                .header().add("jwk", io.jsonwebtoken.security.Jwks.builder().key(
                        (java.security.interfaces.ECPublicKey) otherEc.getPublic()).build()).and()
                .subject("u-1").claim("roles", List.of("admin"))
                .expiration(new Date(clock.millis() + 60_000))
                .signWith(otherEc.getPrivate(), Jwts.SIG.ES256).compact();

        assertThat(reason(JwtAuthenticator.builder().ecPublicKey(ec.getPublic()).clock(clock).build()
                .authenticate(token))).startsWith("signature not valid");
    }

    @Test
    void authenticate_tamperedPayload_rejected() {
        String token = hs256(payload(""));
        String escalated = HandMadeJwt.withPayload(token, payload("").replace("[\"user\"]", "[\"admin\"]"));

        assertThat(reason(hs().authenticate(escalated))).startsWith("signature not valid");
    }

    @Test
    void authenticate_tamperedSignature_rejected() {
        JwtAuthenticator auth = hs();
        String token = hs256(payload(""));
        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);

        assertThat(reason(auth.authenticate(HandMadeJwt.withFlippedSignature(token)))).startsWith("signature not valid");
    }

    @Test
    void authenticate_tamperedHeader_rejected() {
        String token = hs256(payload(""));
        String otherHeader = HandMadeJwt.b64("{\"typ\":\"JWT\",\"alg\":\"HS256\"}");
        String tampered = otherHeader + token.substring(token.indexOf('.'));

        assertThat(reason(hs().authenticate(tampered))).startsWith("signature not valid");
    }

    @Test
    void authenticate_wrongSecret_rejected() {
        String token = hmac("HmacSHA256", OTHER_SECRET, HS256, payload(""));

        assertThat(reason(hs().authenticate(token))).startsWith("signature not valid");
    }

    @Test
    void authenticate_wrongRsaKey_rejected() {
        String token = HandMadeJwt.rs256(otherRsa.getPrivate(), "{\"alg\":\"RS256\"}", payload(""));
        JwtAuthenticator auth = JwtAuthenticator.builder().rsaPublicKey(rsa.getPublic()).clock(clock).build();

        assertThat(reason(auth.authenticate(token))).startsWith("signature not valid");
        // and the hand-made signer is right: the matching key accepts the same construction
        assertThat(auth.authenticate(HandMadeJwt.rs256(rsa.getPrivate(), "{\"alg\":\"RS256\"}", payload(""))))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void authenticate_wrongEcKey_rejected() {
        String token = Jwts.builder().subject("u-1").claim("roles", List.of("user"))
                .expiration(new Date(clock.millis() + 60_000))
                .signWith(otherEc.getPrivate(), Jwts.SIG.ES256).compact();

        assertThat(JwtAuthenticator.builder().ecPublicKey(ec.getPublic()).clock(clock).build()
                .authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_compressedPayload_rejected() {
        String token = Jwts.builder().subject("u-1").claim("roles", List.of("user"))
                .expiration(new Date(clock.millis() + 60_000))
                .compressWith(Jwts.ZIP.DEF)
                .signWith(JwtAuthenticator.hs256Key(SECRET), Jwts.SIG.HS256).compact();

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_unknownCriticalHeader_rejected() {
        String token = hmac("HmacSHA256", SECRET, "{\"alg\":\"HS256\",\"crit\":[\"x-forge\"],\"x-forge\":1}",
                payload(""));

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_encryptedToken_rejected() {
        String jwe = HandMadeJwt.b64("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}") + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA";

        assertThat(hs().authenticate(jwe)).isInstanceOf(AuthResult.Rejected.class);
    }

    // --- malformed input ---

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a.b", "a.b.c", "a.b.c.d", "...", "..", "e30.e30.", "e30.e30.e30",
        "Bearer x.y.z", "eyJhbGciOiJIUzI1NiJ9.!!!.abc", "eyJhbGciOiJIUzI1NiJ9.W10.abc",
        "eyJhbGciOiJIUzI1NiJ9 .e30.abc", "\u0000.\u0000.\u0000"})
    void authenticate_malformedText_rejected(String token) {
        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_headerNotJson_rejected() {
        String token = hmac("HmacSHA256", SECRET, "not json", payload(""));

        assertThat(hs().authenticate(token)).isInstanceOf(AuthResult.Rejected.class);
    }

    @Test
    void authenticate_payloadNotAnObject_rejected() {
        assertThat(hs().authenticate(hs256("[1,2,3]"))).isInstanceOf(AuthResult.Rejected.class);
        assertThat(hs().authenticate(hs256("plain text"))).isInstanceOf(AuthResult.Rejected.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void authenticate_emptyOrBlank_rejected(String token) {
        assertThat(reason(hs().authenticate(token))).isEqualTo("empty token");
    }

    @Test
    void authenticate_null_rejected() {
        assertThat(reason(hs().authenticate(null))).isEqualTo("empty token");
    }

    @Test
    void authenticate_validButLongerThanCap_rejectedBeforeParsing() {
        JwtAuthenticator auth = hs();
        String padding = "x".repeat(JwtAuthenticator.MAX_TOKEN_LENGTH);
        String tooLong = hs256(payload("\"pad\":\"" + padding + "\""));
        // the largest padding that still fits proves the cap, not the signature, decides
        String fits = hs256(payload("\"pad\":\"" + padding.substring(0, 5000) + "\""));

        assertThat(reason(auth.authenticate(tooLong))).contains("longer than 8192");
        assertThat(auth.authenticate(fits)).isInstanceOf(AuthResult.Authenticated.class);
    }

    // --- cache ---

    @Test
    void authenticate_cachedToken_rejectedOnceExpired() {
        JwtAuthenticator auth = hs();
        String token = hs256("{\"sub\":\"u-1\",\"roles\":[\"user\"],\"exp\":" + (nowSeconds() + 10) + "}");
        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(auth.cachedTokens()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(10 + 60));
        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);
        clock.advance(Duration.ofMillis(1));

        assertThat(reason(auth.authenticate(token))).isEqualTo("token expired");
        assertThat(auth.cachedTokens()).isZero();
    }

    @Test
    void authenticate_cachedToken_rejectedWhenClockMovesBeforeNotBefore() {
        JwtAuthenticator auth = hs();
        String token = hs256(payload("\"nbf\":" + nowSeconds()));
        assertThat(auth.authenticate(token)).isInstanceOf(AuthResult.Authenticated.class);

        clock.advance(Duration.ofSeconds(-61));

        assertThat(reason(auth.authenticate(token))).contains("not yet valid");
    }

    @Test
    void authenticate_secondCallWithCache_returnsTheCachedResult() {
        JwtAuthenticator auth = hs();
        String token = hs256(payload(""));

        AuthResult first = auth.authenticate(token);

        assertThat(auth.authenticate(new String(token.toCharArray()))).isSameAs(first);
    }

    @Test
    void authenticate_cacheDisabled_verifiesEveryTime() {
        JwtAuthenticator auth = hsBuilder().cacheSize(0).build();
        String token = hs256(payload(""));

        AuthResult first = auth.authenticate(token);

        assertThat(auth.authenticate(token)).isNotSameAs(first).isEqualTo(first);
        assertThat(auth.cachedTokens()).isZero();
    }

    @Test
    void authenticate_rejectedTokens_notCached() {
        JwtAuthenticator auth = hs();

        auth.authenticate(hmac("HmacSHA256", OTHER_SECRET, HS256, payload("")));
        auth.authenticate(hs256(payload("").replace("[\"user\"]", "[]")));

        assertThat(auth.cachedTokens()).isZero();
    }

    @Test
    void authenticate_cacheIsBounded() {
        JwtAuthenticator auth = hsBuilder().cacheSize(3).build();
        for (int i = 0; i < 20; i++) {
            assertThat(auth.authenticate(hs256(payload("\"jti\":\"" + i + "\""))))
                    .isInstanceOf(AuthResult.Authenticated.class);
        }

        assertThat(auth.cachedTokens()).isLessThanOrEqualTo(3);
    }

    @Test
    void authenticate_devToken_roundTrips() {
        String token = DevTokens.hs256(SECRET, clock).mint("u-9", "Nine", Set.of(Role.ADMIN), Duration.ofMinutes(5));

        Principal principal = principal(hs().authenticate(token));

        assertThat(principal).isEqualTo(new Principal("u-9", "Nine", Set.of(Role.ADMIN)));
    }
}
