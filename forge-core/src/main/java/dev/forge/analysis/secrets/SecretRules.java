package dev.forge.analysis.secrets;

import dev.forge.analysis.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The patterns the secrets scan knows, tried in order on each line; the first that matches
 * wins, so one credential is reported once. Messages never hold the secret.
 */
final class SecretRules {

    /** One match on one line. */
    record Hit(int line, String rule, Severity severity, String message) {
    }

    static final String AWS_KEY = "secret-aws-access-key";
    static final String PRIVATE_KEY = "secret-private-key";
    static final String JWT = "secret-jwt";
    static final String ASSIGNMENT = "secret-assignment";
    static final String HIGH_ENTROPY = "secret-high-entropy";

    private static final Pattern PRIVATE_KEY_BLOCK = Pattern.compile(
            "-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----");
    private static final Pattern AWS_ACCESS_KEY = Pattern.compile(
            "(?<![A-Z0-9])((?:AKIA|ASIA)[0-9A-Z]{16})(?![A-Z0-9])");
    private static final Pattern JWT_TOKEN = Pattern.compile(
            "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}");
    /** {@code name = "value"}, {@code name: 'value'}, {@code "name": "value"}. */
    private static final Pattern QUOTED_ASSIGNMENT = Pattern.compile(
            "(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)[\"']?\\s*(?::=|=|:|=>)\\s*[\"']([^\"'\\s]{4,})[\"']");
    /** {@code name=value} in properties, env and YAML-like files, where quotes are optional. */
    private static final Pattern BARE_ASSIGNMENT = Pattern.compile(
            "^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\\s*[=:]\\s*([^\"'\\s#]{4,})\\s*$");
    private static final Pattern CREDENTIAL_NAME = Pattern.compile(
            "(?i).*(password|passwd|pwd|secret|token|api[_.-]?key|apikey|access[_.-]?key|"
                    + "private[_.-]?key|client[_.-]?secret|credentials?).*");
    private static final Pattern ENTROPY_CANDIDATE = Pattern.compile("[A-Za-z0-9+/=_-]{24,}");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

    private static final List<String> DESCRIPTIVE_SUFFIXES = List.of("header", "field", "name",
            "param", "parameter", "prefix", "label", "type", "property", "url", "uri", "path",
            "file", "endpoint", "pattern", "regex", "format", "message", "msg", "column", "attr",
            "attribute", "env", "var", "length", "size", "policy", "mode", "id");

    private SecretRules() {
    }

    /** Scans one text file; {@code bareAssignments} for properties/env/YAML-like files. */
    static List<Hit> scan(String text, boolean bareAssignments) {
        List<Hit> hits = new ArrayList<>();
        int number = 0;
        for (String line : (Iterable<String>) text.lines()::iterator) {
            number++;
            if (line.length() > 4096) {
                // Minified or generated content: too long to be a hand-written credential.
                continue;
            }
            scanLine(line, number, bareAssignments).ifPresent(hits::add);
        }
        return hits;
    }

    static Optional<Hit> scanLine(String line, int number, boolean bareAssignments) {
        // Cheap substring checks first: most lines hold none of the markers, and the regexes
        // are the cost of a scan.
        Matcher m = PRIVATE_KEY_BLOCK.matcher(line);
        if (line.contains("PRIVATE KEY") && m.find()) {
            return Optional.of(new Hit(number, PRIVATE_KEY, Severity.CRITICAL,
                    "private key block (" + m.group(1) + ") committed to the repository"));
        }
        m = AWS_ACCESS_KEY.matcher(line);
        if ((line.contains("AKIA") || line.contains("ASIA")) && m.find()) {
            return Optional.of(new Hit(number, AWS_KEY, Severity.CRITICAL,
                    "AWS access key id " + m.group(1).substring(0, 4) + "*".repeat(16)
                            + " hard-coded; rotate it and load it from the environment"));
        }
        m = JWT_TOKEN.matcher(line);
        if (line.contains("eyJ") && m.find()) {
            return Optional.of(new Hit(number, JWT, Severity.MAJOR,
                    "JSON Web Token (eyJ..., " + m.group().length() + " characters, masked) hard-coded"));
        }
        boolean quoted = line.indexOf('"') >= 0 || line.indexOf('\'') >= 0;
        boolean assigns = line.indexOf('=') >= 0 || line.indexOf(':') >= 0;
        if (!assigns) {
            return Optional.empty();
        }
        Optional<Hit> assignment = quoted ? assignment(QUOTED_ASSIGNMENT.matcher(line), number) : Optional.empty();
        if (assignment.isEmpty() && bareAssignments) {
            assignment = assignment(BARE_ASSIGNMENT.matcher(line), number);
        }
        return assignment;
    }

