package dev.forge.project;

import dev.forge.Internal;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds report files in a workspace by {@code glob:} patterns relative to the workspace root
 * (e.g. {@code **}{@code /TEST-*.xml}). A pattern starting with {@code **}{@code /} also
 * matches at the root, as users expect. Symbolic links are not followed, and {@code .git} and
 * {@code node_modules} are not searched (dependencies ship report-like files of their own).
 */
@Internal
public final class ReportGlobs {

    /** At most this many files are returned per search. */
    public static final int MAX_FILES = 1000;

    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "node_modules");
    private static final int MAX_GLOB_LENGTH = 300;

    private ReportGlobs() {
    }

    /**
     * Checks one glob as written in configuration.
     *
     * @return null when valid, otherwise why not
     */
    public static String problem(String glob) {
        if (glob == null || glob.isBlank()) {
            return "must be a non-empty glob";
        }
        if (glob.length() > MAX_GLOB_LENGTH) {
            return "must be at most " + MAX_GLOB_LENGTH + " characters";
        }
        if (glob.startsWith("/") || glob.startsWith("\\") || glob.matches("^[A-Za-z]:.*")) {
            return "must be relative to the workspace";
        }
        for (String part : glob.split("[/\\\\]")) {
            if (part.equals("..")) {
                return "must not contain '..'";
            }
        }
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            return "is not a valid glob";
        }
        return null;
    }

    /**
     * Files under {@code root} matching any of {@code globs}, as sorted paths relative to
     * {@code root}; each file once, at most {@link #MAX_FILES}.
     *
     * @throws IOException if the workspace cannot be walked
     */
    public static List<Path> find(Path root, List<String> globs) throws IOException {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : globs) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            if (glob.startsWith("**/")) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)));
            }
        }
        TreeSet<Path> found = new TreeSet<>();
        if (matchers.isEmpty() || !Files.isDirectory(root)) {
            return List.of();
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && SKIPPED_DIRS.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    Path relative = root.relativize(file);
                    for (PathMatcher matcher : matchers) {
                        if (matcher.matches(relative)) {
                            found.add(relative);
                            break;
                        }
                    }
                }
                return found.size() >= MAX_FILES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                // an unreadable corner of the workspace does not hide the reports elsewhere
                return FileVisitResult.CONTINUE;
            }
        });
        return List.copyOf(found);
    }
}
