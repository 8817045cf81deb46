package dev.forge.validation;

import static dev.forge.validation.AnchoredRule.at;
import static dev.forge.validation.AnchoredRule.atWord;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The detectors behind {@link UnsafeText}, grouped by threat. They run on the normalised,
 * lower-cased text with invisible format characters removed; a threat is present when any of its
 * rules is found.
 *
 * <p>Every pattern is written to stay linear on adversarial input: it starts at its anchor, its
 * repetitions are possessive ({@code *+}, {@code ++}) or bounded ({@code {0,30}}), and a
 * repetition never ranges over its own anchor characters, so no attempt re-scans another's run.
 * The adversarial-input test in {@code UnsafeTextTest} holds this in place.
 *
 * <p>The rules aim at attacks, not at words: {@code ; then run}, {@code Release 2.0 -- final},
 * {@code Run tests | report} and Markdown code spans are prose. docs/validation.md lists the
 * decisions and the examples on both sides.
 */
final class ThreatPatterns {

    /** HTML event handler names after the {@code on}. */
    private static final String HANDLERS = String.join("|",
            "abort", "after[a-z]*", "animation[a-z]*", "auxclick", "before[a-z]*", "begin",
            "blur", "can[a-z]*", "change", "click", "contextmenu", "copy", "cut", "dbl[a-z]*",
            "drag[a-z]*", "drop", "end", "error", "focus[a-z]*", "hashchange", "input", "invalid",
            "key[a-z]*", "load[a-z]*", "message", "mouse[a-z]*", "page[a-z]*", "paste", "pause",
            "play[a-z]*", "pointer[a-z]*", "popstate", "reset", "resize", "scroll", "search",
            "select[a-z]*", "show", "start", "submit", "toggle", "touch[a-z]*", "transition[a-z]*",
            "unload", "wheel");

    /** A script URL scheme, with the tab and newline browsers ignore allowed inside it. */
    private static final String SCRIPT_SCHEME =
            "(?:" + scheme("javascript") + "|" + scheme("vbscript") + ")";

    /** An SQL statement that only makes sense stacked after a {@code ;}. */
    private static final String STATEMENT = "(?:"
            + "drop\\s++(?:table|database|schema|view|index|procedure|function|trigger|user)\\b"
            + "|delete\\s++from\\b"
            + "|insert\\s++into\\b"
            + "|update\\s++[a-z0-9_.\\[\\]\"`]{1,64}\\s++set\\b"
            + "|truncate\\s++table\\b"
            + "|alter\\s++(?:table|database|user)\\b"
            + "|create\\s++(?:table|database|user|procedure|function|trigger)\\b"
            + "|exec(?:ute)?\\s*+(?:xp_|sp_|master\\.|\\()"
            + "|shutdown\\b"
            + "|select\\s[^;]{0,200}?\\bfrom\\b"
            + "|select\\s++(?:\\*|null\\b|\\d|@@|(?:pg_)?sleep\\s*+\\(|version\\s*+\\(|user\\s*+\\()"
            + "|waitfor\\s++delay\\b"
            + "|declare\\s++@"
            + "|(?:grant|revoke)\\s++[a-z]+\\s++on\\b"
            + ")";

    /** What may follow "' OR" in a tautology or condition: a comparison, a literal, a subquery. */
    private static final String CONDITION = "(?:"
            + "['\"][^'\"]{0,30}['\"]\\s*+(?:=|<>|!=|<|>|like\\b)"
            + "|\\d++\\s*+(?:=|<>|!=|<|>)"
            + "|(?:true|false|null|\\d++)\\s*+(?:--|#|;|\\)|\\z)"
            + "|\\(\\s*+select\\b"
            // a column compared with a literal: ' or name='admin, ' and id=1--
            + "|[a-z_][a-z0-9_.]{0,30}\\s*+(?:=|<>|!=|<|>|like\\b)\\s*+"
            + "(?:['\"(]|\\d++\\s*+(?:--|#|;|\\)|\\z))"
            + ")";

    /** Path traversal, raw or after decoding, and the classic targets. */
    static final List<AnchoredRule> PATH_TRAVERSAL = List.of(
            atWord("..",
                    "\\.\\.;?[/\\\\]",
                    // a trailing /.. climbs too
                    "(?<=[/\\\\])\\.\\.(?=\\z|[\\s;?#&'\"])"),
            atWord("/etc/", "/etc/(?:passwd|shadow|sudoers)(?![a-z0-9_-])"),
            atWord("/proc/self/", "/"),
            atWord("\\windows\\system32", "\\\\"));

    /** {@code OR 1=1}, {@code and 1=2}, {@code and x=x}: a constant condition. */
    private static final String TAUTOLOGY = "\\b(?:or|and)\\s++(?:"
            + "\\d++\\s*+(?:=|<>|!=|<|>)\\s*+\\d"
            + "|(?<w>[a-z_][a-z0-9_]{0,30}+)\\s*+=\\s*+\\k<w>(?![a-z0-9_])"
            + ")";

