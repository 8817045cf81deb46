package dev.forge.validation;

import java.util.Optional;

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

    /** {@code [A-Za-z0-9_-]{1,100}}: a project name. */
    static boolean isProjectName(String value) {
        int length = value.length();
        if (length < 1 || length > 100) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (!isLowerOrDigit(c) && !(c >= 'A' && c <= 'Z') && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** {@code [a-z][a-z0-9_]{0,31}}: a build parameter's key. */
    static boolean isParameterKey(String value) {
        int length = value.length();
        if (length < 1 || length > 32 || !(value.charAt(0) >= 'a' && value.charAt(0) <= 'z')) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = value.charAt(i);
            if (!isLowerOrDigit(c) && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}
