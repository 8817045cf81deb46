package dev.forge.security;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * forge's own rules for the claims of a token whose signature jjwt has already verified.
 *
 * <p>They run on the payload's raw JSON, because jjwt's getters convert on the way out: a
 * numeric string or an ISO date in {@code exp} becomes a {@code Date}, and {@code 10^30}
 * wraps around in {@code longValue()}. Here the time claims must be JSON numbers in
 * {@code [0, 9999-12-31]}, {@code iat} may not lie in the future beyond the skew, {@code exp}
 * may not lie further ahead than the maximum lifetime (plus skew), and {@code sub} and the
 * display name must be printable text of bounded length. Reasons are fixed strings that never
 * quote a claim value.
 */
final class TokenClaims {

    /** Longest {@code sub} and display name accepted, in characters. */
    static final int MAX_TEXT_LENGTH = 256;

    /** The largest NumericDate accepted: 9999-12-31T23:59:59Z. */
    static final long MAX_NUMERIC_DATE = 253_402_300_799L;

    private static final String ROLES_CLAIM = "roles";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            // a second "sub" or "exp" would be read one way here and maybe another way elsewhere
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    static {
        // the payload is at most 8 KB; keep numbers short so a huge one cannot cost time
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNumberLength(40).maxNestingDepth(16).build());
    }

    private final long skewMillis;
    private final long maxLifetimeMillis;

    TokenClaims(long skewMillis, long maxLifetimeMillis) {
        this.skewMillis = skewMillis;
        this.maxLifetimeMillis = maxLifetimeMillis;
    }

    /**
     * The verdict: an {@link AuthResult} and, when accepted, the window in epoch millis with
     * skew applied in which the token stays valid (what the cache checks on every hit).
     */
    record Checked(AuthResult result, long notBeforeMillis, long expiresMillis) {
        static Checked refused(String reason) {
            return new Checked(AuthResult.rejected(reason), 0, -1);
        }

        boolean accepted() {
            return result instanceof AuthResult.Authenticated;
        }
    }

    /**
     * Applies the rules to the verified compact JWS {@code token} at {@code nowMillis}.
     *
     * @return the principal and window, or the reason for rejecting the token
     */
    Checked check(String token, long nowMillis) {
        JsonNode claims;
        try {
            int first = token.indexOf('.');
            int second = token.indexOf('.', first + 1);
            byte[] json = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
            claims = MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (Exception e) {
            // jjwt read it already, so this is a duplicate key or an absurd number
            return Checked.refused("claims are not a well-formed JSON object");
        }
        if (claims == null || !claims.isObject()) {
            return Checked.refused("claims are not a JSON object");
        }
        if (!claims.has("exp")) {
            return Checked.refused("exp claim missing");
        }
        Long exp = numericDate(claims, "exp");
        Long nbf = numericDate(claims, "nbf");
        Long iat = numericDate(claims, "iat");
        if (exp == null || (claims.has("nbf") && nbf == null) || (claims.has("iat") && iat == null)) {
            return Checked.refused("exp, nbf and iat must be JSON numbers of seconds since 1970, up to year 9999");
        }
        if (iat != null && iat > nowMillis + skewMillis) {
            return Checked.refused("token issued in the future (iat)");
        }
        if (exp > nowMillis + maxLifetimeMillis + skewMillis) {
            return Checked.refused("token lifetime exceeds the configured maximum (exp)");
        }
        JsonNode sub = claims.get("sub");
        if (sub == null || !sub.isTextual() || sub.asText().isBlank()) {
            return Checked.refused("sub claim missing or blank");
        }
        if (!printable(sub.asText())) {
            return Checked.refused("sub claim must be printable text of at most " + MAX_TEXT_LENGTH + " characters");
        }
        String username = sub.asText();
        for (String nameClaim : new String[] {"name", "preferred_username"}) {
            JsonNode name = claims.get(nameClaim);
            // non-strings and blanks are skipped, as before; present text must be clean
            if (name != null && name.isTextual() && !name.asText().isBlank()) {
                if (!printable(name.asText())) {
                    return Checked.refused(nameClaim + " claim must be printable text of at most "
                            + MAX_TEXT_LENGTH + " characters");
                }
                username = name.asText();
            }
        }
        JsonNode rawRoles = claims.get(ROLES_CLAIM);
        if (rawRoles == null || !rawRoles.isArray()) {
            return Checked.refused("roles claim missing or not an array");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (JsonNode value : rawRoles) {
            if (!value.isTextual()) {
                return Checked.refused("roles claim must hold only strings");
            }
            Role.fromWire(value.asText()).ifPresent(roles::add);
        }
        if (roles.isEmpty()) {
            return Checked.refused("no known role in roles claim");
        }
        long notBefore = nbf == null ? Long.MIN_VALUE : nbf - skewMillis;
        return new Checked(AuthResult.ok(new Principal(sub.asText(), username, roles)), notBefore, exp + skewMillis);
    }

    /** The claim in epoch millis, or null when absent or not a number within bounds. */
    private static Long numericDate(JsonNode claims, String name) {
        JsonNode node = claims.get(name);
        if (node == null || !node.isNumber()) {
            return null;
        }
        BigDecimal seconds = node.decimalValue();
        if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(MAX_NUMERIC_DATE)) > 0) {
            return null;
        }
        return seconds.movePointRight(3).longValue();
    }

    /**
     * True for text of 1 to {@value #MAX_TEXT_LENGTH} characters with no control, format
     * (bidi overrides, zero-width), line or paragraph separator characters and no unpaired
     * surrogate. The two joiners (U+200C, U+200D) are allowed: several scripts and emoji need them.
     */
    static boolean printable(String text) {
        if (text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                if (Character.getType(text.codePointAt(i)) == Character.FORMAT) {
                    return false; // tag characters and other invisible formatting
                }
                i++;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                return false;
            }
            switch (Character.getType(c)) {
                case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
                    return false;
                case Character.FORMAT:
                    if (c != '\u200C' && c != '\u200D') {
                        return false;
                    }
                    break;
                default:
                    break;
            }
        }
        return true;
    }
}
