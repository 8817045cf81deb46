package dev.forge.analysis.javac;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import dev.forge.InfrastructureException;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.Finding;
import dev.forge.analysis.RuleInfo;
import dev.forge.analysis.Severity;
import dev.forge.analysis.SourceFiles;
import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code types} analysis: compiles the workspace's Java sources in memory with the JDK's
 * compiler ({@code javax.tools}), against the jars the project already has
 * ({@link SourceFiles#CLASSPATH_GLOBS}), and reports every compile error.
 *
 * <p>Errors that only say a dependency is missing (an unknown package, then the symbols that
 * came from it) are counted apart as {@code unresolved_symbols}: they say the classpath is
 * incomplete, not that the code is wrong, so {@code type_errors} stays honest.
 *
 * <p>A compilation is cached by the hash of every source and every classpath jar, so an
 * unchanged project is not compiled again.
 */
public final class TypeCheckAnalyzer implements Analyzer {

    /** Diagnostic codes that mean "the compiler cannot see a dependency". */
    static final Set<String> MISSING_DEPENDENCY_CODES = Set.of(
            "compiler.err.doesnt.exist", "compiler.err.cant.access", "compiler.err.duplicate.class",
            "compiler.err.package.not.visible", "compiler.err.not.def.access.package.cant.access");

    /**
     * Diagnostic codes that follow from a missing dependency when the file also has one: a
     * static import from a class that is missing, an {@code @Override} whose supertype is
     * missing. Alone they are real errors.
     */
    static final Set<String> DERIVED_CODES = Set.of(
            "compiler.err.static.imp.only.classes.and.interfaces",
            "compiler.err.method.does.not.override.superclass");

    /**
     * The sources declare a package the JDK's own modules hold (e.g. the JDK's sources): outside
     * the JDK's build every class clashes with the platform's, so no count would mean anything.
     */
    static final String PLATFORM_PACKAGE_CODE = "compiler.err.package.in.other.module";

    private static final int MAX_LISTED_UNRESOLVED = 20;
    private static final Logger LOG = LoggerFactory.getLogger(TypeCheckAnalyzer.class);

    /** Packages of the running JDK's modules (java.util, javax.net, jdk.internal.misc...). */
    private static final Set<String> PLATFORM_PACKAGES = ModuleLayer.boot().modules().stream()
            .flatMap(m -> m.getPackages().stream())
            .collect(Collectors.toUnmodifiableSet());
    /** The package declaration, after comments and annotations at the top of a file. */
    private static final Pattern PACKAGE = Pattern.compile(
            "^\\s*package\\s+([A-Za-z_][A-Za-z0-9_]*(?:\\s*\\.\\s*[A-Za-z_][A-Za-z0-9_]*)*)\\s*;",
            Pattern.MULTILINE);

    private final Cache<String, Analyzer.Result> cache;
    private final JavaCompiler compiler;
    private final AtomicInteger compilations = new AtomicInteger();

    /** An analyzer remembering the last 16 compilations. */
    public TypeCheckAnalyzer() {
        this(16);
    }

    /**
     * An analyzer remembering at most {@code cacheSize} compilations.
     *
     * @throws IllegalArgumentException if {@code cacheSize} is negative
     */
    public TypeCheckAnalyzer(int cacheSize) {
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize must be >= 0, was " + cacheSize);
        }
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
        this.compiler = ToolProvider.getSystemJavaCompiler();
    }

    @Override
    public String name() {
        return "javac";
    }

    @Override
    public Set<AnalysisType> types() {
        return Set.of(AnalysisType.TYPES);
    }

    @Override
    public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
            TaskContext context) {
        return analyze(new Input(workspace, project, requested, context, List.of()));
    }

    /**
     * Type-checks against the workspace's jars plus the classpath the build resolved, if any.
     *
     * @throws StackOverflowError if the sources nest too deeply for the compiler's stack (the
     *                            pipeline reports the analyzer as failed)
     */
    @Override
    public Result analyze(Input input) {
        Path workspace = input.workspace();
        Set<AnalysisType> requested = input.requested();
        TaskContext context = input.context();
        if (!requested.contains(AnalysisType.TYPES) || context.cancellation().isCancelled()) {
            return new Result(List.of(), Map.of());
        }
        List<Path> files = SourceFiles.javaSources(workspace);
        if (files.isEmpty()) {
            return notMeasured("the project has no Java sources");
        }
        if (compiler == null) {
            return notMeasured("this Java runtime has no compiler (run forge on a JDK)");
        }
        List<Source> sources = new ArrayList<>(files.size());
        MessageDigest key = SourceFiles.digest();
        Set<String> platformPackages = new TreeSet<>();
        for (Path file : files) {
            byte[] content = SourceFiles.read(file);
            String relative = SourceFiles.relativize(workspace, file);
            String text = new String(content, StandardCharsets.UTF_8);
            sources.add(new Source(file, relative, text));
            update(key, "src:" + relative + ":" + SourceFiles.sha256(content));
            declaredPackage(text).filter(PLATFORM_PACKAGES::contains).ifPresent(platformPackages::add);
        }
        if (!platformPackages.isEmpty()) {
            // Known before compiling: javac would only report clashes with the platform's classes.
            return platformSources(platformPackages);
        }
        List<Path> jars = new ArrayList<>(SourceFiles.classpathJars(workspace));
        for (Path jar : jars) {
            update(key, "jar:" + SourceFiles.relativize(workspace, jar) + ":" + SourceFiles.sha256(jar));
        }
        for (Path entry : input.classpath()) {
            // the build's dependencies live outside the workspace (e.g. ~/.m2) and do not change
            // under a name: path, size and time identify them without reading every jar
            update(key, "dep:" + entry + ":" + stamp(entry));
            jars.add(entry);
        }
        String cacheKey = HexFormat.of().formatHex(key.digest());
        Result cached = cache.getIfPresent(cacheKey);
        if (cached != null) {
            context.log("javac: sources unchanged, reusing the type check of " + files.size() + " files");
            return cached;
        }
        context.log("javac: compiling " + files.size() + " files against " + jars.size() + " jars");
        Result result;
        try {
            result = compile(sources, jars, context);
        } catch (CancellationException e) {
            return new Result(List.of(), Map.of());
        }
        cache.put(cacheKey, result);
        return result;
    }

    private Result compile(List<Source> sources, List<Path> jars, TaskContext context) {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8);
        try (DiscardingFileManager files = new DiscardingFileManager(standard)) {
            standard.setLocationFromPaths(StandardLocation.CLASS_PATH, jars);
            List<String> options = List.of("-proc:none", "-Xlint:none", "-nowarn", "--release", "17",
                    "-implicit:none", "-Xmaxerrs", "100000", "-Xmaxwarns", "0");
            JavacTask task = (JavacTask) compiler.getTask(null, files, diagnostics, options, null,
                    sources);
            task.addTaskListener(new TaskListener() {
                @Override
                public void started(TaskEvent event) {
                    // javac has no cancel; a listener throwing stops it between files.
                    if (context.cancellation().isCancelled()) {
                        throw new CancellationException("cancelled");
                    }
                }
            });
            task.analyze();
            compilations.incrementAndGet();
        } catch (IOException e) {
            throw new InfrastructureException("the Java compiler could not read its inputs", e);
        } catch (IllegalStateException | IllegalArgumentException e) {
            if (e.getCause() instanceof StackOverflowError overflow) {
                throw overflow; // deterministic: the pipeline names the analyzer as failed
            }
            // e.g. an unusable jar on the classpath: the check could not run, not a code error.
            // The exception's text names compiler internals: it stays in the server log.
            LOG.warn("the Java compiler could not run", e);
            return notMeasured("the Java compiler could not run on these sources; details are in the server log");
        } catch (RuntimeException e) {
            if (e instanceof CancellationException || e.getCause() instanceof CancellationException) {
                throw new CancellationException("cancelled");
            }
            throw e;
        }
        return classify(diagnostics.getDiagnostics(), sources.size(), jars.size());
    }

    /** Compilations run so far (cache misses), for tests. */
    int compilations() {
        return compilations.get();
    }

    static Result classify(List<Diagnostic<? extends JavaFileObject>> diagnostics, int fileCount,
            int jarCount) {
        List<Diagnostic<? extends JavaFileObject>> errors = diagnostics.stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .toList();
        Set<String> platformPackages = errors.stream()
                .filter(d -> PLATFORM_PACKAGE_CODE.equals(d.getCode()))
                .map(d -> d.getSource() instanceof Source s ? declaredPackage(s.content).orElse("?") : "?")
                .collect(Collectors.toCollection(TreeSet::new));
        if (!platformPackages.isEmpty()) {
            return platformSources(platformPackages);
        }
        // A missing package is proof the classpath is incomplete; then "cannot find symbol" is
        // most likely a symbol from it. Without such proof a cannot-find-symbol is a real error.
        boolean dependenciesMissing = errors.stream()
                .anyMatch(d -> MISSING_DEPENDENCY_CODES.contains(d.getCode()));
        Set<Object> filesWithMissing = new java.util.HashSet<>();
        for (Diagnostic<? extends JavaFileObject> d : errors) {
            if (missing(d.getCode(), dependenciesMissing) && d.getSource() != null) {
                filesWithMissing.add(d.getSource());
            }
        }
        List<Finding> findings = new ArrayList<>();
        List<Map<String, Object>> unresolved = new ArrayList<>();
        int unresolvedCount = 0;
        for (Diagnostic<? extends JavaFileObject> d : errors) {
            String code = d.getCode() == null ? "compiler.err" : d.getCode();
            String file = d.getSource() instanceof Source s ? s.relative : null;
            int line = d.getLineNumber() > 0 ? (int) d.getLineNumber() : 0;
            String message = oneLine(d.getMessage(Locale.ROOT));
            boolean missing = missing(code, dependenciesMissing)
                    || (DERIVED_CODES.contains(code) && filesWithMissing.contains(d.getSource()));
            if (missing) {
                unresolvedCount++;
                if (unresolved.size() < MAX_LISTED_UNRESOLVED) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("file", file);
                    entry.put("line", line);
                    entry.put("code", code);
                    entry.put("message", message);
                    unresolved.add(entry);
                }
            } else {
                findings.add(new Finding(code, AnalysisType.TYPES, Severity.CRITICAL, file, line,
                        message, "javac"));
            }
        }
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("type_errors", findings.size());
        measures.put("unresolved_symbols", unresolvedCount);
        measures.put("unresolved", unresolved);
        measures.put("java_files", fileCount);
        measures.put("classpath_jars", jarCount);
        Map<String, RuleInfo> rules = new LinkedHashMap<>();
        for (Finding finding : findings) {
            rules.putIfAbsent(finding.ruleId(), RuleInfo.of(
                    "The Java compiler rejects this code: it does not compile as written.",
                    "Fix the compile error the message describes; until the code compiles, other"
                            + " findings may be incomplete."));
        }
        return new Result(findings, measures, rules);
    }

    /** Whether a diagnostic says, by its code alone, that a dependency is missing. */
    private static boolean missing(String code, boolean dependenciesMissing) {
        return code != null && (MISSING_DEPENDENCY_CODES.contains(code)
                || (dependenciesMissing && code.startsWith("compiler.err.cant.resolve")));
    }

    private static String stamp(Path entry) {
        try {
            return java.nio.file.Files.size(entry) + ":" + java.nio.file.Files.getLastModifiedTime(entry).toMillis();
        } catch (IOException e) {
            return "unreadable";
        }
    }

    static Optional<String> declaredPackage(String source) {
        Matcher m = PACKAGE.matcher(source);
        return m.find() ? Optional.of(m.group(1).replaceAll("\\s", "")) : Optional.empty();
    }

    private static Result platformSources(Set<String> packages) {
        return notMeasured("the sources declare packages of the JDK's own modules (e.g. "
                + String.join(", ", packages.stream().limit(5).toList())
                + "); they can only be type-checked by the JDK's build");
    }

    private static Result notMeasured(String reason) {
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("type_errors", null);
        measures.put("type_errors_reason", reason);
        measures.put("unresolved_symbols", 0);
        return new Result(List.of(), measures);
    }

    private static String oneLine(String message) {
        return String.join("; ", message.strip().lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList());
    }

    private static void update(MessageDigest digest, String part) {
        digest.update(part.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
    }

    /** A source held in memory: the exact bytes that were hashed are the ones compiled. */
    static final class Source extends SimpleJavaFileObject {
        final String relative;
        final String content;

        Source(Path file, String relative, String content) {
            super(file.toUri(), Kind.SOURCE);
            this.relative = relative;
            this.content = content;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return content;
        }
    }

    /** Nothing the compiler writes is kept: a type check needs no class files. */
    private static final class DiscardingFileManager
            extends ForwardingJavaFileManager<StandardJavaFileManager> {

        DiscardingFileManager(StandardJavaFileManager delegate) {
            super(delegate);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className,
                JavaFileObject.Kind kind, FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/')
                    + kind.extension), kind) {
                @Override
                public OutputStream openOutputStream() {
                    return OutputStream.nullOutputStream();
                }
            };
        }

        @Override
        public FileObject getFileForOutput(Location location, String packageName,
                String relativeName, FileObject sibling) {
            return getJavaFileForOutput(location, packageName + "." + relativeName,
                    JavaFileObject.Kind.OTHER, sibling);
        }
    }
}
