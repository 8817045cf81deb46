package dev.forge.redis;

import dev.forge.concurrent.GroupCall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Lets commands from concurrent threads share one pipelined round trip (a {@link GroupCall}):
 * sixteen workers each finding a task, storing a status or acking a job cost Redis - and this
 * JVM - one read and one write for all of them instead of one each, and the per-request
 * overhead, not the commands, is most of what a no-op job costs Redis. A lone caller's command
 * is sent at once, alone; batches are only as large as the callers that queued up during the
 * previous round trip, so there is no timer and no added latency when the node is quiet.
 *
 * <p>Each command gets its own reply: an error reply (a script error, {@code WRONGTYPE}) reaches
 * only the caller whose command it was. Script calls that Redis answers {@code NOSCRIPT} (a
 * restart without persistence, {@code SCRIPT FLUSH}) did not run; their scripts are loaded and
 * they are sent once more, in a second pipeline. A failed connection fails every command of the
 * batch not answered yet, as it would have failed each of them alone.
 *
 * <p>Commands of different callers are independent: Redis runs them in arrival order, but no
 * caller may count on another's command running before or after its own.
 */
final class SharedPipeline {

    private final UnifiedJedis client;
    private final GroupCall<Command, Reply> group = new GroupCall<>(this::send);
    private final AtomicLong batches = new AtomicLong();

    SharedPipeline(UnifiedJedis client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * One command: how to queue it on a pipeline and, for a script call, the script to load when
     * Redis does not know it ({@code null} otherwise).
     */
    record Command(LuaScript script, Function<AbstractPipeline, Response<?>> queue) {
        Command {
            Objects.requireNonNull(queue, "queue");
        }
    }

    /** A command's reply, or the driver's exception for it (an error reply or a failed connection). */
    record Reply(Object value, JedisException error) {
    }

    /**
     * Sends {@code command}, alone or with other threads' commands, and returns its reply; never
     * throws a driver exception.
     */
    Reply call(Command command) {
        return group.call(command);
    }

    /** Batches sent so far (for tests). */
    long batches() {
        return batches.get();
    }

    private List<Reply> send(List<Command> commands) {
        batches.incrementAndGet();
        Reply[] replies = new Reply[commands.size()];
        List<Integer> todo = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            todo.add(i);
        }
        try {
            for (int round = 0; !todo.isEmpty(); round++) {
                List<Response<?>> responses = new ArrayList<>(todo.size());
                try (AbstractPipeline pipeline = client.pipelined()) {
                    for (int i : todo) {
                        responses.add(commands.get(i).queue().apply(pipeline));
                    }
                    pipeline.sync();
                }
                List<Integer> again = new ArrayList<>();
                List<LuaScript> reload = new ArrayList<>();
                for (int j = 0; j < todo.size(); j++) {
                    int i = todo.get(j);
                    LuaScript script = commands.get(i).script();
                    try {
                        replies[i] = new Reply(responses.get(j).get(), null);
                    } catch (JedisNoScriptException e) {
                        if (round > 0 || script == null) {
                            replies[i] = new Reply(null, e);
                        } else {
                            again.add(i);
                            if (!reload.contains(script)) {
                                reload.add(script);
                            }
                        }
                    } catch (JedisDataException e) {
                        replies[i] = new Reply(null, e);
                    }
                }
                for (LuaScript script : reload) {
                    client.scriptLoad(script.source());
                }
                todo = again;
            }
        } catch (JedisException e) {
            // the connection (or the pool) failed: whatever has no reply yet fails with it
            for (int i = 0; i < replies.length; i++) {
                if (replies[i] == null) {
                    replies[i] = new Reply(null, e);
                }
            }
        }
        return Arrays.asList(replies);
    }
}
