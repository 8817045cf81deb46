package dev.forge.analysis;

import java.util.List;

/**
 * A request to analyse a project. Validated by {@link dev.forge.validation.RequestValidator}.
 *
 * @param projectName   catalog name, {@code [A-Za-z0-9_-]{1,100}}
 * @param analysisTypes non-empty subset of {@code quality, security, types, coverage} (wire names)
 */
public record AnalysisRequest(String projectName, List<String> analysisTypes) {
}
