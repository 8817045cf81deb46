package dev.forge.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks live workspaces with an OS file lock, so a sweep can tell them from the leftovers of a
 * crashed process: {@code <workspace>.lock} beside each workspace, locked by the process using
 * it for as long as it does. The OS releases the lock when the process dies, however it dies.
 * The locks live in this class for the whole JVM, because a JVM may hold a file lock only once.
 */
final class WorkspaceLocks {

    private static final Logger LOG = LoggerFactory.getLogger(WorkspaceLocks.class);
    private static final String SUFFIX = ".lock";
    /** How workspaces are named: {@code <task id>-<attempt>-<random>}. */
    private static final Pattern WORKSPACE = Pattern.compile("[A-Za-z0-9_-]{1,64}-[0-9]{1,9}-[0-9]{1,40}");
    /** A workspace without a lock file is only swept once this old: it may be in the making. */
    private static final Duration UNLOCKED_GRACE = Duration.ofMinutes(1);

    private static final Map<Path, FileChannel> HELD = new ConcurrentHashMap<>();

    private WorkspaceLocks() {
    }

    /** Locks {@code dir} as live until {@link #release}. */
    static void hold(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(lockFile(dir), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() == null) {
                throw new IOException("workspace lock " + lockFile(dir) + " is held by another process");
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        HELD.put(dir, channel);
    }

    /**
     * Unlocks {@code dir} and deletes its lock file. A workspace kept for inspection is then
     * an unlocked one: the next start's sweep deletes it (once it is a minute old).
     */
    static void release(Path dir) {
        FileChannel channel = HELD.remove(dir);
        try {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(lockFile(dir));
        } catch (IOException e) {
            LOG.warn("could not release the lock of workspace {}: {}", dir, e.toString());
        }
    }

    static int sweep(Path root) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int deleted = 0;
        int live = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!WORKSPACE.matcher(name).matches() || !Files.isDirectory(entry)) {
                    continue;
                }
                if (HELD.containsKey(entry) || !abandoned(entry)) {
                    live++;
                    continue;
                }
                DefaultWorkspaces.deleteQuietly(entry);
                if (!Files.exists(entry)) {
                    Files.deleteIfExists(lockFile(entry));
                    deleted++;
                }
            }
        } catch (IOException e) {
            LOG.warn("workspace sweep of {} stopped: {}", root, e.toString());
        }
        if (deleted > 0 || live > 0) {
            LOG.info("workspace sweep of {}: deleted {} left behind by ended processes, kept {} in use", root,
                    deleted, live);
        } else {
            LOG.debug("workspace sweep of {}: nothing left behind", root);
        }
        return deleted;
    }

    /** True when no process holds the workspace's lock (taking and dropping it to find out). */
    private static boolean abandoned(Path dir) throws IOException {
        Path lock = lockFile(dir);
        if (!Files.exists(lock)) {
            FileTime modified = Files.getLastModifiedTime(dir);
            return modified.toInstant().isBefore(Instant.now().minus(UNLOCKED_GRACE));
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock taken = channel.tryLock();
            if (taken == null) {
                return false;
            }
            taken.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // held by this JVM
        }
    }

    private static Path lockFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + SUFFIX);
    }
}
