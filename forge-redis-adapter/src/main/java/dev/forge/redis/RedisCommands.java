package dev.forge.redis;

import dev.forge.InfrastructureException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The one place where the adapters talk to the pooled client: every driver exception becomes an
 * {@link InfrastructureException} here (once, at the boundary, with a message that names no
 * driver class), and scripts are reloaded when Redis answers {@code NOSCRIPT}. It also notices
 * when Redis answers again after it could not be reached (see {@link #onReachableAgain}).
 */
final class RedisCommands {

    private final UnifiedJedis client;
    private final Keys keys;
    private final SharedPipeline shared;
    private final AtomicBoolean unreachable = new AtomicBoolean();
    private volatile Runnable reachableAgain = () -> { };

    RedisCommands(UnifiedJedis client, Keys keys) {
        this.client = Objects.requireNonNull(client, "client");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.shared = new SharedPipeline(client);
    }

    Keys keys() {
        return keys;
    }

    /**
     * Runs {@code listener} (on the calling thread; it must be quick) when a command succeeds
     * after Redis could not be reached: Redis was down at start, or restarted, perhaps empty
     * or with other settings.
     */
    void onReachableAgain(Runnable listener) {
        this.reachableAgain = Objects.requireNonNull(listener, "listener");
    }

    /** Records that Redis could not be reached outside {@link #run} (the start-up check). */
    void markUnreachable() {
        unreachable.set(true);
    }

    /** Runs {@code command} on a pooled connection, translating driver failures. */
    <T> T run(String what, Function<UnifiedJedis, T> command) {
        T result;
        try {
            result = command.apply(client);
        } catch (JedisException e) {
            throw failed(what, e);
        }
        answered();
        return result;
    }

    /**
     * Runs {@code script} by EVALSHA, loading it first when Redis does not know it (after a
     * restart without persistence, or SCRIPT FLUSH) - so forge recovers without a restart.
     */
    Object eval(LuaScript script, List<String> keyArgs, List<String> args) {
        Object result;
        try {
            try {
                result = client.evalsha(script.sha(), keyArgs, args);
            } catch (JedisNoScriptException e) {
                client.scriptLoad(script.source());
                result = client.evalsha(script.sha(), keyArgs, args);
            }
        } catch (JedisException e) {
            throw failed("script " + script.name(), e);
        }
        answered();
        return result;
    }

    /**
     * As {@link #eval}, but in a pipeline shared with other threads' commands (see
     * {@link SharedPipeline}): for the calls every job or every create makes, from many workers
     * or request threads at once.
     */
    Object evalShared(LuaScript script, List<String> keyArgs, List<String> args) {
        return shared("script " + script.name(), script, pipeline -> pipeline.evalsha(script.sha(), keyArgs, args));
    }

    /** {@code HGET key field} in a pipeline shared with other threads' commands. */
    String hgetShared(String what, String key, String field) {
        return (String) shared(what, null, pipeline -> pipeline.hget(key, field));
    }

    /**
     * Sends {@code queue}'s commands in a pipeline shared with other threads' commands; an error
     * reply to any but the last is not reported (for best-effort commands such as PUBLISH).
     */
    void runShared(String what, Function<AbstractPipeline, Response<?>> queue) {
        shared(what, null, queue);
    }

    /** Batches the shared pipeline has sent (for tests). */
    long sharedBatches() {
        return shared.batches();
    }

    private Object shared(String what, LuaScript script, Function<AbstractPipeline, Response<?>> queue) {
        SharedPipeline.Reply reply = shared.call(new SharedPipeline.Command(script, queue));
        if (reply.error() != null) {
            throw failed(what, reply.error());
        }
        answered();
        return reply.value();
    }

    /**
     * Runs {@code script} once per entry of {@code keyArgs} / {@code args} (same size), pipelined:
     * one round trip for all of them. Calls that Redis answers {@code NOSCRIPT} did not run; they
     * are sent again after the script is loaded.
     *
     * @return the replies, in order
     */
    List<Object> evalAll(LuaScript script, List<List<String>> keyArgs, List<List<String>> args) {
        int n = keyArgs.size();
        List<Object> results = new ArrayList<>(Collections.nCopies(n, null));
        List<Integer> todo = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            todo.add(i);
        }
        try {
            for (int round = 0; !todo.isEmpty(); round++) {
                List<Integer> again = new ArrayList<>();
                List<Response<Object>> replies = new ArrayList<>(todo.size());
                try (AbstractPipeline pipeline = client.pipelined()) {
                    for (int i : todo) {
                        replies.add(pipeline.evalsha(script.sha(), keyArgs.get(i), args.get(i)));
                    }
                    pipeline.sync();
                }
                for (int j = 0; j < todo.size(); j++) {
                    try {
                        results.set(todo.get(j), replies.get(j).get());
                    } catch (JedisNoScriptException e) {
                        if (round > 0) {
                            throw e;
                        }
                        again.add(todo.get(j));
                    }
                }
                if (!again.isEmpty()) {
                    client.scriptLoad(script.source());
                }
                todo = again;
            }
        } catch (JedisException e) {
            throw failed("script " + script.name(), e);
        }
        answered();
        return results;
    }

    /** An error reply means Redis answered; anything else (refused, timed out, pool empty) that it did not. */
    private InfrastructureException failed(String what, JedisException e) {
        if (!(e instanceof JedisDataException)) {
            unreachable.set(true);
        }
        return translate(what, e);
    }

    private void answered() {
        if (unreachable.get() && unreachable.compareAndSet(true, false)) {
            reachableAgain.run();
        }
    }

    static InfrastructureException translate(String what, JedisException e) {
        return new InfrastructureException("Redis failed during " + what + ": " + reason(e), e);
    }

    private static String reason(JedisException e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            Throwable cause = e.getCause();
            message = cause != null && cause.getMessage() != null ? cause.getMessage() : "unavailable";
        }
        // one line, bounded: it may reach a log or an admin's health page
        message = message.replaceAll("\\s+", " ");
        return message.length() > 200 ? message.substring(0, 200) : message;
    }
}
