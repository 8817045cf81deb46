package dev.forge.validation;

import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether free text (a build goal, a parameter value) carries an injection attack. The
 * text is normalised first ({@link #normalize}) so look-alikes and percent-encodings cannot hide
 * an attack, then scanned for SQL, shell, path-traversal and script injection and for control
 * characters. The rules target attack shapes rather than characters, so ordinary English passes:
 * {@code Build it; then run the tests (fast) and report coverage.} is fine,
 * {@code Build it; rm -rf /} is not.
 *
 * <p>Linear in the length of the text and allocation-light; safe to call on every request from
 * any thread. The rules and the decisions behind them are in docs/validation.md.
 */
final class UnsafeText {

    /** What kind of attack was found; {@link #reason()} is safe to show to the sender. */
    public enum Threat {
        /** A NUL, another control character, a bidirectional override, a lone surrogate. */
        CONTROL_CHARACTER("contains a control character"),
        /** Percent-encoding that is not UTF-8, or that is still there after one decode. */
        ENCODING("contains a malformed or multiply-encoded sequence"),
        /** {@code ../}, {@code ..\}, their encodings, or a well-known system file. */
        PATH_TRAVERSAL("contains a path traversal sequence"),
        /** A script tag, a script URL, an event handler attribute, an HTML character reference. */
        SCRIPT_INJECTION("contains a script injection pattern"),
        /** Command chaining or substitution, or a command after a shell separator. */
        SHELL_INJECTION("contains a shell metacharacter sequence"),
        /** A quote-breaking condition, a tautology, UNION SELECT, a stacked statement. */
        SQL_INJECTION("contains an SQL injection pattern");

        private final String reason;

        Threat(String reason) {
            this.reason = reason;
        }

        /** A short, fixed description that never quotes the offending text. */
        public String reason() {
            return reason;
        }
    }

    private UnsafeText() {
    }

    /**
     * The text the scanner looks at: Unicode NFKC (fullwidth {@code ＜} becomes {@code <}), then
     * percent-decoded exactly once ({@code %XX} as UTF-8 and {@code %uXXXX}; {@code +} stays a
     * plus), then NFKC again so encoded look-alikes fold too. Bytes that are not UTF-8 decode to
     * U+FFFD. Forge stores the original text, not this.
     *
     * @param text any text
     * @return the normalised text
     * @throws NullPointerException when {@code text} is null
     */
    public static String normalize(String text) {
        return TextNormalizer.normalize(text).text();
    }

    /**
     * Why the text is unsafe, or empty when it is not (null is not unsafe: whether a value is
     * required is a schema question).
     *
     * @param text the text to scan, as received
     * @return a reason safe to echo back, such as {@code contains a shell metacharacter sequence}
     */
    public static Optional<String> check(String text) {
        return detect(text).map(Threat::reason);
    }

    /**
     * The first threat found in the text, or empty. Checks run in a fixed order (control
     * characters, encoding, path traversal, script, SQL, shell), so the reported threat is stable.
     *
     * @param text the text to scan, as received; null is not unsafe
     * @return the threat, if any
     */
    public static Optional<Threat> detect(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        TextNormalizer.Result normalized = TextNormalizer.normalize(text);
        if (normalized.malformed()) {
            return Optional.of(Threat.ENCODING);
        }
        String folded = normalized.text();
        if (hasForbiddenCharacter(folded)) {
            return Optional.of(Threat.CONTROL_CHARACTER);
        }
        if (folded.indexOf('%') >= 0 && ThreatPatterns.LEFTOVER_ESCAPE.matcher(folded).find()) {
            return Optional.of(Threat.ENCODING);
        }
        String view = visibleLowerCase(folded);
        if (ThreatPatterns.anyFoundIn(ThreatPatterns.PATH_TRAVERSAL, view)) {
            return Optional.of(Threat.PATH_TRAVERSAL);
        }
        if (ThreatPatterns.anyFoundIn(ThreatPatterns.SCRIPT, view)) {
            return Optional.of(Threat.SCRIPT_INJECTION);
        }
        // SQL before shell: its rules need SQL shapes, so they name '; exec xp_cmdshell' better.
        if (isSql(view)) {
            return Optional.of(Threat.SQL_INJECTION);
        }
        if (ShellScan.found(view)) {
            return Optional.of(Threat.SHELL_INJECTION);
        }
        return Optional.empty();
    }

    private static boolean isSql(String view) {
        if (view.contains("/*!")) {
            return true; // MySQL runs the inside of /*! ... */, so it is code, not a comment
        }
        return ThreatPatterns.anyFoundIn(ThreatPatterns.SQL, blankSqlComments(view));
    }

    /**
     * Control characters other than tab, LF and CR (multi-line goals are fine); bidirectional
     * embeddings, overrides and isolates (they make shown text differ from stored text); lone
     * surrogates.
     */
    static boolean hasForbiddenCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20) {
                if (c != '\t' && c != '\n' && c != '\r') {
                    return true;
                }
            } else if (c >= 0x7F && isForbiddenNonAscii(text, i, c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isForbiddenNonAscii(String text, int i, char c) {
        if (c <= 0x9F) {
            return true; // DEL and the C1 controls
        }
        if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
        }
        return false;
    }

    /**
     * Lower-cased, with invisible format characters (zero-width space, soft hyphen, joiners)
     * removed so they cannot split a keyword: {@code <scr\u200Bipt>} reads as {@code <script>}.
     */
    static String visibleLowerCase(String text) {
        StringBuilder visible = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean format = c >= 0xAD && Character.getType(c) == Character.FORMAT;
            if (format && visible == null) {
                visible = new StringBuilder(text.length()).append(text, 0, i);
            } else if (!format && visible != null) {
                visible.append(c);
            }
        }
        return (visible == null ? text : visible.toString()).toLowerCase(Locale.ROOT);
    }

    /** Replaces each closed {@code /* ... *}{@code /} with a space, in one linear pass. */
    static String blankSqlComments(String text) {
        int open = text.indexOf("/*");
        if (open < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        while (open >= 0) {
            int close = text.indexOf("*/", open + 2);
            if (close < 0) {
                break; // no later comment can close either
            }
            out.append(text, from, open).append(' ');
            from = close + 2;
            open = text.indexOf("/*", from);
        }
        return out.append(text, from, text.length()).toString();
    }
}
