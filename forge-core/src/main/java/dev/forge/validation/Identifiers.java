package dev.forge.validation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides whether an identifier that is outside its alphabet is an attack or just a misfit. Both
 * fail; the difference is the status code and the message the sender sees.
 */
final class Identifiers {

    private Identifiers() {
    }

    /**
     * Why {@code value} (already known not to match its alphabet) is a security problem, or empty
     * when it is an ordinary schema misfit such as a space or an accented letter.
     */
    static Optional<String> securityReason(String value) {
        Optional<String> attack = UnsafeText.check(value);
        if (attack.isPresent()) {
            return attack;
        }
        String folded = TextNormalizer.nfkc(value);
        String normalized = UnsafeText.normalize(value);
        if (normalized.indexOf('/') >= 0 || normalized.indexOf('\\') >= 0) {
            return Optional.of("contains a path separator");
        }
        if (normalized.equals(".") || normalized.equals("..")) {
            return Optional.of(UnsafeText.Threat.PATH_TRAVERSAL.reason());
        }
        if (!normalized.equals(folded)) {
            // A plain identifier never needs escaping: encoding one is an attempt to slip past.
            return Optional.of("contains percent-encoding");
        }
        return Optional.empty();
    }

    static boolean matches(Pattern alphabet, String value) {
        return alphabet.matcher(value).matches();
    }
}
