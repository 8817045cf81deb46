package dev.forge.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds compact JWS strings by hand, with JDK crypto only, for the tokens jjwt refuses to make:
 * unsigned, HMAC keyed with a public key, odd headers, tampered parts.
 */
final class HandMadeJwt {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();

    private HandMadeJwt() {
    }

    static String b64(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    static String decode(String part) {
        return new String(B64_DECODE.decode(part), StandardCharsets.UTF_8);
    }

    /** header.payload. with an empty signature. */
    static String unsigned(String headerJson, String payloadJson) {
        return b64(headerJson) + "." + b64(payloadJson) + ".";
    }

    /** header.payload.HMAC(key) with the JCA MAC named {@code jcaMac}, e.g. HmacSHA256. */
    static String hmac(String jcaMac, byte[] key, String headerJson, String payloadJson) {
        String signingInput = b64(headerJson) + "." + b64(payloadJson);
        try {
            Mac mac = Mac.getInstance(jcaMac);
            mac.init(new SecretKeySpec(key, jcaMac));
            return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** header.payload.RSASSA-PKCS1-v1_5-SHA256(key). */
    static String rs256(PrivateKey key, String headerJson, String payloadJson) {
        String signingInput = b64(headerJson) + "." + b64(payloadJson);
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same token with its payload replaced, keeping the old signature. */
    static String withPayload(String token, String payloadJson) {
        String[] parts = token.split("\\.", -1);
        return parts[0] + "." + b64(payloadJson) + "." + parts[2];
    }

    /** The same token with one character in the middle of its signature changed. */
    static String withFlippedSignature(String token) {
        int dot = token.lastIndexOf('.');
        String signature = token.substring(dot + 1);
        // the middle character carries 6 signature bits, unlike the last one whose low bits are padding
        int mid = signature.length() / 2;
        char flipped = signature.charAt(mid) == 'A' ? 'B' : 'A';
        return token.substring(0, dot + 1) + signature.substring(0, mid) + flipped + signature.substring(mid + 1);
    }
}
