package dev.forge.validation;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The normalisation half of {@link UnsafeText}: NFKC, one round of percent-decoding, NFKC again.
 * Kept apart so the decoder's rules (what counts as an escape, what a malformed one does) live in
 * one place.
 */
final class TextNormalizer {

    /** The normalised text and whether decoding met bytes that are not UTF-8. */
    record Result(String text, boolean malformed) {
    }

    private TextNormalizer() {
    }

    static Result normalize(String raw) {
        String folded = nfkc(raw);
        if (folded.indexOf('%') < 0) {
            return new Result(folded, false);
        }
        Result decoded = percentDecodeOnce(folded);
        // A second NFKC folds look-alikes that arrived percent-encoded (%EF%BC%9C is '<' fullwidth).
        return new Result(nfkc(decoded.text()), decoded.malformed());
    }

    static String nfkc(String text) {
        return Normalizer.isNormalized(text, Normalizer.Form.NFKC)
                ? text : Normalizer.normalize(text, Normalizer.Form.NFKC);
    }

    /**
     * Decodes {@code %XX} runs as UTF-8 and {@code %uXXXX} as one UTF-16 unit, exactly once. A
     * {@code %} that starts neither stays as it is, and {@code +} stays a plus: a JSON body is not
     * a form. Bytes that are not valid UTF-8 (overlong {@code %C0%AE} and friends) become U+FFFD
     * and set the malformed flag.
     */
    static Result percentDecodeOnce(String text) {
        int n = text.length();
        StringBuilder out = new StringBuilder(n);
        byte[] bytes = new byte[n / 3 + 1];
        int pending = 0;
        boolean malformed = false;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < n && isHex(text.charAt(i + 1)) && isHex(text.charAt(i + 2))) {
                bytes[pending++] = (byte) (hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2)));
                i += 3;
                continue;
            }
            if (pending > 0) {
                malformed |= flush(bytes, pending, out);
                pending = 0;
            }
            if (c == '%' && i + 5 < n && (text.charAt(i + 1) == 'u' || text.charAt(i + 1) == 'U')
                    && isHex(text.charAt(i + 2)) && isHex(text.charAt(i + 3))
                    && isHex(text.charAt(i + 4)) && isHex(text.charAt(i + 5))) {
                out.append((char) (hex(text.charAt(i + 2)) << 12 | hex(text.charAt(i + 3)) << 8
                        | hex(text.charAt(i + 4)) << 4 | hex(text.charAt(i + 5))));
                i += 6;
                continue;
            }
            out.append(c);
            i++;
        }
        if (pending > 0) {
            malformed |= flush(bytes, pending, out);
        }
        return new Result(out.toString(), malformed);
    }

    /** Appends the pending bytes as UTF-8; true when they were not well-formed UTF-8. */
    private static boolean flush(byte[] bytes, int length, StringBuilder out) {
        out.append(new String(bytes, 0, length, StandardCharsets.UTF_8));
        return !isWellFormedUtf8(bytes, length);
    }

    /**
     * Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above
     * U+10FFFF, no stray continuation bytes. (The JDK's lenient decoding would quietly replace
     * these, and the replacement is exactly what an evasion hopes for.)
     */
    static boolean isWellFormedUtf8(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            int b = bytes[i] & 0xFF;
            int extra;
            int min;
            if (b < 0x80) {
                i++;
                continue;
            } else if (b >= 0xC2 && b <= 0xDF) {
                extra = 1;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                extra = 2;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                extra = 3;
                min = 0x10000;
            } else {
                return false; // a continuation byte, an overlong lead (C0, C1) or F5..FF
            }
            if (i + extra >= length) {
                return false;
            }
            int cp = b & (0x3F >> extra);
            for (int k = 1; k <= extra; k++) {
                int next = bytes[i + k] & 0xFF;
                if ((next & 0xC0) != 0x80) {
                    return false;
                }
                cp = cp << 6 | (next & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += extra + 1;
        }
        return true;
    }

    static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
