package dev.forge.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.analysis.AnalysisRequest;
import dev.forge.analysis.AnalysisType;
import dev.forge.builds.BuildRequest;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * {@link PlainRequests}, the fast path of {@link RequestValidator}: whatever it calls valid,
 * Hibernate Validator finds valid, and ordinary requests do take it.
 */
class PlainRequestsProperties {

    private static final Validator HIBERNATE = Validation.byProvider(HibernateValidator.class)
            .configure().messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory().getValidator();

    @Property(tries = 5_000)
    void buildRequest_fastPathAgreesWithHibernateValidator(@ForAll("buildRequests") BuildRequest request) {
        boolean valid = HIBERNATE.validate(request).isEmpty();
        assertThat(PlainRequests.provablyValid(request)).as("%s", request).isEqualTo(valid);
    }

    @Example
    void ordinaryBuildRequest_takesTheFastPath() {
        assertThat(PlainRequests.provablyValid(new BuildRequest("shop-api",
                "Build it; then run the tests (fast) and report coverage.",
                Map.of("flavor", "release", "jdk_version", "17")))).isTrue();
    }

    @Example
    void blankGoal_orBadParameters_areLeftToHibernateValidator() {
        assertThat(PlainRequests.provablyValid(new BuildRequest("p", " \u2003 ", Map.of()))).isFalse();
        assertThat(PlainRequests.provablyValid(new BuildRequest("p", "x".repeat(2001), Map.of()))).isFalse();
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("key", null);
        assertThat(PlainRequests.provablyValid(new BuildRequest("p", "go", nullValue))).isFalse();
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i < 21; i++) {
            tooMany.put("k" + i, "v");
        }
        assertThat(PlainRequests.provablyValid(new BuildRequest("p", "go", tooMany))).isFalse();
    }

    record WithPattern(@NotNull @Pattern(regexp = "a+") String value) {
    }

    record WithCascade(@Valid @NotNull WithPattern inner) {
    }

    record WithConstrainedGetter(String value) {
        @NotNull
        public String getShout() {
            return null;
        }
    }

    @Example
    void aConstrainedGetterBesideTheComponents_goesToHibernateValidator() {
        assertThat(HIBERNATE.validate(new WithConstrainedGetter("x"))).isNotEmpty();
        assertThat(PlainRequests.provablyValid(new WithConstrainedGetter("x"))).isFalse();
    }

    @Example
    void aConstraintThePlanDoesNotKnow_alwaysGoesToHibernateValidator() {
        assertThat(PlainRequests.provablyValid(new WithPattern("aaa"))).isFalse();
        assertThat(PlainRequests.provablyValid(new WithCascade(new WithPattern("b")))).isFalse();
        assertThat(PlainRequests.provablyValid(AnalysisRequest.of("p", AnalysisType.values()))).isFalse();
        assertThat(PlainRequests.provablyValid("not a record")).isFalse();
    }

    @Provide
    Arbitrary<BuildRequest> buildRequests() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(8),
                Arbitraries.strings().withChars("ab_- ./é%").ofMaxLength(4),
                Arbitraries.of("x".repeat(100), "x".repeat(101), ""),
                Arbitraries.just(null));
        Arbitrary<String> texts = Arbitraries.oneOf(
                Arbitraries.of("Build it; then run the tests (fast) and report coverage.", "go", "修复 🚀 tests",
                        "; rm -rf /", "../../etc/hosts", "<script>alert(1)</script>", "' OR 1=1", "%2e%2e%2f",
                        " ", "\t\n", "\u2003", "\u00A0", "\u001C", "x".repeat(2000), "x".repeat(2001),
                        "🚀".repeat(1500), "🚀".repeat(2001), ""),
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.just(null));
        Arbitrary<String> keys = Arbitraries.oneOf(
                Arbitraries.strings().withChars("az09_").ofMinLength(1).ofMaxLength(33),
                Arbitraries.of("Key", "1a", "a b", "k".repeat(32), "k".repeat(33), ""));
        Arbitrary<Map<String, String>> parameters = Arbitraries.oneOf(
                Arbitraries.maps(keys, texts.filter(t -> t != null)).ofMaxSize(22),
                Arbitraries.just(null));
        return Combinators.combine(names, texts, parameters).as(BuildRequest::new);
    }

    @Example
    void listElementsAreChecked() {
        record Items(List<@NotNull String> items) {
        }
        assertThat(PlainRequests.provablyValid(new Items(List.of("a")))).isTrue();
        assertThat(PlainRequests.provablyValid(new Items(java.util.Arrays.asList("a", null)))).isFalse();
        assertThat(HIBERNATE.validate(new Items(java.util.Arrays.asList("a", null)))).isNotEmpty();
    }
}
