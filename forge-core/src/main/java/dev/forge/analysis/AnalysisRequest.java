package dev.forge.analysis;

import dev.forge.Outcome;
import dev.forge.validation.ProjectName;
import dev.forge.validation.RequestValidator;
import dev.forge.validation.ValidationFailure;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Optional;

/**
 * A request to analyse a project, or what one of its builds left. Validated by
 * {@link dev.forge.validation.RequestValidator} and {@link AnalysisService}. Repeating a type is
 * allowed and means the same as naming it once. Front ends that receive type names as text use
 * {@link #fromWire}, which refuses unknown names with the same messages the HTTP API documents.
 *
 * @param projectName   catalog name, {@code [A-Za-z0-9_-]{1,100}}; may be null when
 *                      {@code buildId} is given (then it is the build's project)
 * @param analysisTypes at least one type
 * @param buildId       a finished (completed or failed) build of the caller's, or null; the
 *                      analysis then reads that build's workspace while it is kept
 */
public record AnalysisRequest(
        @ProjectName String projectName,
        @NotEmpty(message = "must name at least one of quality, security, types, coverage")
        List<@NotNull(message = "must not contain null") AnalysisType> analysisTypes,
        @Pattern(regexp = "[A-Za-z0-9_-]{1,64}", message = "must be a build id") String buildId) {

    /** Copies the types (keeping a null element for validation to report). */
    public AnalysisRequest {
        analysisTypes = analysisTypes == null ? null
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(analysisTypes));
    }

    /** A request to analyse a fresh copy of the project's source. */
    public AnalysisRequest(String projectName, List<AnalysisType> analysisTypes) {
        this(projectName, analysisTypes, null);
    }

    /** A request to analyse a fresh copy of the project's source for these types. */
    public static AnalysisRequest of(String projectName, AnalysisType... analysisTypes) {
        return new AnalysisRequest(projectName, List.of(analysisTypes), null);
    }

    /** A request to analyse what the finished build {@code buildId} left, for these types. */
    public static AnalysisRequest ofBuild(String buildId, AnalysisType... analysisTypes) {
        return new AnalysisRequest(null, List.of(analysisTypes), buildId);
    }

    /**
     * A request from its wire form, where types are names ({@code quality}, {@code security},
     * {@code types}, {@code coverage}): Invalid, field by field, when any part is not valid - an
     * unknown type name as {@code analysis_types: must contain only quality, security, types or
     * coverage}.
     */
    public static Outcome<AnalysisRequest> fromWire(String projectName, List<String> analysisTypes, String buildId) {
        Optional<ValidationFailure> failure = new RequestValidator()
                .validate(new AnalysisRequestWire(projectName, analysisTypes, buildId));
        if (failure.isPresent()) {
            return new Outcome.Invalid<>(failure.get());
        }
        return Outcome.ok(new AnalysisRequest(projectName,
                analysisTypes.stream().map(name -> AnalysisType.fromWire(name).orElseThrow()).toList(), buildId));
    }
}
