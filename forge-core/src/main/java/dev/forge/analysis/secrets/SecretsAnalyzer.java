package dev.forge.analysis.secrets;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.forge.InfrastructureException;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.Finding;
import dev.forge.analysis.RuleInfo;
import dev.forge.analysis.SourceFiles;
import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Part of the {@code security} analysis: scans the workspace's text files for hard-coded
 * credentials - AWS access key ids, private key blocks, JSON Web Tokens, values assigned to
 * names like {@code password}, {@code secret}, {@code token} or {@code api_key}, and
 * high-entropy strings in assignments. Findings give the file and line; the secret itself is
 * never repeated in a message.
 *
 * <p>Skipped: binary files (a NUL byte in the first 8 KB), files over the size cap, dependency
 * lock files (full of hashes by design), symbolic links, {@link SourceFiles#SKIPPED_DIRECTORIES}
 * and build output ({@link SourceFiles#BUILD_OUTPUT_MARKERS}).
 * Each file's hits are cached by the hash of its content.
 */
public final class SecretsAnalyzer implements Analyzer {

    /** What each rule finds and what to do, for reports. */
    static final Map<String, RuleInfo> RULES = Map.of(
            SecretRules.AWS_KEY, RuleInfo.of("An AWS access key id is written in the source.",
                    "Deactivate the key in AWS, then read credentials from the environment or a secret store."),
            SecretRules.PRIVATE_KEY, RuleInfo.of("A private key is committed with the code.",
                    "Revoke the key, remove it from the repository and its history, and load keys from a secret store."),
            SecretRules.JWT, RuleInfo.of("A JSON Web Token is written in the source.",
                    "Revoke the token and obtain tokens at run time instead of storing them."),
            SecretRules.ASSIGNMENT, RuleInfo.of("A credential (password, token, key) is assigned a literal value.",
                    "Move the value to the environment or a secret store and rotate it if it was real."),
            SecretRules.HIGH_ENTROPY, RuleInfo.of("A long random-looking string that may be a key or token.",
                    "Check the value; if it is a credential, move it out of the code and rotate it."));

    /** Default largest file scanned: 1 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

    private static final Set<String> LOCK_FILES = Set.of("package-lock.json", "yarn.lock",
            "pnpm-lock.yaml", "cargo.lock", "go.sum", "poetry.lock", "gemfile.lock",
            "composer.lock", "gradle.lockfile", "npm-shrinkwrap.json");
    /** Where {@code name=value} without quotes is an assignment rather than prose or code. */
    private static final Set<String> BARE_ASSIGNMENT_EXTENSIONS = Set.of("properties", "env",
            "yml", "yaml", "ini", "cfg", "conf", "toml", "sh", "bash");

    private final long maxFileBytes;
    private final Cache<String, List<SecretRules.Hit>> cache;
    private final AtomicInteger scans = new AtomicInteger();

    /** A scanner with the default size cap and a cache of 100,000 files. */
    public SecretsAnalyzer() {
        this(DEFAULT_MAX_FILE_BYTES, 100_000);
    }

    /**
     * A scanner skipping files over {@code maxFileBytes}, caching up to {@code cacheSize} files.
     *
     * @throws IllegalArgumentException if a bound is not positive / negative
     */
    public SecretsAnalyzer(long maxFileBytes, int cacheSize) {
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be > 0, was " + maxFileBytes);
        }
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize must be >= 0, was " + cacheSize);
        }
        this.maxFileBytes = maxFileBytes;
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
    }

    @Override
    public String name() {
        return "secrets";
    }

    @Override
    public Set<AnalysisType> types() {
        return Set.of(AnalysisType.SECURITY);
    }

    @Override
    public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
            TaskContext context) {
        if (!requested.contains(AnalysisType.SECURITY)) {
            return new Result(List.of(), Map.of());
        }
        List<Path> files = SourceFiles.find(workspace, this::candidate);
        List<Finding> findings = new ArrayList<>();
        int scanned = 0;
        int cached = 0;
        for (Path file : files) {
            if (context.cancellation().isCancelled()) {
                break;
            }
            byte[] content = SourceFiles.read(file);
            if (SourceFiles.looksBinary(content)) {
                continue;
            }
            scanned++;
            String relative = SourceFiles.relativize(workspace, file);
            boolean bare = BARE_ASSIGNMENT_EXTENSIONS.contains(extension(file))
                    || file.getFileName().toString().startsWith(".env");
            String key = (bare ? "bare:" : "quoted:") + SourceFiles.sha256(content);
            List<SecretRules.Hit> hits = cache.getIfPresent(key);
            if (hits == null) {
                hits = List.copyOf(SecretRules.scan(new String(content, StandardCharsets.UTF_8), bare));
                scans.incrementAndGet();
                cache.put(key, hits);
            } else {
                cached++;
            }
            for (SecretRules.Hit hit : hits) {
                findings.add(new Finding(hit.rule(), AnalysisType.SECURITY, hit.severity(), relative,
                        hit.line(), hit.message(), name()));
            }
        }
        context.log("secrets: scanned " + scanned + " text files (" + cached + " unchanged), "
                + findings.size() + " possible secrets");
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("secrets_files_scanned", scanned);
        return new Result(findings, measures, RULES);
    }

    /** Files scanned so far (cache misses), for tests. */
    int scans() {
        return scans.get();
    }

    private boolean candidate(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (LOCK_FILES.contains(name) || name.endsWith(".sarif")) {
            return false;
        }
        try {
            return Files.size(file) <= maxFileBytes;
        } catch (IOException e) {
            throw new InfrastructureException("cannot read the size of " + file.getFileName(), e);
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