    private static Optional<Hit> assignment(Matcher m, int number) {
        while (m.find()) {
            String name = m.group(1);
            String value = m.group(2);
            if (CREDENTIAL_NAME.matcher(name).matches() && !isPlaceholder(name, value)) {
                return Optional.of(new Hit(number, ASSIGNMENT, Severity.MAJOR,
                        "hard-coded credential assigned to '" + name + "' (value masked, "
                                + value.length() + " characters)"));
            }
            if (ENTROPY_CANDIDATE.matcher(value).matches() && !HEX.matcher(value).matches()
                    && looksRandom(value) && entropy(value) >= 4.0) {
                return Optional.of(new Hit(number, HIGH_ENTROPY, Severity.MINOR,
                        "high-entropy string assigned to '" + name + "' looks like a key (value masked, "
                                + value.length() + " characters)"));
            }
        }
        return Optional.empty();
    }

    /**
     * Assignments that are clearly not a credential: references and templates, placeholders,
     * the name itself as value, and names that describe a credential rather than hold one
     * ({@code TOKEN_HEADER = "Authorization"}, {@code passwordField}).
     */
    static boolean isPlaceholder(String name, String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        String lowerName = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        for (String suffix : DESCRIPTIVE_SUFFIXES) {
            if (lowerName.endsWith(suffix)) {
                return true;
            }
        }
        if (value.contains("://")) {
            return true;
        }
        if (value.startsWith("${") || value.startsWith("{{") || value.startsWith("<")
                || value.startsWith("%") || value.startsWith("$") || value.contains("${")) {
            return true;
        }
        if (value.chars().distinct().count() <= 2) {
            return true; // "xxxx", "****", "...."
        }
        for (String word : List.of("changeme", "change_me", "example", "placeholder", "dummy",
                "redacted", "your_", "your-", "<", "todo", "null", "none", "undefined")) {
            if (lower.contains(word)) {
                return true;
            }
        }
        // e.g. PASSWORD_FIELD = "password": the value names the thing, it is not one.
        Matcher keyword = CREDENTIAL_NAME.matcher(name);
        return keyword.matches() && lower.replaceAll("[^a-z]", "")
                .contains(keyword.group(1).toLowerCase(Locale.ROOT).replaceAll("[^a-z]", ""));
    }

    /** Shannon entropy in bits per character. */
    static double entropy(String value) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double entropy = 0;
        double length = value.length();
        for (int count : counts) {
            if (count > 0) {
                double p = count / length;
                entropy -= p * (Math.log(p) / Math.log(2));
            }
        }
        if (other > 0) {
            double p = other / length;
            entropy -= p * (Math.log(p) / Math.log(2));
        }
        return entropy;
    }

    /**
     * Generated keys mix upper case, lower case and digits and have no long alphabetical runs;
     * identifiers ({@code iso8601_compatible_setting}) and alphabets ({@code 0123456789abc...}) do not.
     */
    static boolean looksRandom(String value) {
        boolean upper = value.chars().anyMatch(Character::isUpperCase);
        boolean lower = value.chars().anyMatch(Character::isLowerCase);
        boolean digit = value.chars().anyMatch(Character::isDigit);
        int run = 1;
        for (int i = 1; i < value.length(); i++) {
            run = value.charAt(i) == value.charAt(i - 1) + 1 ? run + 1 : 1;
            if (run >= 5) {
                return false;
            }
        }
        return upper && lower && digit;
    }
}
