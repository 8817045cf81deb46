package dev.forge.analysis;

import dev.forge.validation.ProjectName;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * An {@link AnalysisRequest} as text arrives, validated before it is turned into one (see
 * {@link AnalysisRequest#fromWire}): the constraints are the typed request's, with the type
 * names checked by {@link AnalysisTypeName}.
 */
record AnalysisRequestWire(
        @ProjectName String projectName,
        @NotEmpty(message = "must name at least one of quality, security, types, coverage")
        List<@NotNull(message = "must not contain null") @AnalysisTypeName String> analysisTypes,
        @Pattern(regexp = "[A-Za-z0-9_-]{1,64}", message = "must be a build id") String buildId) {
}
