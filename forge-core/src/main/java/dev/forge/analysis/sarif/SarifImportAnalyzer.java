package dev.forge.analysis.sarif;

import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.Finding;
import dev.forge.analysis.SourceFiles;
import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports the findings of other tools: every SARIF 2.1.0 file the project's sarif globs match
 * is read and its results become findings, keeping the tool's name. How levels and tags map to
 * forge's severity and category is described on {@code SarifReader} and in docs/analysis.md.
 * A file that is not valid SARIF is skipped and named in {@code sarif_files}.
 */
public final class SarifImportAnalyzer implements Analyzer {

    /** Default largest SARIF file read: 64 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;

    private final long maxFileBytes;

    /** An importer with the default size cap. */
    public SarifImportAnalyzer() {
        this(DEFAULT_MAX_FILE_BYTES);
    }

    /**
     * An importer skipping files over {@code maxFileBytes}.
     *
     * @throws IllegalArgumentException if the cap is not positive
     */
    public SarifImportAnalyzer(long maxFileBytes) {
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be > 0, was " + maxFileBytes);
        }
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public String name() {
        return "sarif";
    }

    @Override
    public Set<AnalysisType> types() {
        return Set.of(AnalysisType.QUALITY, AnalysisType.SECURITY);
    }

    @Override
    public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
            TaskContext context) {
        List<Finding> findings = new ArrayList<>();
        List<Map<String, Object>> files = new ArrayList<>();
        for (Path file : SourceFiles.matching(workspace, project.reports().sarif())) {
            String relative = SourceFiles.relativize(workspace, file);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("file", relative);
            try {
                if (Files.size(file) > maxFileBytes) {
                    entry.put("error", "larger than " + maxFileBytes + " bytes");
                } else {
                    List<Finding> imported = SarifReader.read(file, workspace).stream()
                            .filter(f -> requested.contains(f.category()))
                            .toList();
                    findings.addAll(imported);
                    entry.put("findings", imported.size());
                }
            } catch (IOException | IllegalArgumentException e) {
                entry.put("error", "not a readable SARIF log: " + firstLine(e.getMessage()));
            }
            if (entry.containsKey("error")) {
                context.log("sarif: skipped " + relative + ": " + entry.get("error"));
            }
            files.add(entry);
        }
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("sarif_files", files);
        return new Result(findings, measures);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
