package dev.forge.process;

import dev.forge.task.TaskId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished builds' workspaces, kept under {@code <root>/.kept-builds/<build id>} for a bounded
 * time so an analysis can read what the build wrote (coverage, test and SARIF reports, resolved
 * dependencies). The folder's modification time is when it was kept or last opened; anything
 * older than the keep time is deleted by {@link #sweep()}, which {@link DefaultWorkspaces} runs
 * whenever it prepares or releases a workspace.
 *
 * <p>Open handles are counted per folder in this JVM (shared by every instance, since a build
 * runner and an analysis pipeline often have their own {@link DefaultWorkspaces} on one root),
 * so a sweep never deletes a workspace being read here. Another process sharing the root does
 * not see those counts.
 */
final class KeptBuilds {

    static final String FOLDER = ".kept-builds";

    private static final Logger LOG = LoggerFactory.getLogger(KeptBuilds.class);
    private static final Map<Path, Integer> OPEN = new ConcurrentHashMap<>();

    private final Path dir;
    private final Duration keepFor;
    private final Clock clock;

    KeptBuilds(Path root, Duration keepFor, Clock clock) {
        this.dir = root.resolve(FOLDER);
        this.keepFor = keepFor;
        this.clock = clock;
    }

    boolean enabled() {
        return !keepFor.isZero();
    }

    /** Moves a finished build's workspace to the kept folder; false (and nothing moved) on failure. */
    boolean keep(Path workspace, TaskId buildId) {
        Path target = dir.resolve(buildId.value());
        try {
            Files.createDirectories(dir);
            if (Files.exists(target) && !OPEN.containsKey(target)) {
                // an earlier attempt's workspace: the latest attempt is what the build reports
                FileTrees.delete(target);
            }
            Files.move(workspace, target, StandardCopyOption.ATOMIC_MOVE);
            Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
            return true;
        } catch (IOException e) {
            LOG.warn("could not keep the workspace of build {}: {}", buildId, e.toString());
            return false;
        }
    }

    /** The kept workspace, opened, if it exists and has not expired. */
    Optional<KeptWorkspace> open(TaskId buildId) {
        Path target = dir.resolve(buildId.value());
        OPEN.merge(target, 1, Integer::sum);
        boolean opened = false;
        try {
            if (!Files.isDirectory(target) || expired(target)) {
                return Optional.empty();
            }
            // reading it counts as use: it stays for another keep time from now
            Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
            opened = true;
            return Optional.of(new Handle(target));
        } catch (IOException e) {
            LOG.warn("could not open the kept workspace of build {}: {}", buildId, e.toString());
            return Optional.empty();
        } finally {
            if (!opened) {
                closeOne(target);
            }
        }
    }

    /** Deletes kept workspaces older than the keep time that nobody here has open; returns how many. */
    int sweep() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!OPEN.containsKey(entry) && expired(entry)) {
                    FileTrees.delete(entry);
                    deleted++;
                }
            }
        } catch (NoSuchFileException e) {
            return deleted;
        } catch (IOException e) {
            LOG.warn("could not sweep kept build workspaces under {}: {}", dir, e.toString());
        }
        return deleted;
    }

    private boolean expired(Path entry) throws IOException {
        Instant kept = Files.getLastModifiedTime(entry).toInstant();
        return kept.plus(keepFor).isBefore(clock.instant());
    }

    private static void closeOne(Path target) {
        OPEN.computeIfPresent(target, (key, count) -> count == 1 ? null : count - 1);
    }

    private static final class Handle implements KeptWorkspace {
        private final Path path;
        private final AtomicBoolean closed = new AtomicBoolean();

        Handle(Path path) {
            this.path = path;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                closeOne(path);
            }
        }
    }
}
