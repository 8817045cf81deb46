package dev.forge.analysis;

import dev.forge.validation.ProjectName;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * A request to analyse a project, or what one of its builds left. Validated by
 * {@link dev.forge.validation.RequestValidator} and {@link AnalysisService}. Repeating a type is
 * allowed and means the same as naming it once.
 *
 * @param projectName   catalog name, {@code [A-Za-z0-9_-]{1,100}}; may be null when
 *                      {@code buildId} is given (then it is the build's project)
 * @param analysisTypes non-empty subset of {@code quality, security, types, coverage} (wire names)
 * @param buildId       a finished (completed or failed) build of the caller's, or null; the
 *                      analysis then reads that build's workspace while it is kept
 */
public record AnalysisRequest(
        @ProjectName String projectName,
        @NotEmpty(message = "must name at least one of quality, security, types, coverage")
        List<@NotNull(message = "must not contain null") @AnalysisTypeName String> analysisTypes,
        @Pattern(regexp = "[A-Za-z0-9_-]{1,64}", message = "must be a build id") String buildId) {

    /** A request to analyse a fresh copy of the project's source. */
    public AnalysisRequest(String projectName, List<String> analysisTypes) {
        this(projectName, analysisTypes, null);
    }
}
