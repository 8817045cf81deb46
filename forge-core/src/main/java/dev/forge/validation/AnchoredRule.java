package dev.forge.validation;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One detector: a pattern tried only where an anchor occurs - a character from a small set, or a
 * fixed word - and only in texts holding every character the pattern needs. A plain
 * {@code find()} would attempt every alternative at every position; attacks hinge on a few rare
 * characters and words, so this scans the text with a table lookup per character and runs the
 * regex a handful of times.
 *
 * <p>The pattern must match starting at the anchor. Bounds are transparent, so a {@code \b} or a
 * look-behind at the anchor still sees the text before it.
 */
final class AnchoredRule {

    private final boolean[] anchorChars;
    private final String anchorWord;
    private final String needs;
    private final Pattern pattern;

    private AnchoredRule(boolean[] anchorChars, String anchorWord, String needs, Pattern pattern) {
        this.anchorChars = anchorChars;
        this.anchorWord = anchorWord;
        this.needs = needs;
        this.pattern = pattern;
    }

    /** A rule tried at every occurrence of any of {@code chars} (ASCII). */
    static AnchoredRule at(String chars, String... alternatives) {
        boolean[] table = new boolean[128];
        for (int i = 0; i < chars.length(); i++) {
            table[chars.charAt(i)] = true;
        }
        return new AnchoredRule(table, null, "", compile(alternatives));
    }

    /** A rule tried at every occurrence of {@code word}. */
    static AnchoredRule atWord(String word, String... alternatives) {
        return new AnchoredRule(null, word, "", compile(alternatives));
    }

    /** This rule, skipped unless the text contains every one of {@code chars}. */
    AnchoredRule needing(String chars) {
        return new AnchoredRule(anchorChars, anchorWord, chars, pattern);
    }

    boolean foundIn(String text) {
        for (int i = 0; i < needs.length(); i++) {
            if (text.indexOf(needs.charAt(i)) < 0) {
                return false;
            }
        }
        Matcher matcher = null;
        int n = text.length();
        if (anchorWord != null) {
            for (int at = text.indexOf(anchorWord); at >= 0; at = text.indexOf(anchorWord, at + 1)) {
                matcher = matcher == null ? matcher(text) : matcher;
                if (matcher.region(at, n).lookingAt()) {
                    return true;
                }
            }
            return false;
        }
        for (int at = 0; at < n; at++) {
            char c = text.charAt(at);
            if (c < 128 && anchorChars[c]) {
                matcher = matcher == null ? matcher(text) : matcher;
                if (matcher.region(at, n).lookingAt()) {
                    return true;
                }
            }
        }
        return false;
    }

    private Matcher matcher(String text) {
        return pattern.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
    }

    private static Pattern compile(String... alternatives) {
        return Pattern.compile(alternatives.length == 1
                ? alternatives[0] : "(?:" + String.join("|", alternatives) + ")");
    }
}
