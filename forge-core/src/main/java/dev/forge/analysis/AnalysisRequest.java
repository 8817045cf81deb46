package dev.forge.analysis;

import dev.forge.validation.ProjectName;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * A request to analyse a project. Validated by {@link dev.forge.validation.RequestValidator}.
 * Repeating a type is allowed and means the same as naming it once.
 *
 * @param projectName   catalog name, {@code [A-Za-z0-9_-]{1,100}}
 * @param analysisTypes non-empty subset of {@code quality, security, types, coverage} (wire names)
 */
public record AnalysisRequest(
        @NotNull(message = "is required") @ProjectName String projectName,
        @NotEmpty(message = "must name at least one of quality, security, types, coverage")
        List<@NotNull(message = "must not contain null") @AnalysisTypeName String> analysisTypes) {
}
