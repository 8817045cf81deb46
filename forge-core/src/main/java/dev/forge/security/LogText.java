package dev.forge.security;

import dev.forge.Internal;

/**
 * Escapes text that a caller controls before it is written to a line-oriented log, so a value
 * can never start a new log line, rewrite one ({@code \r}), colour a terminal (ANSI {@code ESC})
 * or hide itself (bidi overrides, zero-width characters).
 *
 * <p>Escaped: every control character (C0, DEL, C1), the line and paragraph separators U+2028
 * and U+2029, and the invisible format characters (category Cf), as {@code \n}, {@code \r},
 * {@code \t} or {@code \}{@code uXXXX}; unpaired surrogates become {@code \}{@code uXXXX} too.
 * Backslashes are left alone, so a value containing the two characters {@code \n} reads the
 * same as an escaped newline: ambiguous to a reader, but it cannot forge a line. Text with
 * nothing to escape is returned as the same instance, without copying.
 */
@Internal
public final class LogText {

    private LogText() {
    }

    /** {@code text} safe for a single log line; null stays null. */
    public static String escape(CharSequence text) {
        if (text == null) {
            return null;
        }
        int length = text.length();
        int first = 0;
        while (first < length && !needsEscape(text, first)) {
            first++;
        }
        if (first == length) {
            return text.toString();
        }
        StringBuilder out = new StringBuilder(length + 16);
        out.append(text, 0, first);
        for (int i = first; i < length; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (Character.getType(Character.toCodePoint(c, text.charAt(i + 1))) == Character.FORMAT) {
                    unicode(out, c);
                    unicode(out, text.charAt(i + 1));
                } else {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (!needsEscape(text, i)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                unicode(out, c);
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(CharSequence text, int i) {
        char c = text.charAt(i);
        if (c >= 0x20 && c < 0x7F) {
            return false; // printable ASCII: the common case
        }
        if (Character.isSurrogate(c)) {
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                return Character.getType(Character.toCodePoint(c, text.charAt(i + 1))) == Character.FORMAT;
            }
            // the low half of a valid pair is judged with its high half
            return !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    private static void unicode(StringBuilder out, char c) {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        out.append("0".repeat(4 - hex.length())).append(hex);
    }
}
