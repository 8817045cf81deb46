package dev.forge.redis;

import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import java.util.regex.Pattern;

/**
 * The key and channel layout, all under one prefix (see docs/redis.md). Every key a forge
 * installation writes starts with the prefix, so two installations can share one Redis and a
 * test run can remove exactly its own keys.
 */
final class Keys {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String prefix;

    Keys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    // ---- task store

    String task(TaskId id) {
        return prefix + "task:" + id.value();
    }

    /** What scripts prepend to an id to get {@link #task}. */
    String taskPrefix() {
        return prefix + "task:";
    }

    String ownerIndex(TaskKind kind, String owner) {
        return prefix + "idx:owner:" + kind.wireName() + ":" + owner;
    }

    String allIndex(TaskKind kind) {
        return prefix + "idx:all:" + kind.wireName();
    }

    String terminalIndex() {
        return prefix + "idx:terminal";
    }

    String logMeta(TaskId id) {
        return prefix + "log:" + id.value();
    }

    String logHead(TaskId id) {
        return logMeta(id) + ":h";
    }

    String logTail(TaskId id) {
        return logMeta(id) + ":t";
    }

    /** What scripts prepend to an id to get {@link #logMeta}. */
    String logPrefix() {
        return prefix + "log:";
    }

    // ---- job queue

    String queue(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":z";
    }

    String queueSeq(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":seq";
    }

    /** Visible jobs of the queue, scored by fair rank. */
    String queueReady(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":r";
    }

    /** The queue's virtual time: the rank of the job leased last. */
    String queueClock(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":vt";
    }

    /** Each fairness group's last rank (a sorted set, so ranks below the virtual time are trimmed). */
    String queueLastRanks(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":gl";
    }

    /** Visible jobs per fairness group (a hash; groups without one are absent). */
    String queueReadyGroups(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":gr";
    }

    /** All jobs per fairness group (a hash; groups without one are absent). */
    String queueGroupJobs(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":gn";
    }

    /** What scripts prepend to a job id to get the job's hash. */
    String jobPrefix(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":j:";
    }

    String queueWakeChannel(String name) {
        return prefix + "q:" + checkedName(name, "queue") + ":wake";
    }

    // ---- rate limits, locks, events

    String rateBucket(String operation, String key) {
        return prefix + "rl:" + operation + ":" + key;
    }

    String lock(String name) {
        return prefix + "lock:" + checkedName(name, "lock name");
    }

    String taskChannel(TaskId id) {
        return prefix + "ev:" + id.value();
    }

    /** PSUBSCRIBE pattern for every task channel; the prefix holds no glob characters. */
    String allTasksPattern() {
        return prefix + "ev:*";
    }

    String cancelChannel() {
        return prefix + "ctl:cancel";
    }

    /**
     * Checks {@code name} against {@link #NAME} by hand: every job step builds queue keys, and a
     * regex match there was a visible share of a worker's CPU.
     */
    static String checkedName(String name, String what) {
        if (!isName(name)) {
            throw new IllegalArgumentException(what + " must match " + NAME.pattern() + ", was '"
                    + name + "'");
        }
        return name;
    }

    private static boolean isName(String name) {
        if (name == null || name.isEmpty() || name.length() > 64) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
