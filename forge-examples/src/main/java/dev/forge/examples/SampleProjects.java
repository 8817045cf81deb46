package dev.forge.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The sample projects bundled with the example server (under {@code forge-samples/} on the
 * class path), copied to a folder so that forge can build them: make, a shell script, a Java
 * project with a JaCoCo report, and a slow build to watch and cancel.
 */
final class SampleProjects {

    static final String RESOURCE = "forge-samples";

    private SampleProjects() {
    }

    /** Copies the samples into a new temporary folder and returns it. */
    static Path extract() {
        try {
            Path target = Files.createTempDirectory("forge-samples-");
            extractTo(target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the sample projects", e);
        }
    }

    /** Copies the samples into {@code target}. */
    static void extractTo(Path target) {
        URL url = SampleProjects.class.getClassLoader().getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("the sample projects are missing from the class path");
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    copyTree(jar.getPath(RESOURCE), target);
                }
            } else {
                copyTree(Path.of(uri), target);
            }
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot copy the sample projects to " + target, e);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                // Jar paths and file paths differ in kind; go through strings.
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to);
                }
            }
        }
    }

    /** Deletes a folder tree, best effort (used at shutdown). */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = files.sorted(Comparator.reverseOrder()).toList();
            for (Path path : all) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover temp folder is harmless; the OS cleans temp eventually
        }
    }
}
