package dev.forge.validation;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
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
        StringBuilder out = new StringBuilder(text.length());
        ByteBuffer bytes = null;
        boolean malformed = false;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < n && isHex(text.charAt(i + 1))
                    && isHex(text.charAt(i + 2))) {
                if (bytes == null) {
                    bytes = ByteBuffer.allocate(n / 3 + 1);
                }
                bytes.put((byte) (hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2))));
                i += 3;
                continue;
            }
            if (bytes != null && bytes.position() > 0) {
                malformed |= flush(bytes, out);
            }
            if (c == '%' && i + 5 < n && (text.charAt(i + 1) == 'u'
                    || text.charAt(i + 1) == 'U') && isHex(text.charAt(i + 2))
                    && isHex(text.charAt(i + 3)) && isHex(text.charAt(i + 4))
                    && isHex(text.charAt(i + 5))) {
                out.append((char) (hex(text.charAt(i + 2)) << 12 | hex(text.charAt(i + 3)) << 8
                        | hex(text.charAt(i + 4)) << 4 | hex(text.charAt(i + 5))));
                i += 6;
                continue;
            }
            out.append(c);
            i++;
        }
        if (bytes != null && bytes.position() > 0) {
            malformed |= flush(bytes, out);
        }
        return new Result(out.toString(), malformed);
    }

    /** Decodes the pending bytes into {@code out}; true when they were not valid UTF-8. */
    private static boolean flush(ByteBuffer bytes, StringBuilder out) {
        bytes.flip();
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        boolean malformed = false;
        try {
            CharBuffer chars = strict.decode(bytes.duplicate());
            out.append(chars);
        } catch (CharacterCodingException e) {
            malformed = true;
            out.append(StandardCharsets.UTF_8.decode(bytes));
        }
        bytes.clear();
        return malformed;
    }

    static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
