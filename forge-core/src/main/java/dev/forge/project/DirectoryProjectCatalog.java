package dev.forge.project;

import dev.forge.InfrastructureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A catalog backed by a folder with one sub-folder per project; the folder name is the project
 * name. A project's source is its folder, unless its {@code forge.json} says otherwise (see
 * docs/builds.md). Without {@code steps} in forge.json the spec has no steps, which tells the
 * runner to detect the build tool in the fetched workspace ({@link BuildTools}).
 *
 * <p>Only names of the form {@code [A-Za-z0-9_-]{1,100}} are looked up, and a project folder
 * whose real path leaves the root (a symbolic link out) is treated as unknown. Parsed forge.json
 * files (and their errors) are cached until the file's modification time or size changes.
 * Thread-safe.
 */
public final class DirectoryProjectCatalog implements ProjectCatalog {

    private final Path root;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * Creates a catalog over {@code root}.
     *
     * @throws IllegalArgumentException if {@code root} is not a directory
     */
    public DirectoryProjectCatalog(Path root) {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("project root is not a directory: " + root);
        }
        this.root = root.toAbsolutePath().normalize();
    }

    /** The folder holding the projects. */
    public Path root() {
        return root;
    }

    @Override
    public Optional<ProjectSpec> find(String name) {
        if (!ProjectNames.isValid(name)) {
            return Optional.empty();
        }
        Path dir = root.resolve(name);
        try {
            // A plain directory (not a link) named by a valid name, which has no separator and is
            // never "." or "..", is inside the root by construction: one stat, where resolving
            // both real paths cost a stat per path component on every create.
            BasicFileAttributes attrs = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory() && !(attrs.isSymbolicLink() && linksInsideRoot(dir))) {
                cache.remove(name);
                return Optional.empty();
            }
            return Optional.of(load(name, dir));
        } catch (NoSuchFileException e) {
            cache.remove(name);
            return Optional.empty();
        } catch (IOException e) {
            throw new InfrastructureException("project catalog could not read project '" + name + "'", e);
        }
    }

    /** Whether the link {@code dir} leads to a directory inside the root (its real path checked). */
    private boolean linksInsideRoot(Path dir) throws IOException {
        Path real = dir.toRealPath();
        return real.startsWith(root.toRealPath()) && Files.isDirectory(real);
    }

    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            Path realRoot = root.toRealPath();
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (ProjectNames.isValid(name) && Files.isDirectory(entry)
                        && entry.toRealPath().startsWith(realRoot)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new InfrastructureException("project catalog could not list " + root, e);
        }
        names.sort(null);
        return List.copyOf(names);
    }

    private ProjectSpec load(String name, Path dir) throws IOException {
        Path json = dir.resolve(ForgeJsonParser.FILE_NAME);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(json, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            cache.remove(name);
            return new ProjectSpec(name, new ProjectSpec.Source.LocalPath(dir), List.of(), null,
                    null, null, null);
        }
        Cached cached = cache.get(name);
        if (cached != null && cached.matches(attrs)) {
            return cached.get();
        }
        Cached fresh = parse(name, dir, json, attrs);
        cache.put(name, fresh);
        return fresh.get();
    }

    private static Cached parse(String name, Path dir, Path json, BasicFileAttributes attrs)
            throws IOException {
        if (!attrs.isRegularFile()) {
            return Cached.failed(attrs, ForgeJsonParser.FILE_NAME + ": must be a regular file");
        }
        if (attrs.size() > ForgeJsonParser.MAX_BYTES) {
            return Cached.failed(attrs, ForgeJsonParser.FILE_NAME + ": is larger than "
                    + ForgeJsonParser.MAX_BYTES + " bytes");
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(json, LinkOption.NOFOLLOW_LINKS)) {
            content = in.readNBytes(ForgeJsonParser.MAX_BYTES + 1);
        }
        try {
            return Cached.parsed(attrs, ForgeJsonParser.parse(name, dir, content));
        } catch (ProjectConfigException e) {
            return Cached.failed(attrs, e.getMessage());
        }
    }

    /** A parse result (a spec or an error message) and the file version it came from. */
    private record Cached(FileTime modified, long size, Object fileKey, ProjectSpec spec, String error) {

        static Cached parsed(BasicFileAttributes attrs, ProjectSpec spec) {
            return new Cached(attrs.lastModifiedTime(), attrs.size(), attrs.fileKey(), spec, null);
        }

        static Cached failed(BasicFileAttributes attrs, String error) {
            return new Cached(attrs.lastModifiedTime(), attrs.size(), attrs.fileKey(), null, error);
        }

        boolean matches(BasicFileAttributes attrs) {
            return modified.equals(attrs.lastModifiedTime()) && size == attrs.size()
                    && Objects.equals(fileKey, attrs.fileKey());
        }

        ProjectSpec get() {
            if (error != null) {
                throw new ProjectConfigException(error);
            }
            return spec;
        }
    }
}
