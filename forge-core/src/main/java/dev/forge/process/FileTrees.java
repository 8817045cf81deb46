package dev.forge.process;

import dev.forge.exec.CancellationToken;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Copying a source tree into a workspace, and deleting a workspace. */
final class FileTrees {

    private FileTrees() {
    }

    /** Thrown out of a copy when the token asks to stop. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped", null, false, false);
        }
    }

    /**
     * Copies {@code source} into the existing empty folder {@code target} without following
     * symbolic links: regular files and folders are copied with their attributes; a relative link
     * is recreated, and afterwards every recreated link that does not resolve inside
     * {@code target} is removed, so nothing in the workspace leads back into the source or
     * elsewhere; other links and special files are skipped. Each skip is reported to {@code log}.
     *
     * @throws Stopped if {@code token} is cancelled during the copy
     */
    static void copy(Path source, Path target, CancellationToken token, Consumer<String> log)
            throws IOException {
        List<Path> links = new ArrayList<>();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                    throws IOException {
                stopIfCancelled(token);
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                stopIfCancelled(token);
                Path relative = source.relativize(file);
                Path dest = target.resolve(relative.toString());
                if (attrs.isSymbolicLink()) {
                    Path link = Files.readSymbolicLink(file);
                    if (link.isAbsolute()) {
                        log.accept("[forge] skipped symbolic link '" + relative + "': absolute target");
                    } else {
                        Files.createSymbolicLink(dest, link);
                        links.add(dest);
                    }
                } else if (attrs.isRegularFile()) {
                    Files.copy(file, dest, StandardCopyOption.COPY_ATTRIBUTES,
                            LinkOption.NOFOLLOW_LINKS);
                } else {
                    log.accept("[forge] skipped '" + relative + "': not a regular file");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                // after the children: a read-only source folder would otherwise block the copy
                Path dest = target.resolve(source.relativize(dir).toString());
                try {
                    Files.setLastModifiedTime(dest, Files.getLastModifiedTime(dir));
                    Files.setPosixFilePermissions(dest, Files.getPosixFilePermissions(dir));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the default permissions will do
                }
                return FileVisitResult.CONTINUE;
            }
        });
        Path realTarget = target.toRealPath();
        for (Path link : links) {
            String problem = null;
            try {
                if (!link.toRealPath().startsWith(realTarget)) {
                    problem = "points outside the project";
                }
            } catch (NoSuchFileException e) {
                problem = "dangling";
            } catch (IOException e) {
                problem = "unresolvable";
            }
            if (problem != null) {
                Files.deleteIfExists(link);
                log.accept("[forge] skipped symbolic link '" + target.relativize(link) + "': " + problem);
            }
        }
    }

    private static void stopIfCancelled(CancellationToken token) {
        if (token.isCancelled()) {
            throw new Stopped();
        }
    }

    /**
     * Deletes {@code dir} and everything in it, without following symbolic links; folders made
     * read-only by a build are made writable first.
     */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                makeWritable(d);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                deleteOne(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                deleteOne(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                deleteOne(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteOne(Path path) throws IOException {
        try {
            Files.deleteIfExists(path);
        } catch (AccessDeniedException e) {
            Path parent = path.getParent();
            if (parent == null) {
                throw e;
            }
            makeWritable(parent);
            Files.deleteIfExists(path);
        }
    }

    private static void makeWritable(Path dir) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!perms.contains(PosixFilePermission.OWNER_WRITE)
                    || !perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
                perms.addAll(PosixFilePermissions.fromString("rwx------"));
                Files.setPosixFilePermissions(dir, perms);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the delete reports what it could not remove
        }
    }
}
