package dev.forge.analysis;

import dev.forge.InfrastructureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What analyzers share for looking at a workspace: finding files (never following symbolic
 * links, so a hostile repository cannot point an analyzer at files outside its workspace),
 * matching report globs, workspace-relative names and content hashes for caches.
 */
public final class SourceFiles {

    /**
     * Directories never searched for sources: version-control metadata, installed dependencies,
     * tool caches and IDE state. Report globs ({@link #matching}) search everything but
     * {@link #NEVER_SEARCHED}.
     */
    public static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", ".hg", ".svn",
            "node_modules", ".gradle", ".idea", ".venv", "__pycache__");

    /**
     * Build output directories, skipped like {@link #SKIPPED_DIRECTORIES} only when their parent
     * holds the build file that writes them: {@code target} next to a {@code pom.xml}, {@code build}
     * next to a {@code build.gradle}... A Java package named {@code build} or {@code target} is
     * source, not output.
     */
    public static final Map<String, Set<String>> BUILD_OUTPUT_MARKERS = Map.of(
            "target", Set.of("pom.xml", "build.sbt", "Cargo.toml", "project.clj"),
            "build", Set.of("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts",
                    "package.json", "CMakeLists.txt", "build.xml"),
            "out", Set.of("build.xml", "build.gradle", "build.gradle.kts"),
            "dist", Set.of("package.json", "setup.py", "pyproject.toml"));

    /** Directories not searched even for reports: they hold other people's files. */
    static final Set<String> NEVER_SEARCHED = Set.of(".git", ".hg", ".svn", "node_modules");

    /**
     * Where a project keeps jars it already has, relative to the workspace (e.g. after
     * {@code mvn dependency:copy-dependencies}); analyzers put them on the classpath.
     */
    public static final List<String> CLASSPATH_GLOBS = List.of(
            "**/target/dependency/*.jar", "**/build/dependency/*.jar", "**/lib/*.jar", "**/libs/*.jar");

    private SourceFiles() {
    }

    /**
     * Regular files under {@code root} accepted by {@code include}, outside
     * {@link #SKIPPED_DIRECTORIES} and build output ({@link #BUILD_OUTPUT_MARKERS}), sorted by
     * path. Symbolic links are skipped.
     *
     * @throws InfrastructureException if the tree cannot be read
     */
    public static List<Path> find(Path root, Predicate<Path> include) {
        return walk(root, SKIPPED_DIRECTORIES, true, include);
    }

    /** The Java source files of a workspace, without {@code module-info.java}. */
    public static List<Path> javaSources(Path workspace) {
        return find(workspace, p -> {
            String name = p.getFileName().toString();
            return name.endsWith(".java") && !name.equals("module-info.java");
        });
    }

    /**
     * Files whose workspace-relative path matches one of the globs ({@link PathMatcher} glob
     * syntax, forward slashes). A leading {@code **}{@code /} also matches at the top level, so
     * {@code **}{@code /lcov.info} finds {@code lcov.info} itself. Build output is searched.
     */
    public static List<Path> matching(Path workspace, List<String> globs) {
        Objects.requireNonNull(globs, "globs");
        if (globs.isEmpty()) {
            return List.of();
        }
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : globs) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            if (glob.startsWith("**/")) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)));
            }
        }
        return walk(workspace, NEVER_SEARCHED, false, p -> {
            Path relative = Path.of(relativize(workspace, p));
            return matchers.stream().anyMatch(m -> m.matches(relative));
        });
    }

    /** Jars the project already has, found by {@link #CLASSPATH_GLOBS}. */
    public static List<Path> classpathJars(Path workspace) {
        return matching(workspace, CLASSPATH_GLOBS);
    }

    /** The workspace-relative path of {@code file}, with forward slashes. */
    public static String relativize(Path workspace, Path file) {
        Path relative = workspace.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize());
        return relative.toString().replace('\\', '/');
    }

    /** Lower-case hex SHA-256 of {@code content}. */
    public static String sha256(byte[] content) {
        return HexFormat.of().formatHex(digest().digest(content));
    }

    /** Lower-case hex SHA-256 of a file's content, streamed. */
    public static String sha256(Path file) {
        MessageDigest digest = digest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new InfrastructureException("cannot read " + file.getFileName(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A fresh SHA-256 digest for composite keys. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** True when the first 8 KB hold a NUL byte, the usual sign of a binary file. */
    public static boolean looksBinary(byte[] content) {
        int limit = Math.min(content.length, 8192);
        for (int i = 0; i < limit; i++) {
            if (content[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a whole file.
     *
     * @throws InfrastructureException if it cannot be read
     */
    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InfrastructureException("cannot read " + file.getFileName(), e);
        }
    }

    /** True when {@code dir} is the output folder of a build file in its parent. */
    static boolean isBuildOutput(Path dir, String name) {
        Set<String> markers = BUILD_OUTPUT_MARKERS.get(name);
        if (markers == null) {
            return false;
        }
        Path parent = dir.getParent();
        return parent != null && markers.stream()
                .anyMatch(marker -> Files.isRegularFile(parent.resolve(marker), LinkOption.NOFOLLOW_LINKS));
    }

    private static List<Path> walk(Path root, Set<String> skipped, boolean skipBuildOutput,
            Predicate<Path> include) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(include, "include");
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return found;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(root)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = dir.getFileName().toString();
                    if (skipped.contains(name) || (skipBuildOutput && isBuildOutput(dir, name))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    // walkFileTree does not follow links, so a link shows up as "other"/symbolic.
                    if (attrs.isRegularFile() && include.test(file)) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // An unreadable entry (permissions, vanished) is skipped, not fatal.
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new InfrastructureException("cannot list files under the workspace", e);
        }
        found.sort(null);
        return found;
    }
}
