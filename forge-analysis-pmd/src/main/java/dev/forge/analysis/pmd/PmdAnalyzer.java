package dev.forge.analysis.pmd;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.forge.InfrastructureException;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.Finding;
import dev.forge.analysis.RuleInfo;
import dev.forge.analysis.Severity;
import dev.forge.analysis.SourceFiles;
import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import net.sourceforge.pmd.PMDConfiguration;
import net.sourceforge.pmd.PMDVersion;
import net.sourceforge.pmd.PmdAnalysis;
import net.sourceforge.pmd.lang.document.FileId;
import net.sourceforge.pmd.lang.rule.Rule;
import net.sourceforge.pmd.lang.rule.RulePriority;
import net.sourceforge.pmd.lang.rule.RuleSet;
import net.sourceforge.pmd.lang.rule.RuleSetLoader;
import net.sourceforge.pmd.reporting.Report;
import net.sourceforge.pmd.reporting.RuleViolation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code quality} and {@code security} analyses for Java, by PMD 7 run in-process on the
 * workspace's Java sources, with forge's curated rulesets ({@link #QUALITY_RULESET},
 * {@link #SECURITY_RULESET}). Registered through {@code META-INF/services}, so putting this jar
 * on the class path is enough to enable it.
 *
 * <p>PMD's own incremental cache is off (it writes a file and keys by absolute path, and every
 * analysis runs in a fresh workspace); instead each file's violations are cached in memory by
 * (ruleset, project classpath, file path, SHA-256 of the content), so only changed files are
 * analysed again. Rule priority maps to severity: 1 critical, 2 major, 3-4 minor, 5 info.
 */
public final class PmdAnalyzer implements Analyzer {

    /** Classpath resource of the quality ruleset. */
    public static final String QUALITY_RULESET = "dev/forge/analysis/pmd/forge-quality.xml";
    /** Classpath resource of the security ruleset. */
    public static final String SECURITY_RULESET = "dev/forge/analysis/pmd/forge-security.xml";

    private static final Logger LOG = LoggerFactory.getLogger(PmdAnalyzer.class);
    /**
     * Parsed rulesets by resource, loaded once per JVM: parsing PMD's category XML costs more
     * than analysing a small project, and a classpath resource does not change.
     */
    private static final Map<String, RuleSet> TEMPLATES = new ConcurrentHashMap<>();

    static {
        // PMD's internal asserts check its own type inference and fail on valid code it cannot
        // fully resolve (e.g. sources newer than the running JDK). They are meant for PMD's
        // tests; with -ea (as in any test run of an embedding application) one such file would
        // abort the whole analysis. Must run before PMD's classes are initialized.
        ClassLoader loader = PmdAnalyzer.class.getClassLoader();
        if (loader != null) {
            loader.setPackageAssertionStatus("net.sourceforge.pmd", false);
        }
    }

    /** One violation as cached: everything but the file, which the key already names. */
    private record Cached(String rule, Severity severity, int line, String message) {
    }

    /** A Java source read once: hashed for the cache key and handed to PMD as text. */
    private record Source(String relative, String text, String hash) {
    }

    private final Map<AnalysisType, String> rulesets;
    private final Map<AnalysisType, String> rulesetKeys;
    private final int threads;
    private final int batchSize;
    private final Cache<String, List<Cached>> cache;
    private final AtomicInteger filesAnalyzed = new AtomicInteger();

    /** An analyzer with the defaults of {@link #builder()}; used by {@link java.util.ServiceLoader}. */
    public PmdAnalyzer() {
        this(builder());
    }

    private PmdAnalyzer(Builder builder) {
        this.rulesets = new EnumMap<>(AnalysisType.class);
        rulesets.put(AnalysisType.QUALITY, builder.qualityRuleset);
        rulesets.put(AnalysisType.SECURITY, builder.securityRuleset);
        this.rulesetKeys = new EnumMap<>(AnalysisType.class);
        rulesets.forEach((type, resource) -> rulesetKeys.put(type, resourceKey(resource)));
        this.threads = builder.threads;
        this.batchSize = builder.batchSize;
        this.cache = Caffeine.newBuilder().maximumSize(builder.cacheSize).build();
    }

    /** A builder: threads = available processors, cache 200,000 file results, batches of 2,000 files. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "pmd";
    }

    @Override
    public Set<AnalysisType> types() {
        return Set.of(AnalysisType.QUALITY, AnalysisType.SECURITY);
    }

    @Override
    public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
            TaskContext context) {
        return analyze(new Input(workspace, project, requested, context, List.of()));
    }

    /** Analyses with the workspace's jars plus the classpath the build resolved as PMD's auxiliary classpath. */
    @Override
    public Result analyze(Input input) {
        Path workspace = input.workspace();
        TaskContext context = input.context();
        List<AnalysisType> types = rulesets.keySet().stream().filter(input.requested()::contains).toList();
        if (types.isEmpty()) {
            return new Result(List.of(), Map.of());
        }
        List<Path> jars = new ArrayList<>(SourceFiles.classpathJars(workspace));
        jars.addAll(input.classpath());
        String classpathKey = classpathKey(workspace, jars);
        List<Finding> findings = new ArrayList<>();
        List<Source> pending = new ArrayList<>();
        int files = 0;
        for (Path file : SourceFiles.javaSources(workspace)) {
            byte[] content = SourceFiles.read(file);
            Source source = new Source(SourceFiles.relativize(workspace, file),
                    new String(content, StandardCharsets.UTF_8), SourceFiles.sha256(content));
            files++;
            List<Finding> cached = new ArrayList<>();
            boolean complete = true;
            for (AnalysisType type : types) {
                List<Cached> hit = cache.getIfPresent(key(type, classpathKey, source));
                if (hit == null) {
                    complete = false;
                    break;
                }
                hit.forEach(c -> cached.add(finding(c, type, source.relative())));
            }
            if (complete) {
                findings.addAll(cached);
            } else {
                pending.add(source);
            }
        }
        context.log("pmd: " + files + " Java files, " + (files - pending.size()) + " unchanged since cached, "
                + pending.size() + " to analyse");
        int analysed = 0;
        for (int from = 0; from < pending.size(); from += batchSize) {
            if (context.cancellation().isCancelled()) {
                break;
            }
            List<Source> batch = pending.subList(from, Math.min(pending.size(), from + batchSize));
            findings.addAll(analyzeBatch(batch, types, jars, classpathKey, context));
            analysed += batch.size();
            if (pending.size() > batchSize) {
                context.log("pmd: analysed " + analysed + " of " + pending.size() + " files");
            }
        }
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("pmd_files", files);
        measures.put("pmd_version", PMDVersion.VERSION);
        Map<String, RuleInfo> rules = new HashMap<>();
        for (AnalysisType type : types) {
            rules.putAll(PmdRuleInfo.of(template(type)));
        }
        return new Result(findings, measures, rules);
    }

    private RuleSet template(AnalysisType type) {
        return TEMPLATES.computeIfAbsent(rulesets.get(type), resource -> new RuleSetLoader()
                .loadResourcesWith(PmdAnalyzer.class.getClassLoader())
                .loadFromResource(resource));
    }

    private List<Finding> analyzeBatch(List<Source> batch, List<AnalysisType> types, List<Path> jars,
            String classpathKey, TaskContext context) {
        PMDConfiguration config = new PMDConfiguration();
        config.setIgnoreIncrementalAnalysis(true);
        config.setThreads(threads);
        if (!jars.isEmpty()) {
            config.prependAuxClasspath(jars.stream().map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator)));
        }
        Map<String, AnalysisType> ruleTypes = new HashMap<>();
        Report report;
        try (PmdAnalysis pmd = PmdAnalysis.create(config)) {
            for (AnalysisType type : types) {
                RuleSet template = template(type);
                for (Rule rule : template.getRules()) {
                    ruleTypes.put(rule.getName(), type);
                }
                // PMD may drop misconfigured rules from a ruleset it is given: hand it a deep copy.
                pmd.addRuleSet(new RuleSet(template));
            }
            for (Source source : batch) {
                pmd.files().addSourceFile(FileId.fromPathLikeString(source.relative()), source.text());
            }
            report = pmd.performAnalysisAndCollectReport();
        }
        filesAnalyzed.addAndGet(batch.size());
        for (Report.ConfigurationError error : report.getConfigurationErrors()) {
            LOG.warn("PMD rule {} is misconfigured: {}", error.rule().getName(), error.issue());
        }
        Set<String> failed = new java.util.HashSet<>();
        for (Report.ProcessingError error : report.getProcessingErrors()) {
            String file = error.getFileId().getOriginalPath();
            failed.add(file);
            context.log("pmd: could not analyse " + file + ": " + firstLine(error.getMsg()));
        }
        Map<String, Map<AnalysisType, List<Cached>>> byFile = new HashMap<>();
        for (RuleViolation violation : report.getViolations()) {
            Rule rule = violation.getRule();
            AnalysisType type = ruleTypes.getOrDefault(rule.getName(), AnalysisType.QUALITY);
            byFile.computeIfAbsent(violation.getFileId().getOriginalPath(), f -> new EnumMap<>(AnalysisType.class))
                    .computeIfAbsent(type, t -> new ArrayList<>())
                    .add(new Cached(rule.getName(), severity(rule.getPriority()), violation.getBeginLine(),
                            violation.getDescription().strip()));
        }
        List<Finding> findings = new ArrayList<>();
        for (Source source : batch) {
            Map<AnalysisType, List<Cached>> found = byFile.getOrDefault(source.relative(), Map.of());
            for (AnalysisType type : types) {
                List<Cached> violations = List.copyOf(found.getOrDefault(type, List.of()));
                if (!failed.contains(source.relative())) {
                    // a file PMD could not parse is tried again next time, not remembered as clean
                    cache.put(key(type, classpathKey, source), violations);
                }
                violations.forEach(c -> findings.add(finding(c, type, source.relative())));
            }
        }
        return findings;
    }

    /** Files PMD actually analysed so far (cache misses), for tests. */
    int filesAnalyzed() {
        return filesAnalyzed.get();
    }

    /** Forge severity of a PMD priority: 1 critical, 2 major, 3-4 minor, 5 info. */
    static Severity severity(RulePriority priority) {
        return switch (priority) {
            case HIGH -> Severity.CRITICAL;
            case MEDIUM_HIGH -> Severity.MAJOR;
            case MEDIUM, MEDIUM_LOW -> Severity.MINOR;
            case LOW -> Severity.INFO;
        };
    }

    private Finding finding(Cached cached, AnalysisType type, String file) {
        return new Finding(cached.rule(), type, cached.severity(), file, Math.max(0, cached.line()),
                cached.message(), name());
    }

    private String key(AnalysisType type, String classpathKey, Source source) {
        return rulesetKeys.get(type) + '|' + classpathKey + '|' + source.relative() + '|' + source.hash();
    }

    private static String classpathKey(Path workspace, List<Path> jars) {
        if (jars.isEmpty()) {
            return "-";
        }
        MessageDigest digest = SourceFiles.digest();
        for (Path jar : jars) {
            // the build's dependencies (outside the workspace) are keyed by path, size and time
            String id = jar.startsWith(workspace)
                    ? SourceFiles.relativize(workspace, jar) + ':' + SourceFiles.sha256(jar)
                    : "dep:" + jar + ':' + stamp(jar);
            digest.update((id + '\n').getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String stamp(Path entry) {
        try {
            return java.nio.file.Files.size(entry) + ":" + java.nio.file.Files.getLastModifiedTime(entry).toMillis();
        } catch (IOException e) {
            return "unreadable";
        }
    }

    /** PMD's version and the ruleset text: a new PMD or an edited ruleset invalidates the cache. */
    private static String resourceKey(String resource) {
        try (InputStream in = PmdAnalyzer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("ruleset resource not found: " + resource);
            }
            return PMDVersion.VERSION + ':' + SourceFiles.sha256(in.readAllBytes());
        } catch (IOException e) {
            throw new InfrastructureException("cannot read ruleset " + resource, e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Configures a {@link PmdAnalyzer}; every setter fails fast on a bad value. */
    public static final class Builder {
        private int threads = Runtime.getRuntime().availableProcessors();
        private int cacheSize = 200_000;
        private int batchSize = 2000;
        private String qualityRuleset = QUALITY_RULESET;
        private String securityRuleset = SECURITY_RULESET;

        private Builder() {
        }

        /** PMD worker threads per analysis; 0 runs on the calling thread. */
        public Builder threads(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("threads must be >= 0, was " + value);
            }
            this.threads = value;
            return this;
        }

        /** Most per-file results kept (each file counts once per ruleset). */
        public Builder cacheSize(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, was " + value);
            }
            this.cacheSize = value;
            return this;
        }

        /** Files per PMD run; cancellation is checked between runs. */
        public Builder batchSize(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + value);
            }
            this.batchSize = value;
            return this;
        }

        /** Classpath resource of the ruleset for {@code quality}. */
        public Builder qualityRuleset(String resource) {
            this.qualityRuleset = Objects.requireNonNull(resource, "resource");
            return this;
        }

        /** Classpath resource of the ruleset for {@code security}. */
        public Builder securityRuleset(String resource) {
            this.securityRuleset = Objects.requireNonNull(resource, "resource");
            return this;
        }

        /**
         * Builds the analyzer.
         *
         * @throws IllegalArgumentException if a ruleset resource does not exist
         */
        public PmdAnalyzer build() {
            return new PmdAnalyzer(this);
        }
    }
}
