package dev.forge.analysis.pmd;

import dev.forge.analysis.RuleInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import net.sourceforge.pmd.lang.rule.Rule;
import net.sourceforge.pmd.lang.rule.RuleSet;

/**
 * Each PMD rule's {@link RuleInfo}, from PMD's own rule API: the description is the first
 * sentence of {@link Rule#getDescription()}, the help link {@link Rule#getExternalInfoUrl()}.
 * PMD has no separate fix text; its violation message ({@link Rule#getMessage()}) is usually
 * an instruction ("Avoid empty catch blocks"), so that is the fix, cut before its first
 * placeholder - unless forge has a more concrete sentence for the rule.
 */
final class PmdRuleInfo {

    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s");
    private static final int MAX_DESCRIPTION = 300;

    /** Fixes more concrete than PMD's messages, for the rules that fire most. */
    private static final Map<String, String> FIXES = Map.ofEntries(
            Map.entry("EmptyCatchBlock", "Log the exception or rethrow it; if ignoring it is right, say why in a comment"),
            Map.entry("UnusedPrivateField", "Delete the unused field, or use it"),
            Map.entry("UnusedPrivateMethod", "Delete the unused method"),
            Map.entry("UnusedLocalVariable", "Delete the unused variable"),
            Map.entry("UnusedFormalParameter", "Drop the unused parameter from the signature"),
            Map.entry("AvoidCatchingGenericException",
                    "Catch the specific exceptions the code can handle instead of Exception or RuntimeException"),
            Map.entry("CloseResource", "Open the resource in a try-with-resources statement"),
            Map.entry("UseEqualsToCompareStrings", "Compare strings with equals(), not =="),
            Map.entry("ReturnFromFinallyBlock", "Move the return out of the finally block"),
            Map.entry("OverrideBothEqualsAndHashcode", "Override hashCode() together with equals()"),
            Map.entry("AvoidDeeplyNestedIfStmts", "Return early or extract a method to flatten the nesting"),
            Map.entry("GodClass", "Split the class by responsibility"),
            Map.entry("CognitiveComplexity", "Split the method into smaller, named steps"),
            Map.entry("ForgeCommandInjection",
                    "Pass each argument separately to ProcessBuilder, never a concatenated command line through a shell"),
            Map.entry("ForgeSqlConcatenation", "Use a PreparedStatement with ? parameters instead of concatenated SQL"),
            Map.entry("ForgeWeakHash", "Use SHA-256 or stronger (MessageDigest.getInstance(\"SHA-256\"))"),
            Map.entry("ForgeWeakCipher", "Use AES in GCM mode (Cipher.getInstance(\"AES/GCM/NoPadding\"))"));

    private static final Map<RuleSet, Map<String, RuleInfo>> BY_RULESET = new ConcurrentHashMap<>();

    private PmdRuleInfo() {
    }

    /** Info for every rule of the ruleset, by rule name. */
    static Map<String, RuleInfo> of(RuleSet ruleset) {
        return BY_RULESET.computeIfAbsent(ruleset, set -> {
            Map<String, RuleInfo> infos = new LinkedHashMap<>();
            for (Rule rule : set.getRules()) {
                infos.put(rule.getName(), of(rule));
            }
            return Map.copyOf(infos);
        });
    }

    static RuleInfo of(Rule rule) {
        String description = firstSentence(rule.getDescription());
        String fix = FIXES.getOrDefault(rule.getName(), instruction(rule.getMessage()));
        if (fix == null || fix.isBlank()) {
            fix = "Change the code so that " + rule.getName() + " no longer applies";
        }
        if (description.isBlank()) {
            description = fix;
        }
        return new RuleInfo(description, fix, rule.getExternalInfoUrl());
    }

    static String firstSentence(String text) {
        if (text == null) {
            return "";
        }
        String flat = SPACES.matcher(text).replaceAll(" ").strip();
        String first = SENTENCE_END.split(flat, 2)[0];
        return first.length() <= MAX_DESCRIPTION ? first : first.substring(0, MAX_DESCRIPTION - 3) + "...";
    }

    /** The message up to its first placeholder ({0}), without a dangling "such as" or quote. */
    static String instruction(String message) {
        if (message == null) {
            return null;
        }
        String flat = SPACES.matcher(message).replaceAll(" ").strip();
        int placeholder = flat.indexOf('{');
        if (placeholder >= 0) {
            flat = flat.substring(0, placeholder).replaceAll("(?i)[\\s:'\"(]*(such as|like|named|called)?[\\s:'\"(]*$", "").strip();
        }
        return flat.endsWith(".") ? flat.substring(0, flat.length() - 1) : flat;
    }
}