    /** Script injection: dangerous tags, script URLs, event handlers, character references. */
    static final List<AnchoredRule> SCRIPT = List.of(
            at("<",
                    "</?(?:script|iframe|object|embed|applet|frameset|frame)(?![a-z0-9-])",
                    "<[a-z!/][^<>]{0,300}?[\\s/\"']on[a-z]{2,30}\\s{0,5}="),
            // a script URL glued to its body; "JavaScript: fix lint" is a sentence
            at("jv", SCRIPT_SCHEME + "(?=\\S)").needing(":"),
            // a script URL in an attribute or url( ) position, even with a space after the colon
            at("=(\"'`", "(?:[=(][ \\t]*+|[\"'`])" + SCRIPT_SCHEME).needing(":"),
            atWord("data:", "data:[ \\t]*+text/html"),
            atWord("on", "\\bon(?:" + HANDLERS + ")[ \\t]*+=").needing("="),
            // character references: numeric ones, and the named ones only obfuscation needs
            at("&", "&#(?:x[0-9a-f]|[0-9])", "&lt;[ \\t]*+/?script",
                    "&(?:colon|tab|newline|lpar|rpar|sol|bsol|grave);"),
            // breaking out of a JavaScript string: ';alert(1)//
            at("'\";`", "['\";`][ \\t]*+(?:alert|prompt|confirm|eval)[ \\t]*+\\("));

    /**
     * SQL injection. Runs on text whose closed {@code /* ... *}{@code /} comments became spaces,
     * so {@code UNION/**}{@code /SELECT} reads as {@code UNION SELECT}.
     */
    static final List<AnchoredRule> SQL = List.of(
            at("'\"",
                    // a quote closed early, then OR/AND and a condition: ' OR 1=1, ' or 'a'='a.
                    // Not the closing quote of a quoted word ('stable' or 100): with the quotes
                    // balanced, whatever follows stays inside the query's own string literal.
                    "(?:" + notClosingAWord('\'') + "|" + notClosingAWord('"') + ")"
                            + "[\\s)]*+(?:or|and|\\|\\||&&)\\s++" + CONDITION,
                    "'(?<sq>[a-z0-9_]{0,30}+)'\\s*+=\\s*+'\\k<sq>(?![a-z0-9_])",
                    "\"(?<dq>[a-z0-9_]{0,30}+)\"\\s*+=\\s*+\"\\k<dq>(?![a-z0-9_])",
                    // a quote, then a comment that swallows the rest: admin'-- , admin' #
                    "['\"]\\)*+--(?![a-z0-9-])",
                    "['\"][\\s);]*+(?:--|#)[\\s-]*+\\z",
                    // probing the column count or grouping: ' ORDER BY 3--, ' having 1=1
                    "['\"][\\s)]*+(?:order|group)\\s++by\\s++\\d++\\s*+(?:--|#|;|\\z)",
                    "['\"][\\s)]*+having\\s++\\d++\\s*+="),
            // a stacked statement: ; DROP TABLE, '; delete from
            at(";", ";\\s*+" + STATEMENT),
            // tautologies without a quote: OR 1=1, and x=x
            atWord("or", TAUTOLOGY),
            atWord("and", TAUTOLOGY),
            // time-based blind injection: ' or sleep(5), and pg_sleep(5)
            atWord("sleep", "(?<=\\b(?:or|and)\\s{1,20}(?:pg_)?)sleep\\s*+\\("),
            atWord("load_file", "\\bload_file\\s*+\\("),
            atWord("union", "\\bunion(?:\\s++(?:all|distinct))?\\s++select\\b"),
            atWord("waitfor", "\\bwaitfor\\s++delay\\b"),
            atWord("xp_cmdshell", "\\bxp_cmdshell\\b"),
            atWord("into", "\\binto\\s++(?:out|dump)file\\b"));

    /** An escape still present after the one decode: the input was encoded twice or more. */
    static final Pattern LEFTOVER_ESCAPE =
            Pattern.compile("%(?:[0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4})");

    private ThreatPatterns() {
    }

    /** True when any of the rules is found in the text. */
    static boolean anyFoundIn(List<AnchoredRule> rules, String text) {
        for (AnchoredRule rule : rules) {
            if (rule.foundIn(text)) {
                return true;
            }
        }
        return false;
    }

    /** {@code name} with tab, LF or CR allowed between letters, then a colon. */
    private static String scheme(String name) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            if (i > 0) {
                regex.append("[\\t\\n\\r]*+");
            }
            regex.append(name.charAt(i));
        }
        return regex.append("[\\t\\n\\r]*+:").toString();
    }

    /** {@code quote}, unless it closes a word that the same quote opened: {@code 'stable'}. */
    private static String notClosingAWord(char quote) {
        String q = quote == '"' ? "\"" : "'";
        return "(?<!(?:^|[\\s(])" + q + "[^'\"\\s]{1,30})" + q;
    }
}
